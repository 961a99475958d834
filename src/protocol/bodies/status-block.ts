import { Reader } from '../reader.js';
import { Writer } from '../writer.js';

/** Status values (PROTOCOL.md §5). */
export const Status = {
  ONLINE: 10,
  OFFLINE: 20,
  AWAY: 30,
  INVISIBLE: 40,
  BUSY: 50,
  Q_ME: 60,
  QUIET: 70,
} as const;
export type StatusCode = (typeof Status)[keyof typeof Status];

const STATUS_CODES: ReadonlySet<number> = new Set(Object.values(Status));

/**
 * The 0x000D reply byte (both framings) for a refused change (ASCII '1'; OK is '0'): pidgin and MyQQ keep
 * their old status on anything but '0'.
 */
export const CHANGE_STATUS_REFUSED = 0x31;

/** Whether a status byte is one the protocol defines (anything else must not reach friends). */
export function isStatusCode(n: number): n is StatusCode {
  return STATUS_CODES.has(n);
}

/** The 31-byte status block of a friend (online list entries and status pushes, both framings). */
export interface StatusBlock {
  uid: number;
  /** Always 0x01 in real traffic. */
  flag: number;
  /** IPv4 address as a u32. */
  ip: number;
  port: number;
  /** Unknown byte, 0x00 in real traffic. */
  unknown: number;
  status: number;
  clientVersion: number;
  /** 16 bytes (file-transfer key in real servers). */
  key: Buffer;
}

export const STATUS_BLOCK_LENGTH = 31;

/** Reads a status block at the reader's cursor. */
export function readStatusBlock(r: Reader): StatusBlock {
  return {
    uid: r.u32('uid'),
    flag: r.u8('flag'),
    ip: r.u32('ip'),
    port: r.u16('port'),
    unknown: r.u8('unknown'),
    status: r.u8('status'),
    clientVersion: r.u16('clientVersion'),
    key: r.copy(16, 'key'),
  };
}

/** Writes a status block. */
export function writeStatusBlock(w: Writer, b: StatusBlock): Writer {
  return w
    .u32(b.uid, 'uid')
    .u8(b.flag, 'flag')
    .u32(b.ip, 'ip')
    .u16(b.port, 'port')
    .u8(b.unknown, 'unknown')
    .u8(b.status, 'status')
    .u16(b.clientVersion, 'clientVersion')
    .fixed(b.key, 16, 'key');
}

/** Dotted IPv4 → u32 (0 when it is not one). */
export function ipToU32(ip: string): number {
  return parseIpv4(ip) ?? 0;
}

/**
 * Dotted IPv4 → u32, or undefined when `ip` is not four decimal numbers 0–255 (per datagram: one pass over the
 * characters, no split or array).
 */
export function parseIpv4(ip: string): number | undefined {
  let out = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return undefined;
      out = out * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      part = part * 10 + (c - 48);
      digits++;
      if (part > 255) return undefined;
    } else return undefined;
  }
  if (dots !== 3 || digits === 0) return undefined;
  return out * 256 + part;
}

/** u32 → dotted IPv4. */
export function u32ToIp(n: number): string {
  // Concatenation, not an array joined: the native socket names each datagram's sender with it.
  return `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
}
