import { closeSync, openSync, writeSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import { EncodeError } from '../protocol/errors.js';

/**
 * Writes UDP datagrams as a classic pcap (microseconds, LINKTYPE_ETHERNET) with synthetic Ethernet,
 * IPv4 (or IPv6) and UDP headers whose lengths and checksums are correct, so any tool reads them.
 */

/** One datagram to record; `time` is milliseconds since the epoch (fractions kept to the µs), default now. */
export interface PcapDatagram {
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
  payload: Uint8Array;
  time?: number;
}

/** Options for PcapWriter. */
export interface PcapWriterOptions {
  /** Bytes buffered before a write to the file (default 256 KiB). */
  bufferSize?: number;
}

/** Snapshot length written in the file header (libpcap's usual maximum). */
export const PCAP_SNAPLEN = 262144;
/** Bytes of the pcap file header. */
export const PCAP_FILE_HEADER_LENGTH = 24;

const LINKTYPE_ETHERNET = 1;
const RECORD_HEADER = 16;
const ETH_HEADER = 14;
const UDP_HEADER = 8;
// Locally administered unicast addresses: clearly synthetic.
const MAC_DST = Buffer.from([0x02, 0, 0, 0, 0, 0x02]);
const MAC_SRC = Buffer.from([0x02, 0, 0, 0, 0, 0x01]);

/** The 24-byte header of a little-endian, microsecond, Ethernet pcap file. */
export function pcapFileHeader(): Buffer {
  const b = Buffer.alloc(PCAP_FILE_HEADER_LENGTH);
  b.writeUInt32LE(0xa1b2c3d4, 0);
  b.writeUInt16LE(2, 4);
  b.writeUInt16LE(4, 6);
  // thiszone and sigfigs stay 0
  b.writeUInt32LE(PCAP_SNAPLEN, 16);
  b.writeUInt32LE(LINKTYPE_ETHERNET, 20);
  return b;
}

/** Bytes one datagram takes in the file (record header included). */
export function pcapRecordLength(d: PcapDatagram): number {
  return RECORD_HEADER + ETH_HEADER + (addressOf(d.srcIp, 'srcIp').length === 16 ? 40 : 20) + UDP_HEADER + d.payload.length;
}

/**
 * Encodes datagrams into pcap records; keeps the IPv4 identification counter. Shared by PcapWriter
 * and buildPcap so both produce identical bytes.
 */
class RecordEncoder {
  private ipId = 0;

  /** Writes `d` at b[o] (room must be there: see `length`); returns the bytes written. */
  encode(b: Buffer, o: number, d: PcapDatagram, src: Buffer, dst: Buffer, nowMs: number): number {
    const payload = d.payload;
    const v6 = src.length === 16;
    const ipHeader = v6 ? 40 : 20;
    const udpLength = UDP_HEADER + payload.length;
    const frame = ETH_HEADER + ipHeader + udpLength;
    const ms = d.time ?? nowMs;
    let sec = Math.floor(ms / 1000);
    let usec = Math.round((ms - sec * 1000) * 1000);
    if (usec >= 1_000_000) {
      sec += 1;
      usec -= 1_000_000;
    }
    b.writeUInt32LE(sec >>> 0, o);
    b.writeUInt32LE(usec, o + 4);
    b.writeUInt32LE(frame, o + 8);
    b.writeUInt32LE(frame, o + 12);
    let p = o + RECORD_HEADER;
    MAC_DST.copy(b, p);
    MAC_SRC.copy(b, p + 6);
    b.writeUInt16BE(v6 ? 0x86dd : 0x0800, p + 12);
    p += ETH_HEADER;
    let pseudo: number;
    if (v6) {
      b.writeUInt32BE(0x60000000, p); // version 6, no traffic class, no flow label
      b.writeUInt16BE(udpLength, p + 4);
      b[p + 6] = 17;
      b[p + 7] = 64;
      src.copy(b, p + 8);
      dst.copy(b, p + 24);
      pseudo = sum16(b, p + 8, p + 40, udpLength + 17);
    } else {
      b[p] = 0x45;
      b[p + 1] = 0;
      b.writeUInt16BE(ipHeader + udpLength, p + 2);
      b.writeUInt16BE(this.ipId, p + 4);
      this.ipId = (this.ipId + 1) & 0xffff;
      b.writeUInt16BE(0x4000, p + 6); // don't fragment
      b[p + 8] = 64;
      b[p + 9] = 17;
      b.writeUInt16BE(0, p + 10);
      src.copy(b, p + 12);
      dst.copy(b, p + 16);
      b.writeUInt16BE(~fold(sum16(b, p, p + 20, 0)) & 0xffff, p + 10);
      pseudo = sum16(b, p + 12, p + 20, udpLength + 17);
    }
    p += ipHeader;
    b.writeUInt16BE(d.srcPort, p);
    b.writeUInt16BE(d.dstPort, p + 2);
    b.writeUInt16BE(udpLength, p + 4);
    b.writeUInt16BE(0, p + 6);
    b.set(payload, p + UDP_HEADER);
    const c = ~fold(sum16(b, p, p + udpLength, pseudo)) & 0xffff;
    b.writeUInt16BE(c === 0 ? 0xffff : c, p + 6); // 0 would mean "no checksum"
    return RECORD_HEADER + frame;
  }
}

/** Validates a datagram and returns its address bytes (4 or 16 each) and record length. */
function prepare(d: PcapDatagram): { src: Buffer; dst: Buffer; length: number } {
  const src = addressOf(d.srcIp, 'srcIp');
  const dst = addressOf(d.dstIp, 'dstIp');
  if (src.length !== dst.length) throw new EncodeError('dstIp', `${d.dstIp} and ${d.srcIp} are not the same IP version`);
  checkPort(d.srcPort, 'srcPort');
  checkPort(d.dstPort, 'dstPort');
  const max = 65535 - UDP_HEADER - (src.length === 4 ? 20 : 0);
  if (d.payload.length > max) throw new EncodeError('payload', `${d.payload.length} bytes exceed the UDP maximum of ${max}`);
  return { src, dst, length: RECORD_HEADER + ETH_HEADER + (src.length === 16 ? 40 : 20) + UDP_HEADER + d.payload.length };
}

function checkPort(v: number, field: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new EncodeError(field, `${v} is not a port`);
}

/**
 * A buffered pcap file writer for live traffic (the server's --capture). Writes are synchronous and
 * happen only when the buffer fills, on flush() and on close(); call flush() periodically (or after
 * each burst) if the file must be readable while the process runs.
 */
export class PcapWriter {
  private fd: number | null;
  private buf: Buffer;
  private len = 0;
  private readonly enc = new RecordEncoder();
  /** Datagrams written so far. */
  frames = 0;
  /** Bytes handed to the file so far (header included, buffered bytes not). */
  bytesWritten = 0;

  /** Creates (truncates) `path` and writes the file header. */
  constructor(
    readonly path: string,
    options: PcapWriterOptions = {},
  ) {
    this.buf = Buffer.allocUnsafe(Math.max(options.bufferSize ?? 256 * 1024, 4096));
    this.fd = openSync(path, 'w');
    pcapFileHeader().copy(this.buf, 0);
    this.len = PCAP_FILE_HEADER_LENGTH;
  }

  /** Appends one datagram (buffered). Throws EncodeError for a bad address, port or oversized payload. */
  writeDatagram(d: PcapDatagram): void {
    if (this.fd === null) throw new Error(`PcapWriter for ${this.path} is closed`);
    const { src, dst, length } = prepare(d);
    if (this.len + length > this.buf.length) {
      this.flush();
      if (length > this.buf.length) this.buf = Buffer.allocUnsafe(length);
    }
    this.len += this.enc.encode(this.buf, this.len, d, src, dst, d.time === undefined ? Date.now() : 0);
    this.frames++;
  }

  /** Writes the buffered bytes to the file. */
  flush(): void {
    if (this.fd === null || this.len === 0) return;
    let off = 0;
    while (off < this.len) off += writeSync(this.fd, this.buf, off, this.len - off);
    this.bytesWritten += this.len;
    this.len = 0;
  }

  /** Flushes and closes the file; later writes throw, a second close does nothing. */
  close(): void {
    if (this.fd === null) return;
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
      this.fd = null;
    }
  }
}

/** A whole pcap file in memory from a list of datagrams (sized first, allocated once for arrays). */
export function buildPcap(datagrams: Iterable<PcapDatagram>): Buffer {
  const list = Array.isArray(datagrams) ? (datagrams as readonly PcapDatagram[]) : [...datagrams];
  const prepared = list.map(prepare);
  let total = PCAP_FILE_HEADER_LENGTH;
  for (const p of prepared) total += p.length;
  const out = Buffer.allocUnsafe(total);
  pcapFileHeader().copy(out, 0);
  const enc = new RecordEncoder();
  const now = Date.now();
  let o = PCAP_FILE_HEADER_LENGTH;
  for (let i = 0; i < list.length; i++) {
    const p = prepared[i]!;
    o += enc.encode(out, o, list[i]!, p.src, p.dst, now);
  }
  return out;
}

/** Ones'-complement sum of b[start, end) (odd tail padded with a zero byte) plus `initial`, unfolded. */
function sum16(b: Buffer, start: number, end: number, initial: number): number {
  // Summing 32-bit words and folding later gives the same ones'-complement result (RFC 1071) with half the reads.
  let s = initial;
  let i = start;
  for (; i + 4 <= end; i += 4) s += b.readUInt32BE(i);
  if (i + 2 <= end) {
    s += b.readUInt16BE(i);
    i += 2;
  }
  if (i < end) s += b[i]! << 8;
  return s;
}

/** Folds a sum into 16 bits with end-around carry. */
function fold(s: number): number {
  while (s > 0xffff) s = (s % 65536) + Math.floor(s / 65536);
  return s;
}

// Address text → bytes, cached: a server sees the same few peers again and again.
const addrCache = new Map<string, Buffer>();

function addressOf(ip: string, field: string): Buffer {
  let a = addrCache.get(ip);
  if (a === undefined) {
    a = parseAddress(ip, field);
    if (addrCache.size >= 1024) addrCache.clear();
    addrCache.set(ip, a);
  }
  return a;
}

/** 4 bytes for IPv4 (and IPv4-mapped IPv6, as Node reports peers on dual-stack sockets), else 16. */
function parseAddress(text: string, field: string): Buffer {
  const ip = text.replace(/%.*$/, ''); // zone id: not part of the address bytes
  if (isIPv4(ip)) return Buffer.from(ip.split('.').map(Number));
  if (!isIPv6(ip)) throw new EncodeError(field, `${text} is not an IP address`);
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return Buffer.from(mapped[1]!.split('.').map(Number));
  // Expand an embedded dotted quad into two groups, then the "::" into zero groups.
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  let groups = ip;
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    groups = ip.slice(0, dotted.index) + ((a << 8) | b).toString(16) + ':' + ((c << 8) | d).toString(16);
  }
  const [head, tail] = groups.split('::') as [string, string | undefined];
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const words = tail === undefined ? h : [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  words.forEach((w, i) => out.writeUInt16BE(parseInt(w, 16), i * 2));
  return out;
}
