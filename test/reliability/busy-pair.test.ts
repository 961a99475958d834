import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHAOS_RATES, runBusyPair } from '../helpers/chaos.js';

// Issue #13: one busy conversation through 30 % loss each way crawled (a fixed 3 s retry, then a 60 s pause
// after 5 misses although the receiver was alive). On the server's default delivery settings every message
// must now arrive, once and in order, with no push given up; `npm run chaos -- busy-pair` holds the time target.
test('one busy pair through 30% loss, duplication and reordering: all 40 arrive once, in order, nothing given up', async () => {
  const r = await runBusyPair({ messages: 40, seed: 3, rates: CHAOS_RATES, senderRetryMs: 100, withinMs: 60_000 });
  for (const dir of ['c2s', 's2c'] as const) {
    const s = r.proxy[dir];
    assert.ok(s.drop / (s.pass + s.drop + s.duplicate + s.reorder + s.delay) > 0.2, `${dir}: the network really lost datagrams`);
  }
  assert.equal(r.lost, 0, 'no accepted message lost');
  assert.equal(r.duplicated, 0, 'none shown twice');
  assert.equal(r.outOfOrder, 0, 'order kept');
  assert.ok(r.failedButDelivered <= r.failed, 'a failed send that arrived is one the client was told about');
  assert.equal(r.accepted + r.failed, 40);
  assert.equal(r.server.givenUp, 0, 'a receiver that keeps acking is never given up');
  assert.equal(r.server.acked, r.accepted + r.failedButDelivered, 'one ack counted per delivered message');
  assert.ok(r.server.retransmits > 0, 'the loss did cost retransmissions');
  assert.equal(r.server.repushes, r.server.retransmits, 'every re-push the client hid was a retransmission');
});
