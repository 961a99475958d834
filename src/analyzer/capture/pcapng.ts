import { MAX_RECORD, RecordParser } from './parser.js';
import { u16be, u16le, u32be, u32le } from './bytes.js';
import { TsResolution } from './timestamp.js';
import type { CaptureError } from './errors.js';

/** pcapng block types this reader acts on; every other type is skipped. */
export const BLOCK = {
  SHB: 0x0a0d0d0a,
  IDB: 0x00000001,
  /** Obsolete Packet Block. */
  PB: 0x00000002,
  SPB: 0x00000003,
  NRB: 0x00000004,
  ISB: 0x00000005,
  EPB: 0x00000006,
} as const;

const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPT_END = 0;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;

interface Iface {
  linkType: number;
  snaplen: number;
  ts: TsResolution;
}

/**
 * pcapng: sections (SHB, either byte order) of blocks; interfaces (IDB) are numbered per section,
 * each with its own link type and timestamp resolution. Frames come from EPB, SPB and PB.
 */
export class PcapngParser extends RecordParser {
  readonly format = 'pcapng' as const;
  private le = true;
  private ifaces: Iface[] = [];
  /** Bytes of an oversized skippable block still to pass over, and where that block began. */
  private skip = 0;
  private skipStart = 0;
  private started = false;

  constructor(onFrame: ConstructorParameters<typeof RecordParser>[0]) {
    super(onFrame);
    this.sections = 0;
    this.interfaces = 0;
    this.need = 12;
  }

  feed(buf: Buffer, pos: number, end: number, base: number): number {
    for (;;) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, end - pos);
        pos += n;
        this.skip -= n;
        if (this.skip > 0) {
          this.need = 1;
          return pos;
        }
      }
      const avail = end - pos;
      if (avail < 12) {
        this.need = 12;
        return pos;
      }
      let le = this.le;
      const type = le ? u32le(buf, pos) : u32be(buf, pos);
      if (type === BLOCK.SHB) {
        // The byte-order magic decides how this section (including this block's length) is read.
        if (u32le(buf, pos + 8) === BYTE_ORDER_MAGIC) le = true;
        else if (u32be(buf, pos + 8) === BYTE_ORDER_MAGIC) le = false;
        else throw this.fail('corrupt', base + pos, `pcapng section header with bad byte-order magic 0x${u32be(buf, pos + 8).toString(16).padStart(8, '0')}`);
      } else if (!this.started) {
        throw this.fail('corrupt', base + pos, 'pcapng file does not start with a section header');
      }
      const len = le ? u32le(buf, pos + 4) : u32be(buf, pos + 4);
      if (len < 12 || (len & 3) !== 0) throw this.fail('corrupt', base + pos, `pcapng block (type 0x${hex32(type)}) has bad length ${len}`);
      const carries = type === BLOCK.SHB || type === BLOCK.IDB || type === BLOCK.EPB || type === BLOCK.SPB || type === BLOCK.PB;
      if (avail < len) {
        if (!carries && len > buf.length) {
          // A block we would skip anyway: pass over it without buffering it whole.
          this.skippedBlocks++;
          this.skipStart = base + pos;
          this.skip = len - avail;
          pos = end;
          continue;
        }
        if (len > MAX_RECORD) throw this.fail('corrupt', base + pos, `pcapng block (type 0x${hex32(type)}) claims ${len} bytes`);
        this.need = len;
        return pos;
      }
      const trailer = le ? u32le(buf, pos + len - 4) : u32be(buf, pos + len - 4);
      if (trailer !== len) {
        throw this.fail('corrupt', base + pos, `pcapng block (type 0x${hex32(type)}) length ${len} does not match its trailing length ${trailer}`);
      }
      switch (type) {
        case BLOCK.EPB:
        case BLOCK.PB: {
          if (len < 32) throw this.fail('corrupt', base + pos, `pcapng packet block too short (${len} bytes)`);
          const ifId = type === BLOCK.EPB ? (le ? u32le(buf, pos + 8) : u32be(buf, pos + 8)) : le ? u16le(buf, pos + 8) : u16be(buf, pos + 8);
          const iface = this.ifaces[ifId];
          if (iface === undefined) throw this.fail('corrupt', base + pos, `pcapng packet for undefined interface ${ifId}`);
          const cap = le ? u32le(buf, pos + 20) : u32be(buf, pos + 20);
          if (cap > len - 32) throw this.fail('corrupt', base + pos, `pcapng packet claims ${cap} captured bytes in a ${len}-byte block`);
          const ts = iface.ts;
          ts.convert(le ? u32le(buf, pos + 12) : u32be(buf, pos + 12), le ? u32le(buf, pos + 16) : u32be(buf, pos + 16));
          const r = this.onFrame({
            index: ++this.frames,
            tsSec: ts.sec,
            tsNsec: ts.nsec,
            linkType: iface.linkType,
            caplen: cap,
            origLen: le ? u32le(buf, pos + 24) : u32be(buf, pos + 24),
            interfaceId: ifId,
            offset: base + pos,
            data: buf.subarray(pos + 28, pos + 28 + cap),
          });
          if (r === false) return this.stop(pos + len);
          break;
        }
        case BLOCK.SPB: {
          if (len < 16) throw this.fail('corrupt', base + pos, `pcapng simple packet block too short (${len} bytes)`);
          const iface = this.ifaces[0];
          if (iface === undefined) throw this.fail('corrupt', base + pos, 'pcapng simple packet block before any interface');
          const orig = le ? u32le(buf, pos + 8) : u32be(buf, pos + 8);
          // An SPB stores min(original length, snaplen) bytes; the block length bounds it too.
          let cap = Math.min(orig, len - 16);
          if (iface.snaplen > 0 && iface.snaplen < cap) cap = iface.snaplen;
          const r = this.onFrame({
            index: ++this.frames,
            tsSec: 0,
            tsNsec: 0,
            linkType: iface.linkType,
            caplen: cap,
            origLen: orig,
            interfaceId: 0,
            offset: base + pos,
            data: buf.subarray(pos + 12, pos + 12 + cap),
          });
          if (r === false) return this.stop(pos + len);
          break;
        }
        case BLOCK.IDB: {
          if (len < 20) throw this.fail('corrupt', base + pos, `pcapng interface description block too short (${len} bytes)`);
          this.ifaces.push(readIdb(buf, pos, len, le));
          this.interfaces++;
          break;
        }
        case BLOCK.SHB: {
          if (len < 28) throw this.fail('corrupt', base + pos, `pcapng section header too short (${len} bytes)`);
          const major = le ? u16le(buf, pos + 12) : u16be(buf, pos + 12);
          const minor = le ? u16le(buf, pos + 14) : u16be(buf, pos + 14);
          if (major !== 1) throw this.fail('unsupported', base + pos, `unsupported pcapng version ${major}.${minor}`);
          this.le = le;
          this.ifaces = [];
          this.sections++;
          this.started = true;
          break;
        }
        default:
          this.skippedBlocks++;
      }
      pos += len;
    }
  }

  private stop(pos: number): number {
    this.stopped = true;
    this.need = 0;
    return pos;
  }

  atEof(avail: number, offset: number): CaptureError | null {
    if (this.skip > 0) return this.fail('truncated', this.skipStart, `file ends inside a pcapng block (${this.skip} bytes missing)`);
    if (avail === 0) return null;
    if (avail < 12) return this.fail('truncated', offset, `file ends inside a pcapng block header (${avail} of 12 bytes)`);
    return this.fail('truncated', offset, `file ends inside a pcapng block (${avail} of ${this.need} bytes)`);
  }
}

function hex32(v: number): string {
  return v.toString(16).padStart(8, '0');
}

/** Link type, snaplen and the timestamp options of an IDB; malformed options end the option list. */
function readIdb(buf: Buffer, pos: number, len: number, le: boolean): Iface {
  const linkType = le ? u16le(buf, pos + 8) : u16be(buf, pos + 8);
  const snaplen = le ? u32le(buf, pos + 12) : u32be(buf, pos + 12);
  let tsresol = 6;
  let tsoffset = 0;
  const optEnd = pos + len - 4;
  let p = pos + 16;
  while (p + 4 <= optEnd) {
    const code = le ? u16le(buf, p) : u16be(buf, p);
    const olen = le ? u16le(buf, p + 2) : u16be(buf, p + 2);
    if (code === OPT_END || p + 4 + olen > optEnd) break;
    if (code === OPT_IF_TSRESOL && olen >= 1) tsresol = buf[p + 4]!;
    else if (code === OPT_IF_TSOFFSET && olen >= 8) tsoffset = Number(le ? buf.readBigInt64LE(p + 4) : buf.readBigInt64BE(p + 4));
    p += 4 + ((olen + 3) & ~3);
  }
  return { linkType, snaplen, ts: new TsResolution(tsresol, tsoffset) };
}
