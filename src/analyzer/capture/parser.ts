import { CaptureError, type CaptureErrorReason } from './errors.js';
import type { CaptureFormat, FrameHandler } from './types.js';

/** Largest record or frame-carrying block accepted; anything bigger is a corrupt length, not a packet. */
export const MAX_RECORD = 64 * 1024 * 1024;

/**
 * A push parser for one container format. `feed` parses every complete record in buf[pos, end)
 * (buf[pos] is file offset base + pos) and returns where it stopped; `need` then says how many
 * bytes from there it wants before it can go on. It throws CaptureError after delivering every
 * frame before the bad record.
 */
export abstract class RecordParser {
  abstract readonly format: CaptureFormat;
  frames = 0;
  sections = 1;
  interfaces = 1;
  skippedBlocks = 0;
  stopped = false;
  need = 0;

  constructor(protected readonly onFrame: FrameHandler) {}

  abstract feed(buf: Buffer, pos: number, end: number, base: number): number;

  /** At end of file with `avail` unparsed bytes left: null if that is a clean end, else the error. */
  abstract atEof(avail: number, offset: number): CaptureError | null;

  protected fail(reason: CaptureErrorReason, offset: number, detail: string): CaptureError {
    return new CaptureError(reason, offset, detail, this.frames);
  }
}

