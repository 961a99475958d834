import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClassicCmd } from '../../src/protocol/commands.js';
import * as C from '../../src/protocol/bodies/classic/index.js';
import * as Q from '../../src/protocol/bodies/qun.js';
import { encodeGb } from '../../src/protocol/text.js';
import { QunPolicy } from '../../src/store/store.js';
import { ClassicDriver } from '../helpers/classic-driver.js';
import { startServer, seedAccounts } from '../helpers/udp.js';

// What the by-hand run of pidgin 2.7.11 in its qq2007/qq2008 modes found (README, "Friends and Qun by hand"),
// checked at the wire with raw classic clients.

const P2005 = { uid: 30001, password: 'p2005', version: 0x0d55 };
const P2007 = { uid: 30002, password: 'p2007', version: 0x111d };
const P2008 = { uid: 30003, password: 'p2008', version: 0x115b };

async function open(port: number, u: typeof P2005): Promise<ClassicDriver> {
  const d = await ClassicDriver.open(port, u.uid, u.password, undefined, u.version);
  if (u.version === 0x0d55) await d.login();
  else assert.equal((await d.login2007()).login?.kind, 'success');
  return d;
}

function getInfo(d: ClassicDriver, qun: number): Promise<Q.QunReply> {
  return d.request(ClassicCmd.QUN, Q.qunRequestCodec.encode({ sub: Q.QunSub.GET_INFO, qun, data: Buffer.alloc(0) })).then((b) => Q.qunReplyCodec.decode(b));
}

test('Qun info (0x0030 04): qq2007 and qq2008 sessions get the 7 bytes their layout has before the name; qq2005 ones do not', async () => {
  const { server, store } = await startServer();
  seedAccounts(store, [P2005, P2007, P2008], []);
  const q = store.createQun(P2005.uid, 'HandQun', QunPolicy.NEEDS_AUTH, 20);
  for (const u of [P2007, P2008]) store.qunChange({ qun: q.id, join: { uid: u.uid, role: 0 }, notices: [] });
  const ds = await Promise.all([P2005, P2007, P2008].map((u) => open(server.address.port, u)));
  try {
    const [r2005, r2007, r2008] = await Promise.all(ds.map((d) => getInfo(d, q.id)));
    // Before the name: id, ext, type, 4, creator, auth type, 4, 2, category, max members, 1, 1 = 32 bytes.
    assert.equal(r2005!.data[32], 'HandQun'.length);
    for (const r of [r2007!, r2008!]) {
      assert.equal(r.data.subarray(32, 39).toString('hex'), '000001000000fc');
      assert.equal(r.data[39], 'HandQun'.length);
      assert.equal(r.data.length, r2005!.data.length + 7);
      const info = Q.readQunInfo(r.data, 'qq2007');
      assert.equal(info.name.toString(), 'HandQun');
      assert.deepEqual(info.members.map((m) => m.uid).sort(), [P2005.uid, P2007.uid, P2008.uid]);
    }
    assert.equal(Q.readQunInfo(r2005!.data).name.toString(), 'HandQun');
  } finally {
    for (const d of ds) d.close();
    await server.close();
  }
});

test("a refusal's reason (0x0080 code 4) ends with a NUL, which pidgin reads it up to; the codec reads it back without", async () => {
  const { server, store } = await startServer();
  seedAccounts(store, [P2007, P2008], []);
  const [a, b] = await Promise.all([P2007, P2008].map((u) => open(server.address.port, u))) as [ClassicDriver, ClassicDriver];
  try {
    // qq2008 asks with the 2007/08 chain (0x00A7 → 0x00AE → 0x00A8 02), qq2007 refuses with 0x000B '1' + reason.
    assert.equal(C.addExReplyCodec.decode(await b.request(ClassicCmd.ADD_FRIEND_EX, C.uidU32Codec.encode({ uid: P2007.uid }))).authType, C.AuthType.NEEDS_AUTH);
    const code = C.authCodeReplyCodec.decode(await b.request(ClassicCmd.AUTH_CODE, C.authCodeRequestCodec.encode({ cmd: 1, sub: 1, uid: P2007.uid }))).code;
    await b.request(ClassicCmd.ADD_FRIEND_AUTH_EX, C.authExRequestCodec.encode({ sub: C.AuthExSub.REQUEST, uid: P2007.uid, code, allowReverse: 1, group: 0, note: encodeGb('I am 2008') }));
    assert.equal((await a.system()).text, 'I am 2008');
    await a.request(ClassicCmd.ADD_FRIEND_AUTH, C.authRequestCodec.encode({ uid: P2008.uid, action: C.AuthAction.REJECT, text: encodeGb('不认识你') }));
    const p = await b.push(ClassicCmd.SYSTEM_MESSAGE);
    assert.deepEqual(p.plain, Buffer.concat([Buffer.from(`4\x1f${P2007.uid}\x1f${P2008.uid}\x1f`), encodeGb('不认识你'), Buffer.from([0])]));
    assert.deepEqual(C.systemMessageCodec.decode(p.plain), { code: C.SystemCode.ADD_REJECTED, from: P2007.uid, to: P2008.uid, text: '不认识你' });
    assert.equal(store.areFriends(P2007.uid, P2008.uid), false);
  } finally {
    a.close();
    b.close();
    await server.close();
  }
});
