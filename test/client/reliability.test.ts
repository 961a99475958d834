// Loss, duplication, reordering and restarts, through the loopback UDP proxy (test/helpers/udp-proxy.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OicqServer } from '../../src/server/server.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { decodePacket } from '../../src/protocol/framing.js';
import { ClassicCmd, ModernCmd } from '../../src/protocol/commands.js';
import type { IncomingMessage } from '../../src/client/index.js';
import { UdpProxy, type ProxyLogEntry } from '../helpers/udp-proxy.js';
import { until } from '../helpers/udp.js';
import { ALICE, BOB, Clients, serverWith } from './fixtures.js';
import { heldBy, quiescence, serverProbe } from '../helpers/quiescence.js';

function commandOf(bytes: Buffer): number {
  const r = decodePacket(bytes, 'c2s');
  return r.ok ? r.value.command : -1;
}

const cmd = (c: number) => (e: ProxyLogEntry) => commandOf(e.bytes) === c;

for (const framing of ['modern', 'classic'] as const) {
  const SEND = framing === 'modern' ? ModernCmd.SEND_IM : ClassicCmd.SEND_IM;
  const RECV = framing === 'modern' ? ModernCmd.RECV_IM : ClassicCmd.RECV_IM;

  test(`${framing}: a dropped send reply is recovered by retransmitting the same datagram; delivered once`, async () => {
    const { server, port } = await serverWith([ALICE, BOB], [[ALICE.uid, BOB.uid]]);
    let dropped = 0;
    const proxy = await UdpProxy.start({
      targetPort: port,
      hook: (d) => (d.direction === 's2c' && commandOf(d.bytes) === SEND && dropped++ === 0 ? 'drop' : undefined),
    });
    const cs = new Clients();
    try {
      const a = await cs.online(ALICE, proxy.port, framing);
      const b = await cs.online(BOB, port, 'modern');
      const got: IncomingMessage[] = [];
      b.on('message', (m) => got.push(m));
      await a.sendMessage(BOB.uid, 'survives a lost reply');
      const sends = proxy.seen('c2s').filter(cmd(SEND));
      assert.equal(sends.length, 2);
      assert.ok(sends[1]!.bytes.equals(sends[0]!.bytes), 'retransmission = same bytes, same seq');
      assert.equal(proxy.seen('s2c').filter(cmd(SEND)).length, 2, 'the server answered the duplicate again');
      await until(() => got.length === 1, 3000, 'delivery');
      await quiescence(serverProbe(server));
      assert.deepEqual(got.map((m) => m.text), ['survives a lost reply']);
      assert.ok(server.metrics.duplicates >= 1);
    } finally {
      await cs.closeAll();
      proxy.close();
      await server.close();
    }
  });

  test(`${framing}: a repeated push is acked every time and shown once`, async () => {
    const { server, port } = await serverWith([ALICE, BOB], [[ALICE.uid, BOB.uid]]);
    // Every message push to the receiver arrives twice.
    const proxy = await UdpProxy.start({ targetPort: port, hook: (d) => (d.direction === 's2c' && commandOf(d.bytes) === RECV ? 'duplicate' : undefined) });
    const cs = new Clients();
    try {
      const b = await cs.online(BOB, proxy.port, framing);
      const a = await cs.online(ALICE, port, 'modern');
      const got: IncomingMessage[] = [];
      b.on('message', (m) => got.push(m));
      await a.sendMessage(BOB.uid, 'once, please');
      await until(() => got.length === 1, 3000, 'message');
      // And the same datagram replayed much later (after the server saw the ack).
      const push = proxy.seen('s2c').find(cmd(RECV))!;
      await until(() => proxy.seen('c2s').filter(cmd(RECV)).length === 2, 3000, 'two acks');
      proxy.inject('s2c', push.bytes, push.client);
      await until(() => proxy.seen('c2s').filter(cmd(RECV)).length === 3, 3000, 'third ack');
      const acks = proxy.seen('c2s').filter(cmd(RECV));
      const seqOf = (b: Buffer) => b.readUInt16BE(5);
      assert.ok(acks.every((x) => seqOf(x.bytes) === seqOf(push.bytes)), 'acks carry the push seq');
      assert.deepEqual(got.map((m) => m.text), ['once, please']);
    } finally {
      await cs.closeAll();
      proxy.close();
      await server.close();
    }
  });
}

test('seeded loss, duplication and reordering both ways: every send resolves, each message arrives once, in order', async () => {
  const { server, port } = await serverWith([ALICE, BOB], [[ALICE.uid, BOB.uid]], { hub: { pushRto: { minMs: 50, maxMs: 400, initialMs: 100 } } });
  const rates = { drop: 0.1, duplicate: 0.1, reorder: 0.1, delay: 0.1, delayMs: [1, 20] as [number, number] };
  const pa = await UdpProxy.start({ targetPort: port, seed: 42, c2s: rates, s2c: rates });
  const pb = await UdpProxy.start({ targetPort: port, seed: 7, c2s: rates, s2c: rates });
  const cs = new Clients();
  const retry = { intervalMs: 60, maxTries: 10 };
  try {
    const a = await cs.online(ALICE, pa.port, 'modern', { retry });
    const b = await cs.online(BOB, pb.port, 'classic', { retry });
    const got: string[] = [];
    b.on('message', (m) => got.push(m.text));
    const texts = Array.from({ length: 12 }, (_, i) => `message ${i} — 第${i}条`);
    for (const t of texts) await a.sendMessage(BOB.uid, t);
    await until(() => got.length === texts.length, 10_000, 'all messages');
    // Every push acked and nothing left in either proxy (a delayed duplicate would still be shown after this).
    await quiescence([serverProbe(server), heldBy(pa), heldBy(pb)], { deadlineMs: 10_000 });
    assert.deepEqual(got, texts);
    const actions: string[] = [...pa.log, ...pb.log].map((e) => (typeof e.action === 'string' ? e.action : 'delay'));
    for (const k of ['drop', 'duplicate', 'reorder', 'delay']) assert.ok(actions.includes(k), `the proxy did ${k}`);
  } finally {
    await cs.closeAll();
    pa.close();
    pb.close();
    await server.close();
  }
});

test('server restart: keep-alive detects the lost session, offline event, re-login with backoff, online again', async () => {
  const first = await serverWith([ALICE, BOB], [[ALICE.uid, BOB.uid]]);
  const port = first.port;
  const cs = new Clients();
  let second: OicqServer | undefined;
  try {
    const a = await cs.online(ALICE, port, 'modern', {
      keepAliveMs: 100, retry: { intervalMs: 50, maxTries: 3 }, reconnect: { initialDelayMs: 50, maxDelayMs: 400 },
    });
    const events: string[] = [];
    a.on('offline', (e) => events.push(`offline:${e.reason}`));
    a.on('reconnecting', () => events.push('reconnecting'));
    a.on('online', (e) => events.push(`online:${e.relogin}`));
    const localPort = a.localPort;

    await first.server.close();
    first.store.close();
    await until(() => events.includes('offline:timeout'), 5000, 'offline');
    assert.equal(a.state, 'reconnecting');
    await assert.rejects(a.getFriends(), { name: 'NotOnlineError' });

    const store = openSqliteStore(first.dbPath);
    second = new OicqServer({ store, host: '127.0.0.1', port });
    await second.listen();
    await until(() => a.state === 'online', 5000, 'back online');
    assert.equal(events[0], 'offline:timeout');
    assert.ok(events.includes('reconnecting'));
    assert.equal(events.at(-1), 'online:true');
    assert.equal(second.hub.get(ALICE.uid)?.endpoint.port, localPort, 'same socket');

    const b = await cs.online(BOB, port);
    const got = b.next('message');
    await a.sendMessage(BOB.uid, 'after the restart');
    assert.equal((await got).text, 'after the restart');
  } finally {
    await cs.closeAll();
    await second?.close();
  }
});

test('without reconnect, a lost session ends in state offline with the socket closed', async () => {
  const { server, port } = await serverWith([ALICE], []);
  const cs = new Clients();
  try {
    const a = await cs.online(ALICE, port, 'classic', { keepAliveMs: 50, retry: { intervalMs: 30, maxTries: 2 } });
    const off = a.next('offline');
    await server.close();
    assert.equal((await off).reason, 'timeout');
    assert.equal(a.state, 'offline');
    await until(() => a.localPort === 0, 3000, 'socket closed');
  } finally {
    await cs.closeAll();
  }
});
