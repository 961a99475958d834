// The store file from the CLI: one server per store, account commands while it runs, online backup,
// integrity check, a damaged file, capture-file safety, and the strangers setting.
import { test } from 'node:test';
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { OicqWorld, oicq } from '../client/oicq-process.js';

test('one server per store: a second serve refuses naming the first; account commands and an online backup work meanwhile', async () => {
  const w = new OicqWorld();
  try {
    w.addUser(10001, 'alice-pw', 'Alice');
    await w.start();
    const second = await oicq(['serve', '--host', '127.0.0.1', '--port', '0', '--db', w.db, '--no-demo']);
    assert.equal(second.code, 1);
    assert.match(second.stderr, /^oicq serve: cannot start: another oicq serve \(pid \d+ on .+, since .+ UTC\) is already using .*oicq\.db — stop it first/);
    assert.equal(second.stderr.trim().split('\n').length, 1, 'one line');

    const list = await oicq(['user', 'list', '--db', w.db]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /10001\s+Alice/);
    const add = await oicq(['user', 'add', '10002', '--db', w.db], { env: { OICQ_PASSWORD: 'bob-pw' } });
    assert.equal(add.code, 0, add.stderr);

    const backup = join(w.dir, 'backup.db');
    const b = await oicq(['db', 'backup', backup, '--db', w.db]);
    assert.equal(b.code, 0, b.stderr);
    assert.match(b.stdout, /^backed up .* to .*backup\.db \(\d+ bytes\)\n$/);
    assert.equal(statSync(backup).mode & 0o777, 0o600);
    const copy = openSqliteStore(backup);
    assert.deepEqual(copy.listUsers().map((u) => u.uid), [10001, 10002], 'the backup holds both accounts');
    copy.close();
    const again = await oicq(['db', 'backup', backup, '--db', w.db]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists — give the backup a new file name/);
  } finally {
    await w.stop();
  }
});

test('a server that stopped (even killed) leaves no lock behind', async () => {
  const w = new OicqWorld();
  try {
    w.addUser(10001, 'alice-pw', 'Alice');
    await w.start();
    await w.stopServer('SIGKILL');
    await w.start();
  } finally {
    await w.stop();
  }
});

test('db check passes a sound file; a damaged one: check lists the problem, serve refuses naming the file and the way back, user list exits 1', async () => {
  const w = new OicqWorld();
  try {
    const store = openSqliteStore(w.db);
    for (let i = 0; i < 2000; i++) store.addUser(10_000 + i, Buffer.alloc(16, 1), `user number ${i}`);
    store.close();
    const ok = await oicq(['db', 'check', '--db', w.db]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /: ok \(SQLite integrity check passed\)/);

    // Overwrite a page of the users table with garbage, as a failing disk would (the table's root page:
    // where it lies depends on how many tables the schema creates before the rows).
    const probe = new Database(w.db, { readonly: true });
    const { rootpage } = probe.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'users'").get() as { rootpage: number };
    probe.close();
    const fd = openSync(w.db, 'r+');
    writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, 4096 * (rootpage - 1));
    closeSync(fd);

    const check = await oicq(['db', 'check', '--db', w.db]);
    assert.equal(check.code, 1);
    assert.match(check.stdout, /malformed|corrupt|btree|page/i);
    assert.match(check.stderr, /is damaged .* restore a backup/);

    const serve = await oicq(['serve', '--host', '127.0.0.1', '--port', '0', '--db', w.db, '--no-demo']);
    assert.equal(serve.code, 1);
    assert.match(serve.stderr, new RegExp(`cannot start: the database ${w.db.replace(/[.]/g, '\\.')} is damaged .*restore a backup .*\\.recover`));

    const list = await oicq(['user', 'list', '--db', w.db]);
    assert.equal(list.code, 1, 'not a usage error');
    assert.match(list.stderr, /^oicq user: the database .*oicq\.db is damaged/);
  } finally {
    await w.stop();
  }
});

test('--capture: never truncates an existing file unless told, never the store, and creates the file 0600', async () => {
  const w = new OicqWorld();
  try {
    w.addUser(10001, 'alice-pw', 'Alice');
    const existing = join(w.dir, 'old.pcap');
    writeFileSync(existing, 'precious');
    const refused = await oicq(['serve', '--port', '0', '--host', '127.0.0.1', '--db', w.db, '--capture', existing]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /already exists — pick a new name, or pass --capture-overwrite/);
    assert.equal(readFileSync(existing, 'utf8'), 'precious');

    for (const own of [w.db, `${w.db}-wal`, `${w.db}.server-lock`, join(w.dir, '.', 'oicq.db')]) {
      const r = await oicq(['serve', '--port', '0', '--host', '127.0.0.1', '--db', w.db, '--capture', own, '--capture-overwrite']);
      assert.equal(r.code, 2, own);
      assert.match(r.stderr, /is one of the store's own files/);
    }
    const users = openSqliteStore(w.db);
    assert.equal(users.countUsers(), 1, 'the accounts are intact');
    users.close();

    const fresh = join(w.dir, 'new.pcap');
    await w.start(['--capture', fresh]);
    assert.equal(statSync(fresh).mode & 0o777, 0o600);
    await w.stopServer('SIGTERM');
    await w.start(['--capture', existing, '--capture-overwrite']);
    assert.equal(statSync(existing).mode & 0o777, 0o600);
    assert.notEqual(readFileSync(existing, 'utf8'), 'precious');
  } finally {
    await w.stop();
  }
});

test("user set --strangers: stored, and a bad value is one line with the fix", async () => {
  const w = new OicqWorld();
  try {
    w.addUser(10001, 'alice-pw', 'Alice');
    const set = await oicq(['user', 'set', '10001', '--strangers', 'friends-only', '--db', w.db]);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(set.stdout, 'user 10001 now accepts messages from friends only\n');
    const s = openSqliteStore(w.db);
    assert.equal(s.getUser(10001)!.strangers, 'friends-only');
    s.close();
    const bad = await oicq(['user', 'set', '10001', '--strangers', 'nobody', '--db', w.db]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^oicq user: --strangers 'nobody' is not accept or friends-only — e\.g\. 'oicq user set 10001 --strangers friends-only'\n$/);
  } finally {
    await w.stop();
  }
});
