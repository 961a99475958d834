// The dissector's pipeline: capture file → frames → UDP → OICQ selection → header → summary (always) and,
// in detail mode, one DissectedPacket per datagram with its body opened when a password allows.
// The summary-only path does no per-packet allocation beyond the capture layer's.
import { frameTimeMs, readCapture, CaptureError, type CaptureStats, type Frame } from './capture/index.js';
import { decodeUdp, newUdpDatagram, type UdpDatagram } from './net.js';
import { commandMeaning, wiresharkName } from '../protocol/commands.js';
import { commandTableOf } from '../protocol/families.js';
import { decodePacket, FIRST_MODERN_VERSION, headerLengthOf, MAX_DATAGRAM, TAG, TAIL, type Direction, type Framing } from '../protocol/framing.js';
import { C2S, NOT_OICQ, OicqSelector, oicqShape } from './select.js';
import { locateUdp4, newUdpLocation, type UdpLocation } from './udp-fast.js';
import { SessionTracker, type Credential, type SessionReport, type SessionResult } from './sessions.js';
import { Role, ROLE_NAMES, SummaryBuilder, type RoleCode, type Summary } from './summary.js';

/** Bytes per capture read: a quarter of the reader's default, which reads no faster but holds more memory. */
export const READ_CHUNK = 256 * 1024;

/** Options of dissectFile. */
export interface DissectOptions {
  /** Server ports (default [8000]). */
  ports?: readonly number[];
  /** Find OICQ on any UDP port with the header heuristic. */
  anyPort?: boolean;
  /** Users whose sessions to decrypt. */
  credentials?: readonly Credential[];
  /** Stop after this many OICQ datagrams (well-formed or not). */
  limit?: number;
  /** Build a DissectedPacket for every datagram (otherwise only the summary is kept). */
  detail?: boolean;
  /** Capture read size (tests). */
  chunkSize?: number;
}

/**
 * One OICQ packet. `payload`, `body` and `extra` view the capture reader's buffer: valid only during
 * the sink call (copy them to keep them).
 */
export interface DissectedPacket {
  /** 1-based frame number in the file. */
  frame: number;
  tsSec: number;
  tsNsec: number;
  /** Seconds since the epoch (fractional). */
  time: number;
  src: string;
  dst: string;
  /** The client's endpoint (src of c2s, dst of s2c). */
  client: string;
  /** The header layout. */
  framing: Framing;
  /** The command table its body follows: modern for QQ2009's (0x1663) modern chain in classic headers. */
  table: Framing;
  direction: Direction;
  flag: number;
  version: number;
  command: number;
  seq: number;
  /** Absent on classic server→client packets, which carry no uid. */
  uid?: number;
  /** Modern header bytes after the uid (11 from a client, 3 from a server). */
  extra?: Buffer;
  headerLength: number;
  /** Captured frame length. */
  frameLength: number;
  /** 8 + payload. */
  udpLength: number;
  /** The OICQ datagram's length (UDP payload). */
  length: number;
  payload: Buffer;
  body: Buffer;
  /** What the command means in this framing ("unknown (0x…)" when the table does not know it). */
  meaning: string;
  /** Wireshark's label for the code, if it has one. */
  wireshark?: string;
  role: string;
  /** For replies, resends and acks: the frame of the request (or push) they belong to. */
  peerFrame?: number;
  /** For replies: ms since the request's first copy. */
  replyMs?: number;
  /** Present when the body was opened or should have been (detail mode only). */
  session?: SessionResult;
}

/** A datagram on the OICQ port that is not a well-formed OICQ packet. */
export interface MalformedPacket {
  frame: number;
  time: number;
  src: string;
  dst: string;
  direction: Direction;
  /** DecodeError reason: too_short, bad_tag, bad_tail, oversize. */
  reason: string;
  detail: string;
  length: number;
  /** View of the datagram, valid only during the sink call. */
  payload: Buffer;
}

/** Receives the dissection as it goes (detail mode). */
export interface DissectSink {
  packet?(p: DissectedPacket): void;
  malformed?(m: MalformedPacket): void;
}

/** What dissectFile returns. */
export interface DissectResult {
  summary: Summary;
  /** Counters of the capture reader (null when the file failed). */
  capture: CaptureStats | null;
  /** The capture fault that stopped reading, after everything before it was dissected. */
  error: CaptureError | null;
  /** True when --limit stopped the read. */
  limited: boolean;
  /** With passwords: each login of those users, decrypted or not and why. */
  sessions: readonly SessionReport[];
  /** Logins beyond the listed ones (MAX_REPORTS). */
  sessionsUnlisted: number;
  /**
   * Without --any-port: UDP datagrams off the selected ports that look like OICQ, by the port that looks like the
   * server's, most first (at most 5 ports).
   */
  elsewhere: { port: number; count: number }[];
  /** Frames whose captured length exceeds their original length (an inconsistent capture), and the first one. */
  overlong: { count: number; firstFrame: number };
}

// Ports counted for the "looks like OICQ elsewhere" hint at most.
const MAX_ELSEWHERE_PORTS = 1024;

/** "ip:port", with IPv6 addresses in brackets. */
export function endpoint(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

// Classic exchanges are paired by client endpoint. IPv4 endpoints are ip·65536 + port (below 2^48); others
// get a small id per address text, then 2^48 + id·65536 + port (bounded).
const OTHER_ENDPOINTS = 2 ** 48;
class EndpointIds {
  private readonly ids = new Map<string, number>();
  private next = 0;
  id(ip: string, port: number): number {
    let i = this.ids.get(ip);
    if (i === undefined) {
      if (this.ids.size >= 65536) this.ids.clear(); // ids keep growing, so old pairs just stop matching
      i = this.next++;
      this.ids.set(ip, i);
    }
    return OTHER_ENDPOINTS + i * 65536 + port;
  }
}

/**
 * Dissects a capture file. Resolves with the summary also when the file turns out truncated or corrupt
 * (`error` says where); rejects only when the file cannot be opened or read at all.
 */
export async function dissectFile(path: string, options: DissectOptions = {}, sink: DissectSink = {}): Promise<DissectResult> {
  const d = new Dissector(options, sink);
  let capture: CaptureStats | null = null;
  let error: CaptureError | null = null;
  try {
    capture = await readCapture(path, d.onFrame, { chunkSize: options.chunkSize ?? READ_CHUNK });
  } catch (e) {
    if (!(e instanceof CaptureError)) throw e;
    error = e;
  }
  return {
    summary: d.summary.finish(), capture, error, limited: d.limited,
    sessions: d.sessions, sessionsUnlisted: d.sessionsUnlisted, elsewhere: d.elsewhere(), overlong: { count: d.overlong, firstFrame: d.firstOverlong },
  };
}

/** The per-frame state machine behind dissectFile (exposed for in-memory use with parseCapture). */
export class Dissector {
  readonly summary = new SummaryBuilder();
  limited = false;
  private readonly selector: OicqSelector;
  private readonly udp: UdpDatagram = newUdpDatagram();
  private readonly endpoints = new EndpointIds();
  private readonly tracker: SessionTracker | null;
  private readonly detail: boolean;
  private readonly fast: boolean;
  private readonly at: UdpLocation = newUdpLocation();
  private readonly limit: number;
  private shown = 0;
  private readonly offPort: Map<number, number> | null;
  /** Frames with a captured length above the original length, and the first of them. */
  overlong = 0;
  firstOverlong = 0;

  constructor(
    options: DissectOptions,
    private readonly sink: DissectSink,
  ) {
    this.selector = new OicqSelector({ ...(options.ports ? { ports: options.ports } : {}), anyPort: options.anyPort ?? false });
    this.detail = options.detail ?? false;
    const credentials = options.credentials ?? [];
    // Passwords need the client endpoints of the slow path, also for the summary alone (it reports the sessions).
    this.fast = !this.detail && !this.selector.heuristic && credentials.length === 0;
    this.tracker = this.detail || credentials.length > 0 ? new SessionTracker(credentials) : null;
    this.offPort = this.selector.heuristic ? null : new Map();
    this.limit = options.limit ?? Infinity;
  }

  /** Logins of the users with a password (empty without passwords). */
  get sessions(): readonly SessionReport[] {
    return this.tracker?.reports ?? [];
  }

  /** Logins not listed in `sessions` (beyond MAX_REPORTS). */
  get sessionsUnlisted(): number {
    return this.tracker?.unreported ?? 0;
  }

  /** The ports where OICQ-looking datagrams were left out, most first. */
  elsewhere(): { port: number; count: number }[] {
    return [...(this.offPort ?? [])].map(([port, count]) => ({ port, count })).sort((a, b) => b.count - a.count || a.port - b.port).slice(0, 5);
  }

  // A datagram off the selected ports: counted by its likely server port when its header looks like OICQ.
  private offPortDatagram(b: Buffer, start: number, end: number, srcPort: number, dstPort: number): void {
    const m = this.offPort!;
    const shape = oicqShape(b, start, end);
    if (shape === 'not_oicq') return;
    const port = shape === 'c2s' ? dstPort : shape === 's2c' ? srcPort : Math.min(srcPort, dstPort);
    const n = m.get(port);
    if (n !== undefined) m.set(port, n + 1);
    else if (m.size < MAX_ELSEWHERE_PORTS) m.set(port, 1);
  }

  /** The frame handler for readCapture / parseCapture. */
  readonly onFrame = (f: Frame): boolean => {
    const s = this.summary;
    s.frames++;
    if (f.caplen > f.origLen && this.overlong++ === 0) this.firstOverlong = f.index;
    const data = f.data;
    const at = this.at;
    // Summary by port: IPv4 frames never leave numbers and offsets into the frame.
    if (this.fast && locateUdp4(f.linkType, data, at)) {
      s.udp++;
      const dir = this.selector.byPorts(at.srcPort, at.dstPort, data, at.start, at.end);
      if (dir === NOT_OICQ) {
        this.offPortDatagram(data, at.start, at.end, at.srcPort, at.dstPort);
        return true;
      }
      const client = dir === C2S ? at.src * 65536 + at.srcPort : at.dst * 65536 + at.dstPort;
      return this.oicq(f, data, at.start, at.end, dir, client, null);
    }
    const d = decodeUdp(f.linkType, data, this.udp);
    if (d === null) return true;
    s.udp++;
    const dir = this.selector.classify(d);
    if (dir === NOT_OICQ) {
      if (this.offPort) this.offPortDatagram(d.payload, 0, d.payload.length, d.srcPort, d.dstPort);
      return true;
    }
    const client = dir === C2S ? this.endpoints.id(d.srcIp, d.srcPort) : this.endpoints.id(d.dstIp, d.dstPort);
    return this.oicq(f, d.payload, 0, d.payload.length, dir, client, d);
  };

  // One OICQ datagram at b[start, end); `d` is the decoded UDP datagram on the slow path (null on the fast one).
  private oicq(f: Frame, b: Buffer, start: number, end: number, dir: number, client: number, d: UdpDatagram | null): boolean {
    const n = end - start;
    // The same acceptance rules as decodePacket, without its allocations.
    const direction: Direction = dir === C2S ? 'c2s' : 's2c';
    let hlen = 0;
    let version = 0;
    if (n >= 8 && n <= MAX_DATAGRAM && b[start] === TAG && b[end - 1] === TAIL) {
      version = (b[start + 1]! << 8) | b[start + 2]!;
      hlen = headerLengthOf(version, direction);
      if (n < hlen + 1) hlen = 0;
    }
    if (hlen === 0) {
      this.malformed(f, d ?? this.slowUdp(f), b.subarray(start, end), direction);
      return ++this.shown < this.limit || this.stop();
    }
    const modern = version >= FIRST_MODERN_VERSION;
    // The server's own choice of command table (QQ2009 runs the modern chain in classic headers).
    const table = commandTableOf(version);
    const command = (b[start + 3]! << 8) | b[start + 4]!;
    const seq = (b[start + 5]! << 8) | b[start + 6]!;
    const uid = hlen >= 11 ? b[start + 7]! * 0x1000000 + ((b[start + 8]! << 16) | (b[start + 9]! << 8) | b[start + 10]!) : -1;
    // Modern packets pair by uid, classic ones by client endpoint (their server packets carry no uid).
    const who = modern ? uid * 2 + 1 : client * 2;
    const t = f.tsSec * 1000 + f.tsNsec / 1e6;
    const role = this.summary.packet(table === 'modern' ? 1 : 0, dir, command, seq, who, t, f.index, f.caplen, 8 + n, n);
    if (this.tracker && d !== null) this.emit(f, d, direction, modern ? 'modern' : 'classic', table, version, command, seq, uid, hlen, role);
    return ++this.shown < this.limit || this.stop();
  }

  // The string-ful view of a frame the fast path located (only for the rare malformed datagram).
  private slowUdp(f: Frame): UdpDatagram {
    return decodeUdp(f.linkType, f.data, this.udp)!;
  }

  private stop(): false {
    this.limited = true;
    return false;
  }

  private malformed(f: Frame, d: UdpDatagram, payload: Buffer, direction: Direction): void {
    const r = decodePacket(payload, direction);
    const reason = r.ok ? 'too_short' : r.error.reason;
    this.summary.malformedPacket(reason);
    if (!this.sink.malformed) return;
    this.sink.malformed({
      frame: f.index,
      time: frameTimeMs(f) / 1000,
      src: endpoint(d.srcIp, d.srcPort),
      dst: endpoint(d.dstIp, d.dstPort),
      direction,
      reason,
      detail: (r.ok ? '' : r.error.detail) + (d.truncated ? ' (datagram cut short in the capture)' : ''),
      length: payload.length,
      payload,
    });
  }

  private emit(f: Frame, d: UdpDatagram, direction: Direction, framing: Framing, table: Framing, version: number, command: number, seq: number, uid: number, hlen: number, role: RoleCode): void {
    const p = d.payload;
    const src = endpoint(d.srcIp, d.srcPort);
    const dst = endpoint(d.dstIp, d.dstPort);
    const client = direction === 'c2s' ? src : dst;
    const body = p.subarray(hlen, p.length - 1);
    const res = this.tracker!.open({ framing, table, version, direction, command, seq, ...(uid >= 0 ? { uid } : {}), client, body, frame: f.index });
    // The summary alone (with passwords) only follows the sessions.
    if (!this.detail) return;
    const wireshark = wiresharkName(command);
    const pkt: DissectedPacket = {
      frame: f.index,
      tsSec: f.tsSec,
      tsNsec: f.tsNsec,
      time: frameTimeMs(f) / 1000,
      src,
      dst,
      client,
      framing,
      table,
      direction,
      flag: p[0]!,
      version,
      command,
      seq,
      headerLength: hlen,
      frameLength: f.caplen,
      udpLength: 8 + p.length,
      length: p.length,
      payload: p,
      body,
      meaning: commandMeaning(command, table),
      role: ROLE_NAMES[role],
    };
    if (uid >= 0) pkt.uid = uid;
    if (framing === 'modern') pkt.extra = p.subarray(11, hlen);
    if (wireshark !== undefined) pkt.wireshark = wireshark;
    const peer = this.summary.peerFrame;
    if (peer > 0) pkt.peerFrame = peer;
    if (role === Role.REPLY || role === Role.REPEATED_REPLY) pkt.replyMs = this.summary.peerMs;
    if (res.opened || res.failure || res.notes.length > 0) pkt.session = res;
    this.sink.packet?.(pkt);
  }
}
