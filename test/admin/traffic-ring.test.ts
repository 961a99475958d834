import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OicqServer } from '../../src/server/server.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { Traffic } from '../../src/admin/traffic.js';

test('the recent-datagram ring keeps the last ringSize datagrams, oldest first, byte-exact (long ones too) and copied', async () => {
  const server = new OicqServer({ store: openSqliteStore(':memory:'), host: '127.0.0.1', port: 0 });
  const local = await server.listen();
  try {
    const traffic = new Traffic(server, { ringSize: 3, dropsPerReason: 16, samples: 10 });
    // Not OICQ: each is counted as a drop by the server, and still recorded as it arrived.
    const sent = [10, 300, 20, 1200, 30].map((n, i) => ({ bytes: Buffer.alloc(n, i + 1), from: { address: i === 3 ? 'not-an-ip' : `127.0.0.${i + 1}`, port: 4000 + i } }));
    for (const d of sent) server.onMessage(d.bytes, d.from);
    const recent = traffic.recent();
    assert.deepEqual(recent.map((d) => [d.direction, d.peer.address, d.peer.port, d.bytes.length, d.uid]), [
      ['in', '127.0.0.3', 4002, 20, 0],
      ['in', 'not-an-ip', 4003, 1200, 0],
      ['in', '127.0.0.5', 4004, 30, 0],
    ]);
    recent.forEach((d, i) => assert.ok(d.bytes.equals(sent[i + 2]!.bytes), `datagram ${i + 2}`));
    assert.deepEqual(recent[0]!.local, local);
    // What was handed out is a copy: the ring's slot and the caller's buffer are not shared.
    sent[2]!.bytes.fill(0xee);
    recent[2]!.bytes.fill(0xdd);
    assert.ok(traffic.recent()[0]!.bytes.equals(Buffer.alloc(20, 3)));
    assert.ok(traffic.recent()[2]!.bytes.equals(Buffer.alloc(30, 5)));
    assert.deepEqual(traffic.recent({ address: '127.0.0.5:4004' }).map((d) => d.bytes.length), [30]);
  } finally {
    await server.close();
  }
});
