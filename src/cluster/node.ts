// One node of a cluster: the link between this server's core (Hub) and the others, through PostgreSQL (the truth:
// messages as the outbox, login epochs, node leases) and Redis (presence, doorbells). docs/DECISIONS.md, "Cluster".
import type { Logger } from 'pino';
import type { Clock, Timer } from '../transport/clock.js';
import type { StoredMessage } from '../store/store.js';
import type { PgConnection } from '../store/pg-sync.js';
import type { ClusterLink, Hub } from '../server/hub.js';
import type { CloseReason, Presence, Session } from '../server/session.js';
import { RedisPresence, type Bell, type NodeLoad, type PresenceRecord, type WirePresence } from './redis-presence.js';
import { pickTarget, splitAddress } from './redirect.js';
import type { Endpoint } from '../server/session.js';
import { Status } from '../protocol/bodies/status-block.js';
import { PENDING_HOLD_MS } from '../server/hub.js';

/** Timers of a node. */
export interface ClusterOptions {
  /** How often presence TTLs, the lease and the sweep of undelivered rows run (ms). */
  tickMs: number;
  /** A node whose lease is older than this is taken over; a node that could not renew for this long drops its sessions. */
  leaseMs: number;
  /** TTL of a presence record; refreshed every tick. */
  presenceTtlMs: number;
  /** A seed: answers logins with a redirect to the least-loaded live node (src/cluster/redirect.ts). */
  seed?: boolean;
}

export const DEFAULT_CLUSTER_OPTIONS: ClusterOptions = { tickMs: 1_000, leaseMs: 5_000, presenceTtlMs: 15_000 };

/** How long a published node load stays live without renewal, in ticks: a dead node stops being a target soon. */
const LOAD_TTL_TICKS = 3;

/** Counters of a node's cluster traffic. */
export interface ClusterStats {
  /** Logins this seed sent to another node. */
  redirects: number;
  bellsSent: number;
  bellsReceived: number;
  swept: number;
  kickedByEpoch: number;
  takeovers: number;
}

/** A cluster node: implements the core's ClusterLink. */
export class ClusterNode implements ClusterLink {
  readonly presence: RedisPresence;
  readonly stats: ClusterStats = { redirects: 0, bellsSent: 0, bellsReceived: 0, swept: 0, kickedByEpoch: 0, takeovers: 0 };
  incarnation = 0;
  private readonly epochs = new WeakMap<Session, number>();
  private timer?: Timer;
  private lastRenewal = 0;
  private readonly toRefresh = new Set<number>();
  private refreshScheduled = false;
  /** The live nodes as this seed last read them, with the logins it sent since counted in. */
  private targets: NodeLoad[] = [];

  constructor(
    private readonly hub: Hub,
    private readonly db: PgConnection,
    redisUrl: string,
    readonly nodeId: string,
    /** This node's public address (host:port), for redirects. */
    readonly address: string,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly opts: ClusterOptions = DEFAULT_CLUSTER_OPTIONS,
  ) {
    this.presence = new RedisPresence(redisUrl, nodeId, opts.presenceTtlMs, log, (b) => this.onBell(b));
  }

  /** Takes a new incarnation and lease, links to the core and starts the node's timers. */
  start(): void {
    const now = this.clock.now();
    const r = this.db.get(
      `INSERT INTO nodes (id, incarnation, address, lease_until) VALUES ($1, 1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET incarnation = nodes.incarnation + 1, address = excluded.address, lease_until = excluded.lease_until
       RETURNING incarnation`,
      [this.nodeId, this.address, now + this.opts.leaseMs],
    );
    this.incarnation = Number(r!['incarnation']);
    this.lastRenewal = now;
    this.hub.link(this);
    const tick = () => {
      this.tick();
      this.timer = this.clock.setTimeout(tick, this.opts.tickMs);
    };
    this.timer = this.clock.setTimeout(tick, this.opts.tickMs);
  }

  /** Stops the timers and closes Redis (the sessions were closed by the server's stop). */
  async stop(): Promise<void> {
    this.timer?.cancel();
    try {
      this.db.query('UPDATE nodes SET lease_until = 0 WHERE id = $1 AND incarnation = $2', [this.nodeId, this.incarnation]);
    } catch {
      // the database is down: the lease lapses by itself
    }
    await this.presence.close();
  }

  /** The login epoch of a session here. */
  epochOf(s: Session): number {
    return this.epochs.get(s) ?? 0;
  }

  private record(s: Session): PresenceRecord {
    return {
      uid: s.uid, node: this.nodeId, incarnation: this.incarnation, epoch: this.epochOf(s), status: s.status,
      address: `${s.endpoint.address}:${s.endpoint.port}`, version: s.version, key: s.fileKey.toString('hex'),
    };
  }

  opened(s: Session): void {
    let epoch = 0;
    try {
      // The fencing token: every accepted login raises it, so of two sessions of one uid the newer one wins everywhere.
      epoch = Number(this.db.get('UPDATE users SET login_epoch = login_epoch + 1 WHERE uid = $1 RETURNING login_epoch', [s.uid])?.['login_epoch'] ?? 0);
    } catch (err) {
      this.log.warn({ err, uid: s.uid }, 'could not raise the login epoch');
    }
    this.epochs.set(s, epoch);
    // Friends online on other nodes, shown to the new session once it can open pushes (as its local ones are).
    this.clock.setTimeout(() => this.showRemoteFriends(s), PENDING_HOLD_MS);
    this.presence.claim(this.record(s)).then(
      (c) => {
        if (c.stale) return this.fence(s.uid, Number.MAX_SAFE_INTEGER);
        if (c.previous) {
          this.stats.bellsSent++;
          return this.presence.ring(c.previous, { t: 'kick', uid: s.uid, epoch });
        }
      },
      (err: Error) => this.log.warn({ err: err.message, uid: s.uid }, 'presence not recorded (redis down?)'),
    ).catch((err: Error) => this.log.warn({ err: err.message }, 'kick not sent'));
  }

  /** The live nodes this seed last read (empty on other nodes). */
  get liveNodes(): readonly NodeLoad[] {
    return this.targets;
  }

  redirectFor(_uid: number, samePort: boolean): Endpoint | undefined {
    if (!this.opts.seed) return undefined;
    const self = splitAddress(this.address);
    const t = pickTarget(this.targets, this.nodeId, samePort ? self.port : undefined);
    if (!t || t.address === this.address) return undefined;
    // Counted until the next read, so a burst of logins within one tick spreads over the nodes.
    t.sessions++;
    this.stats.redirects++;
    return splitAddress(t.address);
  }

  refusesLogins(): boolean {
    return !this.presence.up;
  }

  closed(s: Session, _reason: CloseReason): void {
    this.presence.release(s.uid, this.epochOf(s)).catch((err: Error) => this.log.debug({ err: err.message, uid: s.uid }, 'presence not released'));
  }

  elsewhere(msgs: readonly StoredMessage[]): void {
    // Lost doorbells are repaired by the receiver's node's sweep.
    this.ringWhere([...new Set(msgs.map((m) => m.receiver))], (uids) => ({ t: 'bell', uids }), 'doorbell not rung');
  }

  /** Finds the nodes of `uids` in Redis and rings each other node once with the bell made for its uids. */
  private ringWhere(uids: readonly number[], bell: (uids: number[]) => Bell, failed: string): void {
    this.presence.where(uids).then(async (where) => {
      const byNode = new Map<string, number[]>();
      for (const [uid, node] of where) {
        if (node === this.nodeId) continue;
        let l = byNode.get(node);
        if (!l) byNode.set(node, (l = []));
        l.push(uid);
      }
      for (const [node, list] of byNode) {
        this.stats.bellsSent++;
        await this.presence.ring(node, bell(list));
      }
    }).catch((err: Error) => this.log.debug({ err: err.message }, failed));
  }

  presenceChanged(s: Session, shown: Presence): void {
    this.fanOut(s.uid, { uid: shown.uid, status: shown.status, ip: shown.ip, port: shown.port, version: shown.clientVersion, key: shown.key.toString('hex') });
  }

  /** Tells the nodes that have friends of `uid` online what they are shown now (one doorbell per node). */
  private fanOut(uid: number, p: WirePresence): void {
    let friends: number[];
    try {
      friends = this.hub.store.friendUids(uid).filter((f) => !this.hub.get(f));
    } catch (err) {
      return this.log.debug({ err, uid }, 'presence not fanned out: the store did not answer');
    }
    if (friends.length > 0) this.ringWhere(friends, (to) => ({ t: 'status', p, to }), 'presence not fanned out');
  }

  async onlineElsewhere(uids: readonly number[]): Promise<Presence[]> {
    const found = await this.presence.presenceOf(uids);
    return found.filter(({ node, p }) => node !== this.nodeId && p.status !== Status.INVISIBLE).map(({ p }) => toPresence(p));
  }

  private showRemoteFriends(s: Session): void {
    if (s.closed) return;
    let friends: number[];
    try {
      friends = this.hub.store.friendUids(s.uid).filter((f) => !this.hub.get(f));
    } catch {
      return;
    }
    if (friends.length === 0) return;
    this.presence.presenceOf(friends).then((found) => {
      for (const { node, p } of found) {
        if (node === this.nodeId || p.status === Status.INVISIBLE || s.closed) continue;
        s.output.pushStatus(s, toPresence(p));
      }
    }).catch((err: Error) => this.log.debug({ err: err.message }, 'remote friends not shown'));
  }

  private onBell(b: Bell): void {
    this.stats.bellsReceived++;
    if (b.t === 'kick') return this.fence(b.uid, b.epoch);
    if (b.t === 'status') {
      const p = toPresence(b.p);
      for (const uid of b.to) {
        const s = this.hub.get(uid);
        if (s) s.output.pushStatus(s, p);
      }
      return;
    }
    for (const uid of b.uids) this.toRefresh.add(uid);
    this.scheduleRefresh();
  }

  /** A newer login (epoch) of `uid` elsewhere: the session here, if older, is told and closed. */
  private fence(uid: number, epoch: number): void {
    const s = this.hub.get(uid);
    if (!s || this.epochOf(s) >= epoch) return;
    this.stats.kickedByEpoch++;
    s.output.kicked?.(s);
    this.hub.close(s, 'replaced');
  }

  private scheduleRefresh(): void {
    if (this.refreshScheduled) return;
    this.refreshScheduled = true;
    // After this turn's group commit: a push acked in this turn must not be queued again.
    this.clock.turn(() => {
      this.refreshScheduled = false;
      const uids = [...this.toRefresh];
      this.toRefresh.clear();
      for (const uid of uids) {
        const s = this.hub.get(uid);
        if (!s) continue;
        try {
          this.hub.refreshPending(s);
        } catch (err) {
          this.log.warn({ err, uid }, 'loading undelivered messages failed; the sweep retries');
        }
      }
    });
  }

  private localFriends(uid: number): number[] {
    try {
      return this.hub.store.friendUids(uid).filter((f) => this.hub.get(f));
    } catch {
      return [];
    }
  }

  /** The node's heartbeat: lease, presence TTLs, the sweep of undelivered rows, takeover of lapsed nodes. */
  tick(): void {
    const now = this.clock.now();
    // A node that itself could not renew lately (the database was away, or this process was paused) takes nobody
    // over on this tick: the others get a tick to renew first, so a database outage does not end every node.
    const steady = now - this.lastRenewal <= 2 * this.opts.tickMs + 500;
    try {
      // The lease is renewed only while no other node took it over (a takeover zeroes it): if one did, this node
      // was paused or cut off past its lease, and its sessions go before it serves again.
      const r = this.db.query('UPDATE nodes SET lease_until = $3 WHERE id = $1 AND incarnation = $2 AND lease_until > 0 RETURNING id', [
        this.nodeId, this.incarnation, now + this.opts.leaseMs,
      ]);
      if (r.length === 1) this.lastRenewal = now;
      else this.dropAll(now);
      this.sweep();
      if (steady) this.takeOver(now);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'cluster tick: the database did not answer');
    }
    const records = [...this.hub.all()].map((s) => this.record(s));
    if (this.lastRenewal === now) this.publishLoad(records.length);
    this.presence.refresh(records).catch((err: Error) => this.log.debug({ err: err.message }, 'presence refresh failed'));
  }

  /** Publishes this node's load with its lease; a seed also reads every live node's. */
  private publishLoad(sessions: number): void {
    const load = { id: this.nodeId, address: this.address, sessions, seed: this.opts.seed === true };
    this.presence.publishLoad(load, LOAD_TTL_TICKS * this.opts.tickMs)
      .then(() => (this.opts.seed ? this.presence.liveNodes() : undefined))
      .then((nodes) => {
        if (nodes) this.targets = nodes;
      })
      .catch((err: Error) => this.log.debug({ err: err.message }, 'node load not published'));
  }

  private dropAll(now: number): void {
    const sessions = [...this.hub.all()];
    this.log.warn({ sessions: sessions.length }, 'this node lost its lease: its sessions are dropped (clients log in again)');
    for (const s of sessions) this.hub.close(s, 'timeout');
    const r = this.db.get('UPDATE nodes SET incarnation = incarnation + 1, lease_until = $2 WHERE id = $1 RETURNING incarnation', [this.nodeId, now + this.opts.leaseMs]);
    this.incarnation = Number(r!['incarnation']);
    this.lastRenewal = now;
  }

  /** Loads rows that doorbells missed for the sessions here. */
  sweep(): void {
    const uids = [...this.hub.all()].filter((s) => s.pendingLoaded).map((s) => s.uid);
    if (uids.length === 0) return;
    const rows = this.db.query('SELECT DISTINCT receiver FROM messages WHERE delivered_at IS NULL AND receiver = ANY($1::bigint[])', [`{${uids.join(',')}}`]);
    for (const r of rows) {
      const s = this.hub.get(Number(r['receiver']));
      if (s) this.stats.swept += this.hub.refreshPending(s);
    }
  }

  private takeOver(now: number): void {
    const lapsed = this.db.query('SELECT id, incarnation FROM nodes WHERE lease_until < $1 AND lease_until > 0 AND id <> $2', [now, this.nodeId]);
    for (const l of lapsed) {
      // One node wins the takeover: the row's lease is zeroed only while it is still that incarnation's.
      const won = this.db.query('UPDATE nodes SET lease_until = 0 WHERE id = $1 AND incarnation = $2 AND lease_until < $3 RETURNING id', [String(l['id']), Number(l['incarnation']), now]);
      if (won.length === 0) continue;
      this.stats.takeovers++;
      const node = String(l['id']);
      this.presence.reap(node, Number(l['incarnation'])).then(
        (gone) => {
          this.log.warn({ node, sessions: gone.length }, 'took over a node whose lease lapsed: its sessions are gone');
          // Their friends see them go offline: here directly, elsewhere through the doorbells.
          for (const uid of gone) {
            const p: WirePresence = { uid, status: Status.OFFLINE, ip: 0, port: 0, version: 0, key: '' };
            this.onBell({ t: 'status', p, to: this.localFriends(uid) });
            this.fanOut(uid, p);
          }
        },
        (err: Error) => this.log.warn({ err: err.message, node }, 'takeover: presence not cleaned (the TTL will)'),
      );
    }
  }
}

/** A presence from another node as the framings push it. */
function toPresence(p: WirePresence): Presence {
  return { uid: p.uid, status: p.status, ip: p.ip, port: p.port, clientVersion: p.version, key: p.key.length === 32 ? Buffer.from(p.key, 'hex') : Buffer.alloc(16) };
}
