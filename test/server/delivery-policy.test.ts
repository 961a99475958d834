// The retransmission policy of message pushes, on a manual clock: when each send goes out, when the server
// stops, what a fresh sequence is for. (test/server/delivery.test.ts proves the promises on the wire.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/transport/clock.js';
import { RtoEstimator } from '../../src/transport/rto.js';
import { TimerQueue } from '../../src/transport/timer-queue.js';
import { Delivery, DEFAULT_DELIVERY_OPTIONS, type DeliveryOptions } from '../../src/server/delivery.js';
import { Metrics } from '../../src/server/metrics.js';
import { Session, type SessionOutput } from '../../src/server/session.js';
import type { StoredMessage } from '../../src/store/store.js';

test('RTO follows RFC 6298: first sample, smoothing, clamping to the range, backoff capped at the maximum', () => {
  const e = new RtoEstimator({ minMs: 200, maxMs: 3000, initialMs: 1000 });
  assert.equal(e.rto, 1000, 'before any sample');
  assert.equal(e.smoothedRtt, undefined);
  e.sample(400); // SRTT 400, RTTVAR 200 → 400 + 800
  assert.equal(e.rto, 1200);
  assert.equal(e.smoothedRtt, 400);
  e.sample(800); // RTTVAR 0.75·200 + 0.25·400 = 250; SRTT 0.875·400 + 0.125·800 = 450 → 450 + 1000
  assert.equal(e.rto, 1450);
  assert.equal(e.smoothedRtt, 450);
  for (let i = 0; i < 40; i++) e.sample(1);
  assert.equal(e.rto, 200, 'a fast path is held at the minimum');
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((m) => e.backedOff(m)), [200, 400, 800, 1600, 3000, 3000]);
  assert.equal(e.backedOff(-2), 200, 'steady sends are not backed off');
  e.sample(60_000);
  assert.equal(e.rto, 3000, 'and a slow one at the maximum');
  assert.equal(new RtoEstimator({ minMs: 50, maxMs: 100, initialMs: 1000 }).rto, 100, 'the initial value is clamped too');
});

const RECEIVER = 50002;
const SENDER = 50001;

function world(opts: Partial<DeliveryOptions> = {}) {
  const clock = new ManualClock(1_000_000);
  const metrics = new Metrics();
  const sent: { at: number; id: number; seq: number }[] = [];
  const delivered: number[] = [];
  const output: SessionOutput = {
    pushStatus: () => {},
    pushMessage: (_s, msg, seq) => {
      sent.push({ at: clock.now() - 1_000_000, id: msg.id, seq });
      return msg.kind !== 'system';
    },
  };
  const o = { ...DEFAULT_DELIVERY_OPTIONS, ...opts };
  const timers = new TimerQueue(clock);
  const d = new Delivery(timers, metrics, o, {
    senderInfo: () => ({ ip: 0, port: 0, clientVersion: 0, imKey: Buffer.alloc(16) }),
    markDelivered: (m) => delivered.push(m.id),
    orphaned: () => assert.fail('no held sends here'),
  });
  const s = new Session(
    { uid: RECEIVER, framing: 'classic', version: 0x0d55, endpoint: { address: '127.0.0.1', port: 4000 }, sessionKey: Buffer.alloc(16, 1), passwordKey: Buffer.alloc(16, 2), status: 10, output },
    clock.now(), Buffer.alloc(16), 100, o.pushRto,
  );
  s.pendingLoaded = true;
  const msg = (id: number): StoredMessage => ({ id, sender: SENDER, receiver: RECEIVER, sentAt: 1, msgId: id, fragCount: 1, fragIndex: 0, replyType: 1, text: `m${id}` });
  /** The receiver sent a datagram now. */
  const alive = () => { s.lastSeen = clock.now(); d.seen(s); };
  return { clock, timers, metrics, sent, delivered, d, s, msg, alive };
}

test('an unacked push is re-sent after one RTO for the steady sends, then the wait doubles up to the maximum', () => {
  const w = world({ pushSilenceMs: 1_000_000 });
  w.d.enqueue(w.s, w.msg(1));
  w.clock.advance(20_000);
  // Initial RTO 1 s (no sample yet): 3 steady waits, then 2 s, then the 3 s cap.
  assert.deepEqual(w.sent.map((p) => p.at), [0, 1000, 2000, 3000, 5000, 8000, 11_000, 14_000, 17_000, 20_000]);
  assert.equal(w.metrics.pushRetransmits, 9);
});

test('the RTO is measured from first-send acks only (Karn), and a measured fast receiver gets fast retransmissions', () => {
  const w = world({ pushSilenceMs: 1_000_000 });
  for (let id = 1; id <= 3; id++) {
    w.d.enqueue(w.s, w.msg(id));
    w.clock.advance(10);
    assert.equal(w.d.ack(w.s, w.sent.at(-1)!.seq), true);
  }
  assert.equal(w.s.rto.rto, 200, '10 ms round trips: the minimum');
  // Acked only after a retransmission: no sample, although the last send was 5 ms before the ack.
  w.d.enqueue(w.s, w.msg(4));
  w.clock.advance(205);
  assert.equal(w.sent.length, 5);
  assert.equal(w.d.ack(w.s, w.sent.at(-1)!.seq), true);
  assert.equal(w.s.rto.smoothedRtt! < 11, true, `SRTT ${w.s.rto.smoothedRtt} untouched by the ambiguous ack`);
  const start = w.sent.length;
  w.d.enqueue(w.s, w.msg(5));
  w.clock.advance(1000);
  assert.deepEqual(w.sent.slice(start).map((p) => p.at - w.sent[start]!.at), [0, 200, 400, 600, 1000], '200 ms for the three steady sends, then 400');
  assert.deepEqual(w.delivered, [1, 2, 3, 4]);
});

test('a receiver that stays alive is never given up; after N sends under one sequence the push gets a fresh one, and an ack of any of them counts', () => {
  const w = world({ pushSilenceMs: 5_000, pushSendsPerSeq: 3 });
  w.d.enqueue(w.s, w.msg(1));
  w.d.enqueue(w.s, w.msg(2));
  for (let t = 0; t < 60_000; t += 1000) {
    w.clock.advance(1000);
    w.alive(); // a keep-alive every second: the receiver is there, its acks are what get lost
  }
  assert.equal(w.metrics.pushesGivenUp, 0);
  assert.ok(w.sent.length > 20, `${w.sent.length} sends in 60 s`);
  assert.ok(w.sent.every((p) => p.id === 1), 'message 2 waits behind message 1');
  const seqs = [...new Set(w.sent.map((p) => p.seq))];
  assert.equal(seqs.length, Math.ceil(w.sent.length / 3), 'three sends per sequence');
  assert.equal(w.metrics.pushFreshSeqs, seqs.length - 1);
  // The ack of the very first sequence arrives late: it still delivers message 1, and message 2 goes out.
  assert.equal(w.d.ack(w.s, seqs[0]!), true);
  assert.equal(w.d.ack(w.s, seqs.at(-1)!), false, 'the other sequences of message 1 are gone with it');
  assert.deepEqual(w.delivered, [1]);
  assert.equal(w.sent.at(-1)!.id, 2);
  assert.equal(w.d.pendingIn(w.s), 1);
});

test('a silent receiver is given up: the push goes back to the front of its queue, nothing is sent until it speaks, then order is kept', () => {
  const w = world({ pushSilenceMs: 5_000 });
  w.d.enqueue(w.s, w.msg(1));
  w.d.enqueue(w.s, w.msg(2));
  w.d.enqueue(w.s, w.msg(3));
  w.clock.advance(5_000);
  assert.equal(w.metrics.pushesGivenUp, 1);
  assert.equal(w.s.inflightBySeq?.size ?? 0, 0, 'no sequence waits for an ack');
  assert.equal(w.d.pendingIn(w.s), 3, 'all three still owed');
  const before = w.sent.length;
  w.clock.advance(60_000);
  assert.equal(w.sent.length, before, 'nothing pushed to a silent receiver');
  w.alive();
  const order: number[] = [];
  for (let i = 0; i < 3; i++) {
    const p = w.sent.at(-1)!;
    order.push(p.id);
    assert.equal(w.d.ack(w.s, p.seq), true);
  }
  assert.deepEqual(order, [1, 2, 3]);
  assert.deepEqual(w.delivered, [1, 2, 3]);
  assert.equal(w.d.pendingIn(w.s), 0);
});

test('silence counts from the later of the last datagram and the first send: a push to a receiver idle for long still gets its tries', () => {
  const w = world({ pushSilenceMs: 5_000 });
  w.clock.advance(60_000); // idle receiver (keep-alives are minutes apart)
  w.d.enqueue(w.s, w.msg(1));
  w.clock.advance(4_999);
  assert.equal(w.metrics.pushesGivenUp, 0);
  assert.ok(w.sent.length >= 4);
  w.clock.advance(1);
  assert.equal(w.metrics.pushesGivenUp, 1);
});

test('acks: an unknown, a repeated and a stale ack change nothing; a closed session stops its timers', () => {
  const w = world();
  w.d.enqueue(w.s, w.msg(1));
  w.d.enqueue(w.s, w.msg(2));
  const first = w.sent[0]!.seq;
  assert.equal(w.d.ack(w.s, (first + 1000) & 0xffff), false, 'unknown');
  assert.equal(w.d.ack(w.s, first), true);
  assert.equal(w.d.ack(w.s, first), false, 'repeated');
  assert.equal(w.metrics.messagesDelivered, 1);
  assert.deepEqual(w.delivered, [1]);
  assert.equal(w.d.pendingIn(w.s), 1, 'message 2 in flight');
  assert.equal(w.sent.at(-1)!.id, 2);
  w.clock.advance(3000);
  assert.equal(w.d.ack(w.s, first), false, 'stale: message 1 again, while message 2 is in flight');
  assert.equal(w.d.pendingIn(w.s), 1);
  w.s.closed = true;
  w.d.drop(w.s);
  assert.equal(w.timers.pending, 0, 'no timer left');
  assert.equal(w.d.pendingIn(w.s), 0);
});

test('a push its client never acks (a modern system notice) is delivered once sent and does not hold back the next message from that sender', () => {
  const w = world();
  w.d.enqueue(w.s, { ...w.msg(1), kind: 'system' });
  w.d.enqueue(w.s, w.msg(2));
  assert.deepEqual(w.sent.map((p) => p.id), [1, 2], 'message 2 went out right after the notice');
  assert.deepEqual(w.delivered, [1]);
  assert.equal(w.d.pendingIn(w.s), 1, 'only message 2 waits for its ack');
  w.clock.advance(1000);
  assert.deepEqual(w.sent.map((p) => p.id), [1, 2, 2], 'the notice is never re-sent; message 2 is');
  assert.equal(w.d.ack(w.s, w.sent[1]!.seq), true);
  assert.deepEqual(w.delivered, [1, 2]);
  assert.equal(w.timers.pending, 0);
});
