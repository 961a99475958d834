// The --summary aggregates: request↔reply pairing, resends, repeated replies, pushes and acks, bounded
// memory (a tiny table forced to evict), and the sampled medians.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Role, SummaryBuilder, type Summary, type SummaryRow } from '../../src/analyzer/summary.js';
import { Reservoir, Reservoir3, RESERVOIR_SIZE } from '../../src/analyzer/reservoir.js';
import { PairTable } from '../../src/analyzer/pair-table.js';
import { C2S, S2C } from '../../src/analyzer/select.js';

const CLASSIC = 0;
const MODERN = 1;

function row(s: Summary, framing: string, command: number, direction: string): SummaryRow {
  const r = s.rows.find((x) => x.framing === framing && x.command === command && x.direction === direction);
  assert.ok(r, `row ${framing} ${command} ${direction}`);
  return r;
}

test('a request and its reply pair by (who, command, seq); the reply time is measured from the first copy', () => {
  const b = new SummaryBuilder();
  let f = 0;
  assert.equal(b.packet(MODERN, C2S, 0x00cd, 7, 100001, 1000, ++f, 201, 167, 159), Role.REQUEST);
  assert.equal(b.packet(MODERN, C2S, 0x00cd, 7, 100001, 4000, ++f, 201, 167, 159), Role.RETRANSMISSION);
  assert.equal(b.peerFrame, 1);
  assert.equal(b.packet(MODERN, S2C, 0x00cd, 7, 100001, 4010, ++f, 73, 39, 31), Role.REPLY);
  assert.equal(b.peerFrame, 1);
  assert.equal(b.peerMs, 3010);
  assert.equal(b.packet(MODERN, S2C, 0x00cd, 7, 100001, 4020, ++f, 73, 39, 31), Role.REPEATED_REPLY);
  // Another user with the same command and seq is another exchange.
  assert.equal(b.packet(MODERN, S2C, 0x00cd, 7, 100002, 4030, ++f, 73, 39, 31), Role.PUSH);
  const s = b.finish();
  const req = row(s, 'modern', 0x00cd, 'c2s');
  assert.deepEqual([req.count, req.requests, req.answered, req.unanswered, req.retransmitted, req.retransmissions], [2, 1, 1, 0, 1, 1]);
  assert.deepEqual(req.replyMs, { min: 3010, median: 3010, max: 3010 });
  const rep = row(s, 'modern', 0x00cd, 's2c');
  assert.deepEqual([rep.count, rep.replies, rep.repeatedReplies, rep.pushes], [3, 1, 1, 1]);
  assert.deepEqual(rep.oicq, { min: 31, median: 31, max: 31 });
  assert.equal(rep.name, 'send message');
  assert.equal(rep.wireshark, null);
  assert.equal(s.oicq, 5);
  assert.equal(s.firstTime, 1);
  assert.equal(s.lastTime, 4.03);
});

test('pushes and acks: message pushes wait for their ack, status pushes expect none; unanswered requests are counted', () => {
  const b = new SummaryBuilder();
  assert.equal(b.packet(CLASSIC, S2C, 0x0017, 4097, 1, 0, 1, 146, 112, 104), Role.PUSH);
  assert.equal(b.packet(CLASSIC, S2C, 0x0081, 4098, 1, 0, 2, 90, 56, 48), Role.PUSH);
  assert.equal(b.packet(CLASSIC, C2S, 0x0017, 4097, 1, 5, 3, 86, 52, 44), Role.ACK);
  assert.equal(b.peerFrame, 1);
  assert.equal(b.packet(CLASSIC, C2S, 0x0017, 4097, 1, 9, 4, 86, 52, 44), Role.ACK); // a repeated ack
  assert.equal(b.packet(CLASSIC, S2C, 0x0017, 4099, 1, 10, 5, 146, 112, 104), Role.PUSH); // never acked
  assert.equal(b.packet(CLASSIC, C2S, 0x0001, 1, 1, 11, 6, 60, 26, 18), Role.ONE_WAY);
  assert.equal(b.packet(CLASSIC, C2S, 0x0002, 2, 1, 12, 7, 60, 26, 18), Role.REQUEST); // never answered
  const s = b.finish();
  const push = row(s, 'classic', 0x0017, 's2c');
  assert.deepEqual([push.pushes, push.pushesAcked, push.pushesUnacked], [2, 1, 1]);
  const status = row(s, 'classic', 0x0081, 's2c');
  assert.deepEqual([status.pushes, status.pushesAcked, status.pushesUnacked], [1, 0, 0]);
  assert.equal(row(s, 'classic', 0x0017, 'c2s').acks, 2);
  assert.equal(row(s, 'classic', 0x0001, 'c2s').oneWay, 1);
  assert.deepEqual([s.pairing.requests, s.pairing.answered, s.pairing.unanswered, s.pairing.pushes, s.pairing.acks, s.pairing.oneWay], [1, 0, 1, 3, 2, 1]);
});

test('a packet with a known key long after, or a different length, starts a new exchange', () => {
  const b = new SummaryBuilder({ windowMs: 60_000 });
  b.packet(MODERN, C2S, 0x0058, 9, 5, 0, 1, 81, 47, 39);
  assert.equal(b.packet(MODERN, C2S, 0x0058, 9, 5, 61_000, 2, 81, 47, 39), Role.REQUEST);
  assert.equal(b.packet(MODERN, C2S, 0x0058, 9, 5, 61_001, 3, 89, 55, 47), Role.REQUEST); // other bytes: not a resend
  assert.equal(b.packet(MODERN, S2C, 0x0058, 9, 5, 61_010, 4, 89, 55, 47), Role.REPLY);
  assert.equal(b.peerFrame, 3);
  const s = b.finish();
  assert.deepEqual([s.pairing.requests, s.pairing.answered, s.pairing.unanswered, s.pairing.retransmitted], [3, 1, 2, 0]);
});

test('bounded: with a tiny table every request is still counted once as answered or unanswered', () => {
  fc.assert(
    fc.property(fc.array(fc.record({ who: fc.integer({ min: 1, max: 40 }), seq: fc.integer({ min: 0, max: 30 }), dir: fc.constantFrom(C2S, S2C), dt: fc.integer({ min: 0, max: 5000 }) }), { maxLength: 400 }), (ops) => {
      const b = new SummaryBuilder({ slots: 16, windowMs: 10_000 });
      let t = 0;
      ops.forEach((o, i) => b.packet(MODERN, o.dir, 0x0027, o.seq, o.who, (t += o.dt), i + 1, 81, 47, 39));
      const s = b.finish();
      const p = s.pairing;
      assert.equal(p.answered + p.unanswered, p.requests);
      assert.equal(p.replies, p.answered);
      assert.equal(s.oicq, ops.length);
      const rows = s.rows.reduce((n, r) => n + r.count, 0);
      assert.equal(rows, ops.length);
    }),
  );
});

test('the pair table evicts when full, reports every dropped entry, and never holds more than half its slots', () => {
  const dropped: number[] = [];
  const t = new PairTable(64, 1_000, (state) => dropped.push(state));
  for (let i = 0; i < 1000; i++) {
    assert.equal(t.find(i, 1), -1);
    t.insert(i, 1, 1, i, i, 0, 39);
    assert.ok(t.size <= t.maxLive);
    assert.ok(t.find(i, 1) >= 0);
  }
  t.drain();
  assert.equal(dropped.length, 1000);
  assert.ok(t.evicted > 0);
});

test('reservoir medians: exact up to the reservoir size, sampled (and bounded) beyond it', () => {
  const r = new Reservoir();
  for (const v of [5, 1, 9, 3, 7]) r.add(v);
  assert.deepEqual(r.spread(), { min: 1, median: 5, max: 9 });
  assert.ok(r.exact);
  const big = new Reservoir();
  for (let i = 0; i < 100_000; i++) big.add(i % 1000);
  assert.equal(big.exact, false);
  const sp = big.spread()!;
  assert.deepEqual([sp.min, sp.max], [0, 999]);
  assert.ok(Math.abs(sp.median - 500) < 80, `median ${sp.median}`);
  const r3 = new Reservoir3();
  for (let i = 1; i <= RESERVOIR_SIZE * 3; i++) r3.add(i, 2 * i, 3);
  assert.deepEqual([r3.spread(0)!.min, r3.spread(0)!.max, r3.spread(1)!.max, r3.spread(2)!.median], [1, RESERVOIR_SIZE * 3, RESERVOIR_SIZE * 6, 3]);
  assert.equal(new Reservoir().spread(), null);
});
