import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { passwordMd5 } from '../../src/protocol/keys.js';
import { ManualClock } from '../../src/transport/clock.js';
import { ADDRESS_BATCH_MAX, ADDRESS_BATCH_MS, LoginAddresses } from '../../src/server/login-addresses.js';
import type { KnownLogin } from '../../src/store/store.js';

test('login addresses are written in one store call per batch; one waiting is known; a store failure is logged, not thrown', () => {
  const store = openSqliteStore(':memory:');
  for (const uid of [10001, 10002]) store.addUser(uid, passwordMd5('pw'), `u${uid}`);
  const calls: KnownLogin[][] = [];
  const write = store.rememberAddresses.bind(store);
  store.rememberAddresses = (logins, keep) => {
    calls.push([...logins]);
    write(logins, keep);
  };
  const clock = new ManualClock();
  const book = new LoginAddresses(store, clock, 4, pino({ level: 'silent' }));
  book.remember(10001, '10.0.0.1');
  clock.advance(ADDRESS_BATCH_MS - 1);
  book.remember(10002, '10.0.0.2');
  book.remember(10001, '10.0.0.3');
  assert.equal(store.isKnownAddress(10001, '10.0.0.1'), false, 'not written before the batch ends');
  assert.equal(book.isKnown(10001, '10.0.0.1'), true, 'but known while it waits');
  assert.equal(book.isKnown(10002, '10.0.0.1'), false, 'for its own user only');
  clock.advance(1);
  assert.deepEqual(calls, [[{ uid: 10001, address: '10.0.0.1' }, { uid: 10002, address: '10.0.0.2' }, { uid: 10001, address: '10.0.0.3' }]]);
  assert.deepEqual([['10001', '10.0.0.1'], ['10002', '10.0.0.2'], ['10001', '10.0.0.3'], ['10002', '10.0.0.1']].map(([u, a]) => store.isKnownAddress(Number(u), a!)), [true, true, true, false]);
  // A refresh within the hour writes nothing; a new address still does, in the same call.
  book.remember(10001, '10.0.0.1');
  book.remember(10002, '10.0.0.9');
  clock.advance(ADDRESS_BATCH_MS);
  assert.equal(calls.length, 2);
  assert.equal(store.isKnownAddress(10002, '10.0.0.9'), true);
  // A full batch is written at once, without waiting for its time.
  for (let i = 0; i < ADDRESS_BATCH_MAX; i++) book.remember(10001 + (i & 1), `10.1.${i >> 8}.${i & 0xff}`);
  assert.equal(calls.length, 3);
  assert.equal(calls[2]!.length, ADDRESS_BATCH_MAX);
  clock.advance(ADDRESS_BATCH_MS);
  assert.equal(calls.length, 3, 'the full batch left no timer behind');
  // flush() (the server's stop) writes what waits.
  book.remember(10002, '10.0.0.7');
  book.flush();
  assert.equal(store.isKnownAddress(10002, '10.0.0.7'), true);
  store.rememberAddresses = () => {
    throw new Error('disk full');
  };
  book.remember(10001, '10.0.0.4');
  clock.advance(ADDRESS_BATCH_MS);
  assert.equal(store.isKnownAddress(10001, '10.0.0.4'), false);
  assert.equal(book.isKnown(10001, '10.0.0.4'), false, 'a failed batch is forgotten');
  store.close();
});
