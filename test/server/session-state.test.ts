// What a session costs while it is idle, and how the sweep walks a large table: the duplicate window and the
// delivery state exist only while they are used, every wait sits in the hub's one timer queue, and a sweep
// step visits a bounded share of the sessions (docs/DECISIONS.md, "Per-session state").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pino from 'pino';
import { ManualClock } from '../../src/transport/clock.js';
import { ClassicCmd } from '../../src/protocol/commands.js';
import { keepAliveRequestCodec, receiveImAckCodec, receiveImAckFor } from '../../src/protocol/bodies/classic/index.js';
import { cryptoRandom } from '../../src/protocol/random.js';
import { passwordMd5 } from '../../src/protocol/keys.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { Hub, DEFAULT_HUB_OPTIONS, PENDING_HOLD_MS, REPLY_HOLD_MS, SWEEP_STEPS_PER_ROUND, sweepRoundMs } from '../../src/server/hub.js';
import { Metrics } from '../../src/server/metrics.js';
import { KeySlab, SlotKey } from '../../src/server/key-slab.js';
import type { Presence, SessionOutput } from '../../src/server/session.js';
import { ClassicDriver } from '../helpers/classic-driver.js';
import { seedAccounts, startServer, until } from '../helpers/udp.js';

const A = { uid: 93001, password: 'idle-a' };
const B = { uid: 93002, password: 'idle-b' };

test('an idle session holds no duplicate window, no delivery queues and no timers; a push allocates them and its ack frees them', async () => {
  const clock = new ManualClock(Date.now());
  const { server, store } = await startServer({ clock });
  seedAccounts(store, [A, B], [[A.uid, B.uid]]);
  const a = await ClassicDriver.open(server.address.port, A.uid, A.password);
  const b = await ClassicDriver.open(server.address.port, B.uid, B.password);
  const hub = server.hub;
  try {
    assert.equal((await a.login()).kind, 'success');
    const s = hub.get(A.uid)!;
    assert.ok(s.remembersLogin, 'the login reply is remembered, for a repeated login datagram');
    assert.equal(s.replyWindow, undefined, 'outside the duplicate window, which is not allocated for it');
    assert.equal(hub.timers.pending, 1, 'the queued messages are held back until the client is ready');
    assert.equal(s.releasePendingOnRequest, true, 'its first request releases them');
    const ka = keepAliveRequestCodec.encode({ uid: A.uid, form: 'u32' });
    await a.request(ClassicCmd.KEEP_ALIVE, ka);
    assert.equal(s.pendingLoaded, true, 'released by the first request');
    assert.equal(s.releasePendingOnRequest, false, 'and only by it: later requests queue nothing');
    clock.advance(PENDING_HOLD_MS);
    assert.equal(hub.timers.pending, 0);

    // Only keep-alives from now on, one every 30 s: their replies are not remembered (no window is allocated),
    // and once the login reply is older than the hold the sweep lets it go.
    for (let t = 0; t <= REPLY_HOLD_MS + 10_000; t += 30_000) {
      await a.request(ClassicCmd.KEEP_ALIVE, ka);
      clock.advance(30_000);
    }
    clock.advance(1234);
    await a.request(ClassicCmd.KEEP_ALIVE, ka);
    assert.equal(hub.get(A.uid), s, 'still online');
    assert.equal(s.lastSeen, clock.now(), 'seen at the keep-alive, to the millisecond');
    assert.equal(s.replyWindow, undefined, 'no duplicate window');
    assert.equal(s.remembersLogin, false, 'and the login reply is let go after the hold');
    assert.equal(s.pairs, undefined, 'no delivery queues');
    assert.equal(s.inflightBySeq, undefined);
    assert.equal(hub.timers.pending, 0, 'no timers');

    // A message to A: a queue, a push in flight, its retry wait and its hold (A is online: the send is pushed
    // before it is stored), all freed by the ack, which also answers B.
    assert.equal((await b.login()).kind, 'success');
    await b.keepAlive();
    const before = hub.timers.pending;
    const sent = b.send(A.uid, 'hello idle');
    let done = false;
    void sent.finally(() => (done = true));
    const pushed = a.receive(3000, false);
    let got: Awaited<typeof pushed> | undefined;
    void pushed.then((p) => (got = p));
    // The group commit runs on the clock's turn: a manual clock runs turns when it is advanced.
    while (!got) {
      clock.advance(0);
      await new Promise((r) => setTimeout(r, 2));
    }
    assert.ok(got.push.content.kind === 'im' && got.push.content.message.text === 'hello idle');
    assert.equal(done, false, 'B is answered when A acks (or when the hold ends)');
    const busy = hub.get(A.uid)!;
    assert.equal(busy.pairs?.size, 1);
    assert.equal(busy.inflightBySeq?.size, 1);
    assert.equal(hub.held.pending, 1);
    assert.equal(hub.timers.pending, before + 2, 'the push waits for its ack, and its hold for its end, in the timer queue');
    a.fire(ClassicCmd.RECV_IM, receiveImAckCodec.encode(receiveImAckFor(got.push)), got.seq);
    assert.equal(await sent, 0);
    await until(() => hub.outstandingPushes() === 0, 3000, 'the ack');
    assert.equal(busy.pairs, undefined, 'the drained queue is forgotten');
    assert.equal(busy.inflightBySeq, undefined);
    assert.equal(hub.held.pending, 0);
    assert.equal(hub.timers.pending, before, 'its retry wait and its hold are gone');
    assert.equal(server.metrics.messagesUnstored, 1, 'acked within the hold: never written');

    // Closed, the session still has its keys (a late reference never reads another session's slot).
    const key = Buffer.from(busy.sessionKey);
    hub.close(busy, 'logout');
    assert.deepEqual(busy.sessionKey, key);
    assert.deepEqual(busy.sessionKey, a.sessionKey);
  } finally {
    a.close();
    b.close();
    await server.close();
  }
});

test('the sweep is incremental: each step visits its share of a large table, a round visits all, stale sessions close step by step; presence touches friends only', () => {
  const N = 20_000;
  const clock = new ManualClock(1_700_000_000_000);
  const store = openSqliteStore(':memory:');
  const md5 = passwordMd5('x');
  for (let i = 0; i < N; i++) store.addUser(100_000 + i, md5, `u${i}`);
  for (let i = 0; i < 10; i++) store.addFriend(100_000, 100_001 + i);
  const timeoutMs = 4_000;
  const hub = new Hub(store, clock, new Metrics(), cryptoRandom, pino({ level: 'silent' }), { ...DEFAULT_HUB_OPTIONS, sessionTimeoutMs: timeoutMs });
  const statusPushes: [number, Presence][] = [];
  const output: SessionOutput = { pushStatus: (s, p) => statusPushes.push([s.uid, p]), pushMessage: () => true };
  const open = (uid: number) => hub.open({
    uid, framing: 'classic', version: 0x0d55, endpoint: { address: '127.0.0.1', port: 1 + (uid % 60_000) },
    sessionKey: Buffer.alloc(16, 1), passwordKey: Buffer.alloc(16, 2), status: 10, output,
  });
  for (let i = 1; i < N; i++) open(100_000 + i);

  // Presence of a user with 10 friends among 20 000 online: 10 lookups, 10 pushes, not one per session.
  const lookups = { n: 0 };
  const get = hub.sessions.get.bind(hub.sessions);
  hub.sessions.get = (uid) => { lookups.n++; return get(uid); };
  open(100_000);
  assert.equal(statusPushes.length, 10);
  assert.ok(lookups.n <= 12, `${lookups.n} session lookups for 10 friends`);
  assert.equal(hub.onlineFriends(100_000).length, 10);
  hub.sessions.get = get;

  assert.deepEqual(hub.sessions.clients(), [{ framing: 'classic', version: 0x0d55, count: N }], 'sessions by client, counted as they open');
  hub.start();
  const round = timeoutMs / 4;
  const step = round / SWEEP_STEPS_PER_ROUND;
  const budget = Math.ceil(N / SWEEP_STEPS_PER_ROUND);
  let visited = 0;
  let most = 0;
  for (let t = 0; t < round; t += step) {
    clock.advance(step);
    most = Math.max(most, hub.lastSweepVisited);
    visited += hub.lastSweepVisited;
  }
  assert.equal(most, budget, `a step visits ${budget} of ${N} sessions`);
  assert.ok(visited >= N, `one round visits every session (${visited})`);
  assert.equal(hub.sessions.size, N, 'none is stale yet');

  // Everyone falls silent: past the timeout, each step closes only the sessions it visits.
  clock.advance(timeoutMs - round + step);
  const left = hub.sessions.size;
  assert.ok(left < N && left >= N - 2 * budget, `${N - left} closed in the first steps past the timeout`);
  // The round under way ends, and the next (its budget from the smaller table) covers the rest.
  clock.advance(2 * round);
  assert.equal(hub.sessions.size, 0, 'within two rounds every stale session is closed');
  assert.deepEqual(hub.sessions.clients(), [], 'and uncounted as they close');
  hub.stop();
  store.close();
});

test('a large table gets a longer sweep round (a flat number of visits per second), never past a quarter of the timeout', () => {
  assert.equal(sweepRoundMs(20_000, 180_000), 5_000, 'up to 50 000 sessions: 5 s');
  assert.equal(sweepRoundMs(200_000, 180_000), 20_000, '200 000 at 10 000 visits/s: 20 s');
  assert.equal(sweepRoundMs(1_000_000, 180_000), 45_000, 'a million: capped at a quarter of the timeout');
  assert.equal(sweepRoundMs(100, 4_000), 1_000, 'a short timeout: a quarter of it');

  const N = 20_000;
  const clock = new ManualClock(1_700_000_000_000);
  const store = openSqliteStore(':memory:');
  const md5 = passwordMd5('x');
  for (let i = 0; i < N; i++) store.addUser(200_000 + i, md5, `u${i}`);
  const hub = new Hub(store, clock, new Metrics(), cryptoRandom, pino({ level: 'silent' }), { ...DEFAULT_HUB_OPTIONS, sessionTimeoutMs: 60_000, sweepVisitsPerSecond: 2_000 });
  const output: SessionOutput = { pushStatus: () => {}, pushMessage: () => true };
  for (let i = 0; i < N; i++) {
    hub.open({
      uid: 200_000 + i, framing: 'classic', version: 0x0d55, endpoint: { address: '127.0.0.1', port: 1 + i },
      sessionKey: Buffer.alloc(16, 1), passwordKey: Buffer.alloc(16, 2), status: 10, output,
    });
  }
  hub.start();
  // 20 000 sessions at 2 000 visits/s: a 10 s round (not 5 s) of 50 steps, 200 ms apart, 400 sessions each.
  clock.advance(199);
  assert.equal(hub.lastSweepVisited, 0, 'no step before 200 ms');
  const visits: number[] = [];
  for (let t = 0; t < 10_000; t += 200) {
    clock.advance(t === 0 ? 1 : 200);
    visits.push(hub.lastSweepVisited);
  }
  assert.deepEqual(new Set(visits), new Set([400]), 'every step visits 400');
  assert.equal(visits.length * 400, N, 'and the round visits all 20 000 in 10 s');
  hub.stop();
  store.close();
});

test('keys in shared slots: a session reads its keys from its slot; closed, it keeps a copy and the slot is reused for another', () => {
  const slab = new KeySlab();
  const k = (b: number) => Buffer.alloc(16, b);
  const a = slab.alloc(k(1), k(2), k(3), k(4));
  const b = slab.alloc(k(5), k(6), k(7), k(8));
  assert.deepEqual([a, b], [0, 1]);
  assert.deepEqual(slab.view(b, SlotKey.PASSWORD), k(7));
  const kept = slab.release(a);
  assert.deepEqual(kept.subarray(SlotKey.FILE, SlotKey.FILE + 16), k(4), 'the copy holds the keys');
  assert.deepEqual(slab.view(a, SlotKey.SESSION), k(0), 'the freed slot is zeroed');
  assert.equal(slab.alloc(k(9), k(9), k(9), k(9)), a, 'and reused');
  assert.equal(slab.size, 2);
  for (let i = 0; i < 5000; i++) slab.alloc(k(i & 0xff), k(1), k(2), k(3));
  assert.deepEqual(slab.view(4500, SlotKey.SESSION), k((4500 - 2) & 0xff), 'slots past the first chunk');
});

test('a datagram from an old session leaves nothing behind for the collector: the session notes when it was seen in place', () => {
  // A class field declared without a value starts out undefined (ES2022 fields): V8 then stores any value in it
  // as a pointer, and every timestamp written to it is a new heap object the (old) session keeps alive. At
  // 200 000 sessions that promoted one object per keep-alive and made every young-generation collection 3x slower.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (o?: { type: 'minor' | 'major' }) => void;
  const N = 20_000;
  const clock = new ManualClock(1_700_000_000_000.5);
  const store = openSqliteStore(':memory:');
  for (let i = 0; i < N; i++) store.addUser(200_000 + i, passwordMd5('x'), `u${i}`);
  const hub = new Hub(store, clock, new Metrics(), cryptoRandom, pino({ level: 'silent' }), DEFAULT_HUB_OPTIONS);
  const output: SessionOutput = { pushStatus: () => {}, pushMessage: () => true };
  const sessions = [];
  for (let i = 0; i < N; i++) {
    sessions.push(hub.open({
      uid: 200_000 + i, framing: 'classic', version: 0x0d55, endpoint: { address: '127.0.0.1', port: 1 + i },
      sessionKey: Buffer.alloc(16, 1), passwordKey: Buffer.alloc(16, 2), status: 10, output,
    }));
  }
  const oldSpace = () => getHeapSpaceStatistics().find((x) => x.space_name === 'old_space')!.space_used_size;
  gc({ type: 'major' });
  gc({ type: 'major' });
  const before = oldSpace();
  for (const s of sessions) {
    clock.advance(1.25);
    hub.seen(s);
  }
  // Two young-generation collections: whatever the sessions point to that is young is promoted to the old space.
  gc({ type: 'minor' });
  gc({ type: 'minor' });
  const grown = oldSpace() - before;
  assert.equal(sessions[N - 1]!.lastSeen, 1_700_000_000_000.5 + N * 1.25, 'the session was seen');
  assert.ok(grown < N * 4, `the old space grew by ${grown} B for ${N} sessions seen (a heap number each would be ${N * 16} B or more)`);
  store.close();
});

test('a session checks its sender by address and port as numbers, for addresses above 2^31 too, and tells its u32 address', () => {
  const store = openSqliteStore(':memory:');
  const hub = new Hub(store, new ManualClock(1_700_000_000_000), new Metrics(), cryptoRandom, pino({ level: 'silent' }), DEFAULT_HUB_OPTIONS);
  const output: SessionOutput = { pushStatus: () => {}, pushMessage: () => true };
  const open = (uid: number, address: string) => hub.open({
    uid, framing: 'classic', version: 0x0d55, endpoint: { address, port: 4000 }, sessionKey: Buffer.alloc(16, 1), passwordKey: Buffer.alloc(16, 2), status: 10, output,
  });
  const high = open(300_001, '192.168.1.20');
  assert.equal(high.ip, 0xc0a80114);
  assert.equal(high.isFrom({ address: '192.168.1.20', port: 4000 }), true);
  assert.equal(high.isFrom({ address: '192.168.1.21', port: 4000 }), false);
  assert.equal(high.isFrom({ address: '192.168.1.20', port: 4001 }), false);
  assert.equal(high.isFrom({ address: 'not an address', port: 4000 }), false);
  const low = open(300_002, '10.0.0.7');
  assert.equal(low.ip, 0x0a000007);
  assert.equal(low.isFrom({ address: '10.0.0.7', port: 4000 }), true);
  assert.equal(low.isFrom({ address: '10.0.0.70', port: 4000 }), false);
  // An address that is not dotted IPv4 (ip 0) is compared as text.
  const odd = open(300_003, 'peer-a');
  assert.equal(odd.ip, 0);
  assert.equal(odd.isFrom({ address: 'peer-a', port: 4000 }), true);
  assert.equal(odd.isFrom({ address: 'peer-b', port: 4000 }), false);
  hub.stop();
  store.close();
});
