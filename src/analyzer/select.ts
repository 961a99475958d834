// Which UDP datagrams are OICQ, and which way they go (client→server or server→client).
// By port (8000 or --port) the side on the server port is the server; with --any-port a header
// heuristic picks OICQ out of any UDP traffic and guesses the direction from the header's shape.
import { isKnownCommand } from '../protocol/commands.js';
import { FIRST_MODERN_VERSION, MAX_DATAGRAM, TAG, TAIL } from '../protocol/framing.js';
import type { UdpDatagram } from './net.js';

/** Not an OICQ datagram (classify result). */
export const NOT_OICQ = 0;
/** Client to server (classify result). */
export const C2S = 1;
/** Server to client (classify result). */
export const S2C = 2;
/** Result of OicqSelector.classify: NOT_OICQ, C2S or S2C. */
export type Classified = typeof NOT_OICQ | typeof C2S | typeof S2C;

/** The default OICQ server port. */
export const DEFAULT_PORT = 8000;

/** Version tags classic clients put in their packets (QQ2000–QQ2009 and the third-party clients that copy them). */
export const CLASSIC_CLIENT_VERSIONS: ReadonlySet<number> = new Set([
  0x0b07, 0x0d05, 0x0d51, 0x0d55, 0x0e1b, 0x0e35, 0x0f15, 0x0f4b, 0x0f5f, 0x1131, 0x111d, 0x115b, 0x1203, 0x1205, 0x1449, 0x1801,
]);
/** Version tags classic servers put in their replies (0x0100 is what real servers send; 0x0000 was seen from stand-ins). */
export const CLASSIC_SERVER_VERSIONS: ReadonlySet<number> = new Set([0x0000, 0x0100]);
/** The highest version tag the heuristic accepts as modern (0x1E0D … 0x3FFF covers QQ2009 SP to QQ2012). */
export const LAST_MODERN_VERSION = 0x3fff;

/** What the header heuristic concluded about a payload. */
export type Shape = 'not_oicq' | 'c2s' | 's2c' | 'either';

/**
 * The --any-port heuristic: tag 02, tail 03, at most 4096 bytes, a known version tag, a command in the
 * table, and a header that fits its framing. Also says which way the header points when it can tell:
 * modern client headers carry `02` at [11], modern server headers `00 00 00`; classic versions name
 * the sender (client tags vs the server's 0x0100/0x0000).
 */
export function oicqShape(b: Buffer, start = 0, end = b.length): Shape {
  const n = end - start;
  if (n < 8 || n > MAX_DATAGRAM || b[start] !== TAG || b[end - 1] !== TAIL) return 'not_oicq';
  const version = (b[start + 1]! << 8) | b[start + 2]!;
  if (!isKnownCommand((b[start + 3]! << 8) | b[start + 4]!)) return 'not_oicq';
  if (version >= FIRST_MODERN_VERSION) {
    if (version > LAST_MODERN_VERSION || n < 15) return 'not_oicq';
    if (b[start + 11] === 0 && b[start + 12] === 0 && b[start + 13] === 0) return 's2c';
    if (b[start + 11] === 0x02 && n >= 23) return 'c2s';
    return 'not_oicq';
  }
  if (CLASSIC_CLIENT_VERSIONS.has(version)) return n >= 12 ? 'c2s' : 'not_oicq';
  if (CLASSIC_SERVER_VERSIONS.has(version)) return 's2c';
  return 'not_oicq';
}

/** Options of OicqSelector. */
export interface SelectOptions {
  /** Server ports (default [8000]). */
  ports?: readonly number[];
  /** Also find OICQ on any UDP port with the header heuristic. */
  anyPort?: boolean;
}

// Server endpoints learned by the heuristic: one 64 Ki-bit port set per IP, at most this many IPs.
const MAX_LEARNED_IPS = 256;

/**
 * Classifies UDP datagrams as OICQ client→server, server→client, or not OICQ. Allocation-free on the
 * port path; with anyPort it remembers (bounded) the server endpoints it has identified so a flow keeps
 * one direction even when a packet's header alone is ambiguous.
 */
export class OicqSelector {
  private readonly ports = new Uint8Array(65536);
  private readonly anyPort: boolean;
  private readonly servers = new Map<string, Uint8Array>();

  constructor(options: SelectOptions = {}) {
    for (const p of options.ports ?? [DEFAULT_PORT]) this.ports[p] = 1;
    this.anyPort = options.anyPort ?? false;
  }

  /** True when datagrams off the server ports are also examined (then use classify, not byPorts). */
  get heuristic(): boolean {
    return this.anyPort;
  }

  /**
   * Classifies by ports alone (for selectors without anyPort): the payload is b[start, end), looked at
   * only when both ends are on a server port.
   */
  byPorts(srcPort: number, dstPort: number, b: Buffer, start: number, end: number): Classified {
    const toServer = this.ports[dstPort] === 1;
    if (toServer !== (this.ports[srcPort] === 1)) return toServer ? C2S : S2C;
    if (!toServer) return NOT_OICQ;
    return oicqShape(b, start, end) === 's2c' ? S2C : C2S;
  }

  /** Classifies one datagram (C2S / S2C / NOT_OICQ). */
  classify(d: UdpDatagram): Classified {
    const toServer = this.ports[d.dstPort] === 1;
    const fromServer = this.ports[d.srcPort] === 1;
    if (toServer !== fromServer) {
      const dir = toServer ? C2S : S2C;
      if (this.anyPort) this.learn(d, dir);
      return dir;
    }
    if (toServer) {
      // Both ends on a server port: the header decides, client→server when it cannot.
      return oicqShape(d.payload) === 's2c' ? S2C : C2S;
    }
    if (!this.anyPort) return NOT_OICQ;
    const shape = oicqShape(d.payload);
    if (shape === 'not_oicq') {
      // A well-formed datagram on a flow already identified as OICQ is still shown (unknown command or version).
      const p = d.payload;
      if (p.length < 8 || p[0] !== TAG || p[p.length - 1] !== TAIL) return NOT_OICQ;
      if (this.isServer(d.dstIp, d.dstPort)) return C2S;
      if (this.isServer(d.srcIp, d.srcPort)) return S2C;
      return NOT_OICQ;
    }
    let dir: Classified;
    if (this.isServer(d.dstIp, d.dstPort)) dir = C2S;
    else if (this.isServer(d.srcIp, d.srcPort)) dir = S2C;
    else if (shape === 'c2s') dir = C2S;
    else if (shape === 's2c') dir = S2C;
    // The lower (well-known) port is the server's.
    else dir = d.dstPort <= d.srcPort ? C2S : S2C;
    this.learn(d, dir);
    return dir;
  }

  private isServer(ip: string, port: number): boolean {
    const set = this.servers.get(ip);
    return set !== undefined && (set[port >>> 3]! & (1 << (port & 7))) !== 0;
  }

  private learn(d: UdpDatagram, dir: Classified): void {
    const ip = dir === C2S ? d.dstIp : d.srcIp;
    const port = dir === C2S ? d.dstPort : d.srcPort;
    let set = this.servers.get(ip);
    if (set === undefined) {
      if (this.servers.size >= MAX_LEARNED_IPS) this.servers.clear();
      set = new Uint8Array(8192);
      this.servers.set(ip, set);
    }
    set[port >>> 3]! |= 1 << (port & 7);
  }
}

/** Parses a --port value: one port or a comma list ("8000,4000"); throws RangeError with the bad part. */
export function parsePortList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.split(',')) {
    const s = part.trim();
    const n = /^\d+$/.test(s) ? Number(s) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new RangeError(`'${s}' is not a port (1–65535)`);
    out.push(n);
  }
  return out;
}
