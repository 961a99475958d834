import { open } from 'node:fs/promises';
import { closeSync, openSync, readSync } from 'node:fs';
import { CaptureDecoder } from './decoder.js';
import type { CaptureStats, Frame, FrameHandler, ReadOptions } from './types.js';

/** Default bytes per read and initial buffer size. */
export const DEFAULT_CHUNK = 1024 * 1024;

/**
 * The reusable read buffer: buf[start, end) holds unparsed bytes, buf[0] is file offset `base`.
 * Before each read the unparsed tail moves to the front, and the buffer grows only when one record
 * is bigger than it (so memory is bounded by max(chunk size, largest record)).
 */
class Window {
  buf: Buffer;
  start = 0;
  end = 0;
  base = 0;
  eof = false;

  readonly decoder: CaptureDecoder;
  readonly chunk: number;

  constructor(onFrame: FrameHandler, options: ReadOptions) {
    const chunk = options.chunkSize ?? DEFAULT_CHUNK;
    if (!Number.isInteger(chunk) || chunk < 1) throw new RangeError(`chunkSize must be a positive integer, got ${chunk}`);
    this.decoder = new CaptureDecoder(onFrame);
    this.chunk = chunk;
    this.buf = Buffer.allocUnsafe(chunk);
  }

  /** Prepares the next read: the buffer, offset, length and file position to pass to read/readSync. */
  nextRead(): [Buffer, number, number, number] {
    const len = this.prepare();
    return [this.buf, this.end, len, this.filePos];
  }

  /** Makes room for the next read; returns how many bytes to read into buf at `end`. */
  prepare(): number {
    const pending = this.end - this.start;
    if (this.start > 0) {
      this.buf.copyWithin(0, this.start, this.end);
      this.base += this.start;
      this.start = 0;
      this.end = pending;
    }
    const need = this.decoder.need;
    if (need > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
      this.buf.copy(bigger, 0, 0, pending);
      this.buf = bigger;
    }
    return Math.min(this.chunk, this.buf.length - this.end);
  }

  /** Takes `n` freshly read bytes (0 = end of file) and parses; returns false when reading is over. */
  advance(n: number): boolean {
    if (n === 0) {
      this.eof = true;
      this.decoder.finish(this.end - this.start, this.base + this.start);
      return false;
    }
    this.end += n;
    this.start = this.decoder.feed(this.buf, this.start, this.end, this.base);
    return !this.decoder.stopped;
  }

  /** File position of the next read. */
  get filePos(): number {
    return this.base + this.end;
  }
}

/**
 * Reads a pcap or pcapng file in chunks and calls `onFrame` for each frame, in order, synchronously
 * within the read loop (the fast path). `frame.data` is valid only during the call. Resolves with the
 * counters; rejects with CaptureError (after every complete frame before the fault was delivered) for a
 * truncated, corrupt or foreign file, or with the fs error if the file cannot be read.
 */
export async function readCapture(path: string, onFrame: FrameHandler, options: ReadOptions = {}): Promise<CaptureStats> {
  const w = new Window(onFrame, options);
  const fh = await open(path, 'r');
  try {
    for (;;) if (!w.advance((await fh.read(...w.nextRead())).bytesRead)) break;
  } finally {
    await fh.close();
  }
  return w.decoder.stats();
}

/** `readCapture` with synchronous reads, for scripts and tools that do not want a promise. */
export function readCaptureSync(path: string, onFrame: FrameHandler, options: ReadOptions = {}): CaptureStats {
  // The same loop as readCapture's with readSync: a sync API cannot share the awaiting one.
  const w = new Window(onFrame, options);
  const fd = openSync(path, 'r');
  try {
    for (;;) if (!w.advance(readSync(fd, ...w.nextRead()))) break;
  } finally {
    closeSync(fd);
  }
  return w.decoder.stats();
}

/** Parses a whole capture already in memory (no copy: `frame.data` views `bytes`). Same errors as readCapture. */
export function parseCapture(bytes: Buffer, onFrame: FrameHandler): CaptureStats {
  const decoder = new CaptureDecoder(onFrame);
  const pos = decoder.feed(bytes, 0, bytes.length, 0);
  if (!decoder.stopped) decoder.finish(bytes.length - pos, pos);
  return decoder.stats();
}

/**
 * The frames of a capture file as an async iterator (convenient, slower than readCapture). Each
 * frame's `data` is valid until the iterator's next step. Throws CaptureError after the last good frame.
 */
export async function* captureFrames(path: string, options: ReadOptions = {}): AsyncGenerator<Frame, CaptureStats, undefined> {
  let batch: Frame[] = [];
  const w = new Window((f) => {
    batch.push(f);
  }, options);
  const fh = await open(path, 'r');
  try {
    for (;;) {
      const { bytesRead } = await fh.read(...w.nextRead());
      let more = true;
      let failure: unknown = null;
      try {
        more = w.advance(bytesRead);
      } catch (e) {
        failure = e;
      }
      // The buffer is not touched again until the consumer asks past the last frame of this batch.
      const frames = batch;
      batch = [];
      for (const f of frames) yield f;
      if (failure !== null) throw failure;
      if (!more) break;
    }
  } finally {
    await fh.close();
  }
  return w.decoder.stats();
}
