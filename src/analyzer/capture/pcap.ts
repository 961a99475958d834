import { MAX_RECORD, RecordParser } from './parser.js';
import { u16be, u16le, u32be, u32le } from './bytes.js';
import type { CaptureError } from './errors.js';
import type { FrameHandler } from './types.js';

/** Classic pcap magic numbers as read big-endian from the first four bytes. */
export const PCAP_MAGIC = {
  usBE: 0xa1b2c3d4,
  usLE: 0xd4c3b2a1,
  nsBE: 0xa1b23c4d,
  nsLE: 0x4d3cb2a1,
  /** Kuznetzov's patched libpcap: 8 more bytes per record header. */
  kuzBE: 0xa1b2cd34,
  kuzLE: 0x34cdb2a1,
} as const;

const FILE_HEADER = 24;

/** Classic pcap: a 24-byte file header, then 16-byte record headers each followed by its bytes. */
export class PcapParser extends RecordParser {
  readonly format = 'pcap' as const;
  private readonly le: boolean;
  private readonly nsPerFrac: number;
  private readonly recHeader: number;
  private headerDone = false;
  /** LINKTYPE_* from the file header. */
  linkType = 0;
  snaplen = 0;

  constructor(magic: number, onFrame: FrameHandler) {
    super(onFrame);
    this.le = magic === PCAP_MAGIC.usLE || magic === PCAP_MAGIC.nsLE || magic === PCAP_MAGIC.kuzLE;
    this.nsPerFrac = magic === PCAP_MAGIC.nsBE || magic === PCAP_MAGIC.nsLE ? 1 : 1000;
    this.recHeader = magic === PCAP_MAGIC.kuzBE || magic === PCAP_MAGIC.kuzLE ? 24 : 16;
    this.need = FILE_HEADER;
  }

  feed(buf: Buffer, pos: number, end: number, base: number): number {
    const le = this.le;
    if (!this.headerDone) {
      if (end - pos < FILE_HEADER) {
        this.need = FILE_HEADER;
        return pos;
      }
      const major = le ? u16le(buf, pos + 4) : u16be(buf, pos + 4);
      const minor = le ? u16le(buf, pos + 6) : u16be(buf, pos + 6);
      if (major !== 2) throw this.fail('unsupported', base + pos, `unsupported pcap version ${major}.${minor}`);
      this.snaplen = le ? u32le(buf, pos + 16) : u32be(buf, pos + 16);
      // The upper bits of the link-type field carry FCS information, not the link type.
      this.linkType = (le ? u32le(buf, pos + 20) : u32be(buf, pos + 20)) & 0xffff;
      this.headerDone = true;
      pos += FILE_HEADER;
    }
    const hl = this.recHeader;
    const nsMul = this.nsPerFrac;
    const linkType = this.linkType;
    const onFrame = this.onFrame;
    for (;;) {
      const avail = end - pos;
      if (avail < hl) {
        this.need = hl;
        return pos;
      }
      const incl = le ? u32le(buf, pos + 8) : u32be(buf, pos + 8);
      if (incl > MAX_RECORD) throw this.fail('corrupt', base + pos, `pcap record claims ${incl} captured bytes`);
      const total = hl + incl;
      if (avail < total) {
        this.need = total;
        return pos;
      }
      const r = onFrame({
        index: ++this.frames,
        tsSec: le ? u32le(buf, pos) : u32be(buf, pos),
        tsNsec: (le ? u32le(buf, pos + 4) : u32be(buf, pos + 4)) * nsMul,
        linkType,
        caplen: incl,
        origLen: le ? u32le(buf, pos + 12) : u32be(buf, pos + 12),
        interfaceId: 0,
        offset: base + pos,
        data: buf.subarray(pos + hl, pos + total),
      });
      pos += total;
      if (r === false) {
        this.stopped = true;
        this.need = 0;
        return pos;
      }
    }
  }

  atEof(avail: number, offset: number): CaptureError | null {
    if (avail === 0 && this.headerDone) return null;
    if (!this.headerDone) return this.fail('truncated', offset, `file ends inside the pcap file header (${avail} of ${FILE_HEADER} bytes)`);
    if (avail < this.recHeader) {
      return this.fail('truncated', offset, `file ends inside a pcap record header (${avail} of ${this.recHeader} bytes)`);
    }
    return this.fail('truncated', offset, `file ends inside a pcap record (${avail} of ${this.need} bytes)`);
  }
}
