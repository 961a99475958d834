// `oicq qun` as an operator runs it: a real process per command on the store a running `oicq serve` uses; the
// members are told at their next login (checked with a raw classic client against that server).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClassicCmd } from '../../src/protocol/commands.js';
import * as C from '../../src/protocol/bodies/classic/index.js';
import * as Q from '../../src/protocol/bodies/qun.js';
import { decodeGb } from '../../src/protocol/text.js';
import { OicqWorld, oicq } from '../client/oicq-process.js';
import { ClassicDriver } from '../helpers/classic-driver.js';

/** Runs `oicq qun … --db <world>` and returns its result. */
function qun(w: OicqWorld, ...args: string[]) {
  return oicq(['qun', ...args, '--db', w.db]);
}

/** A failure: exit code, nothing on stdout, one line on stderr matching `re`. */
function fails(r: { code: number | null; stdout: string; stderr: string }, code: number, re: RegExp): void {
  assert.equal(r.code, code, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  assert.match(r.stderr, re);
}

test('oicq qun: create, add, list, show, rename, remove, dismiss against a running server; members are told at login; mistakes are one line', async () => {
  const w = new OicqWorld();
  try {
    w.addUser(10001, 'alice-pw', 'Alice');
    w.addUser(10002, 'bob-pw', '小明');
    await w.start();

    let r = await qun(w, 'list');
    assert.deepEqual([r.code, r.stdout], [0, "no Qun yet — create one with 'oicq qun create <creator> <name>'\n"]);
    r = await qun(w, 'create', '10001', '老友', '--policy', 'open');
    assert.deepEqual([r.code, r.stdout], [0, 'created Qun 100001 "老友" (creator 10001, join policy open)\n'], r.stderr);
    r = await qun(w, 'add', '100001', '10002');
    assert.deepEqual([r.code, r.stdout], [0, '10002 is now a member of Qun 100001\n'], r.stderr);
    r = await qun(w, 'add', '100001', '10002');
    assert.deepEqual([r.code, r.stdout], [0, '10002 was already a member of Qun 100001\n']);
    r = await qun(w, 'list');
    assert.equal(r.stdout, 'qun     name  creator  policy  members\n100001  老友  10001    open    2\n');
    r = await qun(w, 'show', '100001');
    assert.equal(r.stdout, 'Qun 100001 "老友", created by 10001, join policy open\nuid    nick   role\n10001  Alice  admin\n10002  小明   member\n');

    // Bob logs in to the running server: the Qun is in his 0x0058 list (type 04) and its info answers his GET_INFO.
    const bob = await ClassicDriver.open(w.port, 10002, 'bob-pw');
    try {
      await bob.login();
      const groups = C.friendGroupsReplyCodec.decode(await bob.request(ClassicCmd.DOWNLOAD_GROUPS, C.friendGroupsRequestCodec.encode({ op: 1, sub: 2, reserved: 0, startUid: 0 })));
      assert.deepEqual(groups.entries.map((e) => [e.uid, e.type]), [[100001, C.GroupEntryType.QUN]]);
      const info = Q.qunReplyCodec.decode(await bob.request(ClassicCmd.QUN, Q.qunRequestCodec.encode({ sub: Q.QunSub.GET_INFO, qun: 100001, data: Buffer.alloc(0) })));
      const i = Q.readQunInfo(info.data);
      assert.deepEqual([decodeGb(i.name), i.creator, i.members.map((m) => m.uid)], ['老友', 10001, [10001, 10002]]);
    } finally {
      bob.close();
    }
    // Alice, the member already there, is told at login, once, after her first request: 0x0017 from the Qun,
    // type 0021 (a member was added), naming Bob.
    const alice = await ClassicDriver.open(w.port, 10001, 'alice-pw');
    try {
      await alice.login();
      await alice.request(ClassicCmd.GET_FRIEND_LIST, C.friendListRequestCodec.encode({ start: 0, extra: Buffer.from([1, 0, 0]) }));
      const told = await alice.receive();
      assert.deepEqual([told.push.sender, told.push.receiver, told.push.type], [100001, 10001, Q.QunPushType.ADDED]);
      assert.ok(told.push.content.kind === 'other');
      assert.deepEqual(Q.readQunNotice(told.push.content.bytes), { ext: 100001, type: Q.QUN_TYPE_PERMANENT, uid: 10002 });
      await assert.rejects(alice.push(ClassicCmd.RECV_IM, 500));
    } finally {
      alice.close();
    }

    r = await qun(w, 'rename', '100001', '新名字');
    assert.deepEqual([r.code, r.stdout], [0, 'Qun 100001 is now "新名字"\n']);
    r = await qun(w, 'remove', '100001', '10002');
    assert.deepEqual([r.code, r.stdout], [0, '10002 left Qun 100001\n']);
    r = await qun(w, 'remove', '100001', '10002');
    assert.deepEqual([r.code, r.stdout], [0, '10002 was not a member of Qun 100001; nothing changed\n']);
    r = await qun(w, 'show', '100001');
    assert.match(r.stdout, /^Qun 100001 "新名字", created by 10001, join policy open\nuid +nick +role\n10001 +Alice +admin\n$/);

    // Mistakes: one line each, usage errors exit 2, unknown things 1.
    fails(await qun(w, 'show', '100009'), 1, /^oicq qun: Qun 100009 does not exist/);
    fails(await qun(w, 'add', '100001', '99999'), 1, /user 99999 does not exist — add it with 'oicq user add 99999'/);
    fails(await qun(w, 'create', '10001', 'x', '--policy', 'weird'), 2, /policy must be open, approval or closed, got 'weird'/);
    fails(await qun(w, 'frob'), 2, /unknown subcommand 'frob'.*'oicq qun --help'/);
    fails(await qun(w, 'list', '--policy', 'open'), 2, /--policy/);

    r = await qun(w, 'dismiss', '100001');
    assert.deepEqual([r.code, r.stdout], [0, 'Qun 100001 dismissed\n']);
    assert.equal((await qun(w, 'list')).stdout, "no Qun yet — create one with 'oicq qun create <creator> <name>'\n");
  } finally {
    await w.stop();
  }
});
