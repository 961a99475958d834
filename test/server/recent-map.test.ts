// The bounded caches of the core (a receiver's mailbox usage, token buckets): at most `max` entries, a read
// moves nothing, and what is forgotten when full is an entry not read since it last came round.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecentMap } from '../../src/server/recent-map.js';
import { TokenBuckets } from '../../src/server/token-buckets.js';

test('a full RecentMap forgets an entry not read since it came round, and keeps the ones read', () => {
  const m = new RecentMap<string, number>(3);
  m.set('a', 1);
  m.set('b', 2);
  m.set('c', 3);
  assert.equal(m.get('a'), 1, 'a is read: it gets a second chance');
  m.set('d', 4);
  assert.deepEqual([...m.keys()], ['c', 'a', 'd'], 'b (oldest not read) is forgotten; a went round to the back');
  assert.equal(m.get('b'), undefined);
  assert.equal(m.size, 3);

  // Every entry read: one full round clears the marks and the oldest goes.
  m.get('c');
  m.get('a');
  m.get('d');
  m.set('e', 5);
  assert.deepEqual([...m.keys()], ['a', 'd', 'e'], 'c went round once, unmarked, and was forgotten first');

  m.set('a', 10);
  assert.equal(m.get('a'), 10, 'a set of a known key replaces its value');
  assert.equal(m.size, 3, 'and adds nothing');
  assert.equal(m.delete('d'), true);
  assert.equal(m.delete('d'), false);
  m.clear();
  assert.equal(m.size, 0);
});

test('token buckets are bounded: a key forgotten past the bound comes back with a full bucket', () => {
  const b = new TokenBuckets<string>(2, 60_000, 2);
  assert.deepEqual([b.take('x', 0), b.take('x', 0), b.take('x', 0)], [true, true, false], 'x spent its 2 tokens');
  b.take('y', 0);
  b.take('z', 0); // full: x (read, so marked) goes round, y (not read since) is forgotten
  assert.equal(b.size, 2);
  assert.equal(b.take('x', 0), false, 'x is still known and still empty');
  assert.equal(b.take('y', 0), true, 'y was forgotten and comes back full');
  assert.equal(b.take('x', 30_000), true, 'a token back after half a period');
});
