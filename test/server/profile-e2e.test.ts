import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClassicCmd, ModernCmd } from '../../src/protocol/commands.js';
import * as C from '../../src/protocol/bodies/classic/index.js';
import * as M from '../../src/protocol/bodies/modern/index.js';
import { encodeGb } from '../../src/protocol/text.js';
import { ClassicDriver } from '../helpers/classic-driver.js';
import { ModernDriver } from '../helpers/modern-driver.js';
import { startServer, seedAccounts } from '../helpers/udp.js';

const A = { uid: 10001, password: 'alice-pw', nick: 'Alice' };
const B = { uid: 10002, password: 'bob-pw', nick: 'Bob' };
const D = { uid: 10004, password: 'dave-pw', nick: 'Dave' };
const S = { uid: 10009, password: 'stranger-pw', nick: 'Stranger' };

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const u32 = (n: number) => n.toString(16).padStart(8, '0');
/** A group name as 0x003C carries it: GB18030, zero-padded to 16 bytes. */
const name16 = (t: string) => Buffer.concat([encodeGb(t), Buffer.alloc(16 - encodeGb(t).length)]).toString('hex');
/** A u8-length GB18030 field. */
const gb8 = (t: string) => Buffer.concat([Buffer.of(encodeGb(t).length), encodeGb(t)]).toString('hex');
const utf8_8 = (t: string) => Buffer.concat([Buffer.of(Buffer.byteLength(t)), Buffer.from(t)]).toString('hex');

/** 0x0058 download: [uid, group index] of every friend (the wire carries index × 4). */
async function groupsAtWire(d: ClassicDriver): Promise<[number, number][]> {
  const r = C.friendGroupsReplyCodec.decode(await d.request(ClassicCmd.DOWNLOAD_GROUPS, C.friendGroupsRequestCodec.encode({ op: 1, sub: 2, reserved: 0, startUid: 0 })));
  return r.entries.filter((e) => e.type === C.GroupEntryType.FRIEND).map((e) => [e.uid, e.group]);
}

test('classic uploads: group names (0x003C 02), friends into groups (0x003D), memo writes (0x003E 01), signature set/get/delete (0x0067) — at the wire, stored, read back', async () => {
  const { server, store } = await startServer();
  seedAccounts(store, [A, B, D, S], [[A.uid, B.uid], [A.uid, D.uid]]);
  const a = await ClassicDriver.open(server.address.port, A.uid, A.password);
  try {
    await a.login();

    // Group names: 02, then (index, 16-byte GB18030 name) per group; the reply is 02 00.
    const upload = hex(`02 01${name16('Work')} 02${name16('同学')}`);
    assert.deepEqual(C.groupNameRequestCodec.decode(upload), { sub: 2, groups: [{ index: 1, name: 'Work' }, { index: 2, name: '同学' }] });
    assert.equal((await a.request(ClassicCmd.GROUP_NAME_OPERATION, upload)).toString('hex'), '0200');
    assert.deepEqual(store.groupsOf(A.uid), [{ index: 0, name: 'My Friends' }, { index: 1, name: 'Work' }, { index: 2, name: '同学' }]);
    // Read back by the 0x003C download: `01 00 00000000` and the same entries.
    const down = await a.request(ClassicCmd.GROUP_NAME_OPERATION, C.groupNameRequestCodec.encode({ sub: 1, unknown: 2, reserved: 0 }));
    assert.equal(down.toString('hex'), `0100 00000000 01${name16('Work')} 02${name16('同学')}`.replace(/ /g, ''));

    // Friends into groups: (uid u32, group index u8) each; reply 00. 0x0058 then carries index × 4.
    const moves = hex(`${u32(B.uid)}01 ${u32(D.uid)}02`);
    assert.equal((await a.request(ClassicCmd.UPLOAD_GROUPS, moves)).toString('hex'), '00');
    assert.deepEqual(await groupsAtWire(a), [[B.uid, 1], [D.uid, 2]]);
    const raw0058 = await a.request(ClassicCmd.DOWNLOAD_GROUPS, C.friendGroupsRequestCodec.encode({ op: 1, sub: 2, reserved: 0, startUid: 0 }));
    assert.ok(raw0058.includes(hex(`${u32(B.uid)}0104 ${u32(D.uid)}0108`)), raw0058.toString('hex'));
    // An unknown group refuses the whole upload (01) and moves nobody; a non-friend in it is skipped.
    assert.equal((await a.request(ClassicCmd.UPLOAD_GROUPS, hex(`${u32(B.uid)}00 ${u32(D.uid)}09`))).toString('hex'), '01');
    assert.equal((await a.request(ClassicCmd.UPLOAD_GROUPS, hex(`${u32(S.uid)}01`))).toString('hex'), '00');
    assert.deepEqual(await groupsAtWire(a), [[B.uid, 1], [D.uid, 2]]);
    // Renaming is uploading the list again; a group left out goes, and its friends return to "My Friends".
    assert.equal((await a.request(ClassicCmd.GROUP_NAME_OPERATION, hex(`02 01${name16('Colleagues')}`))).toString('hex'), '0200');
    assert.deepEqual(store.groupsOf(A.uid).map((g) => g.name), ['My Friends', 'Colleagues']);
    assert.deepEqual(await groupsAtWire(a), [[B.uid, 1], [D.uid, 0]]);
    // The same name twice is refused (02 01) and changes nothing.
    assert.equal((await a.request(ClassicCmd.GROUP_NAME_OPERATION, hex(`02 01${name16('X')} 02${name16('X')}`))).toString('hex'), '0201');
    assert.deepEqual(store.groupsOf(A.uid).map((g) => g.name), ['My Friends', 'Colleagues']);

    // Memo write as pidgin sends it: 01 00 uid 00 and seven u8-length GB18030 fields; reply 01 00.
    const fields = ['老板', '13800000000', '', '北京', 'bob@example.com', '100000', '见面聊'];
    const modify = hex(`01 00 ${u32(B.uid)} 00 ${fields.map(gb8).join('')}`);
    assert.deepEqual(C.memoRequestCodec.decode(modify), { sub: 1, unknown1: 0, uid: B.uid, unknown2: 0, fields });
    assert.equal((await a.request(ClassicCmd.BUDDY_MEMO, modify)).toString('hex'), '0100');
    assert.deepEqual(store.memoOf(A.uid, B.uid), { alias: '老板', mobile: '13800000000', telephone: '', address: '北京', email: 'bob@example.com', zipcode: '100000', note: '见面聊' });
    // Read back the way pidgin asks after the friend list: 03 uid → 03 uid 00 fields.
    const got = await a.request(ClassicCmd.BUDDY_MEMO, hex(`03 ${u32(B.uid)}`));
    assert.equal(got.toString('hex'), `03${u32(B.uid)}00${fields.map(gb8).join('')}`);
    // Dave has none: the lone sub-command. A memo about a non-friend is refused (01 01).
    assert.equal((await a.request(ClassicCmd.BUDDY_MEMO, hex(`03 ${u32(D.uid)}`))).toString('hex'), '03');
    assert.equal((await a.request(ClassicCmd.BUDDY_MEMO, hex(`01 00 ${u32(S.uid)} 00 ${fields.map(gb8).join('')}`))).toString('hex'), '0101');
    assert.equal(store.memoOf(A.uid, S.uid), undefined);

    // Signature: 01 01 len text → 01 00; get 03 00 count (uid, time) → 03 00 next(0) (uid, time, len, text)…
    assert.equal((await a.request(ClassicCmd.SIGNATURE_OPERATION, hex(`01 01 ${gb8('今天很开心')}`))).toString('hex'), '0100');
    const at = store.getUser(A.uid)!.signatureAt;
    assert.ok(at > 0);
    const sigs = await a.request(ClassicCmd.SIGNATURE_OPERATION, hex(`03 00 03 ${u32(A.uid)}00000000 ${u32(B.uid)}00000000 ${u32(99999)}00000000`));
    assert.equal(sigs.toString('hex'), `0300 00000000 ${u32(A.uid)}${u32(at)}${gb8('今天很开心')} ${u32(B.uid)}0000000000`.replace(/ /g, ''));
    assert.deepEqual(C.signatureReplyCodec.decode(sigs).get?.signatures.map((s) => s.text), ['今天很开心', '']);
  } finally {
    a.close();
  }

  // The same user on a modern client (MyQQ 3.30's framing) reads back what it wrote: group labels, the
  // friend index with groups, the memo's alias (0x003E), signatures (0x0067, UTF-8 here).
  const m = await ModernDriver.openModern(server.address.port, A.uid, A.password);
  try {
    await m.loginModern();
    const labels = M.groupLabelsReply.decode(await m.request(ModernCmd.GROUP_LABELS, M.groupLabelsRequest.encode({ start: 0 })));
    assert.deepEqual(labels.labels.map((l) => [l.id, l.name]), [[1, 'Colleagues']]);
    const index = M.buddyIndexReply.decode(await m.request(ModernCmd.BUDDY_INDEX, M.buddyIndexRequest.encode({ page: 1 })));
    assert.deepEqual(index.entries.filter((e) => e.type === M.IndexType.BUDDY).map((e) => [e.uid, e.group]), [[B.uid, 1], [D.uid, 0]]);
    const aliases = await m.request(ModernCmd.ALIASES, hex('68 00'));
    assert.equal(aliases.toString('hex'), `6801${u32(B.uid)}${utf8_8('老板')}`);
    const at = store.getUser(A.uid)!.signatureAt;
    const sigs = await m.request(ModernCmd.SIGNATURES, hex(`83 00 02 ${u32(A.uid)}00000000 ${u32(B.uid)}00000000`));
    assert.equal(sigs.toString('hex'), `8300 00000000 ${u32(A.uid)}${u32(at)}${utf8_8('今天很开心')} ${u32(B.uid)}0000000000`.replace(/ /g, ''));
  } finally {
    m.close();
  }

  // Back on a classic client: deleting the signature (02 → 02 00) empties it for everyone.
  const a2 = await ClassicDriver.open(server.address.port, A.uid, A.password);
  try {
    await a2.login();
    assert.equal((await a2.request(ClassicCmd.SIGNATURE_OPERATION, hex('02'))).toString('hex'), '0200');
    assert.deepEqual([store.getUser(A.uid)!.signature, store.getUser(A.uid)!.signatureAt], ['', 0]);
    // A memo of seven empty fields removes it: the next get is the lone sub-command.
    assert.equal((await a2.request(ClassicCmd.BUDDY_MEMO, hex(`01 00 ${u32(B.uid)} 00 ${'00'.repeat(7)}`))).toString('hex'), '0100');
    assert.equal((await a2.request(ClassicCmd.BUDDY_MEMO, hex(`03 ${u32(B.uid)}`))).toString('hex'), '03');
    assert.equal(server.metrics.dropped.bad_body + server.metrics.dropped.unknown_command, 0);
  } finally {
    a2.close();
    await server.close();
  }
});
