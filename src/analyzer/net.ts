/**
 * Link layer → IPv4 / IPv6 → UDP, for captured frames. Never throws: anything that is not a
 * (first-fragment) UDP datagram over IP decodes to null. Allocates only the result (and the address
 * strings, cached for IPv4); pass `out` to reuse one result object on the hot path.
 */
import { u16be, u32be, u32le } from './capture/bytes.js';

/** The LINKTYPE_* values decodeUdp understands. */
export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  /** DLT_RAW as some platforms wrote it into files (raw IP). */
  RAW_12: 12,
  /** DLT_RAW on OpenBSD (raw IP). */
  RAW_14: 14,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

/** One UDP datagram found in a frame. */
export interface UdpDatagram {
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  ipVersion: 4 | 6;
  /** The UDP payload present in the capture: a view into the frame (same lifetime as the frame's data). */
  payload: Buffer;
  /** The UDP header's length field (header + payload as sent). */
  udpLength: number;
  /** Bytes of the link-layer frame given to decodeUdp (the captured length). */
  frameLength: number;
  /** True when the capture holds fewer payload bytes than the UDP length says (snaplen, first fragment). */
  truncated: boolean;
}

/** A fresh result object to pass as `out` to decodeUdp. */
export function newUdpDatagram(): UdpDatagram {
  return { srcIp: '', dstIp: '', srcPort: 0, dstPort: 0, ipVersion: 4, payload: EMPTY, udpLength: 0, frameLength: 0, truncated: false };
}

const EMPTY = Buffer.alloc(0);
const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const IPPROTO_UDP = 17;
const MAX_VLAN_TAGS = 8;

/**
 * Decodes `data` (a frame of link type `linkType`) down to UDP. Returns `out` (or a new object) filled
 * in, or null for non-IP, non-UDP, non-first fragments and frames too short for the headers.
 */
export function decodeUdp(linkType: number, data: Buffer, out?: UdpDatagram): UdpDatagram | null {
  const n = data.length;
  switch (linkType) {
    case LINKTYPE.ETHERNET:
      return n < 14 ? null : byEtherType(data, u16be(data, 12), 14, out);
    case LINKTYPE.LINUX_SLL:
      return n < 16 ? null : byEtherType(data, u16be(data, 14), 16, out);
    case LINKTYPE.LINUX_SLL2:
      return n < 20 ? null : byEtherType(data, u16be(data, 0), 20, out);
    case LINKTYPE.RAW:
    case LINKTYPE.RAW_12:
    case LINKTYPE.RAW_14:
      return byVersion(data, 0, out);
    case LINKTYPE.IPV4:
      return n > 0 && data[0]! >> 4 === 4 ? ipv4(data, 0, out) : null;
    case LINKTYPE.IPV6:
      return n > 0 && data[0]! >> 4 === 6 ? ipv6(data, 0, out) : null;
    case LINKTYPE.NULL: {
      if (n < 4) return null;
      // The address family is in the capturing host's byte order: a small value in either order.
      let af = u32le(data, 0);
      if (af > 0xffff) af = u32be(data, 0);
      return byFamily(data, af, out);
    }
    case LINKTYPE.LOOP:
      if (n < 4) return null;
      return byFamily(data, u32be(data, 0), out);
    default:
      return null;
  }
}

/** The family values of AF_INET (2) and AF_INET6 on the BSDs, macOS and Linux. */
function byFamily(data: Buffer, af: number, out: UdpDatagram | undefined): UdpDatagram | null {
  if (af === 2) return data.length > 4 && data[4]! >> 4 === 4 ? ipv4(data, 4, out) : null;
  if (af === 24 || af === 28 || af === 30 || af === 10) return data.length > 4 && data[4]! >> 4 === 6 ? ipv6(data, 4, out) : null;
  return null;
}

function byVersion(data: Buffer, p: number, out: UdpDatagram | undefined): UdpDatagram | null {
  if (data.length <= p) return null;
  const v = data[p]! >> 4;
  if (v === 4) return ipv4(data, p, out);
  if (v === 6) return ipv6(data, p, out);
  return null;
}

/** Skips any 802.1Q / 802.1ad / QinQ tags after EtherType `type` (its payload at `p`), then decodes IP. */
function byEtherType(data: Buffer, type: number, p: number, out: UdpDatagram | undefined): UdpDatagram | null {
  for (let i = 0; i < MAX_VLAN_TAGS && (type === 0x8100 || type === 0x88a8 || type === 0x9100); i++) {
    if (p + 4 > data.length) return null;
    type = u16be(data, p + 2);
    p += 4;
  }
  if (type === ETHERTYPE_IPV4) return data.length > p && data[p]! >> 4 === 4 ? ipv4(data, p, out) : null;
  if (type === ETHERTYPE_IPV6) return data.length > p && data[p]! >> 4 === 6 ? ipv6(data, p, out) : null;
  return null;
}

function ipv4(data: Buffer, p: number, out: UdpDatagram | undefined): UdpDatagram | null {
  const n = data.length;
  if (p + 20 > n) return null;
  const ihl = (data[p]! & 0x0f) * 4;
  if (ihl < 20 || p + ihl > n) return null;
  if (data[p + 9] !== IPPROTO_UDP) return null;
  if ((u16be(data, p + 6) & 0x1fff) !== 0) return null; // not the first fragment: no UDP header
  const total = u16be(data, p + 2);
  if (total !== 0 && total < ihl) return null;
  // Total length 0 happens with segmentation offload; trust the capture then. Otherwise it trims padding.
  const end = total === 0 ? n : Math.min(n, p + total);
  const src = u32be(data, p + 12);
  const dst = u32be(data, p + 16);
  return udp(data, p + ihl, end, 4, ipv4String(src), ipv4String(dst), out);
}

function ipv6(data: Buffer, p: number, out: UdpDatagram | undefined): UdpDatagram | null {
  const n = data.length;
  if (p + 40 > n) return null;
  const plen = u16be(data, p + 4);
  // Payload length 0: a jumbogram (or offload); use what was captured.
  const end = plen === 0 ? n : Math.min(n, p + 40 + plen);
  let next = data[p + 6]!;
  let q = p + 40;
  for (let i = 0; i < 16 && next !== IPPROTO_UDP; i++) {
    if (q + 8 > end) return null;
    switch (next) {
      case 0: // hop-by-hop options
      case 43: // routing
      case 60: // destination options
        next = data[q]!;
        q += (data[q + 1]! + 1) * 8;
        break;
      case 44: // fragment
        if ((u16be(data, q + 2) & 0xfff8) !== 0) return null; // not the first fragment
        next = data[q]!;
        q += 8;
        break;
      case 51: // authentication header
        next = data[q]!;
        q += (data[q + 1]! + 2) * 4;
        break;
      default:
        return null;
    }
  }
  if (next !== IPPROTO_UDP) return null;
  return udp(data, q, end, 6, ipv6String(data, p + 8), ipv6String(data, p + 24), out);
}

function udp(data: Buffer, p: number, ipEnd: number, version: 4 | 6, srcIp: string, dstIp: string, out: UdpDatagram | undefined): UdpDatagram | null {
  if (p + 8 > ipEnd) return null;
  let udpLength = u16be(data, p + 4);
  if (udpLength === 0 && version === 6) udpLength = ipEnd - p; // IPv6 jumbogram
  else if (udpLength < 8) return null;
  const want = p + udpLength;
  const end = want < ipEnd ? want : ipEnd;
  const r = out ?? newUdpDatagram();
  r.srcIp = srcIp;
  r.dstIp = dstIp;
  r.srcPort = u16be(data, p);
  r.dstPort = u16be(data, p + 2);
  r.ipVersion = version;
  r.payload = data.subarray(p + 8, end);
  r.udpLength = udpLength;
  r.frameLength = data.length;
  r.truncated = end < want;
  return r;
}

// A capture usually involves few addresses: remember their strings instead of rebuilding them.
const v4Cache = new Map<number, string>();
let lastA = -1;
let lastAText = '';
let lastB = -1;
let lastBText = '';

/** Dotted-quad text of a big-endian u32 address. */
export function ipv4String(a: number): string {
  // Two most recent addresses first: a flow's packets alternate between the same pair.
  if (a === lastA) return lastAText;
  if (a === lastB) return lastBText;
  let s = v4Cache.get(a);
  if (s === undefined) {
    s = `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}`;
    if (v4Cache.size >= 4096) v4Cache.clear();
    v4Cache.set(a, s);
  }
  lastB = lastA;
  lastBText = lastAText;
  lastA = a;
  lastAText = s;
  return s;
}

/** RFC 5952 text of the 16-byte IPv6 address at data[p] (longest zero run as ::, IPv4-mapped as ::ffff:a.b.c.d). */
export function ipv6String(data: Buffer, p: number): string {
  const w0 = u16be(data, p);
  const w5 = u16be(data, p + 10);
  if (w5 === 0xffff && w0 === 0 && u32be(data, p + 2) === 0 && u16be(data, p + 6) === 0 && u16be(data, p + 8) === 0) {
    return `::ffff:${ipv4String(u32be(data, p + 12))}`;
  }
  // Longest run of zero groups (≥ 2; the first on ties) becomes "::".
  let bestAt = -1;
  let bestLen = 1;
  let runAt = -1;
  for (let i = 0; i <= 8; i++) {
    const zero = i < 8 && data[p + 2 * i] === 0 && data[p + 2 * i + 1] === 0;
    if (zero) {
      if (runAt < 0) runAt = i;
    } else if (runAt >= 0) {
      if (i - runAt > bestLen) {
        bestAt = runAt;
        bestLen = i - runAt;
      }
      runAt = -1;
    }
  }
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestAt) {
      s += '::';
      i += bestLen - 1;
      continue;
    }
    if (s !== '' && !s.endsWith(':')) s += ':';
    s += u16be(data, p + 2 * i).toString(16);
  }
  return s;
}

