// A zero-allocation fast path beside net.ts's decodeUdp for the common case (IPv4 over Ethernet, Linux
// cooked, raw IP, BSD loopback): it reports where the UDP payload lies inside the frame, and the addresses
// as numbers, instead of building a payload view and address strings. It follows decodeUdp's rules exactly
// (test/analyzer/dissect-fast-udp.test.ts compares the two) and answers false for anything else — IPv6,
// non-UDP, fragments, short frames — so the caller falls back to decodeUdp, which stays the reference.
import { LINKTYPE } from './net.js';

/** Where the UDP datagram lies in the frame; filled by locateUdp4. */
export interface UdpLocation {
  /** IPv4 source address as a big-endian u32. */
  src: number;
  dst: number;
  srcPort: number;
  dstPort: number;
  /** Payload is frame[start, end). */
  start: number;
  end: number;
  /** Fewer payload bytes captured than the UDP length says. */
  truncated: boolean;
}

/** A fresh location to reuse across calls. */
export function newUdpLocation(): UdpLocation {
  return { src: 0, dst: 0, srcPort: 0, dstPort: 0, start: 0, end: 0, truncated: false };
}

/** Finds an IPv4 UDP datagram in a frame of `linkType`; true when `out` was filled, false = use decodeUdp. */
export function locateUdp4(linkType: number, b: Buffer, out: UdpLocation): boolean {
  const n = b.length;
  let p: number;
  switch (linkType) {
    case LINKTYPE.ETHERNET: {
      if (n < 14) return false;
      let type = (b[12]! << 8) | b[13]!;
      p = 14;
      for (let i = 0; i < 8 && (type === 0x8100 || type === 0x88a8 || type === 0x9100); i++) {
        if (p + 4 > n) return false;
        type = (b[p + 2]! << 8) | b[p + 3]!;
        p += 4;
      }
      if (type !== 0x0800) return false;
      break;
    }
    case LINKTYPE.LINUX_SLL:
      if (n < 16 || ((b[14]! << 8) | b[15]!) !== 0x0800) return false;
      p = 16;
      break;
    case LINKTYPE.LINUX_SLL2:
      if (n < 20 || ((b[0]! << 8) | b[1]!) !== 0x0800) return false;
      p = 20;
      break;
    case LINKTYPE.RAW:
    case LINKTYPE.RAW_12:
    case LINKTYPE.RAW_14:
    case LINKTYPE.IPV4:
      p = 0;
      break;
    case LINKTYPE.NULL:
      // AF_INET (2) in either byte order.
      if (n < 4 || !((b[0] === 2 && b[1] === 0 && b[2] === 0 && b[3] === 0) || (b[0] === 0 && b[1] === 0 && b[2] === 0 && b[3] === 2))) return false;
      p = 4;
      break;
    case LINKTYPE.LOOP:
      if (n < 4 || b[0] !== 0 || b[1] !== 0 || b[2] !== 0 || b[3] !== 2) return false;
      p = 4;
      break;
    default:
      return false;
  }
  if (p + 20 > n || b[p]! >> 4 !== 4) return false;
  const ihl = (b[p]! & 0x0f) * 4;
  if (ihl < 20 || p + ihl > n || b[p + 9] !== 17) return false;
  if ((((b[p + 6]! << 8) | b[p + 7]!) & 0x1fff) !== 0) return false;
  const total = (b[p + 2]! << 8) | b[p + 3]!;
  if (total !== 0 && total < ihl) return false;
  const ipEnd = total === 0 ? n : Math.min(n, p + total);
  const q = p + ihl;
  if (q + 8 > ipEnd) return false;
  const udpLength = (b[q + 4]! << 8) | b[q + 5]!;
  if (udpLength < 8) return false;
  const want = q + udpLength;
  out.src = b[p + 12]! * 0x1000000 + ((b[p + 13]! << 16) | (b[p + 14]! << 8) | b[p + 15]!);
  out.dst = b[p + 16]! * 0x1000000 + ((b[p + 17]! << 16) | (b[p + 18]! << 8) | b[p + 19]!);
  out.srcPort = (b[q]! << 8) | b[q + 1]!;
  out.dstPort = (b[q + 2]! << 8) | b[q + 3]!;
  out.start = q + 8;
  out.end = want < ipEnd ? want : ipEnd;
  out.truncated = out.end < want;
  return true;
}
