/**
 * Test-only builders for capture files and the frames inside them, written independently of the
 * production reader and writer so tests compare two implementations. Everything returns Buffers.
 */

/** Byte order of a pcap file or pcapng section. */
export type Endian = 'le' | 'be';

/** A small append-only byte builder with explicit byte order. */
export class Bytes {
  private parts: Buffer[] = [];
  constructor(readonly endian: Endian = 'be') {}

  u8(v: number): this {
    this.parts.push(Buffer.from([v & 0xff]));
    return this;
  }
  u16(v: number): this {
    const b = Buffer.alloc(2);
    if (this.endian === 'le') b.writeUInt16LE(v);
    else b.writeUInt16BE(v);
    this.parts.push(b);
    return this;
  }
  u32(v: number): this {
    const b = Buffer.alloc(4);
    if (this.endian === 'le') b.writeUInt32LE(v >>> 0);
    else b.writeUInt32BE(v >>> 0);
    this.parts.push(b);
    return this;
  }
  u64(v: bigint): this {
    const b = Buffer.alloc(8);
    if (this.endian === 'le') b.writeBigUInt64LE(BigInt.asUintN(64, v));
    else b.writeBigUInt64BE(BigInt.asUintN(64, v));
    this.parts.push(b);
    return this;
  }
  bytes(b: Uint8Array): this {
    this.parts.push(Buffer.from(b));
    return this;
  }
  /** Zero bytes up to the next multiple of 4 of the total so far. */
  pad4(): this {
    const n = this.length % 4;
    if (n) this.parts.push(Buffer.alloc(4 - n));
    return this;
  }
  get length(): number {
    return this.parts.reduce((s, p) => s + p.length, 0);
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

// ---------------------------------------------------------------- classic pcap

/** One record of a classic pcap file; `frac` is µs or ns depending on the file. */
export interface PcapRecord {
  sec: number;
  frac: number;
  data: Buffer;
  origLen?: number;
}

/** A classic pcap file (version 2.4). */
export function pcapFile(opts: { endian: Endian; nanos?: boolean; linkType: number; snaplen?: number; records: PcapRecord[] }): Buffer {
  const w = new Bytes(opts.endian);
  w.u32(opts.nanos ? 0xa1b23c4d : 0xa1b2c3d4).u16(2).u16(4).u32(0).u32(0).u32(opts.snaplen ?? 65535).u32(opts.linkType);
  for (const r of opts.records) w.u32(r.sec).u32(r.frac).u32(r.data.length).u32(r.origLen ?? r.data.length).bytes(r.data);
  return w.done();
}

// ---------------------------------------------------------------- pcapng

/** A pcapng option (code, value); the builder pads and terminates the list. */
export interface NgOption {
  code: number;
  value: Buffer;
}

function block(endian: Endian, type: number, body: Buffer): Buffer {
  const padded = Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
  const total = padded.length + 12;
  return new Bytes(endian).u32(type).u32(total).bytes(padded).u32(total).done();
}

function options(endian: Endian, opts: NgOption[] | undefined): Buffer {
  if (!opts || opts.length === 0) return Buffer.alloc(0);
  const w = new Bytes(endian);
  for (const o of opts) w.u16(o.code).u16(o.value.length).bytes(o.value).pad4();
  w.u16(0).u16(0);
  return w.done();
}

/** Section Header Block (version 1.0 unless told). */
export function shb(endian: Endian, opts: { major?: number; minor?: number; options?: NgOption[] } = {}): Buffer {
  const body = new Bytes(endian).u32(0x1a2b3c4d).u16(opts.major ?? 1).u16(opts.minor ?? 0).u64(-1n).bytes(options(endian, opts.options)).done();
  return block(endian, 0x0a0d0d0a, body);
}

/** if_tsresol value byte: 10^-n (n < 128) or, with pow2, 2^-n. */
export function tsresol(n: number, pow2 = false): NgOption {
  return { code: 9, value: Buffer.from([(pow2 ? 0x80 : 0) | n]) };
}

/** if_tsoffset: seconds added to every timestamp of the interface. */
export function tsoffset(endian: Endian, seconds: bigint): NgOption {
  return { code: 14, value: new Bytes(endian).u64(seconds).done() };
}

/** Interface Description Block. */
export function idb(endian: Endian, opts: { linkType: number; snaplen?: number; options?: NgOption[] }): Buffer {
  const body = new Bytes(endian).u16(opts.linkType).u16(0).u32(opts.snaplen ?? 0).bytes(options(endian, opts.options)).done();
  return block(endian, 1, body);
}

/** Enhanced Packet Block; `ts` is in the interface's units. */
export function epb(endian: Endian, opts: { ifId: number; ts: bigint; data: Buffer; origLen?: number; options?: NgOption[] }): Buffer {
  const w = new Bytes(endian).u32(opts.ifId).u32(Number(opts.ts >> 32n)).u32(Number(opts.ts & 0xffffffffn));
  w.u32(opts.data.length).u32(opts.origLen ?? opts.data.length).bytes(opts.data).pad4().bytes(options(endian, opts.options));
  return block(endian, 6, w.done());
}

/** Simple Packet Block (interface 0, no timestamp). */
export function spb(endian: Endian, opts: { data: Buffer; origLen?: number }): Buffer {
  return block(endian, 3, new Bytes(endian).u32(opts.origLen ?? opts.data.length).bytes(opts.data).done());
}

/** Obsolete Packet Block (16-bit interface id and drop count). */
export function pb(endian: Endian, opts: { ifId: number; ts: bigint; data: Buffer; origLen?: number; drops?: number }): Buffer {
  const w = new Bytes(endian).u16(opts.ifId).u16(opts.drops ?? 0).u32(Number(opts.ts >> 32n)).u32(Number(opts.ts & 0xffffffffn));
  w.u32(opts.data.length).u32(opts.origLen ?? opts.data.length).bytes(opts.data);
  return block(endian, 2, w.done());
}

/** Name Resolution Block with one IPv4 record. */
export function nrb(endian: Endian, ip: [number, number, number, number], name: string): Buffer {
  const value = Buffer.concat([Buffer.from(ip), Buffer.from(name + '\0')]);
  const w = new Bytes(endian).u16(1).u16(value.length).bytes(value).pad4().u16(0).u16(0);
  return block(endian, 4, w.done());
}

/** Interface Statistics Block. */
export function isb(endian: Endian, ifId: number, ts: bigint): Buffer {
  return block(endian, 5, new Bytes(endian).u32(ifId).u32(Number(ts >> 32n)).u32(Number(ts & 0xffffffffn)).done());
}

/** Custom block (0x00000BAD) with a private enterprise number and some bytes. */
export function customBlock(endian: Endian, pen: number, data: Buffer): Buffer {
  return block(endian, 0x00000bad, new Bytes(endian).u32(pen).bytes(data).done());
}

/** Any block type with an arbitrary body (unknown / future blocks). */
export function rawBlock(endian: Endian, type: number, body: Buffer): Buffer {
  return block(endian, type, body);
}

// ---------------------------------------------------------------- link, IP and UDP layers

/** A UDP header + payload; the checksum is left 0 (receivers must not need it) unless given. */
export function udp(srcPort: number, dstPort: number, payload: Buffer, opts: { length?: number; checksum?: number } = {}): Buffer {
  return new Bytes().u16(srcPort).u16(dstPort).u16(opts.length ?? payload.length + 8).u16(opts.checksum ?? 0).bytes(payload).done();
}

function ip4(a: string): Buffer {
  return Buffer.from(a.split('.').map(Number));
}

/** An IPv4 header (with optional options, fragment fields, total length override) + payload. */
export function ipv4(opts: {
  src: string;
  dst: string;
  payload: Buffer;
  proto?: number;
  options?: Buffer;
  fragOffset?: number;
  moreFragments?: boolean;
  totalLength?: number;
}): Buffer {
  const optionBytes = opts.options ?? Buffer.alloc(0);
  const ihl = 5 + optionBytes.length / 4;
  const h = new Bytes()
    .u8(0x40 | ihl)
    .u8(0)
    .u16(opts.totalLength ?? ihl * 4 + opts.payload.length)
    .u16(0x1234)
    .u16((opts.moreFragments ? 0x2000 : 0) | (opts.fragOffset ?? 0))
    .u8(64)
    .u8(opts.proto ?? 17)
    .u16(0)
    .bytes(ip4(opts.src))
    .bytes(ip4(opts.dst))
    .bytes(optionBytes)
    .done();
  h.writeUInt16BE(inetChecksum(h), 10);
  return Buffer.concat([h, opts.payload]);
}

/** 16 address bytes from full or "::"-compressed IPv6 text (no embedded IPv4). */
export function ip6(a: string): Buffer {
  const [head, tail] = a.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = a.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  const b = Buffer.alloc(16);
  groups.forEach((g: string, i: number) => b.writeUInt16BE(parseInt(g, 16), 2 * i));
  return b;
}

/** An IPv6 extension header: type (its own protocol number) and body (length made a multiple of 8). */
export interface Ext6 {
  type: 0 | 43 | 44 | 60 | 51;
  /** For fragment headers: the fragment offset in 8-byte units. */
  fragOffset?: number;
}

/** An IPv6 header, a chain of extension headers, then the payload of protocol `next`. */
export function ipv6(opts: { src: string; dst: string; payload: Buffer; next?: number; ext?: Ext6[]; payloadLength?: number }): Buffer {
  const chain = opts.ext ?? [];
  const types = [...chain.map((e) => e.type), opts.next ?? 17];
  const exts: Buffer[] = chain.map((e, i) => {
    const nh = types[i + 1]!;
    if (e.type === 44) return new Bytes().u8(nh).u8(0).u16((e.fragOffset ?? 0) << 3).u32(0xabcd).done();
    if (e.type === 51) return new Bytes().u8(nh).u8(4).u16(0).u32(0x100).u32(1).bytes(Buffer.alloc(12)).done(); // 24 bytes: (4+2)*4
    // hop-by-hop / routing / destination options: 16 bytes (length field 1), PadN-filled
    return new Bytes().u8(nh).u8(1).u8(1).u8(12).bytes(Buffer.alloc(12)).done();
  });
  const body = Buffer.concat([...exts, opts.payload]);
  const h = new Bytes()
    .u32(0x60000000)
    .u16(opts.payloadLength ?? body.length)
    .u8(types[0]!)
    .u8(64)
    .bytes(ip6(opts.src))
    .bytes(ip6(opts.dst))
    .done();
  return Buffer.concat([h, body]);
}

/** An 802.1Q-style tag: TPID and VLAN id. */
export interface VlanTag {
  tpid: 0x8100 | 0x88a8 | 0x9100;
  vid: number;
}

/** An Ethernet II frame with optional VLAN tags and trailing padding. */
export function ethernet(etherType: number, payload: Buffer, opts: { vlans?: VlanTag[]; padTo?: number } = {}): Buffer {
  const w = new Bytes().bytes(Buffer.from([0, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0x66, 0x77, 0x88, 0x99, 0xaa]));
  for (const v of opts.vlans ?? []) w.u16(v.tpid).u16(v.vid);
  w.u16(etherType).bytes(payload);
  const f = w.done();
  return opts.padTo && f.length < opts.padTo ? Buffer.concat([f, Buffer.alloc(opts.padTo - f.length)]) : f;
}

/** Linux cooked capture v1 (16-byte header). */
export function sll(protocol: number, payload: Buffer): Buffer {
  return new Bytes().u16(0).u16(1).u16(6).bytes(Buffer.from([0, 1, 2, 3, 4, 5, 0, 0])).u16(protocol).bytes(payload).done();
}

/** Linux cooked capture v2 (20-byte header). */
export function sll2(protocol: number, payload: Buffer): Buffer {
  return new Bytes().u16(protocol).u16(0).u32(3).u16(1).u8(4).u8(6).bytes(Buffer.from([0, 1, 2, 3, 4, 5, 0, 0])).bytes(payload).done();
}

/** BSD null/loopback: 4-byte address family in the given byte order. */
export function nullLink(af: number, endian: Endian, payload: Buffer): Buffer {
  return new Bytes(endian).u32(af).bytes(payload).done();
}

/** Internet checksum (RFC 1071), computed 16 bits at a time. */
export function inetChecksum(...parts: Buffer[]): number {
  const b = Buffer.concat(parts);
  let s = 0;
  for (let i = 0; i < b.length; i += 2) s += (b[i]! << 8) | (i + 1 < b.length ? b[i + 1]! : 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}
