import { existsSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { hostname } from 'node:os';
import { isIPv4, isIPv6 } from 'node:net';
import { randomInt } from 'node:crypto';
import pino from 'pino';
import { systemClock } from '../transport/clock.js';
import { openSqliteStore, storeFault, DEFAULT_DB_PATH } from '../store/sqlite.js';
import { isPostgresUrl, openPostgresStore, type PostgresStore } from '../store/postgres.js';
import { redact } from '../store/pg-sync.js';
import { ClusterNode, DEFAULT_CLUSTER_OPTIONS } from '../cluster/node.js';
import { lockStoreForServer, serverLockPath, type ServerLock } from '../store/lock.js';
import type { Store } from '../store/store.js';
import { passwordMd5 } from '../protocol/keys.js';
import { OicqServer } from '../server/server.js';
import { bindServerSocket, nativeUdp, type ServerSocket, type UdpMode } from '../transport/udp-socket.js';
import { MAX_ACK_HOLD_MS } from '../server/hub.js';
import { PcapWriter } from '../capture/pcap-writer.js';
import { parseOptions, parseIntArg, checkPositionals, parseListenAddress } from './args.js';
import { CliError } from './errors.js';
import { LogRing } from '../admin/log-ring.js';
import { startAdmin, type AdminService } from '../admin/service.js';

const HELP = `usage: oicq serve [options]

Runs the OICQ server on UDP: classic clients (pidgin's QQ plugin, LumaQQ) and the modern framing
(MyQQ 3.30, the capture's 0x3639) on one port.

options:
  --host <addr>              IPv4 address to bind (default 0.0.0.0; the protocol carries IPv4 addresses only)
  --port <n>                 UDP port (default 8000)
  --db <path>                SQLite store (default ${DEFAULT_DB_PATH}); created 0600 on first start
  --store <postgres://…>     PostgreSQL store instead of SQLite (a cluster's truth); or set OICQ_STORE
  --presence <redis://…>     join a cluster: presence and doorbells in this Redis (needs --store and --node-id);
                             or set OICQ_PRESENCE
  --node-id <name>           this node's name in the cluster (unique per node); or set OICQ_NODE_ID
  --seed                     this node is a cluster's seed: it answers each login (0x0091, a 2005 0x0022, a modern
                             touch) with a redirect to the least-loaded live node that is not a seed, and serves a
                             login itself only when no such node is live. Nodes share one port (0x0091 redirects
                             carry an IP only)
  --no-demo                  do not create the two demo accounts in an empty store
  --public-ip <addr>         IPv4 address to tell clients in login replies (default: the bound one, or 127.0.0.1)
  --udp <auto|native|dgram>  the UDP socket: native (recvmmsg; built on Linux by npm install) or node:dgram; auto
                             (default) takes native when it was built and --host is an IPv4 address
  --reply-delay <ms>         delay every reply (MyQQ on loopback needs ~30; default 0 = off)
  --capture <file.pcap>      write every datagram received and sent to a new pcap file (mode 0600: it holds login
                             exchanges); an existing file is refused unless --capture-overwrite
  --capture-overwrite        let --capture replace an existing file (never the store's own files)
  --session-timeout <s>      close a session silent for this long (default 180 = 3 missed 60 s keep-alives)
  --push-rto-min <ms>        shortest wait before an unacked message push is sent again (default 200)
  --push-rto-max <ms>        longest such wait (default 3000); between them it follows the measured round trip
  --push-silence <s>         stop pushing to a receiver silent this long, until it sends again (default 30)
  --ack-hold <ms>            a message to an online receiver is pushed at once and stored only if its ack takes
                             longer than this (default 100, at most 1000; 0 = store every message first; with
                             --keep-delivered every message is stored)
  --max-pending <n>          undelivered messages from friends kept per user; sends beyond are refused (default 10000)
  --max-pending-bytes <n>    undelivered text bytes from friends kept per user (default 16777216)
  --stranger-quota <n>       undelivered messages from non-friends kept per user (default 50)
  --stranger-rate <n>        messages a user may send to non-friends per minute (default 20)
  --min-free-disk <MB>       refuse sends while the store's disk has less free space (default 64; 0 = off)
  --keep-delivered <days>    keep delivered messages this long (default 0: text erased once delivered)
  --max-db-size <MB>         the database never grows past this; sends beyond get the failure reply (default 0 = no limit)
  --login-failures <n>       free failed logins per uid, and per (uid, address), before logins slow down (default 5)
  --login-address-failures <n>  free failed logins per source address, any uids (default 20)
  --login-window <s>         failures are forgiven after this long without one (default 60)
  --login-cooldown <s>       longest wait under a slow-down; the wait doubles from 1 s per failure (default 300)
  --login-table <n>          failure-table size, per kind of key (default 10000)
  --known-addresses <n>      recent good login addresses kept per user, exempt from others' failures (default 4)
  --prelogin-rate <n>        requests answered before login, per address per second (default 20)
  --flood-drops <n>          bad datagrams per second from one address before it is shed (default 500; 0 = off)
  --flood-penalty <s>        how long such an address is shed (default 10); live sessions are never shed
  --sync <full|normal>       SQLite durability: full (default) or normal (survives a process crash, not a power cut)
  --log-level <level>        fatal | error | warn | info | debug (default info; debug logs every dropped datagram)
  --admin <host:port>        admin API, /metrics and web console (default 127.0.0.1:8080; port 0 picks a free one);
                             printed at start with its token
  --no-admin                 no admin listener
  --admin-token <token>      the admin token (default: a fresh random one each start); or set OICQ_ADMIN_TOKEN
  --open-registration        let anyone create an account on the console's signup page (rate-limited per address)
  -h, --help                 this help
`;

const OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  db: { type: 'string' },
  store: { type: 'string' },
  presence: { type: 'string' },
  'node-id': { type: 'string' },
  seed: { type: 'boolean' },
  'no-demo': { type: 'boolean' },
  'public-ip': { type: 'string' },
  'reply-delay': { type: 'string' },
  udp: { type: 'string' },
  capture: { type: 'string' },
  'capture-overwrite': { type: 'boolean' },
  'session-timeout': { type: 'string' },
  'push-rto-min': { type: 'string' },
  'push-rto-max': { type: 'string' },
  'push-silence': { type: 'string' },
  'max-pending': { type: 'string' },
  'max-pending-bytes': { type: 'string' },
  'stranger-quota': { type: 'string' },
  'stranger-rate': { type: 'string' },
  'min-free-disk': { type: 'string' },
  'keep-delivered': { type: 'string' },
  'ack-hold': { type: 'string' },
  'max-db-size': { type: 'string' },
  'login-address-failures': { type: 'string' },
  'login-table': { type: 'string' },
  'known-addresses': { type: 'string' },
  'login-failures': { type: 'string' },
  'login-window': { type: 'string' },
  'login-cooldown': { type: 'string' },
  'prelogin-rate': { type: 'string' },
  'flood-drops': { type: 'string' },
  'flood-penalty': { type: 'string' },
  sync: { type: 'string' },
  'log-level': { type: 'string' },
  admin: { type: 'string' },
  'no-admin': { type: 'boolean' },
  'admin-token': { type: 'string' },
  'open-registration': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

const DEFAULT_ADMIN = '127.0.0.1:8080';

/** `host:port` of --admin (an IPv6 host in brackets). */
function parseAdminAddress(s: string): { host: string; port: number } {
  return parseListenAddress(s, '--admin', DEFAULT_ADMIN);
}

/** Demo accounts created in an empty store: two friends, with fresh random passwords. */
export function createDemoAccounts(store: Store): { uid: number; nick: string; password: string }[] {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const pw = () => Array.from({ length: 10 }, () => alphabet[randomInt(alphabet.length)]).join('');
  const made = [
    { uid: store.nextFreeUid(10001), nick: 'Alice', password: pw() },
  ];
  store.addUser(made[0]!.uid, passwordMd5(made[0]!.password), made[0]!.nick);
  const bob = { uid: store.nextFreeUid(made[0]!.uid + 1), nick: 'Bob', password: pw() };
  store.addUser(bob.uid, passwordMd5(bob.password), bob.nick);
  made.push(bob);
  store.addFriend(made[0]!.uid, bob.uid);
  return made;
}

/** "pid 123 on host, since 2026-01-01 10:00:00 UTC" from the store's server_info row, if it can be read. */
function describeHolder(store: Store): string | undefined {
  try {
    const i = store.serverInfo();
    if (!i) return undefined;
    return `pid ${i.pid} on ${i.host}, since ${new Date(i.startedAt * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  } catch {
    return undefined;
  }
}

/** Refuses a capture path that is one of the store's own files, or (without overwrite) an existing file. */
function checkCapturePath(capture: string, dbPath: string, overwrite: boolean): void {
  // Compared after resolving links, so another spelling of the database's path is caught too.
  const real = (p: string) => {
    const abs = resolve(p);
    try {
      return realpathSync(abs);
    } catch {
      try {
        return resolve(realpathSync(dirname(abs)), abs.slice(dirname(abs).length + 1));
      } catch {
        return abs;
      }
    }
  };
  const target = real(capture);
  const own = dbPath === ':memory:' ? [] : [dbPath, `${dbPath}-wal`, `${dbPath}-shm`, `${dbPath}-journal`, serverLockPath(dbPath)];
  if (own.some((p) => real(p) === target)) {
    throw new CliError(`--capture ${capture} is one of the store's own files (${dbPath}) — write the capture somewhere else`, 2);
  }
  if (!overwrite && existsSync(capture)) throw captureExists(capture);
}

function captureExists(capture: string): CliError {
  return new CliError(`the capture file ${capture} already exists — pick a new name, or pass --capture-overwrite to replace it`);
}

/** Why the server binds IPv4 only (also in the README). */
const IPV4_ONLY_WHY = 'the server is IPv4-only (OICQ login replies and status blocks carry addresses as 4-byte IPv4 fields)';

function IPV4_ONLY(what: string): string {
  return `${what}: ${IPV4_ONLY_WHY} — use --host 0.0.0.0 (every IPv4 address) or 127.0.0.1`;
}

/** The one line a failed bind becomes. */
function bindError(e: unknown, host: string, port: number): CliError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new CliError(`UDP port ${port} on ${host} is already in use — stop the other server or pass --port`);
  if (code === 'EACCES') return new CliError(`not allowed to bind UDP port ${port} — use a port above 1023 or run with the needed privilege`);
  if (code === 'EADDRNOTAVAIL') return new CliError(`${host} is not an address of this machine — pass --host with one of its IPv4 addresses, or 0.0.0.0`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new CliError(`cannot resolve --host ${host} to an IPv4 address — pass an IPv4 address such as 0.0.0.0 or 127.0.0.1`);
  return new CliError(`cannot listen on ${host}:${port}: ${(e as Error).message}`);
}

/** What the first start prints about the demo accounts: who they are and the commands to chat as each. */
export function demoText(demo: { uid: number; nick: string; password: string }[], server: string, where: StoreName): string {
  const db = 'db' in where && where.db !== DEFAULT_DB_PATH ? ` --db ${where.db}` : '';
  const change = 'db' in where
    ? `Change a password with 'oicq user passwd <uid>${db}' (it asks for the new one).`
    : `The accounts are in PostgreSQL (${where.store}).`;
  return [
    'First start with an empty store: created two demo accounts (friends of each other):',
    ...demo.map((d) => `  uid ${d.uid}  password ${d.password}  (${d.nick})`),
    'Chat as each of them, one per terminal (in this folder):',
    ...demo.map((d) => `  OICQ_PASSWORD=${d.password} npx oicq chat --uid ${d.uid} --server ${server}`),
    change,
    '',
  ].join('\n');
}

/** What the server's logs and first-start text name as its store: the SQLite file, or the redacted PostgreSQL URL. */
type StoreName = { db: string } | { store: string };

/** `oicq serve`. */
export async function run(argv: string[]): Promise<number> {
  const { values: o, positionals } = parseOptions(argv, OPTIONS, 'oicq serve');
  if (o.help) {
    process.stdout.write(HELP);
    return 0;
  }
  checkPositionals(positionals, 0, 0, 'oicq serve [options]');
  const num = (name: keyof typeof o, def: number, min: number, max: number) =>
    o[name] === undefined ? def : parseIntArg(String(o[name]), min, max, `--${String(name)}`, "run 'oicq serve --help'");
  const level = o['log-level'] ?? 'info';
  if (!LEVELS.includes(level)) throw new CliError(`--log-level '${level}' is not one of ${LEVELS.join(', ')}`, 2);
  const sync = o.sync ?? 'full';
  if (sync !== 'full' && sync !== 'normal') throw new CliError(`--sync '${sync}' must be full or normal`, 2);
  const port = num('port', 8000, 0, 65535);
  const keepDeliveredDays = num('keep-delivered', 0, 0, 36_500);
  const rtoMin = num('push-rto-min', 200, 10, 600_000);
  const rtoMax = num('push-rto-max', Math.max(3000, rtoMin), 10, 600_000);
  if (rtoMax < rtoMin) throw new CliError(`--push-rto-max ${rtoMax} is below --push-rto-min ${rtoMin}; pass a maximum at least the minimum`, 2);
  // RFC 6298's 1 s before the first measurement, kept inside the range.
  const pushRto = { minMs: rtoMin, maxMs: rtoMax, initialMs: Math.min(rtoMax, Math.max(rtoMin, 1000)) };
  const host = o.host ?? '0.0.0.0';
  if (isIPv6(host)) throw new CliError(IPV4_ONLY(`--host ${host}`), 2);
  if (o['public-ip'] !== undefined && !isIPv4(o['public-ip'])) {
    throw new CliError(`--public-ip '${o['public-ip']}' is not an IPv4 address — ${IPV4_ONLY_WHY}`, 2);
  }
  const dbPath = o.db ?? DEFAULT_DB_PATH;
  const storeUrl = o.store ?? process.env.OICQ_STORE;
  const presenceUrl = o.presence ?? process.env.OICQ_PRESENCE;
  const nodeId = o['node-id'] ?? process.env.OICQ_NODE_ID;
  if (storeUrl !== undefined && !isPostgresUrl(storeUrl)) throw new CliError(`--store '${storeUrl}' is not a postgres:// URL (SQLite is --db <path>)`, 2);
  if (storeUrl !== undefined && o.db !== undefined) throw new CliError('--store and --db name two stores: pass one of them', 2);
  if (presenceUrl !== undefined) {
    if (!/^rediss?:\/\//.test(presenceUrl)) throw new CliError(`--presence '${presenceUrl}' is not a redis:// URL`, 2);
    if (!storeUrl) throw new CliError('--presence needs --store postgres://…: a cluster keeps its messages in PostgreSQL', 2);
    if (!nodeId || !/^[A-Za-z0-9_.-]{1,64}$/.test(nodeId)) throw new CliError('--presence needs --node-id <name> (letters, digits, . _ -), unique per node', 2);
  }
  if (o.seed && presenceUrl === undefined) throw new CliError('--seed needs --presence redis://… (and --store, --node-id): a seed redirects to the nodes of a cluster', 2);
  const udpMode = (o.udp ?? 'auto') as UdpMode;
  if (!['auto', 'native', 'dgram'].includes(udpMode)) throw new CliError(`--udp '${o.udp}' is not one of auto, native, dgram`, 2);
  if (udpMode === 'native' && nativeUdp().reason) throw new CliError(`--udp native: ${nativeUdp().reason}`, 2);
  // Every option is checked before the bind, so a mistake never leaves a database behind.
  const tuning = {
    replyDelayMs: num('reply-delay', 0, 0, 10_000),
    hub: {
      sessionTimeoutMs: num('session-timeout', 180, 1, 86_400) * 1000,
      pushRto,
      pushSilenceMs: num('push-silence', 30, 1, 86_400) * 1000,
      // Kept history needs every message written, so nothing is delivered unstored then.
      ackHoldMs: keepDeliveredDays > 0 ? 0 : num('ack-hold', 100, 0, MAX_ACK_HOLD_MS),
      maxPendingPerUser: num('max-pending', 10_000, 1, 10_000_000),
      maxPendingBytesPerUser: num('max-pending-bytes', 16 << 20, 1, Number.MAX_SAFE_INTEGER),
      maxStrangerPending: num('stranger-quota', 50, 0, 10_000_000),
      strangerSendsPerMinute: num('stranger-rate', 20, 0, 1_000_000),
      minFreeDiskBytes: num('min-free-disk', 64, 0, 1 << 30) * 1024 * 1024,
    },
    guard: {
      maxFailures: num('login-failures', 5, 1, 1_000_000),
      maxAddressFailures: num('login-address-failures', 20, 1, 1_000_000),
      windowMs: num('login-window', 60, 1, 86_400) * 1000,
      cooldownMs: num('login-cooldown', 300, 0, 86_400 * 30) * 1000,
      preLoginPerSecond: num('prelogin-rate', 20, 1, 1_000_000),
      maxTracked: num('login-table', 10_000, 16, 10_000_000),
      knownAddresses: num('known-addresses', 4, 1, 100),
    },
    flood: {
      maxDropsPerSecond: num('flood-drops', 500, 0, 100_000_000),
      penaltyMs: num('flood-penalty', 10, 1, 86_400) * 1000,
    },
  };

  const adminAt = o['no-admin'] ? undefined : parseAdminAddress(o.admin ?? DEFAULT_ADMIN);
  if (o['no-admin'] && (o.admin || o['open-registration'])) throw new CliError('--no-admin cannot be combined with --admin or --open-registration', 2);
  const token = o['admin-token'] ?? process.env.OICQ_ADMIN_TOKEN;
  if (adminAt && token !== undefined && token.length < 8) throw new CliError('the admin token must be at least 8 characters — pass a longer --admin-token', 2);
  const storeOpts = {
    synchronous: sync, keepDeliveredDays,
    maxSizeBytes: num('max-db-size', 0, 0, 1 << 30) * 1024 * 1024, quickCheck: true,
    // WAL checkpoints in a worker thread, once a second: inside a commit they stalled every message of its turn.
    backgroundCheckpointMs: 1000,
  } as const;
  const storeName: StoreName = storeUrl ? { store: redact(storeUrl) } : { db: dbPath };
  if (o.capture) checkCapturePath(o.capture, dbPath, o['capture-overwrite'] === true);

  // Bind first: a port in use or a bad address must fail before anything is created on disk.
  let socket: ServerSocket;
  try {
    socket = await bindServerSocket(host, port, udpMode);
  } catch (e) {
    throw bindError(e, host, port);
  }

  let store: Store;
  let pgStore: PostgresStore | undefined;
  try {
    if (storeUrl) store = pgStore = openPostgresStore(storeUrl, { keepDeliveredDays: storeOpts.keepDeliveredDays });
    else store = openSqliteStore(dbPath, storeOpts);
  } catch (e) {
    if (storeUrl) {
      void socket.close();
      throw new CliError(`cannot start: ${(e as Error).message} — check --store ${redact(storeUrl)} and that PostgreSQL is running`);
    }
    void socket.close();
    const fault = storeFault(e, dbPath);
    if (fault) throw new CliError(`cannot start: ${fault.message}`);
    throw new CliError(`cannot open the store at ${dbPath}: ${(e as Error).message} — check the path and its permissions, or pass --db`);
  }
  let lock: ServerLock | undefined;
  try {
    // Several nodes share one PostgreSQL database: only a SQLite file is held by one server.
    if (dbPath !== ':memory:' && !pgStore) lock = lockStoreForServer(dbPath, () => describeHolder(store));
    if (!pgStore) store.setServerInfo({ pid: process.pid, host: hostname(), startedAt: Math.floor(Date.now() / 1000) });
  } catch (e) {
    void socket.close();
    lock?.release();
    store.close();
    const fault = storeFault(e, dbPath);
    if (fault) throw new CliError(`cannot start: ${fault.message}`);
    throw e;
  }
  const shutDownStore = () => {
    try {
      if (!pgStore) store.setServerInfo(undefined);
    } catch {
      // A full disk at shutdown: the row only describes the holder; the lock below is what counts.
    }
    store.close();
    lock?.release();
  };
  const logs = new LogRing();
  const log = pino(
    { level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime },
    pino.multistream([{ level: level as pino.Level, stream: pino.destination(1) }, { level: level as pino.Level, stream: logs }]),
  );

  let capture: PcapWriter | undefined;
  if (o.capture) {
    try {
      capture = new PcapWriter(o.capture, { overwrite: o['capture-overwrite'] === true });
    } catch (e) {
      void socket.close();
      shutDownStore();
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw captureExists(o.capture);
      throw new CliError(`cannot write the capture file ${o.capture}: ${(e as Error).message}`);
    }
  }

  const bound = socket.address();
  if (store.countUsers() === 0 && !o['no-demo']) {
    const server = `${bound.address === '0.0.0.0' ? '127.0.0.1' : bound.address}:${bound.port}`;
    process.stdout.write(demoText(createDemoAccounts(store), server, storeName));
  }

  const server = new OicqServer({
    store,
    socket,
    log,
    publicIp: o['public-ip'],
    ...tuning,
    onWire: capture
      ? (e) => {
          const server = { ip: e.local.address === '0.0.0.0' ? '127.0.0.1' : e.local.address, port: e.local.port };
          const peer = { ip: e.peer.address, port: e.peer.port };
          const [src, dst] = e.direction === 'in' ? [peer, server] : [server, peer];
          capture!.writeDatagram({ srcIp: src.ip, srcPort: src.port, dstIp: dst.ip, dstPort: dst.port, payload: e.bytes });
        }
      : undefined,
  });
  await server.listen();
  let cluster: ClusterNode | undefined;
  if (presenceUrl && pgStore && nodeId) {
    const ip = server.publicIp;
    cluster = new ClusterNode(server.hub, pgStore.db, presenceUrl, nodeId, `${ip}:${bound.port}`, systemClock, log, { ...DEFAULT_CLUSTER_OPTIONS, seed: o.seed === true });
    cluster.start();
    // Logins are answered "busy" until Redis answers: wait for it a little before saying "listening".
    const ready = await Promise.race([cluster.presence.ready().then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5_000).unref())]);
    if (!ready) log.warn({ presence: presenceUrl }, 'Redis does not answer yet: new logins are answered "busy" until it does');
    log.info({ node: nodeId, incarnation: cluster.incarnation, seed: o.seed === true }, 'cluster node started');
  }
  let admin: AdminService | undefined;
  if (adminAt) {
    try {
      admin = await startAdmin({
        server, store, logs, host: adminAt.host, port: adminAt.port, token,
        openRegistration: o['open-registration'] ?? false,
        captureFiles: o.capture ? [o.capture] : [],
        flushCapture: capture ? () => capture!.flush() : undefined,
        config: { ...o, 'admin-token': token === undefined ? undefined : '***', ...storeName },
      });
    } catch (e) {
      await server.close();
      capture?.close();
      shutDownStore();
      const code = (e as NodeJS.ErrnoException).code;
      const where = `${adminAt.host}:${adminAt.port}`;
      if (code === 'EADDRINUSE') throw new CliError(`admin port ${where} is already in use — pass --admin <host:port> (port 0 picks a free one) or --no-admin`);
      throw new CliError(`cannot listen for the admin API on ${where}: ${(e as Error).message} — pass another --admin or --no-admin`);
    }
    log.info({ url: admin.url }, 'admin listening');
    process.stdout.write(`admin on ${admin.url} token ${admin.token}${o['open-registration'] ? ' (signup open)' : ''}\n`);
  }
  log.info({ address: bound.address, port: bound.port, udp: socket.kind, ...storeName, users: store.countUsers(), capture: o.capture }, 'listening');
  if (socket.kind === 'dgram' && udpMode === 'auto') {
    log.info({ why: nativeUdp().reason ?? `--host ${host} is not an IPv4 address` }, 'UDP on node:dgram, not the native socket');
  }
  // Tests and scripts wait for this exact line on stdout.
  process.stdout.write(`listening on udp ${bound.address}:${bound.port}\n`);

  const flushTimer = capture ? setInterval(() => capture!.flush(), 1000) : undefined;
  await new Promise<void>((resolve) => {
    const stop = (sig: string) => {
      log.info({ signal: sig }, 'shutting down');
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  if (flushTimer) clearInterval(flushTimer);
  await admin?.close();
  await server.close();
  await cluster?.stop();
  capture?.close();
  shutDownStore();
  log.info({ metrics: server.metrics.snapshot() }, 'stopped');
  return 0;
}
