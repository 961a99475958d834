// Delivery's promises at the wire, with raw receivers that count every push by store id and server sequence
// (no SDK de-duplication), and absence checked by quiescence: wait until the server says every push it owed
// was acked, then look.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClassicDriver } from '../helpers/classic-driver.js';
import { PushRecorder } from '../helpers/push-recorder.js';
import { ioTurn, quiescence, serverProbe } from '../helpers/quiescence.js';
import { seedAccounts, startServer, until } from '../helpers/udp.js';
import type { OicqServer } from '../../src/server/server.js';
import type { HubOptions } from '../../src/server/hub.js';
import { ClassicCmd as Cmd } from '../../src/protocol/commands.js';
import { logoutCodec } from '../../src/protocol/bodies/classic/index.js';
import { passwordKey } from '../../src/protocol/keys.js';

const A = { uid: 93001, password: 'd-a' };
const B = { uid: 93002, password: 'd-b' };

async function world(hub: Partial<HubOptions>) {
  const { server, store } = await startServer({ hub });
  seedAccounts(store, [A, B], [[A.uid, B.uid]]);
  const a = await ClassicDriver.open(server.address.port, A.uid, A.password);
  const b = await ClassicDriver.open(server.address.port, B.uid, B.password);
  assert.equal((await a.login()).kind, 'success');
  assert.equal((await b.login()).kind, 'success');
  const rec = new PushRecorder(b);
  const close = async () => {
    a.close();
    b.close();
    await server.close();
  };
  return { server, store, a, b, rec, close };
}

/** Waits until the server has read `n` more datagrams than `before`, and one more I/O turn. */
async function serverRead(server: OicqServer, before: number, n = 1): Promise<void> {
  await until(() => server.metrics.received >= before + n, 3000, 'the server read the datagram');
  await ioTurn();
}

// Retransmissions only after a second: on a loaded machine an ack still beats them, so every count below is exact.
const SLOW = { pushRto: { minMs: 1000, maxMs: 3000, initialMs: 1000 } };

for (const [how, hub] of [
  ['stored first (no ack hold): the store recognises it', { ...SLOW, ackHoldMs: 0 }],
  ['delivered unstored (acked within the hold): the sender\'s session recognises it', { ...SLOW, ackHoldMs: 100 }],
] as const) {
  test(`a send repeated under a new sequence while the receiver is online is pushed once — ${how}`, async () => {
    const w = await world(hub);
    try {
      // B's first request releases its backlog: from then on a send to it may be pushed before it is stored.
      await w.b.keepAlive();
      const time = Math.floor(Date.now() / 1000);
      assert.equal(await w.a.send(B.uid, 'once', { msgSeq: 0x4242, time }), 0);
      await quiescence(serverProbe(w.server));
      // The client did not see the reply and sends again: same message, new packet sequence.
      assert.equal(await w.a.send(B.uid, 'once', { msgSeq: 0x4242, time }), 0, 'the repeat is acknowledged too');
      assert.equal(await w.a.send(B.uid, 'after'), 0);
      await quiescence(serverProbe(w.server));
      const m = w.server.metrics;
      if (hub.ackHoldMs === 0) assert.deepEqual([m.messagesStored, m.messagesUnstored], [2, 0]);
      else assert.deepEqual([m.messagesStored, m.messagesUnstored], [0, 2], 'both acked within the hold: nothing written');
      assert.deepEqual(w.rec.pushes.map((p) => p.text), ['once', 'after'], 'every push on the wire');
      assert.equal(m.messagesDelivered, 2);
    } finally {
      await w.close();
    }
  });
}

test('a send whose ack takes longer than the hold is stored, then answered; its pushes keep one server message sequence, and the late ack marks the row', async () => {
  const w = await world({ pushRto: { minMs: 200, maxMs: 200, initialMs: 200 }, pushSendsPerSeq: 2, ackHoldMs: 50 });
  try {
    await w.b.keepAlive();
    w.rec.ackIf = () => false;
    const t0 = Date.now();
    assert.equal(await w.a.send(B.uid, 'slow'), 0, 'answered once stored');
    assert.ok(Date.now() - t0 >= 50, 'not before the hold ended');
    assert.equal(w.store.pendingCount(B.uid), 1, 'in the store, undelivered');
    assert.equal(w.server.metrics.messagesStored, 1);
    await until(() => new Set(w.rec.pushes.map((p) => p.seq)).size >= 2, 3000, 'pushed again under a fresh packet sequence');
    const ids = new Set(w.rec.pushes.map((p) => p.storeId));
    assert.equal(ids.size, 1, 'every send of the push carries the same server message sequence');
    assert.ok([...ids][0]! > 0x7fffffff, 'a provisional one (store ids count up from 1)');
    w.rec.ackIf = () => true;
    await quiescence(serverProbe(w.server));
    assert.equal(w.store.pendingCount(B.uid), 0, 'the ack marked the stored row');
    assert.equal(w.server.metrics.messagesUnstored, 0);
    assert.deepEqual(w.rec.shown(), ['slow']);
  } finally {
    await w.close();
  }
});

type World = Awaited<ReturnType<typeof world>>;

/** A sends `text` to B, which is ready and does not ack: it is pushed and held, not stored. A's answer is still to come. */
async function heldAtB(w: World, text: string): Promise<{ answer: Promise<number> }> {
  await w.b.keepAlive();
  w.rec.ackIf = () => false;
  const answer = w.a.send(B.uid, text);
  await until(() => w.rec.pushes.length === 1, 3000, 'pushed');
  assert.equal(w.server.hub.held.pending, 1);
  assert.equal(w.store.pendingCount(B.uid), 0, 'held, not stored yet');
  return { answer };
}

test('a held send whose receiver logs out before acking is stored, and delivered at the next login', async () => {
  const w = await world({ ...SLOW, ackHoldMs: 1000 });
  try {
    const { answer } = await heldAtB(w, 'gone');
    w.b.fire(Cmd.LOGOUT, logoutCodec.encode({ passwordKey: passwordKey(B.password) }));
    assert.equal(await answer, 0, 'answered once stored');
    assert.equal(w.store.pendingCount(B.uid), 1);
    const b2 = await ClassicDriver.open(w.server.address.port, B.uid, B.password);
    try {
      assert.equal((await b2.login()).kind, 'success');
      const { push } = await b2.receive(3000, false);
      assert.ok(push.content.kind === 'im' && push.content.message.text === 'gone');
      assert.ok(push.serverSeq >= 1 && push.serverSeq <= 0x7fffffff, 'under its store id now, as after a restart');
    } finally {
      b2.close();
    }
  } finally {
    await w.close();
  }
});

test('a send held when the server stops is stored by the stop', async () => {
  const w = await world({ ...SLOW, ackHoldMs: 1000 });
  try {
    const { answer } = await heldAtB(w, 'at stop');
    void answer.catch(() => undefined);
  } finally {
    await w.close();
  }
  assert.equal(w.store.pendingCount(B.uid), 1, 'stored by the stop: B gets it at its next login');
  assert.equal(w.store.pendingFor(B.uid)[0]!.text, 'at stop');
});

test('a repeated ack and a stale ack (an older sequence of an acked push) change nothing', async () => {
  const w = await world({ pushRto: { minMs: 200, maxMs: 200, initialMs: 200 }, pushSendsPerSeq: 2, pushSilenceMs: 60_000 });
  try {
    // B drops its acks of 'one' until the push comes under a second sequence: the first is left unacked.
    w.rec.ackIf = (p) => p.text !== 'one' || new Set(w.rec.pushes.filter((x) => x.text === 'one').map((x) => x.seq)).size > 1;
    assert.equal(await w.a.send(B.uid, 'one'), 0);
    await quiescence(serverProbe(w.server));
    const seqs = [...new Set(w.rec.pushes.map((p) => p.seq))];
    assert.equal(seqs.length, 2, 'pushed under a fresh sequence after two unacked sends');
    assert.equal(w.server.metrics.pushFreshSeqs, 1);
    assert.equal(w.server.metrics.messagesDelivered, 1);

    // The first sequence's ack arrives late (stale), and the second's again (repeated).
    w.rec.ackIf = () => false;
    let before = w.server.metrics.received;
    w.rec.reack(seqs[0]!);
    w.rec.reack(seqs[1]!);
    await serverRead(w.server, before, 2);
    assert.equal(w.server.metrics.messagesDelivered, 1, 'delivered once');
    assert.equal(w.server.outstandingPushes(), 0);

    // With 'two' in flight, the stale acks must not stand in for its ack.
    assert.equal(await w.a.send(B.uid, 'two'), 0);
    await until(() => w.rec.pushes.some((p) => p.text === 'two'), 3000, 'two pushed');
    before = w.server.metrics.received;
    w.rec.reack(seqs[0]!);
    await serverRead(w.server, before);
    assert.equal(w.server.metrics.messagesDelivered, 1);
    assert.equal(w.server.outstandingPushes(), 1, '"two" still owed');
    w.rec.ackIf = () => true;
    await quiescence(serverProbe(w.server));
    assert.equal(w.server.metrics.messagesDelivered, 2);
    assert.deepEqual(w.rec.shown(), ['one', 'two']);
  } finally {
    await w.close();
  }
});

test('a silent receiver is given up with messages queued; when it speaks again they arrive in order, each once', async () => {
  const w = await world({ pushRto: { minMs: 30, maxMs: 100, initialMs: 30 }, pushSilenceMs: 400 });
  try {
    w.rec.ackIf = () => false;
    for (const t of ['m1', 'm2', 'm3']) assert.equal(await w.a.send(B.uid, t), 0);
    await until(() => w.server.metrics.pushesGivenUp === 1, 5000, 'the push to the silent receiver given up');
    assert.ok(w.rec.pushes.every((p) => p.text === 'm1'), 'm2 and m3 wait behind m1');
    assert.equal(w.server.outstandingPushes(), 3, 'all three still owed');
    w.rec.ackIf = () => true;
    w.rec.keepAlive();
    await quiescence(serverProbe(w.server));
    assert.deepEqual(w.rec.shown(), ['m1', 'm2', 'm3']);
    const afterResume = w.rec.pushes.slice(w.rec.pushes.findIndex((p) => p.text === 'm2') - 1);
    assert.deepEqual(afterResume.map((p) => p.text), ['m1', 'm2', 'm3'], 'resumed with m1, then each once');
    assert.equal(w.server.metrics.messagesDelivered, 3);
    assert.equal(w.server.metrics.pushesGivenUp, 1);
  } finally {
    await w.close();
  }
});

test('a receiver that keeps sending is never given up, and one that drops repeats unacked (as MyQQ does) gets the push under a fresh sequence', async () => {
  const w = await world({ pushRto: { minMs: 30, maxMs: 100, initialMs: 30 }, pushSilenceMs: 300 });
  try {
    // For 900 ms (three silence periods) B acks nothing but sends keep-alives; then it acks only sequences it
    // has not seen before, like a client that remembers recent (sequence, command) pairs and drops repeats.
    const heard = new Set<number>();
    let deaf = true;
    w.rec.ackIf = (p) => {
      const fresh = !heard.has(p.seq);
      heard.add(p.seq);
      return !deaf && fresh;
    };
    const keepAlive = setInterval(() => w.rec.keepAlive(), 50);
    try {
      assert.equal(await w.a.send(B.uid, 'hello'), 0);
      await new Promise((r) => setTimeout(r, 900)); // the length of the deafness, not a wait for an outcome
      const during = w.rec.pushes.length;
      deaf = false;
      await quiescence(serverProbe(w.server));
      assert.equal(w.server.metrics.pushesGivenUp, 0, 'never given up while alive');
      assert.ok(during >= 6, `${during} pushes while the receiver was deaf`);
      assert.ok(w.server.metrics.pushFreshSeqs >= 1);
      assert.deepEqual(w.rec.shown(), ['hello']);
      assert.equal(w.server.metrics.messagesDelivered, 1);
    } finally {
      clearInterval(keepAlive);
    }
  } finally {
    await w.close();
  }
});

test('a re-login in the middle of a push: the new session gets the message again and acks it; the old one gets nothing more', async () => {
  const w = await world({ pushRto: { minMs: 100, maxMs: 400, initialMs: 100 }, pushSilenceMs: 60_000 });
  const b2 = await ClassicDriver.open(w.server.address.port, B.uid, B.password);
  try {
    w.rec.ackIf = () => false;
    assert.equal(await w.a.send(B.uid, 'first'), 0);
    await until(() => w.rec.pushes.length >= 2, 3000, 'first pushed and re-sent to the old session');
    const rec2 = new PushRecorder(b2);
    assert.equal((await b2.login()).kind, 'success');
    // The old session's ack comes too late, from an endpoint that is no longer the session's.
    w.rec.reack(w.rec.pushes[0]!.seq);
    await until(() => w.server.metrics.dropped.wrong_address === 1, 3000, 'the old endpoint\'s ack dropped');
    assert.equal(await w.a.send(B.uid, 'second'), 0);
    await quiescence(serverProbe(w.server));
    assert.deepEqual(rec2.shown(), ['first', 'second']);
    assert.deepEqual([...rec2.seqsPerStoreId().values()], [1, 1], 'each pushed to the new session under one sequence');
    assert.ok(w.rec.pushes.every((p) => p.text === 'first'), 'nothing new to the old session');
    assert.equal(w.server.metrics.messagesDelivered, 2);
  } finally {
    b2.close();
    await w.close();
  }
});
