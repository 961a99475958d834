// The seed and login redirects: a seed (127.0.0.4) sends each login to the least-loaded live node (127.0.0.2,
// 127.0.0.3, all on one port, since a 0x0091 redirect carries an IP only). Checked at the wire with raw clients in
// the three login shapes (2005 0x0022, 2007/2008 0x0091, modern touch), then with the SDK end to end.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openPostgresStore } from '../../src/store/postgres.js';
import { DEFAULT_CLUSTER_OPTIONS } from '../../src/cluster/node.js';
import { pickTarget } from '../../src/cluster/redirect.js';
import { ClassicCmd, ModernCmd } from '../../src/protocol/commands.js';
import { buildLoginBody, tokenReplyCodec, tokenRequestCodec } from '../../src/protocol/bodies/classic/index.js';
import * as M from '../../src/protocol/bodies/modern/index.js';
import { passwordKey } from '../../src/protocol/keys.js';
import { teaDecrypt } from '../../src/protocol/tea.js';
import { Client } from '../../src/client/index.js';
import { ClassicDriver } from '../helpers/classic-driver.js';
import { MYQQ_VERSION } from '../helpers/modern-driver.js';
import { seedAccounts, until, UdpPeer } from '../helpers/udp.js';
import { PgServer, RedisServer, servicesMissing } from '../helpers/services.js';
import { startClusterNode, stopClusterNode, type InProcessNode } from '../helpers/cluster-node.js';

const skip = servicesMissing();
if (skip) console.log(`# cluster redirect tests ${skip}`);

type Node = InProcessNode;

let pg: PgServer;
let redis: RedisServer;
let port = 0;
const nodes: Node[] = [];
const drivers: ClassicDriver[] = [];
const clients: Client[] = [];
const PW = 'pw';
const USERS = [20001, 20002, 20003, 20004, 20005, 20006].map((uid) => ({ uid, password: PW }));
const TIMERS = { tickMs: 100, leaseMs: 2_000, presenceTtlMs: 5_000 };

async function startNode(id: string, host: string, seed = false): Promise<Node> {
  const n = await startClusterNode(pg.url, redis.url, id, host, port, { ...TIMERS, seed });
  port = n.port;
  nodes.push(n);
  return n;
}

const ipHex = (host: string) => Buffer.from(host.split('.').map(Number)).toString('hex');

/** Waits until the seed has read both nodes' loads as given. */
async function seedSees(seed: Node, loads: Record<string, number>): Promise<void> {
  await until(() => Object.entries(loads).every(([id, n]) => seed.cluster.liveNodes.find((l) => l.id === id)?.sessions === n), 3000, `the seed reads loads ${JSON.stringify(loads)}`);
}

/** 2005 chain at `host`: returns the 0x0022 reply plaintext (opened with the password key). */
async function login2005(host: string, uid: number): Promise<Buffer> {
  const d = await ClassicDriver.open(port, uid, PW, '127.0.0.1', 0x0d55, host);
  drivers.push(d);
  const tok = tokenReplyCodec.decode(await d.raw(ClassicCmd.REQUEST_LOGIN_TOKEN, tokenRequestCodec.encode({ sub: 0 })));
  const reply = await d.raw(ClassicCmd.LOGIN, buildLoginBody({ initialKey: Buffer.alloc(16, 7), passwordKey: passwordKey(PW), token: tok.token, status: 10 }));
  const plain = teaDecrypt(reply, passwordKey(PW));
  assert.ok(plain, 'the reply opens with the password key');
  return plain;
}

before(async () => {
  if (skip) return;
  pg = await PgServer.start();
  redis = await RedisServer.start();
  const s = openPostgresStore(pg.url);
  seedAccounts(s, USERS);
  s.close();
  await startNode('a', '127.0.0.2');
  await startNode('b', '127.0.0.3');
  await startNode('seed', '127.0.0.4', true);
});

after(async () => {
  for (const c of clients) await c.close();
  for (const d of drivers) d.close();
  for (const n of nodes) await stopClusterNode(n);
  await redis?.stop();
  pg?.stop();
});

test('pickTarget: the least-loaded live node that is neither a seed nor this one; port filter; ties to the smaller id', () => {
  const n = (id: string, sessions: number, seed = false, p = 8000) => ({ id, address: `127.0.0.9:${p}`, sessions, seed });
  assert.equal(pickTarget([n('a', 5), n('b', 3), n('c', 4)], 'x')?.id, 'b');
  assert.equal(pickTarget([n('a', 5), n('s', 0, true)], 'x')?.id, 'a', 'a seed is never a target');
  assert.equal(pickTarget([n('a', 5), n('x', 0)], 'x')?.id, 'a', 'never itself');
  assert.equal(pickTarget([n('s', 0, true)], 'x'), undefined, 'no node: serve here');
  assert.equal(pickTarget([n('a', 1, false, 8001), n('b', 9)], 'x', 8000)?.id, 'b', 'only nodes on the port asked for');
  assert.equal(pickTarget([n('b', 2), n('a', 2)], 'x')?.id, 'a');
  assert.equal(DEFAULT_CLUSTER_OPTIONS.seed, undefined, 'a node is not a seed unless asked');
});

test('2005 login at the seed: reply 01 · uid · IP · port of the less-loaded node, 11 bytes; the node then serves it', { skip }, async () => {
  const [a, b, seed] = nodes as [Node, Node, Node];
  // One session on node a: the seed must pick b.
  assert.equal((await ClassicDriver.open(port, 20001, PW, '127.0.0.1', 0x0d55, a.host).then((d) => (drivers.push(d), d.login()))).kind, 'success');
  await seedSees(seed, { a: 1, b: 0 });
  const plain = await login2005(seed.host, 20002);
  assert.equal(plain.toString('hex'), '01' + (20002).toString(16).padStart(8, '0') + ipHex(b.host) + port.toString(16).padStart(4, '0'));
  assert.equal(seed.server.hub.get(20002), undefined, 'no session on the seed');
  assert.equal(seed.cluster.stats.redirects, 1);
  // Where it lands it is served (a node never redirects).
  const served = await login2005(b.host, 20002);
  assert.equal(served[0], 0x00, 'success at the node');
  assert.ok(b.server.hub.get(20002));
});

test('2007/2008 0x0091 at the seed: result 0001, 9 zero bytes, the node IP; a client echoing a redirect block stays', { skip }, async () => {
  const [a, b, seed] = nodes as [Node, Node, Node];
  await seedSees(seed, { a: 1, b: 1 });
  const d = await ClassicDriver.open(port, 20003, PW, '127.0.0.1', 0x115b, seed.host);
  drivers.push(d);
  const reply = await d.keyed(ClassicCmd.SELECT_SERVER, Buffer.alloc(15));
  assert.equal(reply.toString('hex'), '0001' + '00'.repeat(9) + ipHex(a.host), 'tie at one session each: node a');
  // pidgin sends the reply it got as the next 0x0091's block: never redirected again.
  assert.equal((await d.keyed(ClassicCmd.SELECT_SERVER, reply)).toString('hex'), '00'.repeat(15));
  // At a node, 0x0091 is always "stay".
  const at = await ClassicDriver.open(port, 20003, PW, '127.0.0.1', 0x115b, b.host);
  drivers.push(at);
  assert.equal((await at.keyed(ClassicCmd.SELECT_SERVER, Buffer.alloc(15))).toString('hex'), '00'.repeat(15));
});

test('modern touch at the seed: redirect flag 01 · count 01 · ISP 0 · 0 · node IP; a touch with a redirect blob stays', { skip }, async () => {
  const [, , seed] = nodes as [Node, Node, Node];
  const d = new ClassicDriver(await UdpPeer.open(port, '127.0.0.1', seed.host), 20004, PW, MYQQ_VERSION);
  drivers.push(d);
  const reply = await d.keyed(ModernCmd.TOUCH, M.touchRequest.encode(M.makeTouchRequest()));
  const touch = M.touchReply.decode(reply);
  assert.ok(touch.ok && touch.redirect);
  const ip = touch.redirect.serverIp === 0x7f000002 ? '127.0.0.2' : '127.0.0.3';
  assert.equal(reply.subarray(reply.length - 14).toString('hex'), '0101' + '00000000' + '00000000' + ipHex(ip), 'flag, count, ISP, unknown, IP at the end');
  const again = M.touchReply.decode(await d.keyed(ModernCmd.TOUCH, M.touchRequest.encode(M.makeTouchRequest(M.touchBlobAfter(touch.redirect)))));
  assert.ok(again.ok && again.redirect === null, 'a redirected client is served where it lands');
});

test('SDK through the seed, both framings: each login lands on a node, never the seed', { skip }, async () => {
  const [a, b, seed] = nodes as [Node, Node, Node];
  for (const [uid, framing] of [[20005, 'classic'], [20006, 'modern']] as const) {
    const c = new Client({ uid, password: PW, server: `${seed.host}:${port}`, framing, retry: { intervalMs: 200, maxTries: 5 } });
    clients.push(c);
    await c.login();
    assert.equal(seed.server.hub.get(uid), undefined, `${framing}: not on the seed`);
    assert.ok(a.server.hub.get(uid) ?? b.server.hub.get(uid), `${framing}: on a node`);
    // A request after the redirect reaches the node the session lives on.
    assert.equal((await c.getUserInfo(uid)).uid, uid);
  }
});
