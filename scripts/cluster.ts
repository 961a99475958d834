// `npm run cluster [-- none|kill|stop|redis|pg|twice]`: three `oicq serve` nodes (127.0.0.2–4) and a seed
// (`--seed`, the next address) on a private PostgreSQL and Redis; a few hundred SDK clients log in through the seed,
// which redirects each to the least-loaded node, with a random friend graph (about two thirds of friend pairs cross
// nodes), messages for a bounded time, one fault in the middle:
//   kill  — SIGKILL a node; its clients log in again through the seed, which sends them to a live node
//   stop  — SIGSTOP a node for 15 s, then SIGCONT (it drops its sessions; its clients log in again through the seed)
//   redis — restart Redis        pg — stop PostgreSQL for 3 s        twice — the same uid on two nodes at once, 100 times
// Prints acked-but-undelivered (target 0), duplicates shown by the SDK (0), per-pair order (kept), failover time
// p50/p99 (< 15 s), uids owned twice after 2 s (0), throughput with CPU, PostgreSQL transactions and Redis commands
// per message. Exits non-zero when a target is missed. Environment: CLUSTER_USERS (240), CLUSTER_SECONDS (20),
// CLUSTER_NODES (3; 1 gives the single-node figure for comparison), CLUSTER_SEED (1).
import { Redis } from 'ioredis';
import { Client, type IncomingMessage } from '../src/client/index.js';
import { openPostgresStore } from '../src/store/postgres.js';
import { PgConnection } from '../src/store/pg-sync.js';
import { passwordMd5 } from '../src/protocol/keys.js';
import { PgServer, RedisServer, servicesMissing } from '../test/helpers/services.js';
import { startServerProcess, type ServerProcess } from './lib/server-process.js';

const FAULTS = ['none', 'kill', 'stop', 'redis', 'pg', 'twice'] as const;
type Fault = (typeof FAULTS)[number];
const fault = (process.argv[2] ?? 'none') as Fault;
if (!FAULTS.includes(fault)) {
  console.error(`cluster: unknown fault '${fault}' — use one of ${FAULTS.join(', ')}`);
  process.exit(2);
}
const missing = servicesMissing();
if (missing) {
  console.error(`cluster: ${missing}`);
  process.exit(2);
}
const USERS = Number(process.env.CLUSTER_USERS ?? 240);
const SECONDS = Number(process.env.CLUSTER_SECONDS ?? 20);
const NODES = Number(process.env.CLUSTER_NODES ?? 3);
let seed = Number(process.env.CLUSTER_SEED ?? 1);
const rand = (): number => {
  // mulberry32: a repeatable friend graph and traffic per seed.
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const FIRST = 30001;
const PW = 'pw';

const pg = await PgServer.start({ durable: true });
const redis = await RedisServer.start();
const procs: ServerProcess[] = [];
const clients = new Map<number, Client>();
let exitCode = 0;

try {
  // ---- accounts and friends
  const store = openPostgresStore(pg.url);
  const friends = new Map<number, Set<number>>();
  for (let i = 0; i < USERS + 10; i++) {
    store.addUser(FIRST + i, passwordMd5(PW), `u${i}`);
    friends.set(FIRST + i, new Set());
  }
  for (let i = 0; i < USERS; i++) {
    for (let k = 0; k < 3; k++) {
      const a = FIRST + i;
      const b = FIRST + Math.floor(rand() * USERS);
      if (a === b || friends.get(a)!.has(b)) continue;
      store.addFriend(a, b);
      friends.get(a)!.add(b);
      friends.get(b)!.add(a);
    }
  }
  store.close();

  // ---- nodes
  const hosts = Array.from({ length: NODES }, (_, i) => `127.0.0.${2 + i}`);
  for (const [i, host] of hosts.entries()) {
    procs.push(await startServerProcess(undefined, ['--host', host, '--store', pg.url, '--presence', redis.url, '--node-id', `n${i + 1}`, '--log-level', 'warn']));
  }
  const seedHost = `127.0.0.${2 + NODES}`;
  const seedProc = await startServerProcess(undefined, ['--host', seedHost, '--store', pg.url, '--presence', redis.url, '--node-id', 'seed', '--seed', '--log-level', 'warn']);
  procs.push(seedProc);
  const seedAt = `${seedHost}:${seedProc.port}`;
  // The seed reads the nodes' loads once a tick: let it see them all before the first login.
  await new Promise((r) => setTimeout(r, 2_500));

  // ---- what the clients saw
  const acked = new Map<string, { from: number; to: number; at: number }>();
  const delivered = new Set<string>();
  let sdkDuplicates = 0;
  let outOfOrder = 0;
  let refused = 0;
  const reasons = new Map<string, number>();
  let crossPairs = 0;
  let pairs = 0;
  const lastSeq = new Map<string, number>();
  const relogged = new Map<number, number>(); // uid → when it had to log in again (fault time)
  const failovers: number[] = [];
  let faultAt = 0;

  const onMessage = (uid: number, m: IncomingMessage, seen: Set<string>) => {
    const match = /^m:(\d+):(\d+)$/.exec(m.text);
    if (!match) return;
    const key = `${match[1]}:${uid}:${match[2]}`;
    if (seen.has(key)) sdkDuplicates++;
    seen.add(key);
    delivered.add(key);
    const pair = `${match[1]}>${uid}`;
    const seq = Number(match[2]);
    if ((lastSeq.get(pair) ?? 0) > seq) outOfOrder++;
    lastSeq.set(pair, Math.max(seq, lastSeq.get(pair) ?? 0));
    for (const u of [uid, Number(match[1])]) {
      const since = relogged.get(u);
      if (since !== undefined) {
        failovers.push(Date.now() - since);
        relogged.delete(u);
      }
    }
  };

  const connect = async (uid: number): Promise<void> => {
    const c = new Client({ uid, password: PW, server: seedAt, framing: 'classic', keepAliveMs: 1_000, retry: { intervalMs: 500, maxTries: 4 } });
    const seen = new Set<string>();
    c.on('message', (m) => onMessage(uid, m, seen));
    c.on('offline', () => {
      if (clients.get(uid) !== c) return;
      // Log in again through the seed, which sends the client to a live node.
      relogged.set(uid, relogged.get(uid) ?? faultAt);
      void relogin(uid);
    });
    clients.set(uid, c);
    await c.login();
  };
  /** Logs a client whose session was lost in again through the seed, trying until it works (20 s at most). */
  let stranded = 0;
  const relogin = async (uid: number): Promise<void> => {
    const until = Date.now() + 20_000;
    while (Date.now() < until) {
      await new Promise((r) => setTimeout(r, 300));
      try {
        await connect(uid);
        return;
      } catch {
        // busy or not answering: the next attempt
      }
    }
    stranded++;
  };
  for (let i = 0; i < USERS; i++) await connect(FIRST + i);
  // Where the seed sent each client, as Redis records it.
  const rc = new Redis(redis.url);
  rc.on('error', () => undefined); // the redis fault restarts it; the client reconnects
  const homes = await rc.pipeline(Array.from({ length: USERS }, (_, i) => ['hget', `sess:${FIRST + i}`, 'node'])).exec();
  const homeOf = new Map(homes!.map(([, node], i) => [FIRST + i, String(node)]));
  const perNode = new Map<string, number>();
  for (const node of homeOf.values()) perNode.set(node, (perNode.get(node) ?? 0) + 1);
  for (const [a, fs] of friends) for (const b of fs) if (a < b && a < FIRST + USERS && b < FIRST + USERS) {
    pairs++;
    if (homeOf.get(a) !== homeOf.get(b)) crossPairs++;
  }
  console.log(`cluster: ${NODES} node(s) and a seed, ${USERS} SDK clients logged in through the seed (${[...perNode].sort().map(([n, c]) => `${n} ${c}`).join(', ')}), ${pairs} friend pairs (${((100 * crossPairs) / pairs).toFixed(0)}% across nodes), ${SECONDS} s of messages, fault: ${fault}`);
  if (perNode.has('seed')) exitCode = 1;

  // ---- counters before
  const admin = new PgConnection(pg.url);
  const xactsOnce = () => Number(admin.get("SELECT xact_commit AS n FROM pg_stat_database WHERE datname = 'oicq'")!['n']);
  // After the pg fault the first query finds its connection closed; the next one connects again.
  const xacts = () => {
    try {
      return xactsOnce();
    } catch {
      return xactsOnce();
    }
  };
  const redisCommands = async () => Number(/total_commands_processed:(\d+)/.exec(await rc.info('stats'))![1]);
  const x0 = xacts();
  const r0 = await redisCommands();
  // Nodes only (the seed is idle once everyone is logged in); a killed node's CPU counts until it dies.
  const nodeProcs = procs.filter((p) => p !== seedProc);
  const nodeCpu = nodeProcs.map((p) => p.cpuMs());
  const cpu0 = procs.reduce((n, p) => n + p.cpuMs(), 0);
  const gen0 = process.cpuUsage();

  // ---- traffic and the fault
  const seqOf = new Map<string, number>();
  const start = Date.now();
  const end = start + SECONDS * 1000;
  let twiceOwned = -1;
  let faultDone: Promise<void> = Promise.resolve();
  const faultTimer = setTimeout(() => (faultDone = runFault()), (SECONDS * 1000) / 3);
  async function runFault(): Promise<void> {
    faultAt = Date.now();
    const victim = procs[0]!;
    if (fault === 'kill') {
      victim.child.kill('SIGKILL');
    } else if (fault === 'stop') {
      victim.child.kill('SIGSTOP');
      setTimeout(() => victim.child.kill('SIGCONT'), 15_000);
    } else if (fault === 'redis') {
      await redis.stop();
      await redis.resume();
    } else if (fault === 'pg') {
      pg.pause();
      setTimeout(() => pg.resume(), 3_000);
    } else if (fault === 'twice') {
      // 100 times: ten rounds of ten spare uids, each logging in on two nodes at once.
      twiceOwned = 0;
      for (let round = 0; round < 10; round++) {
        const pairsNow = Array.from({ length: 10 }, (_, i) => [0, 1].map((n) => new Client({
          uid: FIRST + USERS + i, password: PW, server: `${hosts[n % NODES]}:${procs[n % NODES]!.port}`, framing: 'classic', keepAliveMs: 1_000,
          retry: { intervalMs: 300, maxTries: 3 },
        })));
        await Promise.allSettled(pairsNow.flat().map((c) => c.login()));
        await new Promise((r) => setTimeout(r, 2_000));
        // Owned = the node still answers that session's requests (a closed session's datagrams go unanswered).
        const answers = await Promise.all(pairsNow.map((pair) => Promise.allSettled(pair.map((c) => c.getUserInfo(c.uid)))));
        twiceOwned += answers.filter((pair) => pair.every((r) => r.status === 'fulfilled')).length;
        await Promise.allSettled(pairsNow.flat().map((c) => c.close()));
      }
    }
  }
  const senders = [...friends.keys()].filter((u) => u < FIRST + USERS && friends.get(u)!.size > 0);
  while (Date.now() < end) {
    const from = senders[Math.floor(rand() * senders.length)]!;
    const fs = [...friends.get(from)!].filter((f) => f < FIRST + USERS);
    const to = fs[Math.floor(rand() * fs.length)]!;
    const c = clients.get(from);
    if (c && c.state === 'online') {
      const pair = `${from}>${to}`;
      const seq = (seqOf.get(pair) ?? 0) + 1;
      seqOf.set(pair, seq);
      c.sendMessage(to, `m:${from}:${seq}`).then(
        () => acked.set(`${from}:${to}:${seq}`, { from, to, at: Date.now() }),
        (e: Error) => {
          refused++;
          reasons.set(e.name + ': ' + e.message.slice(0, 60), (reasons.get(e.name + ': ' + e.message.slice(0, 60)) ?? 0) + 1);
        },
      );
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  clearTimeout(faultTimer);
  const trafficMs = Date.now() - start;
  await faultDone;
  const x1 = xacts();
  const r1 = await redisCommands();
  const cpu1 = procs.reduce((n, p) => n + p.cpuMs(), 0);
  const gen1 = process.cpuUsage(gen0);
  const nodeCpuUsed = nodeProcs.reduce((sum, p, i) => sum + Math.max(0, p.cpuMs() - nodeCpu[i]!), 0);
  // Let deliveries (and re-logins) settle.
  const settleEnd = Date.now() + 30_000;
  while (Date.now() < settleEnd && [...acked.keys()].some((k) => !delivered.has(k))) await new Promise((r) => setTimeout(r, 200));
  const undelivered = [...acked.keys()].filter((k) => !delivered.has(k)).length;

  failovers.sort((a, b) => a - b);
  const pct = (p: number) => (failovers.length ? failovers[Math.min(failovers.length - 1, Math.floor((p / 100) * failovers.length))]! / 1000 : 0);
  const n = acked.size || 1;
  console.log(`sent ${acked.size + refused}: acked ${acked.size}, refused with the failure reply ${refused}; throughput ${((acked.size * 1000) / trafficMs).toFixed(0)} acked messages/s`);
  for (const [why, count] of [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 3)) console.log(`  not acked: ${count} × ${why}`);
  if (stranded) console.log(`clients that could not log in again within 20 s: ${stranded}`);
  console.log(`acked but undelivered: ${undelivered} (target 0)`);
  console.log(`duplicates shown by the SDK: ${sdkDuplicates} (target 0)`);
  console.log(`per-pair order broken: ${outOfOrder} (target 0)`);
  if (fault === 'kill' || fault === 'stop') console.log(`failover, fault to first delivered message of a re-logged client: p50 ${pct(50).toFixed(1)} s, p99 ${pct(99).toFixed(1)} s over ${failovers.length} clients (target < 15 s)`);
  if (fault === 'twice') console.log(`uids owned twice 2 s after logging in on two nodes at once: ${twiceOwned} (target 0)`);
  console.log(`per acked message: ${((cpu1 - cpu0) / n).toFixed(2)} ms CPU of the nodes, ${((x1 - x0) / n).toFixed(2)} PostgreSQL transactions, ${((r1 - r0) / n).toFixed(2)} Redis commands`);
  // What bounds the rate on this machine: the generator's own CPU per message against the nodes'. A node is one
  // thread, so with a core per node the nodes alone would carry NODES × 1000 / (node CPU ms per message) messages/s.
  const genMs = (gen1.user + gen1.system) / 1000 / n;
  const nodeMs = nodeCpuUsed / n;
  console.log(`load generator: ${genMs.toFixed(2)} ms CPU per acked message (${((100 * (gen1.user + gen1.system)) / 1000 / trafficMs).toFixed(0)}% of a core); nodes: ${nodeMs.toFixed(2)} ms; with a core per node the nodes would carry ~${nodeMs > 0 ? Math.round((NODES * 1000) / nodeMs) : 0} messages/s`);
  if (undelivered || sdkDuplicates || outOfOrder || twiceOwned > 0) exitCode = 1;
  if ((fault === 'kill' || fault === 'stop') && (failovers.length === 0 || pct(99) >= 15)) exitCode = 1;
  if (process.env.CLUSTER_DEBUG) for (const p of procs) for (const l of p.logs.filter((l) => (l.includes('"level":50') || l.includes('"level":40'))).slice(0, 4)) console.log(l.slice(0, 600));
  admin.close();
  rc.disconnect();
} catch (e) {
  console.error(`cluster: ${(e as Error).message}`);
  exitCode = 1;
} finally {
  await Promise.allSettled([...clients.values()].map((c) => c.close()));
  for (const p of procs) {
    p.child.kill('SIGCONT');
    if (p.child.exitCode === null && p.child.signalCode === null) await p.stop();
  }
  await redis.stop();
  pg.stop();
}
process.exit(exitCode);
