import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHAOS_RATES, runChaos } from '../helpers/chaos.js';

test('2 000 messages among 10 users through 30% loss, 10% duplication and reordering: each delivered exactly once, in order', async () => {
  const r = await runChaos({
    users: 10, messages: 2000, seed: 7, retryMs: 40, retries: 40, settleMs: 20_000,
    rates: CHAOS_RATES,
  });
  // The network really was hostile, both ways.
  for (const dir of ['c2s', 's2c'] as const) {
    const s = r.proxy[dir];
    const total = s.pass + s.drop + s.duplicate + s.reorder + s.delay;
    assert.ok(s.drop / total > 0.25, `${dir} drop rate ${(s.drop / total).toFixed(2)}`);
    assert.ok(s.duplicate / total > 0.08 && s.reorder / total > 0.08, `${dir}: ${s.duplicate} duplicated, ${s.reorder} reordered of ${total}`);
  }
  assert.equal(r.sent, 2000);
  assert.equal(r.lost, 0, 'no accepted message lost');
  assert.equal(r.duplicated, 0, 'no message shown twice');
  assert.equal(r.outOfOrder, 0, 'every sender\'s order kept');
  assert.equal(r.delivered, r.accepted);
  assert.ok(r.accepted >= 1990, `${r.accepted} of 2000 accepted (${r.failed} failed after all retries)`);
  // Below the SDK's de-duplication: what the server really sent, and failed sends that arrived all the same.
  const s = r.server;
  console.log(`server: ${s.pushesSent} pushes for ${s.acked} acked messages, ${s.repushes} re-pushes hidden by the SDK (${s.retransmits} retransmissions, ${s.freshSequences} fresh sequences, ${s.givenUp} given up); failed sends ${r.failed}, of which arrived ${r.failedButDelivered}`);
  assert.ok(r.failedButDelivered <= r.failed);
  assert.equal(s.acked, r.delivered + r.failedButDelivered, 'one ack counted per message shown');
  assert.ok(s.repushes >= s.retransmits, 're-pushes include every retransmission');
  assert.equal(s.givenUp, 0, 'every receiver kept talking: nothing given up');
});
