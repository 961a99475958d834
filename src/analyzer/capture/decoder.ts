import { CaptureError } from './errors.js';
import { PCAP_MAGIC, PcapParser } from './pcap.js';
import { BLOCK, PcapngParser } from './pcapng.js';
import type { RecordParser } from './parser.js';
import type { CaptureStats, FrameHandler } from './types.js';

const PCAP_MAGICS: ReadonlySet<number> = new Set(Object.values(PCAP_MAGIC));
const MAGIC_BYTES: readonly Buffer[] = [...PCAP_MAGICS, BLOCK.SHB].map((m) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(m);
  return b;
});

/**
 * A push decoder for a whole capture file: recognises the format from its magic, then hands bytes
 * to the pcap or pcapng parser. The file readers drive it; it never touches the file itself.
 */
export class CaptureDecoder {
  private parser: RecordParser | null = null;
  /** File offset just past the last complete record. */
  private consumed = 0;
  private firstBytes: Buffer | null = null;

  constructor(private readonly onFrame: FrameHandler) {}

  /** Bytes wanted from the current position before progress is possible. */
  get need(): number {
    return this.parser ? this.parser.need : 4;
  }

  /** True once the handler asked to stop. */
  get stopped(): boolean {
    return this.parser !== null && this.parser.stopped;
  }

  /** Parses what it can of buf[pos, end) (buf[pos] being file offset base + pos); returns the new position. */
  feed(buf: Buffer, pos: number, end: number, base: number): number {
    if (this.parser === null) {
      if (end - pos < 4) {
        this.firstBytes = Buffer.from(buf.subarray(pos, end));
        return pos;
      }
      const magic = buf.readUInt32BE(pos);
      if (magic === BLOCK.SHB) this.parser = new PcapngParser(this.onFrame);
      else if (PCAP_MAGICS.has(magic)) this.parser = new PcapParser(magic, this.onFrame);
      else throw new CaptureError('not_capture', base + pos, `not a pcap or pcapng file (magic ${buf.toString('hex', pos, pos + 4)})`);
    }
    const next = this.parser.feed(buf, pos, end, base);
    this.consumed = base + next;
    return next;
  }

  /** The end of the file was reached with buf[pos, end) unparsed: throws if that is not a clean end. */
  finish(avail: number, offset: number): void {
    if (this.parser === null) {
      const got = this.firstBytes ?? Buffer.alloc(0);
      if (avail > 0 && MAGIC_BYTES.some((m) => m.subarray(0, avail).equals(got))) {
        throw new CaptureError('truncated', offset, `file ends inside the capture magic (${avail} of 4 bytes)`);
      }
      const detail = avail === 0 ? 'empty file: not a pcap or pcapng file' : `not a pcap or pcapng file (magic ${got.toString('hex')}, only ${avail} byte(s))`;
      throw new CaptureError('not_capture', offset, detail);
    }
    const err = this.parser.atEof(avail, offset);
    if (err) throw err;
  }

  /** Counters so far. */
  stats(): CaptureStats {
    const p = this.parser;
    return {
      format: p?.format ?? 'pcap',
      frames: p?.frames ?? 0,
      bytes: this.consumed,
      sections: p?.sections ?? 0,
      interfaces: p?.interfaces ?? 0,
      skippedBlocks: p?.skippedBlocks ?? 0,
      stopped: p?.stopped ?? false,
    };
  }
}
