// Two cluster nodes (127.0.0.2 and 127.0.0.3) on one private PostgreSQL and one private Redis, checked at the wire
// with raw classic clients: delivery across nodes, the doorbell, the sweep, login drain, epoch fencing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { OicqServer } from '../../src/server/server.js';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres.js';
import { ClusterNode } from '../../src/cluster/node.js';
import { systemClock } from '../../src/transport/clock.js';
import { ClassicCmd } from '../../src/protocol/commands.js';
import { decodePacket } from '../../src/protocol/framing.js';
import { keepAliveRequestCodec, systemMessageCodec } from '../../src/protocol/bodies/classic/index.js';
import { ClassicDriver } from '../helpers/classic-driver.js';
import { seedAccounts, until } from '../helpers/udp.js';
import { PgServer, RedisServer, servicesMissing } from '../helpers/services.js';

const skip = servicesMissing();
if (skip) console.log(`# cluster tests ${skip}`);

interface Node {
  server: OicqServer;
  store: PostgresStore;
  cluster: ClusterNode;
  host: string;
  port: number;
}

let pg: PgServer;
let redis: RedisServer;
const nodes: Node[] = [];
const drivers: ClassicDriver[] = [];
const PW = 'pw';
const USERS = [10001, 10002, 10003, 10004].map((uid) => ({ uid, password: PW }));

async function startNode(id: string, host: string): Promise<Node> {
  const store = openPostgresStore(pg.url);
  const log = pino({ level: 'silent' });
  const server = new OicqServer({ store, host, port: 0, log });
  const addr = await server.listen();
  const cluster = new ClusterNode(server.hub, store.db, redis.url, id, `${host}:${addr.port}`, systemClock, log, {
    tickMs: 200, leaseMs: 2_000, presenceTtlMs: 5_000,
  });
  await cluster.presence.ready();
  cluster.start();
  const n = { server, store, cluster, host, port: addr.port };
  nodes.push(n);
  return n;
}

async function client(node: Node, uid: number): Promise<ClassicDriver> {
  const d = await ClassicDriver.open(node.port, uid, PW, '127.0.0.1', 0x0d55, node.host);
  drivers.push(d);
  const r = await d.login();
  assert.equal(r.kind, 'success', `uid ${uid} logs in on ${node.host}`);
  // The classic framing releases queued messages at the client's first request after the login.
  d.fire(ClassicCmd.KEEP_ALIVE, keepAliveRequestCodec.encode({ uid, form: 'u32' }));
  await until(() => node.server.hub.get(uid)?.pendingLoaded === true, 3000, 'the session ready for pushes');
  return d;
}

/** Text of every message push a driver received so far (acking each), waiting up to `ms` for the first. */
async function texts(d: ClassicDriver, count: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const c = (await d.receive(5000)).push.content;
    out.push(c.kind === 'im' ? c.message.text : `(not an IM: ${c.bytes.length} bytes)`);
  }
  return out;
}

before(async () => {
  if (skip) return;
  pg = await PgServer.start();
  redis = await RedisServer.start();
  const seed = openPostgresStore(pg.url);
  seedAccounts(seed, USERS, [[10001, 10002], [10001, 10003], [10001, 10004]]);
  seed.close();
  await startNode('a', '127.0.0.2');
  await startNode('b', '127.0.0.3');
});

after(async () => {
  for (const d of drivers) d.close();
  for (const n of nodes) {
    await n.server.close();
    await n.cluster.stop();
    n.store.close();
  }
  await redis?.stop();
  pg?.stop();
});

test('a message crosses nodes: stored once, acked to the sender, pushed once to the receiver on the other node', { skip }, async () => {
  const [a, b] = nodes as [Node, Node];
  const alice = await client(a, 10001);
  const bob = await client(b, 10002);
  await until(() => b.cluster.presence.up && a.cluster.presence.up, 3000, 'redis');
  // The presence record is written asynchronously after the login.
  await until(() => false, 100).catch(() => undefined);
  assert.equal(await alice.send(10002, 'hello across nodes'), 0, 'the sender is acked after the commit');
  assert.deepEqual(await texts(bob, 1), ['hello across nodes']);
  assert.ok(a.cluster.stats.bellsSent >= 1, 'node a rang node b');
  assert.ok(b.cluster.stats.bellsReceived >= 1);
  // Nothing more arrives: the push was acked, its mark committed, and the sweep finds nothing to re-push.
  await new Promise((r) => setTimeout(r, 600));
  const pushes = bob.peer.drain().filter((b) => {
    const r = decodePacket(b, 's2c');
    return r.ok && r.value.command === ClassicCmd.RECV_IM;
  });
  assert.equal(pushes.length, 0, 'no duplicate push at the wire');
  assert.equal(a.store.pendingCount(10002), 0);
});

test('a lost doorbell is repaired by the sweep of the receiver\'s node', { skip }, async () => {
  const [a, b] = nodes as [Node, Node];
  const carol = await client(b, 10003);
  const alice = await client(a, 10001);
  await new Promise((r) => setTimeout(r, 100));
  // Redis forgets where carol is: node a finds no node to ring.
  await a.cluster.presence.cmd.del('sess:10003');
  const bellsBefore = b.cluster.stats.bellsReceived;
  assert.equal(await alice.send(10003, 'found by the sweep'), 0);
  assert.deepEqual(await texts(carol, 1), ['found by the sweep']);
  assert.equal(b.cluster.stats.bellsReceived, bellsBefore, 'no doorbell reached node b');
  assert.ok(b.cluster.stats.swept >= 1, 'node b swept the row');
});

test('an offline receiver gets the message when it logs in on any node', { skip }, async () => {
  const [a, b] = nodes as [Node, Node];
  const alice = await client(a, 10001);
  assert.equal(await alice.send(10004, 'while you were away'), 0);
  const dave = await client(b, 10004);
  assert.deepEqual(await texts(dave, 1), ['while you were away']);
});

test('the same uid logging in on the other node: the older session is told and closed (login epoch fencing)', { skip }, async () => {
  const [a, b] = nodes as [Node, Node];
  const first = await client(a, 10002);
  await new Promise((r) => setTimeout(r, 150));
  const second = await client(b, 10002);
  const notice = systemMessageCodec.decode((await first.push(ClassicCmd.SYSTEM_MESSAGE, 5000)).plain);
  assert.match(notice.text, /另一地点登录/);
  await until(() => a.server.hub.get(10002) === undefined, 3000, 'the older session closed on node a');
  assert.ok(b.server.hub.get(10002), 'the newer session lives on node b');
  assert.equal(await b.cluster.presence.cmd.hget('sess:10002', 'node'), 'b');
  assert.ok(a.cluster.stats.kickedByEpoch >= 1);
  void second;
});
