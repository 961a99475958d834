import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import Database from 'better-sqlite3';
import { DEDUP_TOMBSTONE_SECONDS, openSqliteStore, type SqliteStoreOptions } from '../../src/store/sqlite.js';
import { StoreError } from '../../src/store/validate.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/store/schema.js';
import type { NewMessage, Store } from '../../src/store/store.js';
import { passwordMd5 } from '../../src/protocol/keys.js';
import { BACKENDS, type Backend, type BackendOptions } from '../helpers/store-backends.js';

const NOW = 1_700_000_000;

/** A fresh store in its own temp directory (nested, to prove parent directories get created). */
function fresh(t: { after: (fn: () => void) => void }): { store: Store; path: string; reopen: () => Store } {
  const dir = mkdtempSync(join(tmpdir(), 'oicq-store-'));
  const path = join(dir, 'nested', 'deeper', 'oicq.db');
  const opened: Store[] = [];
  const reopen = () => {
    const s = openSqliteStore(path, { now: () => NOW });
    opened.push(s);
    return s;
  };
  const store = reopen();
  t.after(() => {
    for (const s of opened) s.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { store, path, reopen };
}

/** Asserts that fn throws a StoreError with this code and a message matching re. */
function throwsStore(fn: () => unknown, code: string, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof StoreError, `expected StoreError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.match(e.message, re);
    return true;
  });
}

const PW = passwordMd5('secret');

test('file: 0600, WAL mode, schema version recorded, accounts survive reopen', (t) => {
  const { store, path, reopen } = fresh(t);
  store.addUser(10000, PW, 'Alice');
  assert.equal(statSync(path).mode & 0o777, 0o600);
  for (const side of ['-wal', '-shm']) {
    if (existsSync(path + side)) assert.equal(statSync(path + side).mode & 0o777, 0o600, side);
  }
  assert.ok(existsSync(path + '-wal'), 'WAL mode keeps a -wal file while open');
  store.close();

  const raw = new Database(path, { readonly: true });
  assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
  assert.deepEqual(raw.prepare('SELECT version FROM schema_migrations ORDER BY version').all(), MIGRATIONS.map((m) => ({ version: m.version })));
  // The password is stored only as its MD5.
  const row = raw.prepare('SELECT password_md5 FROM users WHERE uid = 10000').get() as { password_md5: Buffer };
  assert.equal(row.password_md5.toString('hex'), PW.toString('hex'));
  raw.close();

  const again = reopen();
  assert.equal(again.getUser(10000)!.nick, 'Alice');
  assert.equal(statSync(path).mode & 0o777, 0o600);
});

test('file: an existing looser file is tightened to 0600; a newer schema is refused', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'oicq-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'old.db');
  const raw = new Database(path);
  raw.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  raw.prepare('INSERT INTO schema_migrations VALUES (?, 0)').run(SCHEMA_VERSION + 1);
  raw.close();
  throwsStore(() => openSqliteStore(path), 'schema', new RegExp(`schema version ${SCHEMA_VERSION + 1}, newer .* upgrade oicq`));

  const loose = join(dir, 'loose.db');
  new Database(loose).close();
  chmodSync(loose, 0o644);
  openSqliteStore(loose).close();
  assert.equal(statSync(loose).mode & 0o777, 0o600);
});

test(':memory: store works without touching the file system', () => {
  const s = openSqliteStore(':memory:');
  s.addUser(1, PW, 'one');
  assert.equal(s.countUsers(), 1);
  s.close();
  s.close();
});

/** A fresh store of a backend whose clock (Unix seconds) the test moves by hand. */
async function storeWithClock(b: Backend, t: { after: (fn: () => void) => void }, opts: BackendOptions = {}): Promise<{ store: Store; clock: { now: number } }> {
  const clock = { now: NOW };
  const { store } = await b.fresh(t, { ...opts, now: () => clock.now });
  return { store, clock };
}

test('bans: set with a reason, replaced, lifted; unknown users refused; gone with the account file reopened', () => {
  const dir = mkdtempSync(join(tmpdir(), 'oicq-ban-'));
  const path = join(dir, 'oicq.db');
  let store = openSqliteStore(path);
  store.addUser(10001, passwordMd5('pw'), 'Alice');
  assert.equal(store.banOf(10001), undefined);
  store.ban(10001, 'spam');
  store.ban(10001, '  flooding  ');
  assert.equal(store.banOf(10001)?.reason, 'flooding');
  throwsStore(() => store.ban(424242, 'x'), 'unknown-user', /user 424242 does not exist/);
  throwsStore(() => store.ban(10001, ' '), 'bad-input', /ban reason must not be empty/);
  store.close();
  store = openSqliteStore(path);
  assert.equal(store.banOf(10001)?.reason, 'flooding');
  assert.equal(store.unban(10001), true);
  assert.equal(store.unban(10001), false);
  assert.equal(store.banOf(10001), undefined);
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

// The store contract: the same tests on every backend.
for (const backend of BACKENDS) {
  test(`${backend.name}: accounts: add, get, list, count, passwd, nick, nextFreeUid`, { skip: backend.skip }, async (t) => {
    const { store } = await backend.fresh(t, { now: () => NOW });
    assert.equal(store.countUsers(), 0);
    const a = store.addUser(10000, PW, '  Alice ');
    assert.deepEqual(a, { uid: 10000, nick: 'Alice', passwordMd5: PW, face: 0, age: 0, gender: 0xff, createdAt: NOW, authType: 1, signature: '', signatureAt: 0, strangers: 'accept' });
    store.addUser(10001, passwordMd5('b'), 'Bob');
    store.addUser(4294967295, passwordMd5('max'), 'Max');
    assert.equal(store.countUsers(), 3);
    assert.deepEqual(store.listUsers().map((u) => u.uid), [10000, 10001, 4294967295]);
    assert.equal(store.getUser(12345), undefined);
    assert.equal(store.getUser(0), undefined, 'lookups of impossible uids answer "no such user"');
    assert.equal(store.getUser(2 ** 32), undefined);
    // What a login reads: the account and its ban in one read.
    assert.deepEqual(store.loginAccount(10000), { account: a });
    store.ban(10001, 'spam');
    assert.deepEqual(store.loginAccount(10001), { account: store.getUser(10001), ban: { reason: 'spam', bannedAt: NOW } });
    store.unban(10001);
    assert.deepEqual(store.loginAccount(10001), { account: store.getUser(10001) });
    assert.equal(store.loginAccount(12345), undefined);
    assert.equal(store.loginAccount(0), undefined);

    store.setPassword(10000, passwordMd5('new'));
    assert.equal(store.getUser(10000)!.passwordMd5.toString('hex'), passwordMd5('new').toString('hex'));
    store.setNick(10001, 'Robert');
    assert.equal(store.getUser(10001)!.nick, 'Robert');

    assert.equal(store.nextFreeUid(10000), 10002);
    assert.equal(store.nextFreeUid(9000), 9000);
    assert.equal(store.nextFreeUid(10001), 10002);
    store.addUser(10003, PW, 'C');
    assert.equal(store.nextFreeUid(10000), 10002);
    store.addUser(10002, PW, 'D');
    assert.equal(store.nextFreeUid(10000), 10004);
    throwsStore(() => store.nextFreeUid(4294967295), 'bad-input', /no free uid at or above 4294967295/);
  });

  test(`${backend.name}: accounts: bad input is rejected with clear messages`, { skip: backend.skip }, async (t) => {
    const { store } = await backend.fresh(t, { now: () => NOW });
    store.addUser(10000, PW, 'Alice');
    throwsStore(() => store.addUser(10000, PW, 'again'), 'duplicate-user', /^user 10000 already exists$/);
    throwsStore(() => store.addUser(0, PW, 'zero'), 'bad-input', /uid must be a whole number from 1 to 4294967295, got 0/);
    throwsStore(() => store.addUser(4294967296, PW, 'big'), 'bad-input', /uid must be a whole number/);
    throwsStore(() => store.addUser(1.5, PW, 'frac'), 'bad-input', /uid must be a whole number/);
    throwsStore(() => store.addUser(10001, Buffer.alloc(15), 'short'), 'bad-input', /16-byte MD5/);
    throwsStore(() => store.addUser(10001, PW, '   '), 'bad-input', /nick must not be empty/);
    throwsStore(() => store.addUser(10001, PW, 'a\u001eb'), 'bad-input', /control characters/);
    throwsStore(() => store.addUser(10001, PW, 'x'.repeat(65)), 'bad-input', /longer than 64/);
    throwsStore(() => store.setPassword(12345, PW), 'unknown-user', /^user 12345 does not exist$/);
    throwsStore(() => store.setNick(12345, 'x'), 'unknown-user', /^user 12345 does not exist$/);
    assert.equal(store.countUsers(), 1);
  });

  test(`${backend.name}: friends are mutual, each side with its own group`, { skip: backend.skip }, async (t) => {
    const { store } = await backend.fresh(t, { now: () => NOW });
    for (const [uid, nick] of [[10000, 'Alice'], [10001, 'Bob'], [10002, 'Carol']] as const) store.addUser(uid, PW, nick);
    const work = store.addGroup(10000, 'Work');
    assert.equal(work, 1);
    assert.equal(store.addGroup(10000, 'Work'), 1, 'adding an existing name returns its index');
    assert.equal(store.addGroup(10000, 'My Friends'), 0);
    const school = store.addGroup(10001, 'School');
    assert.equal(school, 1);

    store.addFriend(10000, 10001, work, school);
    store.addFriend(10000, 10002);
    assert.ok(store.areFriends(10000, 10001) && store.areFriends(10001, 10000));
    assert.ok(store.areFriends(10002, 10000));
    assert.ok(!store.areFriends(10001, 10002));
    assert.ok(!store.areFriends(0, 10000));

    assert.deepEqual(store.friendsOf(10000), [
      { uid: 10002, nick: 'Carol', face: 0, age: 0, gender: 0xff, group: 0 },
      { uid: 10001, nick: 'Bob', face: 0, age: 0, gender: 0xff, group: 1 },
    ]);
    assert.deepEqual(store.friendsOf(10001), [{ uid: 10000, nick: 'Alice', face: 0, age: 0, gender: 0xff, group: 1 }]);
    assert.deepEqual(store.friendsOf(10002).map((f) => [f.uid, f.group]), [[10000, 0]]);
    // The uids alone, ascending whatever the groups (presence fan-out); none for a uid that does not exist.
    assert.deepEqual(store.friendUids(10000), [10001, 10002]);
    assert.deepEqual(store.friendUids(12345), []);

    // Idempotent: adding again without groups keeps them; with a group moves only that side.
    store.addFriend(10001, 10000);
    assert.equal(store.friendsOf(10000).find((f) => f.uid === 10001)!.group, 1);
    assert.equal(store.friendsOf(10001)[0]!.group, 1);
    store.addFriend(10001, 10000, 0);
    assert.equal(store.friendsOf(10001)[0]!.group, 0);
    assert.equal(store.friendsOf(10000).find((f) => f.uid === 10001)!.group, 1);

    store.moveFriend(10000, 10002, work);
    assert.equal(store.friendsOf(10000).find((f) => f.uid === 10002)!.group, 1);
    assert.equal(store.friendsOf(10002)[0]!.group, 0, 'moving on one side leaves the other side alone');

    assert.equal(store.removeFriend(10001, 10000), true);
    assert.equal(store.removeFriend(10001, 10000), false);
    assert.ok(!store.areFriends(10000, 10001) && !store.areFriends(10001, 10000));
    assert.deepEqual(store.friendsOf(10001), []);
    assert.deepEqual(store.friendUids(10001), []);

    throwsStore(() => store.addFriend(10000, 10000), 'self-friend', /^user 10000 cannot be their own friend$/);
    throwsStore(() => store.addFriend(10000, 12345), 'unknown-user', /^user 12345 does not exist$/);
    throwsStore(() => store.addFriend(10000, 10001, 7), 'unknown-group', /^user 10000 has no friend group 7$/);
    throwsStore(() => store.addFriend(10000, 10001, 64), 'bad-input', /group index must be a whole number from 0 to 63/);
    throwsStore(() => store.moveFriend(10000, 10001, 0), 'not-friends', /^user 10001 is not a friend of user 10000$/);
    assert.ok(!store.areFriends(10000, 10001), 'a rejected addFriend stores nothing');
  });

  test(`${backend.name}: groups: list, rename, remove moves friends to group 0, indexes are reused`, { skip: backend.skip }, async (t) => {
    const { store } = await backend.fresh(t, { now: () => NOW });
    for (const uid of [10000, 10001, 10002]) store.addUser(uid, PW, `u${uid}`);
    assert.deepEqual(store.groupsOf(10000), [{ index: 0, name: 'My Friends' }]);
    const a = store.addGroup(10000, 'A');
    const b = store.addGroup(10000, 'B');
    const c = store.addGroup(10000, 'C');
    assert.deepEqual([a, b, c], [1, 2, 3]);
    store.addFriend(10000, 10001, b);
    store.addFriend(10000, 10002, c);

    store.renameGroup(10000, b, 'Bee');
    store.renameGroup(10000, b, 'Bee');
    throwsStore(() => store.renameGroup(10000, b, 'A'), 'duplicate-group', /already has a friend group named "A" \(index 1\)/);
    throwsStore(() => store.renameGroup(10000, 0, 'Mine'), 'bad-input', /built in and cannot be renamed/);
    throwsStore(() => store.renameGroup(10000, 9, 'Nine'), 'unknown-group', /has no friend group 9/);

    store.removeGroup(10000, b);
    assert.deepEqual(store.groupsOf(10000), [
      { index: 0, name: 'My Friends' },
      { index: 1, name: 'A' },
      { index: 3, name: 'C' },
    ]);
    assert.deepEqual(store.friendsOf(10000).map((f) => [f.uid, f.group]), [[10001, 0], [10002, 3]]);
    throwsStore(() => store.removeGroup(10000, b), 'unknown-group', /has no friend group 2/);
    throwsStore(() => store.removeGroup(10000, 0), 'bad-input', /cannot be removed/);
    assert.equal(store.addGroup(10000, 'D'), 2, 'the lowest free index is reused');
    throwsStore(() => store.groupsOf(12345), 'unknown-user', /user 12345 does not exist/);

    // At most 63 groups besides group 0 (the wire carries index × 4 in a byte).
    for (let i = 0; i < 60; i++) store.addGroup(10001, `g${i}`);
    for (let i = 60; i < 63; i++) store.addGroup(10001, `g${i}`);
    assert.equal(store.groupsOf(10001).length, 64);
    assert.equal(store.groupsOf(10001)[63]!.index, 63);
    throwsStore(() => store.addGroup(10001, 'one too many'), 'groups-full', /already has 63 friend groups/);
  });

  function msg(over: Partial<NewMessage> = {}): NewMessage {
    return { sender: 10000, receiver: 10001, sentAt: NOW, msgId: 1, fragCount: 1, fragIndex: 0, replyType: 1, text: 'hi', ...over };
  }

  test(`${backend.name}: messages: batch, duplicates return the same id, pending order, markDelivered, survive reopen`, { skip: backend.skip }, async (t) => {
    const { store, reopen } = await backend.fresh(t, { now: () => NOW });
    const font = { name: '宋体', size: 9, bold: true, italic: false, underline: true, color: 0x112233 };
    const r1 = store.storeMessages([
      msg({ msgId: 1, fragCount: 2, fragIndex: 0, text: 'part one ' }),
      msg({ msgId: 1, fragCount: 2, fragIndex: 1, text: 'part two', font }),
      msg({ msgId: 2, text: 'second', replyType: 2 }),
      msg({ receiver: 10002, msgId: 3, text: 'to carol' }),
      msg({ msgId: 2, text: 'second (retransmitted)' }),
    ]);
    assert.deepEqual(r1, [
      { id: 1, duplicate: false },
      { id: 2, duplicate: false },
      { id: 3, duplicate: false },
      { id: 4, duplicate: false },
      { id: 3, duplicate: true },
    ]);
    // A later retransmission of the whole batch: nothing new, same ids.
    const r2 = store.storeMessages([msg({ msgId: 1, fragCount: 2, fragIndex: 1, text: 'part two' }), msg({ msgId: 4, text: 'new' })]);
    assert.deepEqual(r2, [{ id: 2, duplicate: true }, { id: 5, duplicate: false }]);
    assert.deepEqual(store.storeMessages([]), []);

    assert.deepEqual(store.pendingFor(10001).map((m) => m.id), [1, 2, 3, 5]);
    assert.deepEqual(store.pendingFor(10001, 2).map((m) => m.id), [1, 2]);
    assert.equal(store.pendingCount(10001), 4);
    assert.equal(store.pendingCount(10002), 1);
    assert.equal(store.pendingFor(10001)[2]!.text, 'second', 'the duplicate did not overwrite the first copy');
    assert.deepEqual(store.getMessage(2), { id: 2, ...msg({ msgId: 1, fragCount: 2, fragIndex: 1, text: 'part two', font }) });
    assert.equal(store.getMessage(1)!.font, undefined);
    assert.equal(store.getMessage(3)!.replyType, 2);
    assert.equal(store.getMessage(99), undefined);

    store.markDelivered(2);
    store.markDelivered(2);
    store.markDelivered(999);
    assert.deepEqual(store.pendingFor(10001).map((m) => m.id), [1, 3, 5]);
    assert.equal(store.pendingCount(10001), 3);
    // A duplicate of a delivered message is still a duplicate (not re-queued).
    assert.deepEqual(store.storeMessages([msg({ msgId: 1, fragCount: 2, fragIndex: 1 })]), [{ id: 2, duplicate: true }]);
    assert.equal(store.pendingCount(10001), 3);

    store.close();
    const again = reopen();
    assert.deepEqual(again.pendingFor(10001).map((m) => [m.id, m.text]), [[1, 'part one '], [3, 'second'], [5, 'new']]);
    assert.deepEqual(again.storeMessages([msg({ msgId: 4 })]), [{ id: 5, duplicate: true }]);
    assert.deepEqual(again.storeMessages([msg({ msgId: 6 })]), [{ id: 6, duplicate: false }]);
    // Message ids are u32 on the wire: the largest one round-trips.
    const big = again.storeMessages([msg({ receiver: 10002, msgId: 0xffffffff, text: 'big id' })])[0]!;
    assert.equal(again.getMessage(big.id)!.msgId, 0xffffffff);
    again.markDelivered(big.id);
  });

  test(`${backend.name}: messages: a fragment cut inside a character keeps its bytes and charset, counted as bytes, erased on delivery`, { skip: backend.skip }, async (t) => {
    const { store, reopen } = await backend.fresh(t, { now: () => NOW });
    // '你好' in UTF-8 cut after 4 bytes, and in GB18030 after 3: neither half is whole characters.
    const utf8 = Buffer.from('你好', 'utf8');
    const gb = Buffer.from('c4e3bac3', 'hex');
    const parts = [
      msg({ msgId: 9, fragCount: 2, fragIndex: 0, text: '你\ufffd', raw: { bytes: utf8.subarray(0, 4), charset: 'utf8' } }),
      msg({ msgId: 9, fragCount: 2, fragIndex: 1, text: '\ufffd\ufffd', raw: { bytes: utf8.subarray(4), charset: 'utf8' } }),
      msg({ msgId: 10, text: '\ufffd', raw: { bytes: gb.subarray(0, 3), charset: 'gb18030' } }),
    ];
    assert.deepEqual(store.storeMessages(parts).map((r) => r.duplicate), [false, false, false]);
    assert.deepEqual(store.mailboxUsage(10001).friends, { count: 3, bytes: 4 + 2 + 3 });
    store.close();
    const again = reopen();
    const pending = again.pendingFor(10001);
    assert.deepEqual(pending.map((m) => [m.text, m.raw?.charset, m.raw?.bytes.toString('hex')]), [
      ['你\ufffd', 'utf8', utf8.subarray(0, 4).toString('hex')],
      ['\ufffd\ufffd', 'utf8', utf8.subarray(4).toString('hex')],
      ['\ufffd', 'gb18030', 'c4e3ba'],
    ]);
    assert.deepEqual(again.getMessage(pending[0]!.id), { id: pending[0]!.id, ...parts[0]! });
    assert.equal(again.getMessage(pending[0]!.id)!.raw!.bytes instanceof Buffer, true);
    // Whole characters store no bytes.
    const whole = again.storeMessages([msg({ msgId: 11, text: '你好' })])[0]!;
    assert.equal(again.getMessage(whole.id)!.raw, undefined);
    assert.throws(() => again.storeMessages([msg({ msgId: 12, raw: { bytes: gb, charset: 'latin1' as 'utf8' } })]), /utf8 or gb18030/);
  });

  test(`${backend.name}: Qun messages: a fragment cut inside a character is kept once as its bytes and charset, read back in every member's inbox`, { skip: backend.skip }, async (t) => {
    const { store, reopen } = await backend.fresh(t, { now: () => NOW });
    for (const [uid, nick] of [[10001, 'A'], [10002, 'B'], [10003, 'C']] as const) store.addUser(uid, PW, nick);
    const q = store.createQun(10001, 'Q', 1, 20);
    for (const uid of [10002, 10003]) store.qunChange({ qun: q.id, join: { uid, role: 0 }, notices: [] });
    const gb = Buffer.from('c4e3bac3', 'hex'); // '你好' in GB18030, cut after 3 bytes
    const first = { qun: q.id, sender: 10001, sentAt: NOW, msgId: 7, fragCount: 2, fragIndex: 0, text: '你', raw: { bytes: gb.subarray(0, 3), charset: 'gb18030' as const } };
    const r = store.storeQunMessage(first);
    assert.deepEqual(r.inbox.map((m) => [m.receiver, m.raw?.bytes.toString('hex'), m.raw?.charset]), [[10002, 'c4e3ba', 'gb18030'], [10003, 'c4e3ba', 'gb18030']]);
    store.storeQunMessage({ ...first, fragIndex: 1, text: '好', raw: { bytes: gb.subarray(3), charset: 'gb18030' } });
    const { raw: _cut, ...plain } = first;
    store.storeQunMessage({ ...plain, msgId: 8, fragCount: 1, text: 'whole' });
    store.close();
    const again = reopen();
    for (const uid of [10002, 10003]) {
      assert.deepEqual(again.pendingFor(uid).map((m) => [m.kind, m.text, m.raw?.charset, m.raw?.bytes.toString('hex')]), [
        ['qun', '你', 'gb18030', 'c4e3ba'], ['qun', '好', 'gb18030', 'c3'], ['qun', 'whole', undefined, undefined],
      ]);
    }
    assert.throws(() => again.storeQunMessage({ ...first, msgId: 9, raw: { bytes: gb, charset: 'latin1' as 'utf8' } }), /utf8 or gb18030/);
  });

  test(`${backend.name}: messages: an invalid message rejects the whole batch and stores nothing`, { skip: backend.skip }, async (t) => {
    const { store } = await backend.fresh(t, { now: () => NOW });
    throwsStore(() => store.storeMessages([msg({ msgId: 1 }), msg({ msgId: 2, fragIndex: 1 })]), 'bad-input', /fragIndex must be a whole number from 0 to 0/);
    throwsStore(() => store.storeMessages([msg({ receiver: 0 })]), 'bad-input', /receiver must be a whole number/);
    assert.equal(store.pendingCount(10001), 0);
    assert.deepEqual(store.storeMessages([msg({ msgId: 1 })]), [{ id: 1, duplicate: false }]);
  });

  test(`${backend.name}: retention: by default a delivered message loses its text at once and its tombstone (still a duplicate) goes after an hour`, { skip: backend.skip }, async (t) => {
    const { store, clock } = await storeWithClock(backend, t);
    store.addUser(10000, PW, 'a');
    store.addUser(10001, PW, 'b');
    const id = store.storeMessages([msg({ text: 'secret words' })])[0]!.id;
    store.storeMessages([], [id]);
    assert.equal(store.getMessage(id)!.text, '', 'the text is gone once delivered');
    assert.deepEqual(store.storeMessages([msg({ text: 'secret words' })]), [{ id, duplicate: true }], 'a late retransmission is still recognised');
    clock.now += DEDUP_TOMBSTONE_SECONDS - 1;
    assert.equal(store.purgeDelivered(), 0);
    clock.now += 2;
    assert.equal(store.purgeDelivered(), 1);
    assert.equal(store.getMessage(id), undefined);
  });

  test(`${backend.name}: retention: with keepDeliveredDays a delivered message is kept that long, undelivered ones are never purged`, { skip: backend.skip }, async (t) => {
    const { store, clock } = await storeWithClock(backend, t, { keepDeliveredDays: 2 });
    store.addUser(10000, PW, 'a');
    store.addUser(10001, PW, 'b');
    const [a, b] = store.storeMessages([msg({ msgId: 1, text: 'kept' }), msg({ msgId: 2, text: 'waiting' })]);
    store.markDelivered(a!.id);
    clock.now += 2 * 86_400;
    assert.equal(store.purgeDelivered(), 0);
    assert.equal(store.getMessage(a!.id)!.text, 'kept');
    clock.now += 1;
    assert.equal(store.purgeDelivered(), 1);
    assert.equal(store.getMessage(b!.id)!.text, 'waiting');
  });

  test(`${backend.name}: known login addresses: the most recent few per user are kept`, { skip: backend.skip }, async (t) => {
    const { store, clock } = await storeWithClock(backend, t);
    store.addUser(10000, PW, 'a');
    for (const i of [1, 2, 3, 4, 5, 6]) {
      clock.now += 7200;
      store.rememberAddress(10000, `10.0.0.${i}`, 4);
    }
    clock.now += 7200;
    store.rememberAddress(10000, '10.0.0.3', 4);
    assert.deepEqual([1, 2, 3, 4, 5, 6].filter((i) => store.isKnownAddress(10000, `10.0.0.${i}`)), [3, 4, 5, 6]);
    store.rememberAddress(10000, '10.0.0.1', 4);
    assert.deepEqual([1, 2, 3, 4, 5, 6].filter((i) => store.isKnownAddress(10000, `10.0.0.${i}`)), [1, 3, 5, 6], 'the least recent went');
    assert.equal(store.isKnownAddress(10001, '10.0.0.1'), false);
  });

  test(`${backend.name}: client uploads: setGroups replaces the names (friends of a dropped group return to 0), moveFriends is all or nothing, memos, signature time`, { skip: backend.skip }, async (t) => {
    const { store, reopen } = await backend.fresh(t, { now: () => NOW });
    for (const uid of [10000, 10001, 10002, 10003]) store.addUser(uid, PW, `u${uid}`);
    store.addFriend(10000, 10001);
    store.addFriend(10000, 10002);
    store.setGroups(10000, [{ index: 1, name: 'A' }, { index: 2, name: 'B' }]);
    assert.equal(store.moveFriends(10000, [{ friend: 10001, group: 1 }, { friend: 10002, group: 2 }, { friend: 10003, group: 1 }]), 2);
    // Swapping two names in one upload is fine (the unique index is on the final list).
    store.setGroups(10000, [{ index: 1, name: 'B' }, { index: 2, name: 'A' }]);
    assert.deepEqual(store.groupsOf(10000).map((g) => g.name), ['My Friends', 'B', 'A']);
    throwsStore(() => store.moveFriends(10000, [{ friend: 10001, group: 0 }, { friend: 10002, group: 7 }]), 'unknown-group', /no friend group 7/);
    assert.deepEqual(store.friendsOf(10000).map((f) => [f.uid, f.group]), [[10001, 1], [10002, 2]]);
    throwsStore(() => store.setGroups(10000, [{ index: 1, name: 'X' }, { index: 2, name: 'X' }]), 'duplicate-group', /"X" is given twice/);
    throwsStore(() => store.setGroups(10000, [{ index: 64, name: 'Y' }]), 'bad-input', /group index/);
    store.setGroups(10000, [{ index: 2, name: 'only two' }]);
    assert.deepEqual(store.friendsOf(10000).map((f) => [f.uid, f.group]), [[10001, 0], [10002, 2]]);

    const memo = { alias: '老板', mobile: '1', telephone: '', address: '', email: '', zipcode: '', note: 'n' };
    store.setMemo(10000, 10001, memo);
    assert.deepEqual(store.memoOf(10000, 10001), memo);
    assert.equal(store.memoOf(10001, 10000), undefined);
    throwsStore(() => store.setMemo(10000, 10001, { ...memo, note: 'x'.repeat(256) }), 'bad-input', /memo note is longer than 255/);
    store.setSignature(10000, 'hello');
    const back = reopen();
    assert.deepEqual(back.memosOf(10000), [{ friend: 10001, memo }]);
    assert.deepEqual([back.getUser(10000)!.signature, back.getUser(10000)!.signatureAt], ['hello', NOW]);
    back.setMemo(10000, 10001, undefined);
    back.setSignature(10000, '');
    assert.deepEqual([back.memosOf(10000), back.getUser(10000)!.signatureAt], [[], 0]);
    // Deleting a user takes its memos and the memos about it.
    back.setMemo(10000, 10002, memo);
    back.deleteUser(10002);
    assert.deepEqual(back.memosOf(10000), []);
  });

  test(`${backend.name}: a user's Quns: whole (qunsOf) and by id alone (qunIdsOf), both ascending`, { skip: backend.skip }, async (t) => {
    const { store } = await backend.fresh(t, { now: () => NOW });
    for (const uid of [10000, 10001]) store.addUser(uid, PW, `u${uid}`);
    const first = store.createQun(10000, 'first', 1, 20);
    const second = store.createQun(10001, 'second', 1, 20);
    store.qunChange({ qun: second.id, join: { uid: 10000, role: 0 }, notices: [] });
    assert.deepEqual(store.qunsOf(10000).map((q) => [q.id, q.name]), [[first.id, 'first'], [second.id, 'second']]);
    assert.deepEqual(store.qunIdsOf(10000), [first.id, second.id]);
    assert.deepEqual(store.qunIdsOf(10001), [second.id]);
    assert.deepEqual(store.qunIdsOf(12345), []);
  });
}
