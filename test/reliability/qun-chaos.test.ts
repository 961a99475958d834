import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../../src/client/index.js';
import type { Framing } from '../../src/protocol/framing.js';
import { QunPolicy } from '../../src/store/store.js';
import { CHAOS_RATES } from '../helpers/chaos.js';
import { UdpProxy } from '../helpers/udp-proxy.js';
import { heldBy, quiescence, serverProbe } from '../helpers/quiescence.js';
import { seedAccounts, startServer } from '../helpers/udp.js';

const USERS = 6;
const PER_USER = 40;
const RETRY_MS = 40;

test(`Qun messages through 30% loss, duplication and reordering: ${USERS} members (both framings), each message to every other member exactly once, in each sender's order`, async () => {
  const users = Array.from({ length: USERS }, (_, i) => ({ uid: 71000 + i, password: `pw-${i}` }));
  const { server, store } = await startServer({
    guard: { preLoginPerSecond: 1_000_000 },
    flood: { maxDropsPerSecond: 0 },
    hub: { pushRto: { minMs: RETRY_MS, maxMs: RETRY_MS * 25, initialMs: RETRY_MS }, sessionTimeoutMs: 600_000 },
  });
  seedAccounts(store, users, []);
  const qun = store.createQun(users[0]!.uid, 'chaos', QunPolicy.OPEN, 5).id;
  for (const u of users.slice(1)) store.qunChange({ qun, join: { uid: u.uid, role: 0 }, notices: [] });
  const proxy = await UdpProxy.start({ targetPort: server.address.port, seed: 11, c2s: CHAOS_RATES, s2c: CHAOS_RATES, logging: false });
  const clients: Client[] = [];
  const received = new Map<number, string[]>();
  try {
    for (const [i, u] of users.entries()) {
      const framing: Framing = i % 2 === 0 ? 'classic' : 'modern';
      const c = new Client({ uid: u.uid, password: u.password, server: `127.0.0.1:${proxy.port}`, framing, retry: { intervalMs: RETRY_MS, maxTries: 40 }, keepAliveMs: 600_000 });
      const got: string[] = [];
      received.set(u.uid, got);
      c.on('qunMessage', (m) => {
        assert.equal(m.qun, qun);
        got.push(m.text);
      });
      clients.push(c);
    }
    await Promise.all(clients.map((c) => c.login()));

    const accepted = new Set<string>();
    const failed = new Set<string>();
    await Promise.all(clients.map(async (c) => {
      for (let k = 0; k < PER_USER; k++) {
        const text = `${c.uid}:${k}`;
        try {
          await c.sendQunMessage(qun, text);
          accepted.add(text);
        } catch {
          failed.add(text);
        }
      }
    }));
    const count = () => [...received.values()].reduce((a, l) => a + l.length, 0);
    // Done when the server owes no push (every one acked) and the proxy holds no datagram: a push is acked only
    // after the client read it, so from then on nothing more arrives. The deadline only bounds a hung run.
    await quiescence([serverProbe(server), heldBy(proxy)], { deadlineMs: 600_000, pollMs: 20, what: 'after the Qun chaos run' });

    // The network was hostile both ways.
    for (const dir of ['c2s', 's2c'] as const) {
      const s = proxy.stats[dir];
      const total = s.pass + s.drop + s.duplicate + s.reorder + s.delay;
      assert.ok(s.drop / total > 0.2 && s.duplicate > 0 && s.reorder > 0, `${dir}: ${JSON.stringify(s)}`);
    }
    assert.ok(accepted.size >= USERS * PER_USER - 5, `${accepted.size} of ${USERS * PER_USER} accepted`);
    for (const [receiver, texts] of received) {
      const seen = new Set<string>();
      const lastFrom = new Map<number, number>();
      for (const t of texts) {
        assert.ok(!seen.has(t), `${receiver} shown ${t} twice`);
        seen.add(t);
        const [from, idx] = t.split(':').map(Number) as [number, number];
        assert.notEqual(from, receiver, 'a member never gets its own message back');
        assert.ok((lastFrom.get(from) ?? -1) < idx, `${receiver}: ${t} after ${from}:${lastFrom.get(from)}`);
        lastFrom.set(from, idx);
      }
      // Every member got every accepted message of every other member.
      const missing = [...accepted].filter((t) => !t.startsWith(`${receiver}:`) && !seen.has(t));
      assert.deepEqual(missing, [], `${receiver} is missing messages (its inbox entries not acked: ${store.pendingCount(receiver)})`);
      assert.equal(store.pendingCount(receiver), 0, `${receiver}: every inbox entry acked`);
    }
    console.log(`Qun chaos: ${accepted.size} accepted (${failed.size} failed), ${count()} deliveries, server ${server.metrics.pushesSent} pushes, ${server.metrics.pushRetransmits} retransmissions`);
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    proxy.close();
    await server.close();
  }
});
