import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALICE, BOB, Clients, serverWith } from './fixtures.js';

for (const framing of ['modern', 'classic'] as const) {
  test(`${framing}: a second login of the same number kicks the first session, which hears why and does not reconnect`, async () => {
    const { server } = await serverWith([ALICE, BOB], [[ALICE.uid, BOB.uid]]);
    const clients = new Clients();
    try {
      const first = await clients.online(ALICE, server.address.port, framing, { reconnect: { initialDelayMs: 50, maxDelayMs: 100, maxAttempts: 3 } });
      const kicked = first.next('kicked');
      const offline = first.next('offline');
      const second = await clients.online(ALICE, server.address.port, framing);
      assert.match((await kicked).text, /另一地点登录/);
      assert.equal((await offline).reason, 'kicked');
      // The new session works; the old one stays down.
      const bob = await clients.online(BOB, server.address.port, framing);
      const got = second.next('message');
      await bob.sendMessage(ALICE.uid, 'to the new session');
      assert.equal((await got).text, 'to the new session');
      assert.notEqual(first.state, 'online');
      assert.equal(server.hub.get(ALICE.uid)?.endpoint.port, second.localPort);
    } finally {
      await clients.closeAll();
      await server.close();
    }
  });
}
