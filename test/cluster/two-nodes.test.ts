// Two cluster nodes (127.0.0.2 and 127.0.0.3) on one private PostgreSQL and one private Redis, checked at the wire
// with raw classic clients: delivery across nodes, the doorbell, the sweep, login drain, epoch fencing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openPostgresStore } from '../../src/store/postgres.js';
import { ClassicCmd, ModernCmd } from '../../src/protocol/commands.js';
import * as M from '../../src/protocol/bodies/modern/index.js';
import { passwordMd5 } from '../../src/protocol/keys.js';
import { ModernDriver, MYQQ_VERSION } from '../helpers/modern-driver.js';
import { decodePacket } from '../../src/protocol/framing.js';
import { Status } from '../../src/protocol/bodies/status-block.js';
import {
  friendStatusPushCodec, keepAliveRequestCodec, onlineFriendsReplyCodec, onlineFriendsRequestCodec, systemMessageCodec,
} from '../../src/protocol/bodies/classic/index.js';
import { ClassicDriver } from '../helpers/classic-driver.js';
import { seedAccounts, until, UdpPeer } from '../helpers/udp.js';
import { PgServer, RedisServer, servicesMissing } from '../helpers/services.js';
import { startClusterNode, stopClusterNode, type InProcessNode } from '../helpers/cluster-node.js';
import { fragmentString } from '../../src/protocol/text.js';

const skip = servicesMissing();
if (skip) console.log(`# cluster tests ${skip}`);

type Node = InProcessNode;

let pg: PgServer;
let redis: RedisServer;
const nodes: Node[] = [];
const drivers: ClassicDriver[] = [];
const PW = 'pw';
const USERS = [10001, 10002, 10003, 10004, 10005, 10006, 10007].map((uid) => ({ uid, password: PW }));

async function startNode(id: string, host: string, opts = { tickMs: 200, leaseMs: 2_000, presenceTtlMs: 5_000 }): Promise<Node> {
  const n = await startClusterNode(pg.url, redis.url, id, host, 0, opts);
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

/** Waits until Redis names `node` for `uid` (the record is written asynchronously after the login). */
async function recorded(node: Node, uid: number): Promise<void> {
  const id = node === nodes[0] ? 'a' : node === nodes[1] ? 'b' : 'c';
  const end = Date.now() + 3000;
  while ((await node.cluster.presence.cmd.hget(`sess:${uid}`, 'node')) !== id) {
    if (Date.now() > end) throw new Error(`uid ${uid} not recorded on node ${id}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Text of every message push a driver received so far (acking each), waiting up to `ms` for the first. */
async function texts(d: ClassicDriver, count: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const c = (await d.receive(5000)).push.content;
    out.push(c.kind === 'im' ? fragmentString(c.message.text) : `(not an IM: ${c.bytes.length} bytes)`);
  }
  return out;
}

before(async () => {
  if (skip) return;
  pg = await PgServer.start();
  redis = await RedisServer.start();
  const seed = openPostgresStore(pg.url);
  seedAccounts(seed, USERS, [[10001, 10002], [10001, 10003], [10001, 10004], [10005, 10006], [10005, 10007]]);
  seed.close();
  await startNode('a', '127.0.0.2');
  await startNode('b', '127.0.0.3');
});

after(async () => {
  for (const d of drivers) d.close();
  for (const n of nodes) await stopClusterNode(n);
  await redis?.stop();
  pg?.stop();
});

test('a message crosses nodes: stored once, acked to the sender, pushed once to the receiver on the other node', { skip }, async () => {
  const [a, b] = nodes as [Node, Node];
  const alice = await client(a, 10001);
  const bob = await client(b, 10002);
  await recorded(b, 10002);
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
  await recorded(b, 10003);
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
  await recorded(a, 10002);
  const second = await client(b, 10002);
  const notice = systemMessageCodec.decode((await first.push(ClassicCmd.SYSTEM_MESSAGE, 5000)).plain);
  assert.match(notice.text, /另一地点登录/);
  await until(() => a.server.hub.get(10002) === undefined, 3000, 'the older session closed on node a');
  assert.ok(b.server.hub.get(10002), 'the newer session lives on node b');
  assert.equal(await b.cluster.presence.cmd.hget('sess:10002', 'node'), 'b');
  assert.ok(a.cluster.stats.kickedByEpoch >= 1);
  void second;
});

/** Waits for a 0x0081 push showing `uid` with `status` (pushes about others, or other statuses, are skipped). */
async function statusOf(d: ClassicDriver, uid: number, status: number, ms = 5000): Promise<number> {
  const end = Date.now() + ms;
  for (;;) {
    const p = friendStatusPushCodec.decode((await d.push(ClassicCmd.FRIEND_STATUS, Math.max(1, end - Date.now()))).plain);
    if (p.friend.uid === uid && p.friend.status === status) return p.friend.status;
  }
}

test('presence crosses nodes: a friend logging in on the other node is pushed online, and the new session is shown its friends there', { skip }, async () => {
  const [a, b] = nodes as [Node, Node];
  const e = await client(a, 10005);
  await recorded(a, 10005);
  const f = await client(b, 10006);
  assert.equal(await statusOf(e, 10006, Status.ONLINE), Status.ONLINE, 'node a pushed 10006 online to its friend');
  assert.equal(await statusOf(f, 10005, Status.ONLINE), Status.ONLINE, 'the new session on node b was shown its friend on node a');
});

test('a node whose lease lapses is taken over: its sessions leave Redis and their friends on other nodes see them go offline', { skip }, async () => {
  const [a] = nodes as [Node, Node];
  // Node c never ticks (as if it hung right after its start): its lease lapses after 2.5 s.
  const c = await startNode('c', '127.0.0.4', { tickMs: 600_000, leaseMs: 2_500, presenceTtlMs: 60_000 });
  const e = await client(a, 10005);
  await recorded(a, 10005);
  await client(c, 10007);
  assert.equal(await statusOf(e, 10007, Status.ONLINE), Status.ONLINE);
  assert.equal(await statusOf(e, 10007, Status.OFFLINE, 8000), Status.OFFLINE, 'the takeover told its friend');
  assert.equal(await a.cluster.presence.cmd.exists('sess:10007'), 0, 'the record is gone from Redis');
  const takeovers = nodes.reduce((n, x) => n + x.cluster.stats.takeovers, 0);
  assert.equal(takeovers, 1, 'exactly one node took node c over');
  void c;
});

test('PostgreSQL down: a send gets the failure reply (never acked) and nothing is pushed; once it is back, sends go through', { skip }, async () => {
  const [a, b] = nodes as [Node, Node];
  const alice = await client(a, 10001);
  const carol = await client(b, 10003);
  pg.pause();
  try {
    assert.notEqual(await alice.send(10003, 'while the database is down', { time: 1_700_000_100 }), 0, 'the failure reply, not an ack');
  } finally {
    pg.resume();
  }
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(carol.peer.peek().filter((x) => { const r = decodePacket(x, 's2c'); return r.ok && r.value.command === ClassicCmd.RECV_IM; }).length, 0);
  // The connection is made again on the next call.
  assert.equal(await alice.send(10003, 'the database is back', { time: 1_700_000_200 }), 0);
  assert.deepEqual(await texts(carol, 1), ['the database is back']);
});

test('Redis down: new logins are answered "busy", live sessions go on and the sweep delivers; logins resume with Redis', { skip }, async () => {
  const [a, b] = nodes as [Node, Node];
  const alice = await client(a, 10001);
  const dave = await client(b, 10004);
  await redis.stop();
  await until(() => !a.cluster.presence.up && !b.cluster.presence.up, 5000, 'both nodes see Redis down');
  const late = await ClassicDriver.open(b.port, 10002, PW, '127.0.0.1', 0x0d55, b.host);
  drivers.push(late);
  const refused = await late.login();
  assert.equal(refused.kind, 'failure');
  assert.match(refused.kind === 'failure' ? refused.reason : '', /busy/);
  assert.equal(await alice.send(10004, 'no doorbell, the sweep', { time: 1_700_000_300 }), 0);
  assert.deepEqual(await texts(dave, 1), ['no doorbell, the sweep']);
  await redis.resume();
  await until(() => b.cluster.presence.up, 5000, 'node b reconnected to Redis');
  assert.equal((await late.login()).kind, 'success');
});

test('the online-friends reply (classic 0x0027, modern 0x0027) lists friends online on other nodes: one Redis call per request', { skip }, async () => {
  const [a, b] = nodes as [Node, Node];
  // Friends of the two askers on node b: 10012 online on node a, 10014 offline, 10015 invisible on node a.
  for (const uid of [10011, 10012, 10013, 10014, 10015]) a.store.addUser(uid, passwordMd5(PW), `u${uid}`);
  for (const [x, y] of [[10011, 10012], [10011, 10014], [10011, 10015], [10013, 10012]] as const) a.store.addFriend(x, y);
  const carol = await client(a, 10012);
  const hidden = await ClassicDriver.open(a.port, 10015, PW, '127.0.0.1', 0x0d55, a.host);
  drivers.push(hidden);
  assert.equal((await hidden.login(Status.INVISIBLE)).kind, 'success');
  await recorded(a, 10012);
  await recorded(a, 10015);
  let calls = 0;
  const presenceOf = b.cluster.presence.presenceOf.bind(b.cluster.presence);
  b.cluster.presence.presenceOf = (uids) => (calls++, presenceOf(uids));

  const dave = await client(b, 10011);
  calls = 0;
  const online = onlineFriendsReplyCodec.decode(await dave.request(ClassicCmd.GET_ONLINE_FRIENDS, onlineFriendsRequestCodec.encode({ sub: 2, position: 0, extra: Buffer.alloc(3) })));
  assert.equal(calls, 1, 'one Redis call for all the friends not on this node');
  assert.equal(online.next, 0xff);
  assert.deepEqual(online.entries.map((e) => [e.block.uid, e.block.status, e.block.ip, e.block.port]), [[10012, Status.ONLINE, 0x7f000001, carol.peer.port]]);

  const erin = new ModernDriver(await UdpPeer.open(b.port, '127.0.0.1', b.host), 10013, PW, MYQQ_VERSION);
  drivers.push(erin);
  await erin.loginModern();
  calls = 0;
  const list = M.onlineListReply.decode(await erin.request(ModernCmd.GET_ONLINE_FRIENDS, M.onlineListRequest.encode({ start: 0 })));
  assert.equal(calls, 1);
  assert.deepEqual(list.entries.map((e) => [e.block.uid, e.block.status]), [[10012, Status.ONLINE]]);
});
