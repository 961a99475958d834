// A stored message is pushed only after the login reply: a push that arrives first cannot be opened by the client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePacket } from '../../src/protocol/framing.js';
import { ClassicCmd, ModernCmd } from '../../src/protocol/commands.js';
import { UdpProxy } from '../helpers/udp-proxy.js';
import { until } from '../helpers/udp.js';
import { ALICE, BOB, Clients, serverWith } from './fixtures.js';

const commandOf = (b: Buffer) => {
  const r = decodePacket(b, 's2c');
  return r.ok ? r.value.command : -1;
};

for (const framing of ['modern', 'classic'] as const) {
  const LOGIN_REPLY = framing === 'modern' ? ModernCmd.SEND_LOGIN_INFO : ClassicCmd.LOGIN;
  const PUSH = framing === 'modern' ? ModernCmd.RECV_IM : ClassicCmd.RECV_IM;
  test(`${framing}: a stored message is pushed only after the login reply`, async () => {
    const { server, port } = await serverWith([ALICE, BOB], [[ALICE.uid, BOB.uid]]);
    const proxy = await UdpProxy.start({ targetPort: port });
    const cs = new Clients();
    try {
      const a = await cs.online(ALICE, port);
      await a.sendMessage(BOB.uid, 'waiting for you');
      const b = cs.make(BOB, proxy.port, framing);
      const got = b.next('message');
      await b.login();
      assert.equal((await got).text, 'waiting for you');
      await until(() => proxy.seen('s2c').some((e) => commandOf(e.bytes) === PUSH), 3000, 'push');
      const order = proxy.seen('s2c').map((e) => commandOf(e.bytes)).filter((c) => c === LOGIN_REPLY || c === PUSH);
      assert.deepEqual(order.slice(0, 2), [LOGIN_REPLY, PUSH]);
    } finally {
      await cs.closeAll();
      proxy.close();
      await server.close();
    }
  });
}
