// PROTOCOL.md §7: with its defaults (modern framing, tag 0x3639, the 11 extra header bytes) the client's
// exchanges have exactly the capture's datagram sizes. Sizes are read off the proxy, byte length by byte length.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePacket } from '../../src/protocol/framing.js';
import { ModernCmd } from '../../src/protocol/commands.js';
import { Status } from '../../src/client/index.js';
import { UdpProxy, type ProxyLogEntry } from '../helpers/udp-proxy.js';
import { until } from '../helpers/udp.js';
import { ALICE, BOB, Clients, serverWith } from './fixtures.js';

function commandOf(bytes: Buffer): number {
  const r = decodePacket(bytes, 'c2s');
  return r.ok ? r.value.command : -1;
}

/** Sizes of the datagrams of one command in one direction, in order. */
function sizes(log: ProxyLogEntry[], command: number): number[] {
  return log.filter((e) => commandOf(e.bytes) === command).map((e) => e.bytes.length);
}

/** A text of exactly `n` UTF-8 bytes, mixing 1-, 2- and 3-byte characters where it fits. */
function textOf(n: number): string {
  const cycle = ['好', 'é', 'a'];
  let s = '';
  for (let i = 0; Buffer.byteLength(s) < n; i++) {
    const ch = cycle[i % 3]!;
    s += Buffer.byteLength(s + ch) <= n ? ch : 'a';
  }
  assert.equal(Buffer.byteLength(s), n);
  return s;
}

test('capture sizes: keep-alive 39/47, send 151/31, push 175/ack 55, key 39/63, status push 79, online request 39', async () => {
  const { server, port } = await serverWith([ALICE, BOB], [[ALICE.uid, BOB.uid]]);
  const proxy = await UdpProxy.start({ targetPort: port });
  const cs = new Clients();
  try {
    const a = await cs.online(ALICE, proxy.port, 'modern', { keepAliveMs: 40 });
    const b = await cs.online(BOB, port);
    const c2s = () => proxy.seen('c2s');
    const s2c = () => proxy.seen('s2c');
    const client = decodePacket(c2s()[0]!.bytes, 'c2s');
    assert.ok(client.ok);
    assert.equal(client.value.version, 0x3639);
    assert.deepEqual(client.value.extra, Buffer.from('0200000001010100006470', 'hex'));

    await until(() => sizes(s2c(), ModernCmd.KEEP_ALIVE).length >= 2, 3000, 'keep-alives');
    assert.ok(sizes(c2s(), ModernCmd.KEEP_ALIVE).every((n) => n === 39), 'keep-alive request: 39 (uid as u32)');
    assert.ok(sizes(s2c(), ModernCmd.KEEP_ALIVE).every((n) => n === 47), 'keep-alive reply: 47');

    for (let n = 6; n <= 13; n++) await a.sendMessage(BOB.uid, textOf(n));
    assert.deepEqual(sizes(c2s(), ModernCmd.SEND_IM), Array(8).fill(151), 'send: 151 for 6–13 bytes of text');
    assert.deepEqual(sizes(s2c(), ModernCmd.SEND_IM), Array(8).fill(31), 'send reply: 31');

    for (let n = 26; n <= 33; n++) await b.sendMessage(ALICE.uid, textOf(n));
    await until(() => sizes(c2s(), ModernCmd.RECV_IM).length === 8, 3000, 'eight acks');
    assert.deepEqual(sizes(s2c(), ModernCmd.RECV_IM), Array(8).fill(175), 'push: 175 for 26–33 bytes of text');
    assert.deepEqual(sizes(c2s(), ModernCmd.RECV_IM), Array(8).fill(55), 'ack: 55');

    await a.requestKey(4);
    assert.deepEqual([sizes(c2s(), ModernCmd.REQUEST_KEY), sizes(s2c(), ModernCmd.REQUEST_KEY)], [[39], [63]]);

    await b.setStatus(Status.AWAY);
    // Bob's login, then his change to away.
    await until(() => sizes(s2c(), ModernCmd.FRIEND_STATUS).length === 2, 3000, 'status pushes');
    assert.deepEqual(sizes(s2c(), ModernCmd.FRIEND_STATUS), [79, 79]);

    await a.getOnlineFriends();
    assert.deepEqual(sizes(c2s(), ModernCmd.GET_ONLINE_FRIENDS), [39]);
  } finally {
    await cs.closeAll();
    proxy.close();
    await server.close();
  }
});
