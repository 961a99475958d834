// What the operator console sees of the traffic: datagrams by command, per-session packet and byte counts,
// the last datagrams of each drop reason, a ring of recent datagrams (the inspector's live source) and
// one-second rate samples for the dashboard. Fed by the server's wire and drop listeners.
import { decodePacket, type Framing } from '../protocol/framing.js';
import { commandMeaning } from '../protocol/commands.js';
import type { DropEvent, OicqServer, WireEvent } from '../server/server.js';
import type { DropReason } from '../server/metrics.js';
import type { Session } from '../server/session.js';

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

/** Watches one server's wire and drops; everything it keeps is bounded. */
export class Traffic {
  private readonly perSession = new WeakMap<Session, SessionTraffic>();
  private readonly byCommand = new Map<string, CommandCount>();
  private readonly ring: RecentDatagram[] = [];
  private ringAt = 0;
  private readonly drops = new Map<DropReason, DroppedDatagram[]>();
  private readonly rateSamples: RateSample[] = [];
  private last = { in: 0, out: 0, dropped: 0, logins: 0, stored: 0, delivered: 0 };
  private timer?: NodeJS.Timeout;

  constructor(private readonly server: OicqServer, private readonly opts: TrafficOptions = DEFAULT_TRAFFIC) {
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
    const p = decodePacket(e.bytes, e.direction === 'in' ? 'c2s' : 's2c');
    const session = this.server.hub.atEndpoint(e.peer);
    if (p.ok) {
      const command = commandMeaning(p.value.command, p.value.framing);
      const key = `${e.direction}|${p.value.framing}|${command}`;
      const c = this.byCommand.get(key);
      if (c) c.count++;
      else this.byCommand.set(key, { direction: e.direction, framing: p.value.framing, command, count: 1 });
    }
    if (session) {
      const t = this.statsOf(session);
      if (e.direction === 'in') {
        t.packetsIn++;
        t.bytesIn += e.bytes.length;
      } else {
        t.packetsOut++;
        t.bytesOut += e.bytes.length;
      }
    }
    const uid = (p.ok ? p.value.uid : undefined) ?? session?.uid ?? 0;
    const d: RecentDatagram = { at: Date.now(), direction: e.direction, peer: e.peer, local: e.local, uid, bytes: Buffer.from(e.bytes) };
    if (this.ring.length < this.opts.ringSize) this.ring.push(d);
    else this.ring[this.ringAt] = d;
    this.ringAt = (this.ringAt + 1) % this.opts.ringSize;
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
    let t = this.perSession.get(s);
    if (!t) this.perSession.set(s, (t = { packetsIn: 0, bytesIn: 0, packetsOut: 0, bytesOut: 0 }));
    return t;
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
    const ordered = this.ring.length < this.opts.ringSize ? this.ring : [...this.ring.slice(this.ringAt), ...this.ring.slice(0, this.ringAt)];
    return ordered.filter(
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
