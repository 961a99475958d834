import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModernCmd } from '../../src/protocol/commands.js';
import * as M from '../../src/protocol/bodies/modern/index.js';
import * as Q from '../../src/protocol/bodies/qun.js';
import { ModernDriver } from '../helpers/modern-driver.js';
import { startServer, seedAccounts, until } from '../helpers/udp.js';

const M1 = { uid: 70001, password: 'm1-pw', nick: 'Creator' };
const M2 = { uid: 70002, password: 'm2-pw', nick: '在线' };
const M3 = { uid: 70003, password: 'm3-pw', nick: 'Offline' };

const u32 = (n: number) => n.toString(16).padStart(8, '0');
const u16 = (n: number) => n.toString(16).padStart(4, '0');
const utf8 = (t: string) => Buffer.from(t, 'utf8').toString('hex');

function qun(d: ModernDriver, sub: number, id: number, data: Buffer = Buffer.alloc(0)): Promise<Q.QunReply> {
  return d.request(ModernCmd.QUN, Q.qunRequestCodec.encode({ sub, qun: id, data })).then((b) => Q.qunReplyCodec.decode(b));
}

/** A modern Qun send (0x0002 sub 0x2A) as MyQQ writes it: content type 1, one fragment, a MSG block. */
function say(d: ModernDriver, id: number, text: string, msgId: number, time: number): Promise<Q.QunReply> {
  return qun(d, Q.QunSub.SEND_IM_EX, id, Q.writeQunSendImEx({ contentType: 1, fragCount: 1, fragIndex: 0, msgId, block: M.textMsgBlock(text, time, msgId) }));
}

/**
 * The plaintext of the 0x0017 push a modern member gets for a Qun message, byte by byte: the 20-byte routing head
 * (the Qun as sender, the member, the store id as server sequence, IP, port, type 0052), then u32 0, ext, type 01,
 * the sender, u16 0, message id, time, u32 0, content length, and the content (type 1, fragment 1 of 1, message id,
 * u32 0, the MSG block with font 宋体 9 and one text segment).
 */
function expectedPush(o: { qun: number; to: number; serverSeq: number; ip: number; port: number; from: number; msgId: number; time: number; text: string }): string {
  const t = utf8(o.text);
  const seg = `01${u16(t.length / 2 + 3)}01${u16(t.length / 2)}${t}`;
  const block = `4d53470000000000${u32(o.time)}${u16(o.msgId)}${u16(o.msgId)}00000000 09 00 8600 0006${utf8('宋体')} 0000 ${seg}`;
  const content = `0001 01 00 ${u16(o.msgId)} 00000000 ${block}`.replace(/ /g, '');
  return (`${u32(o.qun)}${u32(o.to)}${u32(o.serverSeq)}${u32(o.ip)}${u16(o.port)}0052`
    + `00000000 ${u32(o.qun)} 01 ${u32(o.from)} 0000 ${u16(o.msgId)} ${u32(o.time)} 00000000 ${u16(content.length / 2)}${content}`).replace(/ /g, '');
}

test('modern Qun at the wire: create and join over 0x0002, a message pushed to an online member as 0x0017 type 0052 (bytes asserted), queued for an offline member and delivered at login exactly once', async () => {
  const { server, store } = await startServer();
  seedAccounts(store, [M1, M2, M3], []);
  const [m1, m2] = await Promise.all([ModernDriver.openModern(server.address.port, M1.uid, M1.password), ModernDriver.openModern(server.address.port, M2.uid, M2.password)]);
  let m3: ModernDriver | undefined;
  try {
    await m1.loginModern();
    await m2.loginModern();

    // Create (sub 01: type, policy open, category, name, notice, intro, members); reply 01 00 id ext.
    const created = await qun(m1, Q.QunSub.CREATE, 0, Q.writeQunCreate({ type: 1, authType: Q.QunAuthType.OPEN, category: 0, name: Buffer.from('现代群'), notice: Buffer.alloc(0), intro: Buffer.alloc(0), members: [M1.uid] }));
    assert.deepEqual([created.sub, created.result], [Q.QunSub.CREATE, Q.QunResult.OK]);
    const { id } = Q.readQunCreated(created.data);
    assert.equal(created.data.toString('hex'), u32(id) + u32(id));
    assert.equal(store.getQun(id)?.name, '现代群');

    // Join (sub 07): open, so joined at once (code 01); M3 joins too, then goes offline.
    const joined = await qun(m2, Q.QunSub.JOIN, id);
    assert.equal(joined.data.toString('hex'), u32(id) + '01');
    m3 = await ModernDriver.openModern(server.address.port, M3.uid, M3.password);
    await m3.loginModern();
    assert.equal(Q.readQunJoined((await qun(m3, Q.QunSub.JOIN, id)).data).code, Q.QunJoin.OK);
    m3.close();
    m3 = undefined;
    // M1 is told of each join (type 0021 notices).
    for (const who of [M2.uid, M3.uid]) {
      const n = await m1.qunPush();
      assert.equal(n.push.imType, Q.QunPushType.ADDED);
      assert.equal(Q.readQunNotice((n.push as { data: Buffer }).data).uid, who);
    }
    const info = Q.readQunInfoEx((await qun(m2, Q.QunSub.GET_INFO_EX, id, Buffer.alloc(4))).data).info;
    assert.deepEqual(info.members.map((m) => [m.uid, m.role]), [[M1.uid, 1], [M2.uid, 0], [M3.uid, 0]]);
    // M2, a member already, is told of M3's join too; acked, nothing else is owed to it.
    const n2 = await m2.qunPush();
    assert.deepEqual([n2.push.imType, Q.readQunNotice((n2.push as { data: Buffer }).data).uid], [Q.QunPushType.ADDED, M3.uid]);
    await until(() => store.pendingCount(M2.uid) === 0, 3000, 'M2 acked the join notice of M3');
    m2.peer.drain();

    // M1 says something: the reply is 2A 00 id; M2 (online) gets exactly this push.
    const time = 1_763_900_000;
    const sent = await say(m1, id, '大家好 👋', 0x1234, time);
    assert.equal(Q.qunReplyCodec.encode(sent).toString('hex'), '2a00' + u32(id));
    const p = await m2.qunPush();
    const stored = store.pendingFor(M3.uid);
    assert.equal(stored.length, 1);
    const sender = p.push.senderIp;
    assert.equal(p.plain.toString('hex'), expectedPush({ qun: id, to: M2.uid, serverSeq: p.push.serverSeq, ip: sender, port: p.push.senderPort, from: M1.uid, msgId: 0x1234, time, text: '大家好 👋' }));
    const im = Q.readModernQunIm((p.push as { data: Buffer }).data);
    assert.deepEqual([im.ext, im.sender, M.imText(im.block)], [id, M1.uid, '大家好 👋']);
    // Acked (first 16 bytes): not pushed again; the sender gets nothing of its own.
    await until(() => store.pendingCount(M2.uid) === 0, 3000, 'M2 acked');
    await assert.rejects(m2.push(ModernCmd.QUN_MESSAGE, 500));
    await assert.rejects(m1.push(ModernCmd.QUN_MESSAGE, 100));

    // Two more while M3 is offline: queued, in order; a retransmitted send (same seq) is answered again, stored once.
    await say(m1, id, 'second', 0x1235, time + 1);
    const third = Q.qunRequestCodec.encode({ sub: Q.QunSub.SEND_IM_EX, qun: id, data: Q.writeQunSendImEx({ contentType: 1, fragCount: 1, fragIndex: 0, msgId: 0x1236, block: M.textMsgBlock('third', time + 2, 0x1236) }) });
    const r1 = await m1.request(ModernCmd.QUN, third, 0x7777);
    const r2 = await m1.request(ModernCmd.QUN, third, 0x7777);
    assert.deepEqual(r2, r1);
    assert.deepEqual(store.pendingFor(M3.uid).map((m) => m.text), ['大家好 👋', 'second', 'third']);

    // M3 logs in: after its online-list request (as MyQQ sends it) the three arrive, in order, once each.
    m3 = await ModernDriver.openModern(server.address.port, M3.uid, M3.password);
    await m3.loginModern();
    await m3.request(ModernCmd.GET_ONLINE_FRIENDS, M.onlineListRequest.encode({ start: 0 }));
    const got: string[] = [];
    const seqs = new Set<number>();
    for (let i = 0; i < 3; i++) {
      const q: { push: M.ReceiveIm } = await m3.qunPush(5000);
      assert.equal(q.push.receiver, M3.uid);
      seqs.add(q.push.serverSeq);
      got.push(M.imText(Q.readModernQunIm((q.push as { data: Buffer }).data).block));
    }
    assert.deepEqual(got, ['大家好 👋', 'second', 'third']);
    assert.equal(seqs.size, 3);
    await until(() => store.pendingCount(M3.uid) === 0, 3000, 'M3 acked all three');
    await assert.rejects(m3.push(ModernCmd.QUN_MESSAGE, 500));
    // Stored once: one qun_messages row per message, one inbox row per other member.
    assert.equal(server.metrics.dropped.bad_body + server.metrics.dropped.unknown_command, 0);
  } finally {
    m1.close();
    m2.close();
    m3?.close();
    await server.close();
  }
});
