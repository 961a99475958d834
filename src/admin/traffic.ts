// What the operator console sees of the traffic: datagrams by command, per-session packet and byte counts,
// the last datagrams of each drop reason, a ring of recent datagrams (the inspector's live source) and
// one-second rate samples for the dashboard. Fed by the server's wire and drop listeners.
import { peekHeader, type Framing, type PeekedHeader } from '../protocol/framing.js';
import { commandMeaning } from '../protocol/commands.js';
import type { DropEvent, OicqServer, WireEvent } from '../server/server.js';
import type { DropReason } from '../server/metrics.js';
import type { Session } from '../server/session.js';
import { parseIpv4, u32ToIp } from '../protocol/bodies/status-block.js';

/** A framing's bits in a command counter's key. */
const FRAMING_CODE: Record<Framing, number> = { classic: 0, modern: 1 };

/** Packet and byte counts of one session, both ways. */
export interface SessionTraffic {
  packetsIn: number;
  bytesIn: number;
  packetsOut: number;
  bytesOut: number;
}

/** One datagram kept in the live ring. */
export interface RecentDatagram {
  /** ms since the epoch. */
  at: number;
  direction: 'in' | 'out';
  peer: { address: string; port: number };
  local: { address: string; port: number };
  /** The user it belongs to (the header's uid, or the session at the peer's endpoint), 0 if unknown. */
  uid: number;
  bytes: Buffer;
}

/** A dropped datagram as the console lists it. */
export interface DroppedDatagram {
  at: number;
  from: string;
  command?: string;
  uid?: number;
  hex: string;
}

/** One second of the dashboard's chart. */
export interface RateSample {
  /** Unix ms at the end of the second. */
  t: number;
  datagramsIn: number;
  datagramsOut: number;
  dropped: number;
  logins: number;
  messagesStored: number;
  messagesDelivered: number;
  online: number;
}

/** Counter key of a datagram by command: direction, framing and the table's name for the command. */
export interface CommandCount {
  direction: 'in' | 'out';
  framing: Framing;
  command: string;
  count: number;
}

/** Limits of the rings (all bounded, whatever the traffic). */
export interface TrafficOptions {
  ringSize: number;
  dropsPerReason: number;
  samples: number;
}

export const DEFAULT_TRAFFIC: TrafficOptions = { ringSize: 4096, dropsPerReason: 16, samples: 600 };

/** Bytes of a datagram kept in the ring's slab; a longer one is kept as its own copy (rare: logins, long messages). */
const SLOT_BYTES = 256;

/**
 * The ring of recent datagrams in preallocated typed storage: recording one allocates nothing that outlives the
 * turn. (A ring of objects and copies keeps each datagram for thousands of datagrams, so every one of them is
 * promoted to V8's old space and the server pays full-heap collections for them: at 100 000 sessions, 40–60 ms each.)
 */
class DatagramRing {
  private readonly at: Float64Array;
  private readonly dirIn: Uint8Array;
  private readonly ip: Uint32Array;
  private readonly port: Uint16Array;
  private readonly uid: Uint32Array;
  private readonly len: Uint32Array;
  private readonly slab: Buffer;
  /** Datagrams longer than a slot, and peers that are not dotted IPv4, by slot (else undefined). */
  private readonly long: (Buffer | undefined)[];
  private readonly oddPeer: ({ address: string; port: number } | undefined)[];
  private local: { address: string; port: number } = { address: '0.0.0.0', port: 0 };
  private written = 0;

  constructor(private readonly size: number) {
    this.at = new Float64Array(size);
    this.dirIn = new Uint8Array(size);
    this.ip = new Uint32Array(size);
    this.port = new Uint16Array(size);
    this.uid = new Uint32Array(size);
    this.len = new Uint32Array(size);
    this.slab = Buffer.alloc(size * SLOT_BYTES);
    this.long = new Array<Buffer | undefined>(size).fill(undefined);
    this.oddPeer = new Array<{ address: string; port: number } | undefined>(size).fill(undefined);
  }

  add(e: WireEvent, uid: number): void {
    const i = this.written % this.size;
    this.written++;
    this.at[i] = Date.now();
    this.dirIn[i] = e.direction === 'in' ? 1 : 0;
    const ip = parseIpv4(e.peer.address);
    this.ip[i] = ip ?? 0;
    this.port[i] = e.peer.port;
    this.oddPeer[i] = ip === undefined ? { address: e.peer.address, port: e.peer.port } : undefined;
    this.uid[i] = uid;
    this.local = e.local;
    const n = e.bytes.length;
    this.len[i] = n;
    if (n <= SLOT_BYTES) {
      e.bytes.copy(this.slab, i * SLOT_BYTES);
      this.long[i] = undefined;
    } else this.long[i] = Buffer.from(e.bytes);
  }

  /** The datagrams held, oldest first (copies). */
  list(): RecentDatagram[] {
    const out: RecentDatagram[] = [];
    const first = Math.max(0, this.written - this.size);
    for (let k = first; k < this.written; k++) {
      const i = k % this.size;
      const bytes = this.long[i] ?? Buffer.from(this.slab.subarray(i * SLOT_BYTES, i * SLOT_BYTES + this.len[i]!));
      const peer = this.oddPeer[i] ?? { address: u32ToIp(this.ip[i]!), port: this.port[i]! };
      out.push({ at: this.at[i]!, direction: this.dirIn[i] ? 'in' : 'out', peer, local: { ...this.local }, uid: this.uid[i]!, bytes });
    }
    return out;
  }
}

/** Watches one server's wire and drops; everything it keeps is bounded. */
export class Traffic {
  /** Counts by (direction, framing, command), keyed by a number made of the three. */
  private readonly byCommand = new Map<number, CommandCount>();
  private readonly ring: DatagramRing;
  private readonly drops = new Map<DropReason, DroppedDatagram[]>();
  private readonly rateSamples: RateSample[] = [];
  /** The header of the datagram being counted (one object, refilled per datagram). */
  private readonly header: PeekedHeader = { framing: 'classic', command: 0, uid: 0 };
  private last = { in: 0, out: 0, dropped: 0, logins: 0, stored: 0, delivered: 0 };
  private timer?: NodeJS.Timeout;

  constructor(private readonly server: OicqServer, private readonly opts: TrafficOptions = DEFAULT_TRAFFIC) {
    this.ring = new DatagramRing(opts.ringSize);
    server.onWire((e) => this.wire(e));
    server.onDrop((e) => this.drop(e));
  }

  /** Starts the one-second sampler (unref'd: it never keeps the process alive). */
  start(): void {
    this.timer = setInterval(() => this.sample(Date.now()), 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private wire(e: WireEvent): void {
    const h = this.header;
    const ok = peekHeader(e.bytes, e.direction === 'in' ? 'c2s' : 's2c', h);
    const session = this.sessionOf(e, ok ? h.uid : 0);
    if (ok) {
      const key = (h.command << 3) | (FRAMING_CODE[h.framing] << 1) | (e.direction === 'in' ? 1 : 0);
      const c = this.byCommand.get(key);
      if (c) c.count++;
      else this.byCommand.set(key, { direction: e.direction, framing: h.framing, command: commandMeaning(h.command, h.framing), count: 1 });
    }
    if (session) {
      if (e.direction === 'in') {
        session.packetsIn++;
        session.bytesIn += e.bytes.length;
      } else {
        session.packetsOut++;
        session.bytesOut += e.bytes.length;
      }
    }
    this.ring.add(e, ok && h.uid !== 0 ? h.uid : session?.uid ?? 0);
  }

  /**
   * The session a datagram belongs to. A request is looked up by its header's uid, as the server is about to look
   * it up: the table's lines it reads are the ones the server reads next, where a lookup by endpoint reads a second
   * table (at a million sessions, a cache miss or two per datagram). Replies and pushes name their session; only
   * the login chains' steps are looked up by endpoint.
   */
  private sessionOf(e: WireEvent, uid: number): Session | undefined {
    const hub = this.server.hub;
    if (e.direction === 'out') return e.session ?? hub.atEndpoint(e.peer);
    const byUid = uid === 0 ? undefined : hub.get(uid);
    return byUid?.isFrom(e.peer) ? byUid : hub.atEndpoint(e.peer);
  }

  private drop(e: DropEvent): void {
    let list = this.drops.get(e.reason);
    if (!list) this.drops.set(e.reason, (list = []));
    list.push({
      at: Date.now(),
      from: `${e.from.address}:${e.from.port}`,
      command: e.packet ? commandMeaning(e.packet.command, e.packet.framing) : undefined,
      uid: e.packet?.uid,
      hex: e.bytes ? e.bytes.subarray(0, 512).toString('hex') : '',
    });
    if (list.length > this.opts.dropsPerReason) list.shift();
  }

  /** Takes one rate sample (the sampler calls it each second; tests may call it directly). */
  sample(t: number): RateSample {
    const m = this.server.metrics;
    const now = { in: m.received, out: m.sent, dropped: m.droppedTotal, logins: m.loginsOk, stored: m.messagesStored, delivered: m.messagesDelivered };
    const s: RateSample = {
      t,
      datagramsIn: now.in - this.last.in,
      datagramsOut: now.out - this.last.out,
      dropped: now.dropped - this.last.dropped,
      logins: now.logins - this.last.logins,
      messagesStored: now.stored - this.last.stored,
      messagesDelivered: now.delivered - this.last.delivered,
      online: this.server.hub.onlineCount(),
    };
    this.last = now;
    this.rateSamples.push(s);
    if (this.rateSamples.length > this.opts.samples) this.rateSamples.shift();
    return s;
  }

  /** Packet and byte counts of a session (zeros before its first datagram is seen). */
  statsOf(s: Session): SessionTraffic {
    return { packetsIn: s.packetsIn, bytesIn: s.bytesIn, packetsOut: s.packetsOut, bytesOut: s.bytesOut };
  }

  /** Datagram counts by direction, framing and command. */
  commands(): CommandCount[] {
    return [...this.byCommand.values()];
  }

  /** The last datagrams of each drop reason, with the total count of each reason. */
  dropped(): { reason: DropReason; count: number; last: DroppedDatagram[] }[] {
    const counts = this.server.metrics.dropped;
    return (Object.keys(counts) as DropReason[]).map((reason) => ({ reason, count: counts[reason], last: [...(this.drops.get(reason) ?? [])].reverse() }));
  }

  /** Recent datagrams, oldest first, optionally only those of a uid or a peer address ("ip" or "ip:port"). */
  recent(filter: { uid?: number; address?: string } = {}): RecentDatagram[] {
    return this.ring.list().filter(
      (d) =>
        (filter.uid === undefined || d.uid === filter.uid) &&
        (filter.address === undefined || d.peer.address === filter.address || `${d.peer.address}:${d.peer.port}` === filter.address),
    );
  }

  /** The rate samples of the last ten minutes, oldest first. */
  samples(): RateSample[] {
    return this.rateSamples;
  }
}
