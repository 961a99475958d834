// The login guard: progressive slow-down, known addresses exempt, a bounded table that a flood cannot use to
// reset a penalty, aggregated logging; and the same promises at the wire with raw classic clients.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { ManualClock } from '../../src/transport/clock.js';
import { DEFAULT_LOGIN_GUARD, LoginGuard, type LoginGuardOptions } from '../../src/server/login-guard.js';
import { ClassicDriver } from '../helpers/classic-driver.js';
import { seedAccounts, startServer, until } from '../helpers/udp.js';

const VICTIM = 30001;

/** A guard on a manual clock with an in-memory set of known (uid, address) pairs. */
function guardWith(opts: Partial<LoginGuardOptions> = {}, log?: pino.Logger) {
  const clock = new ManualClock();
  const known = new Set<string>();
  const guard = new LoginGuard(clock, { ...DEFAULT_LOGIN_GUARD, ...opts }, {
    isKnown: (uid, address) => known.has(`${uid}|${address}`),
    remember: (uid, address) => void known.add(`${uid}|${address}`),
  }, log);
  return { clock, guard, known };
}

test('past the free failures each failure doubles the wait, up to the longest wait; no hard lock', () => {
  const { clock, guard } = guardWith({ maxFailures: 3, slowdownMs: 1000, cooldownMs: 8000, windowMs: 60_000 });
  for (let i = 0; i < 2; i++) guard.fail(VICTIM, '10.0.0.1', true, 'wrong password');
  assert.deepEqual(guard.check(VICTIM, '10.0.0.1'), { ok: true }, 'two failures are free');
  const waits: number[] = [];
  for (let i = 0; i < 6; i++) {
    guard.fail(VICTIM, '10.0.0.1', true, 'wrong password');
    const v = guard.check(VICTIM, '10.0.0.1');
    assert.equal(v.ok, false);
    waits.push(v.ok ? 0 : v.waitMs);
    clock.advance(v.ok ? 0 : v.waitMs);
    assert.deepEqual(guard.check(VICTIM, '10.0.0.1'), { ok: true }, 'allowed again once the wait is over');
  }
  assert.deepEqual(waits, [1000, 2000, 4000, 8000, 8000, 8000]);
  // A quiet window forgives everything.
  clock.advance(60_001 + 8000);
  guard.fail(VICTIM, '10.0.0.1', true, 'wrong password');
  assert.deepEqual(guard.check(VICTIM, '10.0.0.1'), { ok: true });
});

test("failures against a uid from elsewhere never slow down the uid's known addresses; others are slowed down", () => {
  const { guard } = guardWith({ maxFailures: 5 });
  guard.succeed(VICTIM, '192.0.2.7');
  for (let i = 0; i < 5; i++) guard.fail(VICTIM, `198.51.100.${i}`, true, 'wrong password');
  assert.deepEqual(guard.check(VICTIM, '192.0.2.7'), { ok: true }, 'the known address');
  assert.equal(guard.check(VICTIM, '203.0.113.9').ok, false, 'a new address waits');
  assert.equal(guard.check(VICTIM + 1, '198.51.100.1').ok, true, 'another uid from an attacking address');
});

test('behind one NAT, one user typing a wrong password does not slow down another user', () => {
  const { guard } = guardWith({ maxFailures: 5, maxAddressFailures: 20 });
  for (let i = 0; i < 10; i++) guard.fail(VICTIM, '10.9.9.9', true, 'wrong password');
  assert.equal(guard.check(VICTIM, '10.9.9.9').ok, false, 'the typist waits');
  assert.deepEqual(guard.check(VICTIM + 1, '10.9.9.9'), { ok: true }, 'the neighbour does not');
});

test("a flood of failures for unknown uids from many addresses neither evicts nor resets a locked uid's budget", () => {
  const { guard } = guardWith({ maxFailures: 5, maxTracked: 1000 });
  for (let i = 0; i < 5; i++) guard.fail(VICTIM, '198.51.100.1', true, 'wrong password');
  assert.equal(guard.check(VICTIM, '203.0.113.1').ok, false);
  // The reported attack: 10,500 failures for random unknown uids from 2,100 addresses.
  for (let i = 0; i < 10_500; i++) {
    const address = `10.${(i % 2100) >> 8}.${(i % 2100) & 0xff}.1`;
    guard.fail(1_000_000 + i, address, false, 'unknown QQ number');
  }
  assert.equal(guard.check(VICTIM, '203.0.113.1').ok, false, 'still slowed down: no fresh guesses');
  assert.ok(guard.tracked <= 2 * 1000 + 1000, `bounded: ${guard.tracked}`);
  // Known uids flooding the table evict only calm keys, never the victim's.
  for (let i = 0; i < 5000; i++) guard.fail(40_000 + i, `172.16.${i >> 8}.${i & 0xff}`, true, 'wrong password');
  assert.equal(guard.check(VICTIM, '203.0.113.1').ok, false, 'still slowed down after a flood of known uids');
});

test('when the table is full of slowed-down keys, further keys share one penalty instead of a fresh budget', () => {
  const { guard } = guardWith({ maxFailures: 2, maxAddressFailures: 2, maxTracked: 10 });
  // 5 uids × (uid + pair) = 10 hot keys fill the uid table.
  for (let u = 0; u < 5; u++) for (let i = 0; i < 2; i++) guard.fail(50_000 + u, '198.51.100.1', true, 'wrong password');
  for (let i = 0; i < 2; i++) guard.fail(VICTIM, '198.51.100.2', true, 'wrong password');
  assert.equal(guard.check(VICTIM, '203.0.113.1').ok, false, 'the untracked uid is slowed down with the overflow');
  guard.succeed(VICTIM, '192.0.2.1');
  assert.deepEqual(guard.check(VICTIM, '192.0.2.1'), { ok: true }, 'but not from its known address');
});

test('repeated failures are logged as one line per (uid, address) per interval, with counts, and a bounded number of lines', () => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({ write(chunk, _enc, cb) { lines.push(JSON.parse(String(chunk))); cb(); } });
  const { clock, guard } = guardWith({ logIntervalMs: 60_000, logMaxLines: 10 }, pino({ level: 'info' }, sink));
  for (let i = 0; i < 10_500; i++) guard.fail(VICTIM + (i % 50), `10.0.${i % 42}.1`, true, 'wrong password');
  assert.equal(lines.length, 0, 'nothing until the interval ends');
  clock.advance(60_000);
  return new Promise<void>((resolve) => setImmediate(() => {
    assert.equal(lines.length, 11, '10 lines and one summary');
    const first = lines[0]!;
    assert.equal(first.msg, 'login failures');
    assert.equal(first.uid, VICTIM);
    assert.equal(first.from, '10.0.0.1');
    assert.equal(first.failures, 10, 'i ≡ 0 mod 50 and mod 42: every 1050th of 10,500');
    const summary = lines[10]!;
    const listed = lines.slice(0, 10).reduce((n, l) => n + (l.failures as number), 0);
    assert.equal((summary.failures as number) + listed, 10_500);
    resolve();
  }));
});

test('wire: a uid under attack from one address still logs in with the right password from its known address', async () => {
  const { server, store } = await startServer({ guard: { maxFailures: 5 } });
  seedAccounts(store, [{ uid: VICTIM, password: 'right' }]);
  try {
    const first = await ClassicDriver.open(server.address.port, VICTIM, 'right', '127.0.0.2');
    assert.equal((await first.login()).kind, 'success');
    first.close();
    // Written with its batch of logins, within 50 ms.
    await until(() => store.isKnownAddress(VICTIM, '127.0.0.2'), 3000, 'the good address in the store');

    for (let i = 0; i < 6; i++) {
      const guess = await ClassicDriver.open(server.address.port, VICTIM, `guess-${i}`, '127.0.0.3');
      const r = await guess.login();
      assert.ok(r.kind === 'failure');
      guess.close();
    }
    const elsewhere = await ClassicDriver.open(server.address.port, VICTIM, 'right', '127.0.0.4');
    const refused = await elsewhere.login();
    assert.ok(refused.kind === 'failure' && /too many failed logins/.test(refused.reason), 'a new address is slowed down');
    elsewhere.close();

    const home = await ClassicDriver.open(server.address.port, VICTIM, 'right', '127.0.0.2');
    assert.equal((await home.login()).kind, 'success', 'the known address is not');
    assert.ok(server.hub.get(VICTIM));
    home.close();
  } finally {
    await server.close();
  }
});

test('wire: behind one address, five typos of one user do not refuse another user', async () => {
  const { server, store } = await startServer({ guard: { maxFailures: 5 } });
  seedAccounts(store, [{ uid: VICTIM, password: 'a' }, { uid: VICTIM + 1, password: 'b' }]);
  try {
    for (let i = 0; i < 5; i++) {
      const typo = await ClassicDriver.open(server.address.port, VICTIM, `typo-${i}`, '127.0.0.5');
      assert.equal((await typo.login()).kind, 'failure');
      typo.close();
    }
    const other = await ClassicDriver.open(server.address.port, VICTIM + 1, 'b', '127.0.0.5');
    assert.equal((await other.login()).kind, 'success');
    other.close();
  } finally {
    await server.close();
  }
});
