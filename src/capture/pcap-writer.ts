import { closeSync, fchmodSync, openSync, writeSync } from 'node:fs';
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
  /** Truncate an existing file (default true); false refuses it with EEXIST. */
  overwrite?: boolean;
}

/** Snapshot length written in the file header (libpcap's usual maximum). */
export const PCAP_SNAPLEN = 262144;
/** Bytes of the pcap file header. */
export const PCAP_FILE_HEADER_LENGTH = 24;

const LINKTYPE_ETHERNET = 1;
const RECORD_HEADER = 16;
const ETH_HEADER = 14;
const UDP_HEADER = 8;

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
  return recordLength(addressOf(d.srcIp, 'srcIp'), d.payload.length);
}

function recordLength(src: Address, payloadLength: number): number {
  return RECORD_HEADER + ETH_HEADER + (src.bytes.length === 16 ? 40 : 20) + UDP_HEADER + payloadLength;
}

/** Parsed address bytes plus their 16-bit word sum, which every checksum of the address reuses. */
interface Address {
  bytes: Uint8Array;
  sum: number;
}

/**
 * Encodes datagrams into pcap records; keeps the IPv4 identification counter. Shared by PcapWriter
 * and buildPcap so both produce identical bytes. Bytes are written one by one: for headers this small
 * that beats Buffer#write* and Buffer#copy by a wide margin.
 */
class RecordEncoder {
  private ipId = 0;
  private src: Address = { bytes: new Uint8Array(4), sum: 0 };
  private dst: Address = this.src;

  /** Validates `d`; returns its record length and leaves its addresses in `src` / `dst` for `encode`. */
  check(d: PcapDatagram): number {
    const src = addressOf(d.srcIp, 'srcIp');
    const dst = addressOf(d.dstIp, 'dstIp');
    if (src.bytes.length !== dst.bytes.length) throw new EncodeError('dstIp', `${d.dstIp} and ${d.srcIp} are not the same IP version`);
    checkPort(d.srcPort, 'srcPort');
    checkPort(d.dstPort, 'dstPort');
    const max = 65535 - UDP_HEADER - (src.bytes.length === 4 ? 20 : 0);
    if (d.payload.length > max) throw new EncodeError('payload', `${d.payload.length} bytes exceed the UDP maximum of ${max}`);
    this.src = src;
    this.dst = dst;
    return recordLength(src, d.payload.length);
  }

  /** Writes the datagram last passed to `check` at b[o] (room must be there); returns the bytes written. */
  encode(b: Buffer, o: number, d: PcapDatagram, nowMs: number): number {
    const src = this.src;
    const dst = this.dst;
    const payload = d.payload;
    const plen = payload.length;
    const v6 = src.bytes.length === 16;
    const ipHeader = v6 ? 40 : 20;
    const udpLength = UDP_HEADER + plen;
    const frame = ETH_HEADER + ipHeader + udpLength;
    const ms = d.time ?? nowMs;
    let sec = Math.floor(ms / 1000);
    let usec = Math.round((ms - sec * 1000) * 1000);
    if (usec >= 1_000_000) {
      sec += 1;
      usec -= 1_000_000;
    }
    putU32le(b, o, sec >>> 0);
    putU32le(b, o + 4, usec);
    putU32le(b, o + 8, frame);
    putU32le(b, o + 12, frame);
    let p = o + RECORD_HEADER;
    // Ethernet: locally administered (clearly synthetic) 02:00:00:00:00:02 ← 02:00:00:00:00:01.
    b[p] = 0x02;
    b[p + 1] = b[p + 2] = b[p + 3] = b[p + 4] = 0;
    b[p + 5] = 0x02;
    b[p + 6] = 0x02;
    b[p + 7] = b[p + 8] = b[p + 9] = b[p + 10] = 0;
    b[p + 11] = 0x01;
    b[p + 12] = v6 ? 0x86 : 0x08;
    b[p + 13] = v6 ? 0xdd : 0x00;
    p += ETH_HEADER;
    if (v6) {
      b[p] = 0x60; // version 6, no traffic class, no flow label
      b[p + 1] = b[p + 2] = b[p + 3] = 0;
      putU16be(b, p + 4, udpLength);
      b[p + 6] = 17;
      b[p + 7] = 64;
      b.set(src.bytes, p + 8);
      b.set(dst.bytes, p + 24);
    } else {
      const id = this.ipId;
      this.ipId = (id + 1) & 0xffff;
      const total = ipHeader + udpLength;
      b[p] = 0x45;
      b[p + 1] = 0;
      putU16be(b, p + 2, total);
      putU16be(b, p + 4, id);
      b[p + 6] = 0x40; // don't fragment
      b[p + 7] = 0;
      b[p + 8] = 64;
      b[p + 9] = 17;
      putU16be(b, p + 10, ~fold(0x4500 + total + id + 0x4000 + 0x4011 + src.sum + dst.sum) & 0xffff);
      const sb = src.bytes;
      const db = dst.bytes;
      b[p + 12] = sb[0]!;
      b[p + 13] = sb[1]!;
      b[p + 14] = sb[2]!;
      b[p + 15] = sb[3]!;
      b[p + 16] = db[0]!;
      b[p + 17] = db[1]!;
      b[p + 18] = db[2]!;
      b[p + 19] = db[3]!;
    }
    p += ipHeader;
    putU16be(b, p, d.srcPort);
    putU16be(b, p + 2, d.dstPort);
    putU16be(b, p + 4, udpLength);
    b.set(payload, p + UDP_HEADER);
    // Pseudo-header (addresses, protocol, UDP length), then the UDP header and the payload.
    let sum = src.sum + dst.sum + 17 + udpLength + d.srcPort + d.dstPort + udpLength;
    let i = 0;
    for (; i + 1 < plen; i += 2) sum += (payload[i]! << 8) | payload[i + 1]!;
    if (i < plen) sum += payload[i]! << 8;
    const c = ~fold(sum) & 0xffff;
    putU16be(b, p + 6, c === 0 ? 0xffff : c); // 0 would mean "no checksum"
    return RECORD_HEADER + frame;
  }
}

function putU16be(b: Buffer, p: number, v: number): void {
  b[p] = v >>> 8;
  b[p + 1] = v;
}

function putU32le(b: Buffer, p: number, v: number): void {
  b[p] = v;
  b[p + 1] = v >>> 8;
  b[p + 2] = v >>> 16;
  b[p + 3] = v >>> 24;
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

  /**
   * Creates `path` with mode 0600 (a capture holds login exchanges, enough to guess passwords offline) and writes
   * the file header. An existing file is truncated (and set to 0600) only with `overwrite` (default true); with
   * false it is refused (EEXIST).
   */
  constructor(
    readonly path: string,
    options: PcapWriterOptions = {},
  ) {
    this.buf = Buffer.allocUnsafe(Math.max(options.bufferSize ?? 256 * 1024, 4096));
    this.fd = openSync(path, options.overwrite === false ? 'wx' : 'w', 0o600);
    fchmodSync(this.fd, 0o600);
    pcapFileHeader().copy(this.buf, 0);
    this.len = PCAP_FILE_HEADER_LENGTH;
  }

  /** Appends one datagram (buffered). Throws EncodeError for a bad address, port or oversized payload. */
  writeDatagram(d: PcapDatagram): void {
    if (this.fd === null) throw new Error(`PcapWriter for ${this.path} is closed`);
    const length = this.enc.check(d);
    if (this.len + length > this.buf.length) {
      this.flush();
      if (length > this.buf.length) this.buf = Buffer.allocUnsafe(length);
    }
    this.len += this.enc.encode(this.buf, this.len, d, d.time === undefined ? Date.now() : 0);
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

/**
 * A whole pcap file in memory from a list of datagrams (sized first, allocated once). For captures
 * too big for memory, stream them through PcapWriter instead.
 */
export function buildPcap(datagrams: Iterable<PcapDatagram>): Buffer {
  const list = Array.isArray(datagrams) ? (datagrams as readonly PcapDatagram[]) : [...datagrams];
  const enc = new RecordEncoder();
  let total = PCAP_FILE_HEADER_LENGTH;
  for (const d of list) total += enc.check(d);
  const out = Buffer.allocUnsafe(total);
  pcapFileHeader().copy(out, 0);
  const now = Date.now();
  let o = PCAP_FILE_HEADER_LENGTH;
  for (const d of list) {
    enc.check(d);
    o += enc.encode(out, o, d, now);
  }
  return out;
}

/** Folds a sum into 16 bits with end-around carry. */
function fold(s: number): number {
  while (s > 0xffff) s = (s % 65536) + Math.floor(s / 65536);
  return s;
}

// Address text → bytes, cached: a server sees the same few peers again and again.
const addrCache = new Map<string, Address>();

function addressOf(ip: string, field: string): Address {
  let a = addrCache.get(ip);
  if (a === undefined) {
    const bytes = parseAddress(ip, field);
    let sum = 0;
    for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
    a = { bytes, sum };
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

/** Streams datagrams (any iterable, e.g. a generator of millions) into a pcap file; returns how many were written. */
export function writePcapFile(path: string, datagrams: Iterable<PcapDatagram>, options: PcapWriterOptions = {}): number {
  const w = new PcapWriter(path, { bufferSize: 1024 * 1024, ...options });
  try {
    for (const d of datagrams) w.writeDatagram(d);
  } finally {
    w.close();
  }
  return w.frames;
}
