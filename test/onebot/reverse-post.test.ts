// Reverse WebSocket and HTTP POST event push against real framework-side servers on loopback: the headers, connect
// first, calls over the reverse connection, reconnecting after the framework restarts, and the signature of pushes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Client, IncomingMessage } from '../../src/client/index.js';
import { EventPoster, signature } from '../../src/onebot/post.js';
import { ReverseWs } from '../../src/onebot/reverse-ws.js';
import { until } from '../helpers/udp.js';
import { ALICE, BOB } from '../client/fixtures.js';
import { startWorld, TOKEN, WsPeer, type World } from './harness.js';

let w: World;
let bob: Client;

before(async () => {
  w = await startWorld([ALICE, BOB], [[ALICE.uid, BOB.uid]], ALICE);
  bob = await w.clients.online(BOB, w.port);
});
after(async () => w.close());

/** A framework's reverse WebSocket endpoint on `port` (0: any); keeps each connection and its upgrade headers. */
async function frameworkWs(port = 0) {
  const conns: { headers: IncomingHttpHeaders; peer: WsPeer }[] = [];
  const wss = new WebSocketServer({ host: '127.0.0.1', port, path: '/onebot/v11/ws' });
  wss.on('connection', (ws: WebSocket, req) => conns.push({ headers: req.headers, peer: new WsPeer(ws) }));
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const close = async () => {
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((r) => wss.close(() => r()));
  };
  return { wss, conns, port: (wss.address() as AddressInfo).port, close };
}


test('reverse WebSocket: X-Self-ID, X-Client-Role Universal and the token; connect first; calls answered; reconnects after the framework restarts', async () => {
  let fw = await frameworkWs();
  const port = fw.port;
  const rev = new ReverseWs(w.bot, `ws://127.0.0.1:${port}/onebot/v11/ws`, { token: TOKEN, reconnectMs: 100 });
  rev.start();
  try {
    await until(() => fw.conns.length === 1, 15_000, 'the first connection');
    const c = fw.conns[0]!;
    assert.equal(c.headers['x-self-id'], String(ALICE.uid));
    assert.equal(c.headers['x-client-role'], 'Universal');
    assert.equal(c.headers.authorization, `Bearer ${TOKEN}`);
    const first = await c.peer.next(() => true);
    assert.deepEqual([first.meta_event_type, first.sub_type], ['lifecycle', 'connect']);
    const r = await c.peer.call('send_private_msg', { user_id: BOB.uid, message: 'over reverse' }, 'r1');
    assert.equal(r.retcode, 0);
    const atBob = await bob.next('message', (m: IncomingMessage) => m.text === 'over reverse');
    assert.equal(atBob.from, ALICE.uid);
    await bob.sendMessage(ALICE.uid, 'back to reverse');
    const ev = await c.peer.next((f) => f.message_type === 'private');
    assert.equal(ev.message, 'back to reverse');

    // The framework goes away; the gateway keeps trying, and is back once it listens again on the same port.
    await fw.close();
    await new Promise((r) => setTimeout(r, 300));
    fw = await frameworkWs(port);
    await until(() => fw.conns.length === 1, 15_000, 'the reconnection');
    const again = await fw.conns[0]!.peer.next(() => true);
    assert.deepEqual([again.meta_event_type, again.sub_type], ['lifecycle', 'connect'], 'connect first again');
    assert.ok(rev.connects >= 2);
    const s = await fw.conns[0]!.peer.call('get_status', {}, 'after');
    assert.deepEqual(s.data, { online: true, good: true });
  } finally {
    rev.stop();
    await fw.close();
  }
});

/** A framework's HTTP endpoint for pushes; answers each with `reply(event)` (a quick operation) or 204. */
async function pushReceiver(reply: (ev: Record<string, unknown>) => unknown = () => undefined) {
  const got: { headers: IncomingHttpHeaders; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => {
      got.push({ headers: req.headers, body });
      const answer = reply(JSON.parse(body) as Record<string, unknown>);
      if (answer === undefined) res.writeHead(204).end();
      else res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { got, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/onebot`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test('event push: JSON body with X-Self-ID and X-Signature = sha1 HMAC of the exact body; a reply quick operation answers the message', async () => {
  const rx = await pushReceiver((ev) => (ev.post_type === 'message' && ev.message === 'ping' ? { reply: 'pong [CQ:face,id=1]' } : undefined));
  const poster = new EventPoster(w.bot, rx.url, { secret: 's3cret' });
  poster.start();
  try {
    const pong = bob.next('message', (m) => m.text.startsWith('pong'));
    await bob.sendMessage(ALICE.uid, 'ping');
    assert.equal((await pong).text, 'pong \x14\x01');
    const push = rx.got.find((g) => g.body.includes('"ping"'))!;
    assert.equal(push.headers['content-type'], 'application/json');
    assert.equal(push.headers['x-self-id'], String(ALICE.uid));
    // Verified the way a framework does it: its own HMAC over the bytes it received.
    assert.equal(push.headers['x-signature'], `sha1=${createHmac('sha1', 's3cret').update(push.body).digest('hex')}`);
    assert.notEqual(push.headers['x-signature'], signature('other', push.body));
    assert.equal(poster.failures, 0);
  } finally {
    await poster.stop();
    await rx.close();
  }
});

test('event push without a secret carries no signature; a framework that is down counts failures and later pushes still go', async () => {
  const rx = await pushReceiver();
  const dead = new EventPoster(w.bot, 'http://127.0.0.1:1/nobody');
  const poster = new EventPoster(w.bot, rx.url);
  dead.start();
  poster.start();
  try {
    await bob.sendMessage(ALICE.uid, 'one');
    await bob.sendMessage(ALICE.uid, 'two');
    await until(() => rx.got.length >= 2, 15_000, 'two pushes');
    assert.deepEqual(rx.got.map((g) => (JSON.parse(g.body) as { message: string }).message), ['one', 'two']);
    assert.equal(rx.got[0]!.headers['x-signature'], undefined);
    await until(() => dead.failures >= 2, 15_000, 'failures counted');
  } finally {
    await dead.stop();
    await poster.stop();
    await rx.close();
  }
});
