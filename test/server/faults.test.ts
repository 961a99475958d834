// A full disk and a second server. Two ways to fill the disk: SQLite's max_page_count on a real file (the
// store's --max-db-size; runs everywhere), and a real 1 MiB tmpfs (needs the privilege to mount; skipped
// with one line otherwise).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { lockStoreForServer } from '../../src/store/lock.js';
import { StoreError } from '../../src/store/validate.js';
import { ClassicCmd } from '../../src/protocol/commands.js';
import { logoutCodec } from '../../src/protocol/bodies/classic/index.js';
import { passwordKey } from '../../src/protocol/keys.js';
import { ClassicDriver } from '../helpers/classic-driver.js';
import { seedAccounts, startServer, tempDir, until } from '../helpers/udp.js';
import { systemClock, type Clock } from '../../src/transport/clock.js';
import { ROOT, childEnv } from '../client/oicq-process.js';

const R = { uid: 32001, password: 'r' };
const F = { uid: 32002, password: 'f' };

/** A pino logger whose lines land in `lines`. */
function capturingLog(lines: Record<string, unknown>[]): pino.Logger {
  return pino({ level: 'info' }, new Writable({ write(c, _e, cb) { lines.push(JSON.parse(String(c))); cb(); } }));
}

test('a delivery mark whose commit fails (database full) is kept and retried, never dropped; the log says what failed', async () => {
  const dir = tempDir();
  const dbPath = join(dir, 'oicq.db');
  const setup = openSqliteStore(dbPath);
  seedAccounts(setup, [R, F], [[R.uid, F.uid]]);
  setup.storeMessages([{ sender: F.uid, receiver: R.uid, sentAt: 1, msgId: 1, fragCount: 1, fragIndex: 0, replyType: 1, text: 'waiting' }]);
  setup.close();
  const size = statSync(dbPath).size;
  // Not one page more than it has: any write that needs a new page fails with SQLITE_FULL.
  const store = openSqliteStore(dbPath, { maxSizeBytes: size });
  const lines: Record<string, unknown>[] = [];
  // No ack hold: the send to the online receiver must reach the failing store, not be pushed unstored.
  const { server } = await startServer({ store, dbPath, log: capturingLog(lines), hub: { commitRetryMs: 50, ackHoldMs: 0 } });
  const r = await ClassicDriver.open(server.address.port, R.uid, R.password);
  try {
    await r.login();
    const { seq } = await r.receive(3000, false);
    // The ack and a big send in one turn: one transaction, which needs new pages and fails.
    const session = server.hub.get(R.uid)!;
    let result: unknown;
    assert.ok(server.hub.ack(session, seq));
    server.hub.submit([{ sender: F.uid, receiver: R.uid, sentAt: 2, msgId: 2, fragCount: 1, fragIndex: 0, replyType: 1, text: 'x'.repeat(64 * 1024) }], ([res]) => (result = res));
    await until(() => result !== undefined, 2000, 'the send is answered');
    assert.deepEqual(result, { ok: false, reason: 'store_failed' });
    const err = lines.find((l) => l.level === 50)!;
    assert.match(String(err.msg), /committing 1 sent message\(s\) and 1 delivery mark\(s\) failed: .* the delivery marks are kept and retried/);
    assert.match(JSON.stringify(err.err), /is full/);
    // The mark alone needs no new page: the retry commits it.
    await until(() => store.pendingCount(R.uid) === 0, 2000, 'the mark committed by the retry');
    assert.equal(server.hub.commit.uncommittedMarks, 0);
    // At the wire: a new login gets no second copy of the acked message.
    r.fire(ClassicCmd.LOGOUT, logoutCodec.encode({ passwordKey: passwordKey(R.password) }));
    const again = await ClassicDriver.open(server.address.port, R.uid, R.password);
    await again.login();
    await assert.rejects(again.receive(300), /no matching datagram/);
    again.close();
  } finally {
    r.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a send delivered before stored whose ack does not come, and whose commit then fails, gets the failure reply', async () => {
  const dir = tempDir();
  const dbPath = join(dir, 'oicq.db');
  const setup = openSqliteStore(dbPath);
  seedAccounts(setup, [R, F], [[R.uid, F.uid]]);
  setup.close();
  const store = openSqliteStore(dbPath, { maxSizeBytes: statSync(dbPath).size });
  const lines: Record<string, unknown>[] = [];
  // The server's clock, held still until the four sends are taken (at the end of the turn they were submitted in):
  // their holds then start, and end, at the same millisecond, in one commit. On the wall clock a millisecond could
  // pass between two takes (the first is pushed at once), and the first hold then ended and committed alone: its
  // message fits the messages table's first page, so it was stored (1 run in about 15).
  const held: { at?: number } = {};
  const clock: Clock = { ...systemClock, now: () => held.at ?? Date.now() };
  const { server } = await startServer({ store, dbPath, clock, log: capturingLog(lines), hub: { commitRetryMs: 50, ackHoldMs: 50 } });
  const r = await ClassicDriver.open(server.address.port, R.uid, R.password);
  try {
    await r.login();
    await r.keepAlive();
    const results: unknown[] = [];
    // R never acks: the holds end together, and their insert needs pages the database may not grow.
    held.at = Date.now();
    for (let i = 0; i < 4; i++) {
      server.hub.submit([{ sender: F.uid, receiver: R.uid, sentAt: 3, msgId: 3 + i, fragCount: 1, fragIndex: 0, replyType: 1, text: 'z'.repeat(2000) }], ([res]) => results.push(res));
    }
    const { push } = await r.receive(3000, false);
    held.at = undefined;
    assert.ok(push.content.kind === 'im', 'pushed before it was stored');
    assert.equal(results.length, 0, 'not answered while held');
    await until(() => results.length === 4, 2000, 'the sends are answered');
    assert.deepEqual(results, Array(4).fill({ ok: false, reason: 'store_failed' }));
    const err = lines.find((l) => l.level === 50)!;
    assert.match(String(err.msg), /committing 4 sent message\(s\) and 0 delivery mark\(s\) failed/);
  } finally {
    r.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('one server per store, also within one process; the lock goes with its holder', () => {
  const dir = tempDir();
  const db = join(dir, 'oicq.db');
  const first = lockStoreForServer(db, () => 'pid 1 on here');
  try {
    assert.throws(() => lockStoreForServer(db, () => 'pid 1 on here'), (e: unknown) => {
      assert.ok(e instanceof StoreError && e.code === 'locked');
      assert.match(e.message, /another oicq serve \(pid 1 on here\) is already using .*oicq\.db — stop it first/);
      return true;
    });
  } finally {
    first.release();
  }
  lockStoreForServer(db, () => undefined).release();
  rmSync(dir, { recursive: true, force: true });
});

/** Mounts a 1 MiB tmpfs; undefined (and the reason) when this process may not. */
function mountTinyDisk(): { dir: string; unmount: () => void } | string {
  const dir = tempDir('oicq-tmpfs-');
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return (r.stderr || r.error?.message || 'mount failed').trim();
  }
  return {
    dir,
    unmount: () => {
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Fills the disk under `dir` with a filler file; returns its path (delete it to free the space). */
function fill(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(4096, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    closeSync(fd);
  }
  return path;
}

const disk = mountTinyDisk();
const skip = typeof disk === 'string' ? `full-disk tests on a real tmpfs skipped: cannot mount one (${disk})` : false;
if (typeof disk !== 'string') test.after(() => disk.unmount());

test('a real full disk: sends get the failure reply, the marks wait, and everything resumes once there is room', { skip }, async () => {
  const d = disk as { dir: string };
  const dir = join(d.dir, 'live');
  mkdirSync(dir);
  const dbPath = join(dir, 'oicq.db');
  const lines: Record<string, unknown>[] = [];
  const { server, store } = await startServer({ dbPath, log: capturingLog(lines), hub: { commitRetryMs: 50, minFreeDiskBytes: 0, ackHoldMs: 0 } });
  seedAccounts(store, [R, F], [[R.uid, F.uid]]);
  const r = await ClassicDriver.open(server.address.port, R.uid, R.password);
  const f = await ClassicDriver.open(server.address.port, F.uid, F.password);
  try {
    await r.login();
    await f.login();
    assert.equal(await f.send(R.uid, 'before'), 0);
    const { seq } = await r.receive(3000, false);
    const filler = fill(d.dir);
    const session = server.hub.get(R.uid)!;
    let result: unknown;
    server.hub.ack(session, seq);
    server.hub.submit([{ sender: F.uid, receiver: R.uid, sentAt: 9, msgId: 9, fragCount: 1, fragIndex: 0, replyType: 1, text: 'y'.repeat(200_000) }], ([res]) => (result = res));
    await until(() => result !== undefined, 2000, 'answered');
    assert.deepEqual(result, { ok: false, reason: 'store_failed' });
    const err = lines.find((l) => l.level === 50);
    assert.ok(err, 'logged');
    assert.match(JSON.stringify(err.err), /disk holding .* is full|is full/);
    rmSync(filler);
    await until(() => server.hub.commit.uncommittedMarks === 0 && store.pendingCount(R.uid) === 0, 3000, 'the mark committed once there is room');
    assert.equal(await f.send(R.uid, 'after'), 0);
  } finally {
    r.close();
    f.close();
    await server.close();
    store.close();
  }
});

test('a real full disk: oicq serve started there says the disk is full', { skip }, () => {
  const d = disk as { dir: string };
  const dir = join(d.dir, 'start');
  mkdirSync(dir);
  const dbPath = join(dir, 'oicq.db');
  const s = openSqliteStore(dbPath);
  seedAccounts(s, [R]);
  s.close();
  const filler = fill(d.dir);
  try {
    const run = spawnSync(process.execPath, ['bin/oicq.js', 'serve', '--host', '127.0.0.1', '--port', '0', '--db', dbPath], {
      cwd: ROOT, env: childEnv(), encoding: 'utf8', timeout: 20_000,
    });
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stderr, /^oicq serve: cannot start: the disk holding .*oicq\.db is full — free some space/);
    assert.doesNotMatch(run.stderr, /permission/);
  } finally {
    rmSync(filler);
  }
});
