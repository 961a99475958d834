import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { passwordMd5 } from '../../src/protocol/keys.js';
import { systemClock } from '../../src/transport/clock.js';
import { LoginAddresses } from '../../src/server/login-addresses.js';
import type { KnownLogin } from '../../src/store/store.js';

test('login addresses of one turn are written in one store call after the turn; a store failure is logged, not thrown', async () => {
  const store = openSqliteStore(':memory:');
  for (const uid of [10001, 10002]) store.addUser(uid, passwordMd5('pw'), `u${uid}`);
  const calls: KnownLogin[][] = [];
  const write = store.rememberAddresses.bind(store);
  store.rememberAddresses = (logins, keep) => {
    calls.push([...logins]);
    write(logins, keep);
  };
  const book = new LoginAddresses(store, systemClock, 4, pino({ level: 'silent' }));
  book.remember(10001, '10.0.0.1');
  book.remember(10002, '10.0.0.2');
  book.remember(10001, '10.0.0.3');
  assert.equal(store.isKnownAddress(10001, '10.0.0.1'), false, 'not before the turn ends');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(calls, [[{ uid: 10001, address: '10.0.0.1' }, { uid: 10002, address: '10.0.0.2' }, { uid: 10001, address: '10.0.0.3' }]]);
  assert.deepEqual([['10001', '10.0.0.1'], ['10002', '10.0.0.2'], ['10001', '10.0.0.3'], ['10002', '10.0.0.1']].map(([u, a]) => store.isKnownAddress(Number(u), a!)), [true, true, true, false]);
  // A refresh within the hour writes nothing; a new address still does, in the same call.
  book.remember(10001, '10.0.0.1');
  book.remember(10002, '10.0.0.9');
  await new Promise((r) => setImmediate(r));
  assert.equal(calls.length, 2);
  assert.equal(store.isKnownAddress(10002, '10.0.0.9'), true);
  store.rememberAddresses = () => {
    throw new Error('disk full');
  };
  book.remember(10001, '10.0.0.4');
  await new Promise((r) => setImmediate(r));
  assert.equal(store.isKnownAddress(10001, '10.0.0.4'), false);
  store.close();
});
