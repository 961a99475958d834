import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePacket } from '../../src/protocol/framing.js';
import { ClassicCmd, ModernCmd } from '../../src/protocol/commands.js';
import * as C from '../../src/protocol/bodies/classic/index.js';
import * as M from '../../src/protocol/bodies/modern/index.js';
import { teaDecrypt } from '../../src/protocol/tea.js';
import { AuthPolicy } from '../../src/store/store.js';
import { ClassicDriver } from '../helpers/classic-driver.js';
import { ModernDriver } from '../helpers/modern-driver.js';
import { startServer, seedAccounts, until } from '../helpers/udp.js';

const A = { uid: 20001, password: 'a-pw', nick: 'Pidgin' };
const Q = { uid: 20002, password: 'q-pw', nick: 'MyQQ' };

// Found by hand: MyQQ 3.30 never acks 0x0080, drops a repeated (sequence, command) and shows every fresh sequence
// again. The server used to re-push such a notice forever under fresh sequences (MyQQ showed "added you" again and
// again) and, one push in flight per sender, held back the sender's messages behind it.
test('MyQQ 3.30 (tag 0x2227) never acks a system broadcast: it goes out under one sequence only, counts as delivered, and the sender\'s next message follows', async () => {
  const { server, store } = await startServer();
  seedAccounts(store, [A, Q], []);
  store.setAuthType(Q.uid, AuthPolicy.ANYONE);
  const a = await ClassicDriver.open(server.address.port, A.uid, A.password);
  const q = await ModernDriver.openModern(server.address.port, Q.uid, Q.password);
  try {
    await a.login();
    await q.loginModern();
    const added = C.addNoAuthReplyCodec.decode(await a.request(ClassicCmd.ADD_FRIEND, C.uidTextCodec.encode({ uid: Q.uid })));
    assert.equal(added.outcome, C.AddOutcome.ADDED);
    assert.equal(await a.send(Q.uid, 'after the notice'), 0);

    // Everything the server sends MyQQ until the message: the broadcast, repeated under one sequence, never acked.
    const seen: { command: number; seq: number; plain: Buffer }[] = [];
    await until(() => {
      for (const b of q.peer.drain()) {
        const r = decodePacket(b, 's2c');
        if (r.ok) seen.push({ command: r.value.command, seq: r.value.seq, plain: teaDecrypt(r.value.body, q.sessionKey)! });
      }
      return seen.some((p) => p.command === ModernCmd.RECV_IM);
    }, 15_000, 'the message after the notice');
    const broadcasts = seen.filter((p) => p.command === ModernCmd.SYSTEM_BROADCAST);
    assert.ok(broadcasts.length >= 1 && broadcasts.length <= 3, `${broadcasts.length} sends`);
    assert.equal(new Set(broadcasts.map((p) => p.seq)).size, 1, 'one sequence: MyQQ shows it once');
    assert.deepEqual(M.systemBroadcast.decode(broadcasts[0]!.plain), { code: M.BroadcastCode.ADDED_ME, from: A.uid, to: Q.uid, data: Buffer.alloc(0) });
    const im = seen.find((p) => p.command === ModernCmd.RECV_IM)!;
    const push = M.receiveIm.decode(im.plain);
    assert.ok(push.kind === 'im' && M.imText(push.im) === 'after the notice');
    q.fire(ModernCmd.RECV_IM, M.imAck.encode(M.imAckFor(push)), im.seq);
    await until(() => store.pendingCount(Q.uid) === 0, 3000, 'both delivered');
    // Nothing more comes: no fresh sequence for the notice.
    await assert.rejects(q.push(ModernCmd.SYSTEM_BROADCAST, 1500));
  } finally {
    a.close();
    q.close();
    await server.close();
  }
});
