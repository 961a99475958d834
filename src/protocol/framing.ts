import { DecodeError, type Result } from './errors.js';

// The envelope of PROTOCOL.md §1: tag 02, header, body, tail 03.

/** classic = QQ2000–QQ2009 (11/7-byte headers); modern = the capture's framing (22/14-byte headers). */
export type Framing = 'classic' | 'modern';
/** c2s = client to server, s2c = server to client. */
export type Direction = 'c2s' | 's2c';

export const TAG = 0x02;
export const TAIL = 0x03;
export const MAX_DATAGRAM = 4096;
/** Version tags from this one on use the modern framing. */
export const FIRST_MODERN_VERSION = 0x1e0d;
/** The capture's version tag. */
export const CAPTURE_VERSION = 0x3639;
/** Version real classic servers put in their replies (clients ignore it). */
export const CLASSIC_SERVER_VERSION = 0x0100;
/** The 11 fixed bytes after the uid in every modern client header (PROTOCOL.md §1). */
export const MODERN_CLIENT_EXTRA = Buffer.from('0200000001010100006470', 'hex');
/** The 3 bytes after the uid in a modern server header. */
export const MODERN_SERVER_EXTRA = Buffer.from('000000', 'hex');

/** Where each header field starts (PROTOCOL.md §1); a field runs to the next one's start, `extra` to the header's end. */
export const HEADER_AT = { tag: 0, version: 1, command: 3, seq: 5, uid: 7, extra: 11 } as const;

/** The header fields of a framing and direction with their byte ranges, then the tail (the inspector's field tree). */
export function headerFields(framing: Framing, dir: Direction, datagramLength: number): { field: string; start: number; end: number }[] {
  const hlen = headerLength(framing, dir);
  const names = (Object.keys(HEADER_AT) as (keyof typeof HEADER_AT)[]).filter((k) => HEADER_AT[k] < hlen);
  const out = names.map((field, i): { field: string; start: number; end: number } => ({ field, start: HEADER_AT[field], end: i + 1 < names.length ? HEADER_AT[names[i + 1]!] : hlen }));
  out.push({ field: 'tail', start: datagramLength - 1, end: datagramLength });
  return out;
}

/** Framing implied by a version tag. */
export function framingOf(version: number): Framing {
  return version >= FIRST_MODERN_VERSION ? 'modern' : 'classic';
}

/** Header length for a framing and direction (tag, version, command, seq and, where present, uid and extra). */
export function headerLength(framing: Framing, dir: Direction): number {
  if (framing === 'classic') return dir === 'c2s' ? 11 : 7;
  return dir === 'c2s' ? 22 : 14;
}

/** Header length of a datagram with this version tag sent in this direction (the analyzer's per-packet path). */
export function headerLengthOf(version: number, dir: Direction): number {
  return headerLength(framingOf(version), dir);
}

/** One OICQ datagram, header fields decoded, body still as on the wire (usually encrypted). */
export interface Packet {
  framing: Framing;
  direction: Direction;
  version: number;
  command: number;
  seq: number;
  /** Absent only on classic server→client packets, which carry no uid. */
  uid?: number;
  /** Modern headers: the bytes after the uid (11 from a client, normally MODERN_CLIENT_EXTRA; 3 zeros from a server). */
  extra?: Buffer;
  body: Buffer;
}

/** Packet fields needed to encode one; framing defaults to what the version implies. */
export interface PacketInit {
  framing?: Framing;
  direction: Direction;
  version: number;
  command: number;
  seq: number;
  uid?: number;
  extra?: Uint8Array;
  body: Uint8Array;
}

function fail(reason: 'too_short' | 'bad_tag' | 'bad_tail' | 'oversize', detail: string): Result<Packet> {
  return { ok: false, error: new DecodeError(reason, detail) };
}

/**
 * Decodes one datagram sent in direction `dir`. Never throws: arbitrary bytes give a Packet or a
 * typed error (too short, bad tag, bad tail, oversize). The body is a view into `buf`.
 */
export function decodePacket(buf: Buffer, dir: Direction): Result<Packet> {
  const n = buf.length;
  if (n > MAX_DATAGRAM) return fail('oversize', `${n} bytes > ${MAX_DATAGRAM}`);
  if (n < 8) return fail('too_short', `${n} bytes`);
  if (buf[0] !== TAG) return fail('bad_tag', `first byte 0x${buf[0]!.toString(16).padStart(2, '0')}`);
  if (buf[n - 1] !== TAIL) return fail('bad_tail', `last byte 0x${buf[n - 1]!.toString(16).padStart(2, '0')}`);
  const version = buf.readUInt16BE(HEADER_AT.version);
  const framing = framingOf(version);
  const hlen = headerLengthOf(version, dir);
  if (n < hlen + 1) return fail('too_short', `${n} bytes < ${framing} ${dir} header ${hlen} + tail`);
  const packet: Packet = {
    framing,
    direction: dir,
    version,
    command: buf.readUInt16BE(HEADER_AT.command),
    seq: buf.readUInt16BE(HEADER_AT.seq),
    body: buf.subarray(hlen, n - 1),
  };
  if (hlen > HEADER_AT.uid) packet.uid = buf.readUInt32BE(HEADER_AT.uid);
  if (framing === 'modern') packet.extra = buf.subarray(HEADER_AT.extra, hlen);
  return { ok: true, value: packet };
}

/** Big-endian u16 at b[o] (the caller checked the length). */
function u16At(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

/** The header fields peekHeader fills (a caller keeps one and reuses it). */
export interface PeekedHeader {
  framing: Framing;
  command: number;
  /** 0 on classic server→client packets, which carry no uid. */
  uid: number;
}

/**
 * Reads the framing, command and uid of a datagram that decodePacket would accept, into `out`, without
 * allocating (the operator console counts every datagram with it); false, leaving `out` alone, otherwise.
 */
export function peekHeader(buf: Uint8Array, dir: Direction, out: PeekedHeader): boolean {
  const n = buf.length;
  if (n > MAX_DATAGRAM || n < 8 || buf[0] !== TAG || buf[n - 1] !== TAIL) return false;
  const framing = framingOf(u16At(buf, HEADER_AT.version));
  const hlen = headerLength(framing, dir);
  if (n < hlen + 1) return false;
  out.framing = framing;
  out.command = u16At(buf, HEADER_AT.command);
  out.uid = hlen > HEADER_AT.uid ? u16At(buf, HEADER_AT.uid) * 65536 + u16At(buf, HEADER_AT.uid + 2) : 0;
  return true;
}

/** Encodes a packet into one datagram. Throws RangeError on a field out of range (a bug, not input). */
export function encodePacket(p: PacketInit): Buffer {
  const framing = p.framing ?? framingOf(p.version);
  const hlen = headerLength(framing, p.direction);
  const n = hlen + p.body.length + 1;
  if (n > MAX_DATAGRAM) throw new RangeError(`datagram of ${n} bytes exceeds ${MAX_DATAGRAM}`);
  const out = Buffer.allocUnsafe(n);
  out[HEADER_AT.tag] = TAG;
  out.writeUInt16BE(p.version, HEADER_AT.version);
  out.writeUInt16BE(p.command, HEADER_AT.command);
  out.writeUInt16BE(p.seq, HEADER_AT.seq);
  if (hlen > HEADER_AT.uid) {
    if (p.uid === undefined) throw new RangeError(`${framing} ${p.direction} header needs a uid`);
    out.writeUInt32BE(p.uid, HEADER_AT.uid);
  }
  if (framing === 'modern') {
    const extra = p.extra ?? (p.direction === 'c2s' ? MODERN_CLIENT_EXTRA : MODERN_SERVER_EXTRA);
    if (extra.length !== hlen - 11) throw new RangeError(`modern ${p.direction} header extra must be ${hlen - 11} bytes`);
    out.set(extra, HEADER_AT.extra);
  }
  out.set(p.body, hlen);
  out[n - 1] = TAIL;
  return out;
}
