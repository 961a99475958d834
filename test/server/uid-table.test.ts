// The sessions' table by uid (open addressing, backward-shift removal): the same answers as a Map under any mix
// of additions, replacements and removals, and a sweep that sees every entry once per round even when each visit
// removes the entry it gets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { UidTable } from '../../src/server/uid-table.js';

// Uids from a small range collide and form long probe runs; some are past 2^31 (not small integers to V8).
const uid = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.constantFrom(0x7fffffff, 0x80000000, 0xffffffff, 10_000, 10_016, 10_032));
const op = fc.oneof(
  fc.record({ kind: fc.constant<'set'>('set'), uid, value: fc.integer() }),
  fc.record({ kind: fc.constant<'delete'>('delete'), uid }),
);

test('property: a UidTable answers as a Map does after any additions, replacements and removals', () => {
  fc.assert(fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
    const t = new UidTable<number>();
    const m = new Map<number, number>();
    for (const o of ops) {
      if (o.kind === 'set') {
        t.set(o.uid, o.value);
        m.set(o.uid, o.value);
      } else {
        assert.equal(t.delete(o.uid), m.delete(o.uid));
      }
      assert.equal(t.size, m.size);
    }
    for (const [k, v] of m) assert.equal(t.get(k), v, `uid ${k}`);
    for (let k = 0; k <= 300; k++) assert.equal(t.has(k), m.has(k), `uid ${k}`);
    assert.deepEqual([...t.values()].sort((a, b) => a - b), [...m.values()].sort((a, b) => a - b));
  }));
  assert.throws(() => new UidTable<number>().set(-1, 0), /uid -1 is not a u32/);
  assert.throws(() => new UidTable<number>().set(2 ** 32, 0), /is not a u32/);
});

test('property: a sweep round visits every entry once, in steps of its budget, even when each visit removes what it gets', () => {
  fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 5_000 }), { maxLength: 600 }), fc.integer({ min: 1, max: 50 }), fc.boolean(), (uids, budget, remove) => {
    const t = new UidTable<number>();
    for (const u of uids) t.set(u, u);
    const seen: number[] = [];
    const steps: number[] = [];
    for (;;) {
      const n = t.sweep(budget, (u) => {
        seen.push(u);
        if (remove) t.delete(u);
      });
      steps.push(n);
      if (n < budget) break;
    }
    assert.deepEqual([...seen].sort((a, b) => a - b), [...uids].sort((a, b) => a - b), 'each entry once');
    assert.ok(steps.slice(0, -1).every((n) => n === budget), `full steps until the last: ${steps.join(',')}`);
    assert.equal(t.size, remove ? 0 : uids.length);
    // The next call starts a new round.
    if (!remove && uids.length > 0) assert.equal(t.sweep(uids.length, () => {}), uids.length);
  }));
});

test('a table that grows during a round starts the round over; lookups find every entry after growing', () => {
  const t = new UidTable<number>();
  for (let u = 0; u < 8; u++) t.set(u, u);
  const first: number[] = [];
  assert.equal(t.sweep(3, (u) => first.push(u)), 3);
  for (let u = 100; u < 200; u++) t.set(u, u);
  let visited = 0;
  while (t.sweep(25, () => visited++) === 25);
  assert.equal(visited, 108, 'the new round visits all 108');
  for (let u = 0; u < 8; u++) assert.equal(t.get(u), u);
  for (let u = 100; u < 200; u++) assert.equal(t.get(u), u);
  assert.equal(t.get(50), undefined);
});
