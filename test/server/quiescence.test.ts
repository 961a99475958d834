import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClassicDriver } from '../helpers/classic-driver.js';
import { seedAccounts, startServer } from '../helpers/udp.js';
import { quiescence, serverProbe, storeProbe } from '../helpers/quiescence.js';
import { ClassicCmd } from '../../src/protocol/commands.js';
import { receiveImAckCodec, receiveImAckFor } from '../../src/protocol/bodies/classic/index.js';

const A = { uid: 92001, password: 'q-a' };
const B = { uid: 92002, password: 'q-b' };

test('outstandingPushes counts a push until its ack, and quiescence waits for exactly that', async () => {
  // A long retry interval: the push stays in flight unacked for the whole test, with no retransmission.
  const { server, store, dbPath } = await startServer({ hub: { pushRto: { minMs: 60_000, maxMs: 60_000, initialMs: 60_000 } } });
  seedAccounts(store, [A, B], [[A.uid, B.uid]]);
  const a = await ClassicDriver.open(server.address.port, A.uid, A.password);
  const b = await ClassicDriver.open(server.address.port, B.uid, B.password);
  try {
    assert.equal((await a.login()).kind, 'success');
    assert.equal(server.outstandingPushes(), 0);
    // Stored while B is offline: the store holds it, no session owes it yet.
    assert.equal(await a.send(B.uid, 'one'), 0);
    assert.equal(server.outstandingPushes(), 0);
    assert.equal(storeProbe(dbPath, [B.uid])(), 1);

    assert.equal((await b.login()).kind, 'success');
    const first = await b.receive(3000, false);
    assert.equal(server.outstandingPushes(), 1, 'in flight, not acked');
    assert.deepEqual([server.metrics.pushesSent, server.metrics.pushRetransmits, server.hub.get(B.uid)!.retransmits], [1, 0, 0]);
    assert.equal(await a.send(B.uid, 'two'), 0);
    assert.equal(server.outstandingPushes(), 2, 'one in flight, one queued behind it');
    await assert.rejects(quiescence(serverProbe(server), { deadlineMs: 50, what: 'B never acks' }), /not quiescent after 50 ms: 2 push\(es\) still owed \(B never acks\)/);

    b.fire(ClassicCmd.RECV_IM, receiveImAckCodec.encode(receiveImAckFor(first.push)), first.seq);
    const second = await b.receive(3000, true);
    assert.ok(second.push.content.kind === 'im' && second.push.content.message.text === 'two');
    await quiescence(serverProbe(server));
    assert.equal(server.outstandingPushes(), 0);
    await quiescence(storeProbe(dbPath, [B.uid]), { pollMs: 20 });
    assert.deepEqual(b.peer.drain(), [], 'nothing more arrived');
  } finally {
    a.close();
    b.close();
    await server.close();
  }
});

test('the push counters match the wire: every push sent is counted, every repeat as a retransmission of its session', async () => {
  const { server, store } = await startServer({ hub: { pushRto: { minMs: 20, maxMs: 20, initialMs: 20 }, pushSilenceMs: 60_000 } });
  seedAccounts(store, [A, B], [[A.uid, B.uid]]);
  const a = await ClassicDriver.open(server.address.port, A.uid, A.password);
  const b = await ClassicDriver.open(server.address.port, B.uid, B.password);
  try {
    assert.equal((await a.login()).kind, 'success');
    assert.equal((await b.login()).kind, 'success');
    assert.equal(await a.send(B.uid, 'again and again'), 0);
    const first = await b.receive(3000, false);
    const again = await b.receive(3000, false);
    assert.equal(again.push.serverSeq, first.push.serverSeq, 'a repeat of the same message');
    const session = server.hub.get(B.uid)!;
    // The counters move with each send; read them with what the wire showed so far.
    const onWire = 2 + b.peer.drain().length;
    assert.ok(server.metrics.pushesSent >= onWire, `${server.metrics.pushesSent} counted, ${onWire} seen`);
    assert.equal(server.metrics.pushRetransmits, server.metrics.pushesSent - 1);
    assert.equal(session.retransmits, server.metrics.pushRetransmits);
    b.fire(ClassicCmd.RECV_IM, receiveImAckCodec.encode(receiveImAckFor(again.push)), again.seq);
    await quiescence(serverProbe(server));
    assert.equal(server.metrics.messagesDelivered, 1);
  } finally {
    a.close();
    b.close();
    await server.close();
  }
});
