// `npm run bench:scale`: how many sessions one `oicq serve` holds, measured from outside. N sessions log in from
// N distinct UDP endpoints (one socket each, spread over generator processes of at most SCALE_PER_GEN sockets,
// each bound to its own loopback address: a process may hold at most 20 000 fds), classic and modern framings
// mixed, each keeping alive once per 30 s. At each step it prints server RSS and V8 heap per session above the
// empty server, server CPU per keep-alive and per login, the login rate, and send → delivered p50/p99 of a sample
// of classic pairs chatting at a paced rate; then an extrapolation to 1 M sessions with its assumptions.
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { cpuMsOf, startServerProcess, tempDb, type ServerProcess } from '../scripts/lib/server-process.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import type { KnownLogin } from '../src/store/store.js';
import { passwordMd5 } from '../src/protocol/keys.js';
import { ADDRESS_BATCH_MAX } from '../src/server/login-addresses.js';
import { fmt, printTable, ratio } from './lib/table.js';
import { SCALE_PASSWORD, type GenCommand, type GenReply } from './lib/scale-protocol.js';

const STEPS = (process.env.SCALE_STEPS ?? '10000,50000,100000,200000').split(',').map(Number);
const PER_GEN = Number(process.env.SCALE_PER_GEN ?? 18_000);
/** Every SCALE_MODERN_EVERY-th pair logs in with the modern framing (MyQQ's chain), the rest classic. */
const MODERN_EVERY = Number(process.env.SCALE_MODERN_EVERY ?? 10);
/** The clients' keep-alive period (what the extrapolation to 1 M assumes). */
const CLIENT_KEEP_ALIVE_MS = 30_000;
/**
 * The period the generators keep alive at: the clients' by default. SCALE_KEEP_ALIVE_MS=6000 at 200 000 sessions
 * sends the keep-alives of 1 M sessions (33 000/s), to measure that rate directly rather than extrapolate to it.
 */
const KEEP_ALIVE_MS = Number(process.env.SCALE_KEEP_ALIVE_MS ?? CLIENT_KEEP_ALIVE_MS);
const IDLE_MS = Number(process.env.SCALE_IDLE_MS ?? 10_000);
/**
 * Wait after a step's logins before measuring: by default past the server's 60 s hold of a duplicate window
 * plus a sweep round, so what is measured is idle sessions (no window), not sessions that just logged in.
 */
const SETTLE_MS = Number(process.env.SCALE_SETTLE_MS ?? 66_000);
/** Chat sample: classic pairs chatting, at a total rate of ~10 % of bench:server's maximum (~16 000/s). */
const CHAT_PAIRS = Number(process.env.SCALE_CHAT_PAIRS ?? 200);
const CHAT_RATE = Number(process.env.SCALE_CHAT_RATE ?? 1_600);
/**
 * The chat's sessions (the first uids: enough pairs for CHAT_PAIRS classic ones, as every MODERN_EVERY-th pair is
 * modern) live in a generator of their own that holds nothing else: one that also kept 18 000 sessions alive had
 * event-loop stalls of its own (3.3 ms p99), and a push arriving during one was timed late although sent on time.
 */
const CHAT_SESSIONS = 2 * Math.ceil((CHAT_PAIRS * MODERN_EVERY) / Math.max(1, MODERN_EVERY - 1));
/** The generator that holds uid index `i`: the chat's own first, then PER_GEN per generator. */
const generatorOf = (i: number) => (i < CHAT_SESSIONS ? 0 : 1 + Math.floor((i - CHAT_SESSIONS) / PER_GEN));
/**
 * The chat's measured window: 60 s (96 000 messages), so that it holds the server's full collections (one every
 * ~40 s at 200 000 sessions while they chat) rather than one or none, which made a short window's p99 swing from
 * run to run. The line "during the chat" says how many it held.
 */
const CHAT_MS = Number(process.env.SCALE_CHAT_MS ?? 60_000);
/**
 * The chat's first seconds are not measured. The memory reading just before forced a memory-reducing collection,
 * which shrinks V8's young generation to its minimum and sets a tight limit on the old one: until the young
 * generation has grown back (about 4 s at 200 000 sessions), nearly everything a message allocates is promoted
 * and full collections come every second or two, which a running server does not see.
 */
const CHAT_WARMUP_MS = Number(process.env.SCALE_CHAT_WARMUP_MS ?? 10_000);
/** Logins in flight per generator. */
const WINDOW = Number(process.env.SCALE_LOGIN_WINDOW ?? 64);
const SYNC = process.env.SCALE_SYNC ?? 'normal';
const PROFILE_DIR = process.env.SCALE_PROFILE;
/**
 * V8's young-generation semi-space limit for the server, in MB (0: V8's default, 16 MB). Tried at 64: two single
 * steps to 200 000 gave chat p99 3.8 and 4.0 ms, but a stepped run gave 5.6 / 4.7 / 5.2 / 18.7 ms, no better than
 * without it, for ≈ 50 MB more RSS; so the default stays.
 */
const SEMI_SPACE_MB = Number(process.env.SCALE_SEMI_SPACE_MB ?? 0);
/**
 * The niceness of the generators other than the chat's. They stand in for clients on other machines but share the
 * server's 2 cores here: at the bench's own priority, chat p99 at 200 000 sessions was 10.9 ms; at nice 10, with
 * the same server, 4.9 ms (the server and its GC threads come first when both want a core). 0: no change.
 */
const GEN_NICE = Number(process.env.SCALE_GEN_NICE ?? 10);
const BASE_UID = 100_000;
/** Accounts past the largest step, used only for the store's login reference. */
const STORE_REF = Number(process.env.SCALE_STORE_REF ?? 20_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const max = Math.max(...STEPS);

/** Creates `n` accounts (one password) and friends in pairs i ↔ i^1, in one transaction. */
function createAccounts(db: string, n: number): number {
  const t0 = performance.now();
  openSqliteStore(db).close(); // the schema
  const d = new Database(db);
  const md5 = passwordMd5(SCALE_PASSWORD);
  const now = Math.floor(Date.now() / 1000);
  const user = d.prepare('INSERT INTO users (uid, nick, password_md5, created_at) VALUES (?, ?, ?, ?)');
  const friend = d.prepare('INSERT INTO friends (owner, friend, grp, since) VALUES (?, ?, 0, ?)');
  d.transaction(() => {
    for (let i = 0; i < n; i++) user.run(BASE_UID + i, `s${i}`, md5, now);
    for (let i = 0; i < n; i++) friend.run(BASE_UID + i, BASE_UID + (i ^ 1), now);
  })();
  d.close();
  return performance.now() - t0;
}

/**
 * The store's part of a classic login, measured in this process on the bench's database before the server opens
 * it: what the server asks the store for one login (account and ban at the password check, friends for the
 * presence fan-out, Qun at the login reply, the inbox when queued messages are released) and the address it
 * remembers, written in batches as the server's (LoginAddresses) are in a login burst.
 */
function storeLoginReference(db: string, firstUid: number, n: number): { usPerLogin: number } {
  const store = openSqliteStore(db, { synchronous: SYNC === 'full' ? 'full' : 'normal' });
  const t0 = performance.now();
  const batch: KnownLogin[] = [];
  for (let i = 0; i < n; i++) {
    const uid = firstUid + i;
    store.loginAccount(uid);
    store.friendUids(uid);
    store.qunIdsOf(uid);
    store.pendingFor(uid, 200);
    batch.push({ uid, address: `127.2.${(i >> 8) & 0xff}.${(i & 0xff) + 1}` });
    if (batch.length === ADDRESS_BATCH_MAX || i === n - 1) store.rememberAddresses(batch.splice(0), 4);
  }
  const us = ((performance.now() - t0) * 1000) / n;
  store.close();
  return { usPerLogin: us };
}

/** A generator process and a way to ask it something. */
class Generator {
  private waiting?: (r: GenReply) => void;
  constructor(readonly child: ChildProcess) {
    child.on('message', (m: GenReply) => {
      const w = this.waiting;
      this.waiting = undefined;
      w?.(m);
    });
  }

  static async start(index: number, port: number): Promise<Generator> {
    const child = fork(new URL('./lib/scale-gen.ts', import.meta.url).pathname, [], {
      execArgv: ['--import', 'tsx', '--max-old-space-size=2048'],
      serialization: 'advanced', // NaN (no sample) survives the trip
      env: { ...process.env, SCALE_SERVER_PORT: String(port), SCALE_BIND: `127.1.${index >> 8}.${(index & 0xff) + 1}`, SCALE_KEEP_ALIVE_MS: String(KEEP_ALIVE_MS) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    // The chat's generator (the first) keeps the bench's priority: its turns are part of what it times.
    if (index > 0 && GEN_NICE !== 0 && child.pid !== undefined) os.setPriority(child.pid, GEN_NICE);
    const g = new Generator(child);
    await g.next();
    return g;
  }

  next(): Promise<GenReply> {
    return new Promise((r) => (this.waiting = r));
  }

  ask(c: GenCommand): Promise<GenReply> {
    const p = this.next();
    this.child.send(c);
    return p;
  }
}

interface AdminHeap {
  /** V8 heap in use, V8 heap reserved, and memory outside it that V8 knows of (ArrayBuffers, Buffers). */
  heapUsed: number;
  heapTotal: number;
  /** Datagrams the server received and sent so far. */
  datagramsIn: number;
  datagramsOut: number;
  /** Keep-alives received so far (both framings). */
  keepAlivesIn: number;
  /** Group commits so far, and those that took over 5 ms and over 10 ms (a stall every message of the turn waits for). */
  commits: number;
  commitsOver5ms: number;
  commitsOver10ms: number;
  external: number;
  /** Event-loop delay p99 and maximum since the previous scrape (prom-client resets it at each), ms. */
  loopP99: number;
  loopMax: number;
  /** Full (mark-compact) collections of the server so far. */
  fullGcs: number;
}

/** The server's V8 heap, from its /metrics (prom-client's default Node metrics). */
async function heapOf(server: ServerProcess): Promise<AdminHeap> {
  const a = server.admin!;
  const text = await (await fetch(new URL('metrics', a.url), { headers: { authorization: `Bearer ${a.token}` } })).text();
  const gauge = (name: string) => {
    const m = new RegExp(`^${name} (\\S+)`, 'm').exec(text);
    return m ? Number(m[1]) : NaN;
  };
  // Datagrams in and out, summed over framings and commands.
  const total = (direction: string) => [...text.matchAll(new RegExp(`^oicq_datagrams_total\\{[^}]*direction="${direction}"[^}]*\\} (\\S+)`, 'gm'))].reduce((a, m) => a + Number(m[1]), 0);
  const bucket = (le: string) => {
    const m = new RegExp(`^oicq_store_commit_seconds_bucket\\{le="${le}"\\} (\\S+)`, 'm').exec(text);
    return m ? Number(m[1]) : NaN;
  };
  return {
    datagramsIn: total('in'), datagramsOut: total('out'),
    keepAlivesIn: [...text.matchAll(/^oicq_datagrams_total\{[^}]*direction="in"[^}]*command="keep alive"[^}]*\} (\S+)/gm)].reduce((a, m) => a + Number(m[1]), 0),
    commits: gauge('oicq_store_commit_seconds_count'), commitsOver5ms: gauge('oicq_store_commit_seconds_count') - bucket('0.005'),
    commitsOver10ms: gauge('oicq_store_commit_seconds_count') - bucket('0.01'),
    heapUsed: gauge('nodejs_heap_size_used_bytes'), heapTotal: gauge('nodejs_heap_size_total_bytes'), external: gauge('nodejs_external_memory_bytes'),
    loopP99: gauge('nodejs_eventloop_lag_p99_seconds') * 1000, loopMax: gauge('nodejs_eventloop_lag_max_seconds') * 1000,
    fullGcs: Number(/^nodejs_gc_duration_seconds_count\{kind="major"\} (\S+)/m.exec(text)?.[1] ?? NaN),
  };
}

console.log(`bench:scale — steps ${STEPS.join(', ')} sessions; ≤ ${PER_GEN} endpoints per generator process; every ${MODERN_EVERY}th pair modern; the chat's ${CHAT_SESSIONS} sessions in a generator of their own, the others at nice ${GEN_NICE}; keep-alive every ${KEEP_ALIVE_MS / 1000} s; server synchronous=${SYNC.toUpperCase()}, ${SEMI_SPACE_MB > 0 ? `--max-semi-space-size=${SEMI_SPACE_MB}` : "V8's default semi-space"}`);
const db = tempDb();
console.log(`accounts: ${max + STORE_REF} created in one transaction in ${fmt(createAccounts(db, max + STORE_REF), 0)} ms`);
const storeRef = storeLoginReference(db, BASE_UID + max, STORE_REF);
console.log(`reference: the store's own work of a classic login (account, ban, friends, Qun, inbox, address remembered in batches of ${ADDRESS_BATCH_MAX}), ${STORE_REF} logins on this database with synchronous=${SYNC.toUpperCase()}: ${fmt(storeRef.usPerLogin, 1)} µs each = ${fmt(1e6 / storeRef.usPerLogin, 0)} logins/s on one core`);
// The keep-alive reference: a bare node:dgram echo process, fed (during each idle phase) one datagram of a
// keep-alive's size per keep-alive the generators send, from the same generators at the same moments.
const echo = fork(new URL('./lib/echo-server.ts', import.meta.url).pathname, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const echoPort = await new Promise<number>((r) => echo.once('message', (m) => r((m as { port: number }).port)));
/** Datagrams the echo process has answered so far (its own count). */
const echoCount = () => new Promise<number>((r) => {
  echo.once('message', (m) => r((m as { answered: number }).answered));
  echo.send('count');
});
// The inspector is only for a full garbage collection before each memory reading (HeapProfiler.collectGarbage):
// without it the heap and RSS readings hold whatever garbage the last login burst left. --expose-gc: for a regular
// collection after the reading (see the chat).
const server = await startServerProcess(db, [
  '--log-level', 'warn', '--prelogin-rate', '1000000', '--sync', SYNC, '--admin', '127.0.0.1:0',
  '--login-table', String(max), '--session-timeout', '180',
  // SCALE_UDP=dgram measures the server on node:dgram instead of the native socket (where built).
  ...(process.env.SCALE_UDP ? ['--udp', process.env.SCALE_UDP] : []),
], {}, ['--inspect=127.0.0.1:0', '--expose-gc', ...(SEMI_SPACE_MB > 0 ? [`--max-semi-space-size=${SEMI_SPACE_MB}`] : [])]);
if (!server.inspector) throw new Error('the server printed no inspector URL: cannot collect its garbage before measuring');
const inspector = new WebSocket(server.inspector);
await new Promise((resolve, reject) => { inspector.onopen = resolve; inspector.onerror = reject; });
let inspectorId = 0;
/** Calls an inspector method in the server; resolves with its result. */
async function inspect(method: string, params: object = {}): Promise<unknown> {
  const id = ++inspectorId;
  return new Promise((resolve) => {
    inspector.onmessage = (e) => {
      const m = JSON.parse(String(e.data)) as { id?: number; result?: unknown };
      if (m.id === id) resolve(m.result);
    };
    inspector.send(JSON.stringify({ id, method, params }));
  });
}
/** A full garbage collection in the server, through its inspector. */
async function collectGarbage(): Promise<void> {
  await inspect('HeapProfiler.collectGarbage');
}
/** With SCALE_PROFILE=dir, a CPU profile of the server (200 µs samples) over `phase` of each step, written to dir. */
async function profiled<T>(phase: string, n: number, run: () => Promise<T>): Promise<T> {
  if (!PROFILE_DIR) return run();
  await inspect('Profiler.enable');
  await inspect('Profiler.setSamplingInterval', { interval: 200 });
  await inspect('Profiler.start');
  // And a sampling profile of what the phase allocates (one sample per 16 KB), to find what the collector chases.
  await inspect('HeapProfiler.startSampling', { samplingInterval: 16_384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: process.env.SCALE_PROFILE_MINOR === '1' });
  const r = await run();
  const { profile } = (await inspect('Profiler.stop')) as { profile: unknown };
  const { profile: heap } = (await inspect('HeapProfiler.stopSampling')) as { profile: unknown };
  mkdirSync(PROFILE_DIR, { recursive: true });
  writeFileSync(join(PROFILE_DIR, `${phase}-${n}.cpuprofile`), JSON.stringify(profile));
  writeFileSync(join(PROFILE_DIR, `${phase}-${n}.heapprofile`), JSON.stringify(heap));
  return r;
}
await sleep(2000);
await collectGarbage();
const emptyHeap = await heapOf(server);
const empty = { rssKb: server.rssKb(), heap: emptyHeap.heapUsed };
console.log(`empty server: RSS ${fmt(empty.rssKb / 1024, 1)} MB, V8 heap ${fmt(empty.heap / 2 ** 20, 1)} MB used of ${fmt(emptyHeap.heapTotal / 2 ** 20, 1)} MB, external ${fmt(emptyHeap.external / 2 ** 20, 1)} MB`);

const gens: Generator[] = [];
interface StepResult {
  n: number;
  rssPerSession: number;
  /** RSS added per session since the previous step (the slope: start-up costs such as V8's young generation excluded). */
  rssMarginal: number;
  heapPerSession: number;
  rssKb: number;
  cpuPerKeepAlive: number;
  /** The bare echo's CPU per datagram answered, fed at the same rate over the same window. */
  echoCpuPerDatagram: number;
  keepAliveRate: number;
  /** Server CPU per login, the keep-alives sent meanwhile by the sessions online (kasDuringLogin of them) taken out. */
  cpuPerLogin: number;
  kasDuringLogin: number;
  /** The generators' CPU per login (they share the machine's 2 cores with the server, which bounds the rate). */
  genCpuPerLogin: number;
  /** Datagrams in and out per login, and the login's floor: those datagrams at the bare echo's cost plus the store's part (µs). */
  loginDatagrams: number;
  loginFloor: number;
  loginRate: number;
  failed: number;
  chat: { sent: number; delivered: number; p50: number; p99: number; max: number };
}
const results: StepResult[] = [];
let online = 0;

for (const n of STEPS) {
  // Who logs in now: uids [online, n), each to the generator of its index (pairs stay in one generator).
  const perGen = new Map<number, { uids: number[]; modern: boolean[] }>();
  for (let i = online; i < n; i++) {
    const g = generatorOf(i);
    let e = perGen.get(g);
    if (!e) perGen.set(g, (e = { uids: [], modern: [] }));
    e.uids.push(BASE_UID + i);
    e.modern.push((i >> 1) % MODERN_EVERY === MODERN_EVERY - 1);
  }
  while (gens.length <= generatorOf(n - 1)) gens.push(await Generator.start(gens.length, server.port));
  // Each endpoint's socket is bound first: a client has its socket before it logs in, and binding 18 000 of them
  // is the generators' work, not the server's (it took a sixth of the generators' CPU in the timed logins).
  await Promise.all([...perGen].map(([g, e]) => gens[g]!.ask({ type: 'open', uids: e.uids, modern: e.modern })));
  const wire0 = await heapOf(server);
  const cpu0 = server.cpuMs();
  const genCpu = () => gens.reduce((a, g) => a + cpuMsOf(g.child.pid!), 0);
  const genCpu0 = genCpu();
  const t0 = performance.now();
  const logged = await profiled('login', n, () => Promise.all([...perGen].map(([g, e]) => gens[g]!.ask({ type: 'login', uids: e.uids, window: WINDOW }))));
  const loginMs = performance.now() - t0;
  const loginCpu = server.cpuMs() - cpu0;
  const loginGenCpu = genCpu() - genCpu0;
  const wire1 = await heapOf(server);
  let ok = 0;
  let failed = 0;
  for (const r of logged) {
    if (r.type !== 'logged') continue;
    ok += r.ok;
    failed += r.failed;
    if (r.firstError) console.log(`  login failure: ${r.firstError}`);
  }
  online += ok + failed;
  await sleep(SETTLE_MS);
  // The idle phase: only keep-alives. Each side's datagrams are counted where they are answered (the server's
  // metrics, the echo's own count), at the moments its CPU is read: counts asked of a dozen busy generators one
  // after the other lagged the window, by a fifth at 33 000 keep-alives/s.
  for (const g of gens) await g.ask({ type: 'echo', port: echoPort, on: true });
  const kaIn0 = (await heapOf(server)).datagramsIn;
  const idleCpu0 = server.cpuMs();
  const echoed0 = await echoCount();
  const echoCpu0 = cpuMsOf(echo.pid!);
  const it0 = performance.now();
  await profiled('idle', n, () => sleep(IDLE_MS));
  const idleCpu = server.cpuMs() - idleCpu0;
  const echoCpu = cpuMsOf(echo.pid!) - echoCpu0;
  const idleMs = performance.now() - it0;
  const kas = (await heapOf(server)).datagramsIn - kaIn0;
  const echoed = (await echoCount()) - echoed0;
  for (const g of gens) await g.ask({ type: 'echo', port: echoPort, on: false });
  let kaFailed = 0;
  for (const g of gens) {
    const c = await g.ask({ type: 'counters' });
    if (c.type === 'counters') kaFailed += c.keepAlivesFailed;
  }
  if (kaFailed > 0) console.log(`  keep-alives given up by the generators so far (no reply after their retries): ${kaFailed}`);
  await collectGarbage();
  const rssKb = server.rssKb();
  const h = await heapOf(server);
  const heap = h.heapUsed;
  const prev = results[results.length - 1];
  const prevRssKb = prev ? prev.rssKb : empty.rssKb;
  // The collection forced for the memory reading was a memory-reducing one, after which V8 keeps a tight limit on
  // the old generation: a regular full collection sets the limits a running server has (the warm-up lets the
  // young generation grow back).
  await inspect('Runtime.evaluate', { expression: 'gc()' });
  const chat0 = await heapOf(server); // also resets the event-loop delay histogram
  const chatCpu0 = server.cpuMs();
  const chatT0 = performance.now();
  const chatReply = await profiled('chat', n, () => gens[0]!.ask({ type: 'chat', pairs: CHAT_PAIRS, rate: CHAT_RATE, ms: CHAT_MS, warmupMs: CHAT_WARMUP_MS }));
  const chat = chatReply.type === 'chat' ? chatReply : { sent: 0, delivered: 0, p50: NaN, p99: NaN, max: NaN, loopP99: NaN };
  // Whose stalls the tail is made of: the server's event-loop delay over the chat phase, and the generator's.
  const loop = await heapOf(server);
  const chatCpu = (100 * (server.cpuMs() - chatCpu0)) / (performance.now() - chatT0);
  console.log(`  during the chat: server CPU ${fmt(chatCpu, 0)} % of a core, server event-loop delay p99 ${fmt(loop.loopP99, 1)} ms at prom-client's 10 ms resolution (max ${fmt(loop.loopMax, 1)} ms), generator's p99 ${fmt(chat.loopP99, 1)} ms; server full collections ${loop.fullGcs - chat0.fullGcs} (warm-up included); group commits ${loop.commits - chat0.commits}, over 5 ms ${loop.commitsOver5ms - chat0.commitsOver5ms}, over 10 ms ${loop.commitsOver10ms - chat0.commitsOver10ms}; latency max ${fmt(chat.max, 1)} ms; machine load average ${os.loadavg()[0]!.toFixed(1)}`);
  const echoPer = (echoCpu * 1000) / Math.max(1, echoed);
  const cpuPerKeepAlive = (idleCpu * 1000) / Math.max(1, kas);
  // The sessions online kept alive while these logged in (at 200 000, the 100 000 of the earlier steps: 0.7
  // keep-alives per login): their keep-alives, at the CPU each costs in the idle phase, and their datagrams are not
  // the logins'.
  const kasDuringLogin = wire1.keepAlivesIn - wire0.keepAlivesIn;
  const cpuPerLogin = (loginCpu * 1000 - kasDuringLogin * cpuPerKeepAlive) / Math.max(1, ok);
  // A login's floor: its datagrams, each costing what the bare echo pays per datagram it answers (one in, one
  // out: half an echo each way), plus the store's part.
  const loginDatagrams = (wire1.datagramsIn - wire0.datagramsIn + wire1.datagramsOut - wire0.datagramsOut - 2 * kasDuringLogin) / Math.max(1, ok);
  const loginFloor = (loginDatagrams / 2) * echoPer + storeRef.usPerLogin;
  const r: StepResult = {
    n,
    rssPerSession: ((rssKb - empty.rssKb) * 1024) / n,
    rssMarginal: ((rssKb - prevRssKb) * 1024) / (n - (prev?.n ?? 0)),
    rssKb,
    heapPerSession: (heap - empty.heap) / n,
    cpuPerKeepAlive,
    echoCpuPerDatagram: echoPer,
    loginDatagrams,
    loginFloor,
    keepAliveRate: (kas * 1000) / idleMs,
    cpuPerLogin,
    kasDuringLogin,
    genCpuPerLogin: (loginGenCpu * 1000) / Math.max(1, ok),
    loginRate: (ok * 1000) / loginMs,
    failed,
    chat,
  };
  results.push(r);
  console.log(`${n} sessions: RSS ${fmt(rssKb / 1024, 0)} MB (${fmt(r.rssPerSession, 0)} B/session, ${fmt(r.rssMarginal, 0)} B/session since the last step), heap ${fmt(heap / 2 ** 20, 0)} MB used of ${fmt(h.heapTotal / 2 ** 20, 0)} MB (${fmt(r.heapPerSession, 0)} B/session), external ${fmt(h.external / 2 ** 20, 0)} MB, `
    + `${fmt(r.keepAliveRate, 0)} keep-alives/s at ${fmt(r.cpuPerKeepAlive, 1)} µs CPU each (bare echo at the same rate: ${fmt(r.echoCpuPerDatagram, 1)} µs, ${ratio(r.cpuPerKeepAlive, r.echoCpuPerDatagram)}), `
    + `${fmt(r.loginRate, 0)} logins/s at ${fmt(r.cpuPerLogin, 0)} µs CPU each (the ${fmt(r.kasDuringLogin, 0)} keep-alives of the sessions online taken out; store's own part ${fmt(storeRef.usPerLogin, 0)} µs; the generators' ${fmt(r.genCpuPerLogin, 0)} µs; ${fmt(loginDatagrams, 1)} datagrams per login, floor ${fmt(loginFloor, 0)} µs, ${ratio(r.cpuPerLogin, loginFloor)})`
    + `${failed ? ` (${failed} failed)` : ''}, chat ${chat.delivered}/${chat.sent} p50 ${fmt(chat.p50, 2)} ms p99 ${fmt(chat.p99, 2)} ms`);
}

printTable('Scale (server process, measured from outside)', [
  'sessions', 'RSS/session (B)', 'marginal RSS/session (B)', 'heap/session (B)', 'CPU/keep-alive (µs)', 'bare echo (µs)', 'keep-alive/echo', 'keep-alives/s',
  'CPU/login (µs)', 'login floor (µs)', 'login/floor', 'logins/s', 'chat p50 / p99 (ms)',
], results.map((r) => [
  String(r.n), fmt(r.rssPerSession, 0), fmt(r.rssMarginal, 0), fmt(r.heapPerSession, 0), fmt(r.cpuPerKeepAlive, 1), fmt(r.echoCpuPerDatagram, 1),
  ratio(r.cpuPerKeepAlive, r.echoCpuPerDatagram), fmt(r.keepAliveRate, 0), fmt(r.cpuPerLogin, 0), fmt(r.loginFloor, 0), ratio(r.cpuPerLogin, r.loginFloor), fmt(r.loginRate, 0),
  `${fmt(r.chat.p50, 2)} / ${fmt(r.chat.p99, 2)}`,
]));

const last = results[results.length - 1]!;
const M = 1_000_000;
const kaPerSec = M / (CLIENT_KEEP_ALIVE_MS / 1000);
printTable(`Extrapolation to 1 M sessions (from the ${last.n}-session step)`, ['measure', 'value', 'target'], [
  ['server RSS (GB): the last step plus the marginal cost per session', fmt((last.rssKb * 1024 + (M - last.n) * last.rssMarginal) / 2 ** 30, 2), '≈ 2 GB (2 KB/session)'],
  ['RSS per idle session at the last step, above the empty server / marginal (B)', `${fmt(last.rssPerSession, 0)} / ${fmt(last.rssMarginal, 0)}`, '≤ 2 048'],
  ['keep-alives/s', fmt(kaPerSec, 0), ''],
  ['  CPU for them (% of one core)', fmt((kaPerSec * last.cpuPerKeepAlive) / 1e4, 0), '≤ 50 %'],
  ['  a bare node:dgram echo answering as many datagrams (% of one core, same run)', fmt((kaPerSec * last.echoCpuPerDatagram) / 1e4, 0), ''],
  ['logins/s the server could take on one core (1 s / CPU per login)', fmt(1e6 / last.cpuPerLogin, 0), '≥ 10 000'],
  ['  time to log 1 M in at that rate (s)', fmt(M / (1e6 / last.cpuPerLogin), 0), ''],
  ['  the store alone (its part of a login, same database, same run): logins/s', fmt(1e6 / storeRef.usPerLogin, 0), ''],
  [`  the floor: ${fmt(last.loginDatagrams, 1)} datagrams at the bare echo's cost plus the store's part: logins/s`, fmt(1e6 / last.loginFloor, 0), ''],
  ['chat p99 at the last step (ms)', fmt(last.chat.p99, 2), '< 5'],
]);
console.log(`assumptions: each further session costs the marginal RSS of the last step (linear growth, same mix of framings);
  CPU per keep-alive does not depend on N (hash lookups by endpoint and uid; sweeps are incremental);
  one keep-alive per ${CLIENT_KEEP_ALIVE_MS / 1000} s per session (measured at one per ${KEEP_ALIVE_MS / 1000} s); logins are server-CPU-bound (the generators share the same 2 cores,
  so the measured login rate is a lower bound); 1 M endpoints would need ${generatorOf(M - 1) + 1} generator processes here.`);

for (const g of gens) g.child.send({ type: 'exit' } satisfies GenCommand);
echo.kill();
inspector.close();
const metrics = await server.stop();
if (metrics) console.log(`server counters: logins ${metrics.loginsOk}, timeouts ${metrics.timeouts}, dropped ${metrics.droppedTotal}, delivered ${metrics.messagesDelivered}, push retransmits ${metrics.pushRetransmits}`);
process.exit(0);
