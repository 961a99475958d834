// Who is online where, in Redis (what may be lost: a Redis restart empties it and every node writes its sessions
// back at its next refresh). `sess:{uid}` holds node, node incarnation, login epoch, status and address with a TTL
// that the node's refresh renews; `node:{id}:uids` lists a node's sessions for bulk cleanup; channel `bell:{id}` is
// the node's doorbell (messages waiting in PostgreSQL for its sessions, kicks of sessions a newer login fenced off).
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** A session as the cluster records it. */
export interface PresenceRecord {
  uid: number;
  node: string;
  incarnation: number;
  epoch: number;
  status: number;
  address: string;
  /** What friends are shown besides the status: the client's version and file key (hex). */
  version: number;
  key: string;
}

/** What friends see of a user, as it travels between nodes (Presence with the key in hex). */
export interface WirePresence {
  uid: number;
  status: number;
  ip: number;
  port: number;
  version: number;
  key: string;
}

/** What arrives on a node's doorbell. */
export type Bell =
  | { t: 'bell'; uids: number[] }
  | { t: 'kick'; uid: number; epoch: number }
  | { t: 'status'; p: WirePresence; to: number[] };

/** The outcome of claiming a uid: `previous` is the node that held it (to kick there); `stale` when a newer login holds it. */
export interface Claim {
  stale: boolean;
  previous?: string;
}

// Fencing in one step: a claim with an older epoch than the record's loses; otherwise the record is replaced.
const CLAIM = `
local old = redis.call('HMGET', KEYS[1], 'node', 'epoch')
if old[2] and tonumber(old[2]) > tonumber(ARGV[3]) then return {'stale', old[1] or ''} end
redis.call('HSET', KEYS[1], 'node', ARGV[1], 'inc', ARGV[2], 'epoch', ARGV[3], 'status', ARGV[4], 'addr', ARGV[5], 'ver', ARGV[8], 'key', ARGV[9])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
redis.call('SADD', KEYS[2], ARGV[7])
return {'ok', old[1] or ''}`;

// Only the holder removes a record: a newer login on another node keeps its own.
const RELEASE = `
redis.call('SREM', KEYS[2], ARGV[3])
local old = redis.call('HMGET', KEYS[1], 'node', 'epoch')
if old[1] == ARGV[1] and old[2] == ARGV[2] then redis.call('DEL', KEYS[1]) return 1 end
return 0`;

// A lapsed node's sessions go, each only while it still names that node and incarnation.
const REAP = `
local uids = redis.call('SMEMBERS', KEYS[1])
local gone = {}
for _, uid in ipairs(uids) do
  local r = redis.call('HMGET', 'sess:' .. uid, 'node', 'inc')
  if r[1] == ARGV[1] and r[2] == ARGV[2] then redis.call('DEL', 'sess:' .. uid) table.insert(gone, uid) end
end
redis.call('DEL', KEYS[1])
return gone`;

/** A node as it publishes itself with each lease renewal: where clients reach it, how many sessions it holds. */
export interface NodeLoad {
  id: string;
  /** host:port clients are redirected to. */
  address: string;
  sessions: number;
  /** A seed redirects logins; it is never a redirect's target (so a redirected client is served where it lands). */
  seed: boolean;
}

// Every live node's load in one round trip; a node whose record expired (no renewal: dead, paused) leaves the set.
const NODES = `
local out = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local r = redis.call('HMGET', 'nodeload:' .. id, 'addr', 'n', 'seed')
  if r[1] then table.insert(out, {id, r[1], r[2], r[3]}) else redis.call('SREM', KEYS[1], id) end
end
return out`;

/** The Redis side of a node: presence records, node liveness, doorbells. */
export class RedisPresence {
  readonly cmd: Redis;
  private readonly sub: Redis;
  /** Redis commands sent (for the cluster run's commands-per-message figure). */
  commands = 0;

  constructor(url: string, private readonly node: string, private readonly ttlMs: number, private readonly log: Logger, onBell: (b: Bell) => void) {
    // No offline queue: while Redis is down a command fails at once (new logins are refused "busy"), never piles up.
    const opts = { lazyConnect: false, enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: (n: number) => Math.min(200 * n, 1000) };
    this.cmd = new Redis(url, opts);
    this.sub = new Redis(url, { ...opts, enableOfflineQueue: true });
    for (const c of [this.cmd, this.sub]) c.on('error', (err: Error) => this.log.debug({ err: err.message }, 'redis'));
    this.sub.on('message', (_channel: string, text: string) => {
      try {
        onBell(JSON.parse(text) as Bell);
      } catch (err) {
        this.log.warn({ err }, 'unreadable doorbell');
      }
    });
    void this.sub.subscribe(`bell:${node}`).catch((err: Error) => this.log.warn({ err: err.message }, 'doorbell subscription failed; retried on reconnect'));
  }

  /** Whether Redis answers now (new logins are refused while it does not). */
  get up(): boolean {
    return this.cmd.status === 'ready';
  }

  /** Resolves once both connections are ready (the doorbell subscribed). */
  async ready(): Promise<void> {
    for (const c of [this.cmd, this.sub]) {
      if (c.status === 'ready') continue;
      await new Promise<void>((resolve) => c.once('ready', () => resolve()));
    }
  }

  /** Records a session (fencing by login epoch). */
  async claim(r: PresenceRecord): Promise<Claim> {
    this.commands++;
    const out = (await this.cmd.eval(CLAIM, 2, `sess:${r.uid}`, `node:${r.node}:uids`, r.node, r.incarnation, r.epoch, r.status, r.address, this.ttlMs, r.uid, r.version, r.key)) as [string, string];
    const previous = out[1] && out[1] !== this.node ? out[1] : undefined;
    return { stale: out[0] === 'stale', previous };
  }

  /** Removes a session's record if it is still this one's. */
  async release(uid: number, epoch: number): Promise<void> {
    this.commands++;
    await this.cmd.eval(RELEASE, 2, `sess:${uid}`, `node:${this.node}:uids`, this.node, epoch, uid);
  }

  /** Renews the TTL of this node's records (the keep-alive of presence), re-writing any that Redis lost. */
  async refresh(records: readonly PresenceRecord[]): Promise<void> {
    if (records.length === 0) return;
    const p = this.cmd.pipeline();
    for (const r of records) {
      p.hset(`sess:${r.uid}`, 'node', r.node, 'inc', r.incarnation, 'epoch', r.epoch, 'status', r.status, 'addr', r.address, 'ver', r.version, 'key', r.key);
      p.pexpire(`sess:${r.uid}`, this.ttlMs);
      p.sadd(`node:${this.node}:uids`, r.uid);
    }
    this.commands += records.length * 3;
    await p.exec();
  }

  /** The node each uid is online on (absent: offline, or Redis lost it). */
  async where(uids: readonly number[]): Promise<Map<number, string>> {
    const p = this.cmd.pipeline();
    for (const u of uids) p.hget(`sess:${u}`, 'node');
    this.commands += uids.length;
    const res = (await p.exec()) ?? [];
    const out = new Map<number, string>();
    res.forEach(([err, node], i) => {
      if (!err && typeof node === 'string') out.set(uids[i]!, node);
    });
    return out;
  }

  /** The presence of each uid that has a record (its node too). */
  async presenceOf(uids: readonly number[]): Promise<{ node: string; p: WirePresence }[]> {
    const p = this.cmd.pipeline();
    for (const u of uids) p.hmget(`sess:${u}`, 'node', 'status', 'addr', 'ver', 'key');
    this.commands += uids.length;
    const res = (await p.exec()) ?? [];
    const out: { node: string; p: WirePresence }[] = [];
    res.forEach(([err, v], i) => {
      const [node, status, addr, ver, key] = (v ?? []) as (string | null)[];
      if (err || !node || !status || !addr) return;
      const [ip, port] = addr.split(':');
      const ipU32 = (ip ?? '0.0.0.0').split('.').reduce((a, o) => ((a << 8) | Number(o)) >>> 0, 0);
      out.push({ node, p: { uid: uids[i]!, status: Number(status), ip: ipU32, port: Number(port), version: Number(ver ?? 0), key: key ?? '' } });
    });
    return out;
  }

  /** Publishes this node's address and load, live for `ttlMs` (renewed with the lease). */
  async publishLoad(load: NodeLoad, ttlMs: number): Promise<void> {
    this.commands += 3;
    await this.cmd.pipeline()
      .hset(`nodeload:${load.id}`, 'addr', load.address, 'n', load.sessions, 'seed', load.seed ? 1 : 0)
      .pexpire(`nodeload:${load.id}`, ttlMs)
      .sadd('nodes', load.id)
      .exec();
  }

  /** Every node whose load record is live. */
  async liveNodes(): Promise<NodeLoad[]> {
    this.commands++;
    const rows = (await this.cmd.eval(NODES, 1, 'nodes')) as [string, string, string, string][];
    return rows.map(([id, address, n, seed]) => ({ id, address, sessions: Number(n), seed: seed === '1' }));
  }

  /** Rings another node's doorbell. */
  async ring(node: string, bell: Bell): Promise<void> {
    this.commands++;
    await this.cmd.publish(`bell:${node}`, JSON.stringify(bell));
  }

  /** Removes the records of a node incarnation whose lease lapsed; returns the uids removed. */
  async reap(node: string, incarnation: number): Promise<number[]> {
    this.commands++;
    const gone = (await this.cmd.eval(REAP, 1, `node:${node}:uids`, node, incarnation)) as string[];
    return gone.map(Number);
  }

  /** Closes both connections. */
  async close(): Promise<void> {
    this.sub.disconnect();
    this.cmd.disconnect();
  }
}
