// `oicq serve` as cluster nodes, real processes: options and environment variables, a message across nodes at the
// wire, a node killed with SIGKILL taken over, a node paused with SIGSTOP dropping its sessions when it continues.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { openPostgresStore } from '../../src/store/postgres.js';
import { redact } from '../../src/store/pg-sync.js';
import { ROOT, startServerProcess, stopOrKill, type ServerProcess } from '../../scripts/lib/server-process.js';
import { ClassicCmd } from '../../src/protocol/commands.js';
import { keepAliveRequestCodec } from '../../src/protocol/bodies/classic/index.js';
import { ClassicDriver } from '../helpers/classic-driver.js';
import { seedAccounts, until } from '../helpers/udp.js';
import { PgServer, RedisServer, servicesMissing } from '../helpers/services.js';

const skip = servicesMissing();

let pg: PgServer;
let redis: RedisServer;
const procs: ServerProcess[] = [];
const drivers: ClassicDriver[] = [];

function serve(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/oicq.js'), 'serve', '--no-admin', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, stderr: r.stderr };
}

async function node(host: string, id: string, viaEnv = false): Promise<ServerProcess> {
  const p = viaEnv
    ? await startServerProcess(undefined, ['--host', host], { OICQ_STORE: pg.url, OICQ_PRESENCE: redis.url, OICQ_NODE_ID: id })
    : await startServerProcess(undefined, ['--host', host, '--store', pg.url, '--presence', redis.url, '--node-id', id]);
  procs.push(p);
  return p;
}

async function login(p: ServerProcess, host: string, uid: number): Promise<ClassicDriver> {
  const d = await ClassicDriver.open(p.port, uid, 'pw', '127.0.0.1', 0x0d55, host);
  drivers.push(d);
  assert.equal((await d.login()).kind, 'success');
  d.fire(ClassicCmd.KEEP_ALIVE, keepAliveRequestCodec.encode({ uid, form: 'u32' }));
  return d;
}

function logged(p: ServerProcess, re: RegExp): boolean {
  return p.logs.some((l) => re.test(l));
}

before(async () => {
  if (skip) return;
  pg = await PgServer.start();
  redis = await RedisServer.start();
  const s = openPostgresStore(pg.url);
  seedAccounts(s, [20001, 20002, 20003].map((uid) => ({ uid, password: 'pw' })), [[20001, 20002], [20001, 20003]]);
  s.close();
});

after(async () => {
  for (const d of drivers) d.close();
  // Every node ends here, stopped ones included: SIGTERM, then SIGKILL after a grace period.
  await Promise.all(procs.map((p) => stopOrKill(p)));
  await redis?.stop();
  pg?.stop();
});

test('cluster options: each mistake is one line and exit 2, before anything starts', () => {
  const cases: [string[], NodeJS.ProcessEnv, RegExp][] = [
    [['--presence', 'redis://127.0.0.1:1', '--node-id', 'n1'], {}, /--presence needs --store postgres:/],
    [['--store', 'data/x.db'], {}, /--store 'data\/x.db' is not a postgres:\/\/ URL/],
    [['--store', 'postgres://127.0.0.1:1/x', '--presence', 'redis://127.0.0.1:1'], {}, /--presence needs --node-id/],
    [['--store', 'postgres://127.0.0.1:1/x', '--db', 'x.db'], {}, /--store and --db name two stores/],
    [[], { OICQ_PRESENCE: 'http://x' }, /--presence 'http:\/\/x' is not a redis:\/\/ URL/],
    [['--seed'], {}, /--seed needs --presence redis:/],
  ];
  for (const [args, env, re] of cases) {
    const r = serve(args, env);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  }
});

test('oicq serve nodes (options and environment): a message crosses; a node killed with SIGKILL is taken over', { skip }, async () => {
  const n1 = await node('127.0.0.2', 'n1');
  const n2 = await node('127.0.0.3', 'n2', true);
  // Each node's start line names its store as PostgreSQL (redacted), not the SQLite default it does not open.
  for (const n of [n1, n2]) {
    await until(() => logged(n, /"msg":"listening"/), 3000, 'the start line');
    const line = n.logs.find((l) => l.includes('"msg":"listening"')) ?? '';
    assert.equal(JSON.parse(line).store, redact(pg.url), line);
    assert.equal(JSON.parse(line).db, undefined, line);
  }
  const alice = await login(n1, '127.0.0.2', 20001);
  const bob = await login(n2, '127.0.0.3', 20002);
  await until(() => logged(n2, /"uid":20002.*"msg":"login"/), 3000, 'bob logged in');
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(await alice.send(20002, 'from node one'), 0);
  const c = (await bob.receive(5000)).push.content;
  assert.equal(c.kind === 'im' ? c.message.text : '', 'from node one');
  n1.child.kill('SIGKILL');
  // The default lease is 5 s and nodes tick every second.
  await until(() => logged(n2, /took over a node whose lease lapsed/), 10_000, 'node n2 took n1 over');
  // Alice logs in again through the surviving node and the conversation goes on.
  const again = await login(n2, '127.0.0.3', 20001);
  assert.equal(await again.send(20002, 'after the failover'), 0);
  const c2 = (await bob.receive(5000)).push.content;
  assert.equal(c2.kind === 'im' ? c2.message.text : '', 'after the failover');
  await n2.stop();
});

test('a node paused with SIGSTOP past its lease drops its sessions itself when it continues', { skip }, async () => {
  const n3 = await node('127.0.0.4', 'n3');
  const n4 = await node('127.0.0.5', 'n4');
  await login(n3, '127.0.0.4', 20003);
  await until(() => logged(n3, /"uid":20003.*"msg":"login"/), 3000, 'carol logged in');
  n3.child.kill('SIGSTOP');
  await until(() => logged(n4, /took over a node whose lease lapsed/), 10_000, 'node n4 took n3 over');
  n3.child.kill('SIGCONT');
  await until(() => logged(n3, /this node lost its lease/), 5000, 'n3 dropped its sessions');
  await until(() => logged(n3, /"uid":20003.*"reason":"timeout"/), 3000, 'carol\'s session on n3 closed');
});
