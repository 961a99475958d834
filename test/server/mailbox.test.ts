// Mailbox limits at the wire (raw classic clients): strangers have their own quota and rate and may be refused
// altogether; caps hold while the receiver is online; byte quota; free-disk floor; no sends to oneself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClassicDriver } from '../helpers/classic-driver.js';
import { seedAccounts, startServer } from '../helpers/udp.js';
import type { HubOptions } from '../../src/server/hub.js';

const R = { uid: 31001, password: 'r' };
const F = { uid: 31002, password: 'f' };
const S = { uid: 31003, password: 's' };
const OK = 0;
const FAILED = 1;

/** A server with R, F (R's friend) and S (a stranger to R), all three logged in as raw classic clients except R. */
async function world(hub: Partial<HubOptions>) {
  const { server, store } = await startServer({ hub });
  seedAccounts(store, [R, F, S], [[R.uid, F.uid]]);
  const f = await ClassicDriver.open(server.address.port, F.uid, F.password);
  const s = await ClassicDriver.open(server.address.port, S.uid, S.password);
  await f.login();
  await s.login();
  return {
    server, store, f, s,
    async close() {
      f.close();
      s.close();
      await server.close();
    },
  };
}

async function sendAll(d: ClassicDriver, to: number, n: number, prefix = 'm'): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await d.send(to, `${prefix}${i}`));
  return out;
}

test("a stranger filling the receiver's mailbox does not block a friend's message", async () => {
  const w = await world({ maxPendingPerUser: 3, maxStrangerPending: 5, strangerSendsPerMinute: 1000 });
  try {
    assert.deepEqual(await sendAll(w.s, R.uid, 8, 'spam'), [OK, OK, OK, OK, OK, FAILED, FAILED, FAILED]);
    assert.deepEqual(await sendAll(w.f, R.uid, 4, 'hi'), [OK, OK, OK, FAILED], "the friend has the full quota, and it holds too");
    assert.equal(w.store.pendingCount(R.uid), 8);
    assert.deepEqual(w.store.mailboxUsage(R.uid), { friends: { count: 3, bytes: 9 }, strangers: { count: 5, bytes: 25 } });
    assert.equal(w.server.metrics.sendsRefused.stranger_quota, 3);
    assert.equal(w.server.metrics.sendsRefused.mailbox_full, 1);
  } finally {
    await w.close();
  }
});

test('a receiver set to friends only gets no messages from non-friends; friends still get through', async () => {
  const w = await world({});
  try {
    w.store.setStrangerPolicy(R.uid, 'friends-only');
    assert.equal(await w.s.send(R.uid, 'hello?'), FAILED);
    assert.equal(await w.f.send(R.uid, 'hello!'), OK);
    assert.deepEqual(w.store.pendingFor(R.uid).map((m) => m.text), ['hello!']);
    w.store.setStrangerPolicy(R.uid, 'accept');
    assert.equal(await w.s.send(R.uid, 'hello again'), OK, 'the setting is read at each send, not cached');
  } finally {
    await w.close();
  }
});

test('messages to non-friends are rate-limited per sender; messages to friends are not', async () => {
  const w = await world({ strangerSendsPerMinute: 3 });
  try {
    assert.deepEqual(await sendAll(w.s, R.uid, 5), [OK, OK, OK, FAILED, FAILED]);
    assert.deepEqual(await sendAll(w.f, R.uid, 5), [OK, OK, OK, OK, OK]);
    assert.equal(w.server.metrics.sendsRefused.stranger_rate, 2);
  } finally {
    await w.close();
  }
});

test('caps hold for a receiver that is online from the start of its session and never acks', async () => {
  const w = await world({ maxPendingPerUser: 5 });
  const r = await ClassicDriver.open(w.server.address.port, R.uid, R.password);
  try {
    await w.f.send(R.uid, 'before login');
    await r.login();
    assert.deepEqual(await sendAll(w.f, R.uid, 6), [OK, OK, OK, OK, FAILED, FAILED]);
    assert.equal(w.store.pendingCount(R.uid), 5);
    // Acking one frees one place.
    await r.receive();
    await new Promise((res) => setTimeout(res, 20));
    assert.equal(await w.f.send(R.uid, 'one more'), OK);
    assert.equal(await w.f.send(R.uid, 'too many'), FAILED);
  } finally {
    r.close();
    await w.close();
  }
});

test('sending to oneself is refused and stores nothing', async () => {
  const w = await world({});
  try {
    assert.equal(await w.f.send(F.uid, 'me, myself'), FAILED);
    assert.equal(w.store.pendingCount(F.uid), 0);
    assert.equal(w.server.metrics.sendsRefused.self, 1);
  } finally {
    await w.close();
  }
});

test('a per-receiver byte quota holds', async () => {
  const w = await world({ maxPendingBytesPerUser: 12 });
  try {
    assert.equal(await w.f.send(R.uid, 'hello'), OK);
    assert.equal(await w.f.send(R.uid, '你好'), OK, '6 bytes of UTF-8: 11 in all');
    assert.equal(await w.f.send(R.uid, 'xx'), FAILED);
    assert.equal(await w.f.send(R.uid, 'x'), OK);
  } finally {
    await w.close();
  }
});

test('below the free-disk floor every send gets the failure reply', async () => {
  const w = await world({ minFreeDiskBytes: Number.MAX_SAFE_INTEGER });
  try {
    assert.equal(await w.f.send(R.uid, 'no room'), FAILED);
    assert.equal(w.store.pendingCount(R.uid), 0);
    assert.equal(w.server.metrics.sendsRefused.disk_low, 1);
  } finally {
    await w.close();
  }
});

test('caps hold for a receiver whose session is open but whose queued messages are not loaded yet (modern hold)', async () => {
  const w = await world({ maxPendingPerUser: 4 });
  const pushed: string[] = [];
  try {
    await w.f.send(R.uid, 'queued');
    // What the modern framing does after login: a session whose pending messages wait for the buddy list.
    w.server.hub.open({
      uid: R.uid, framing: 'modern', version: 0x3639, endpoint: { address: '127.0.0.9', port: 4000 },
      sessionKey: Buffer.alloc(16, 1), passwordKey: Buffer.alloc(16, 2), status: 10,
      output: { pushStatus: () => {}, pushMessage: (_s, m) => pushed.push(m.text) > 0 },
    });
    assert.deepEqual(await sendAll(w.f, R.uid, 5), [OK, OK, OK, FAILED, FAILED]);
    assert.deepEqual(await sendAll(w.f, F.uid, 1), [FAILED], 'nor to oneself');
    assert.equal(w.store.pendingCount(R.uid), 4);
    w.server.hub.deliverPending(w.server.hub.get(R.uid)!);
    assert.deepEqual(pushed, ['queued', 'm0', 'm1', 'm2'].slice(0, 1), 'one push in flight per sender, oldest first');
  } finally {
    await w.close();
  }
});
