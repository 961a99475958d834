// WAL checkpoints off the event loop: the server's connection never checkpoints in a commit, a worker thread does
// it, and if that thread dies the connection checkpoints by itself again (docs/DECISIONS.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type Database from 'better-sqlite3';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { WalCheckpointer } from '../../src/store/wal-checkpointer.js';
import { passwordMd5 } from '../../src/protocol/keys.js';

/** The store's connection and checkpointer, which the Store interface does not show. */
interface Inside {
  db: Database.Database;
  checkpointer?: WalCheckpointer;
}

const until = async (what: string, ok: () => boolean) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(ok(), what);
};

test('background checkpoints: the connection has autocheckpoint off, a worker thread copies every WAL frame into the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oicq-ckpt-'));
  const store = openSqliteStore(join(dir, 'oicq.db'), { synchronous: 'normal', backgroundCheckpointMs: 20 });
  const inside = store as unknown as Inside;
  try {
    assert.equal(inside.db.pragma('wal_autocheckpoint', { simple: true }), 0, 'no checkpoint inside a commit');
    const md5 = passwordMd5('x');
    for (let i = 0; i < 1500; i++) store.addUser(100_000 + i, md5, `u${i}`);
    const cp = inside.checkpointer!;
    await until('a checkpoint copied all 1 500 commits', () => (cp.last?.log ?? 0) >= 1500 && cp.last!.checkpointed === cp.last!.log);
    assert.equal(store.getUser(101_499)?.nick, 'u1499');
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('background checkpoints: under a stream of commits with no gap the WAL still starts over (the connection catches up past the limit)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oicq-ckpt-'));
  const store = openSqliteStore(join(dir, 'oicq.db'), { synchronous: 'normal', backgroundCheckpointMs: 10, walCatchUpFrames: 500 });
  const cp = (store as unknown as Inside).checkpointer!;
  const logs: number[] = [];
  const md5 = passwordMd5('x');
  try {
    // Commits one after another, a turn each, until the thread reported twenty times.
    for (let i = 0; logs.length < 20; i++) {
      store.addUser(100_000 + i, md5, `u${i}`);
      if (cp.last && cp.done > logs.length) logs.push(cp.last.log);
      await new Promise((r) => setImmediate(r));
    }
    const restarts = logs.filter((l, i) => i > 0 && l < logs[i - 1]!).length;
    assert.ok(restarts > 0, `the WAL started over (frames at each report: ${logs.join(' ')})`);
    assert.ok(Math.max(...logs) < 50_000, `and stayed bounded (${Math.max(...logs)} frames at most)`);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('background checkpoints: if the thread dies, the connection checkpoints in its commits again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oicq-ckpt-'));
  const store = openSqliteStore(join(dir, 'oicq.db'), { synchronous: 'normal', backgroundCheckpointMs: 20 });
  const inside = store as unknown as Inside;
  try {
    await (inside.checkpointer as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    await until('autocheckpoint is back to SQLite\'s 1 000 pages', () => inside.db.pragma('wal_autocheckpoint', { simple: true }) === 1000);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('account commands open the store without a checkpoint thread (SQLite checkpoints as usual)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'oicq-ckpt-'));
  const store = openSqliteStore(join(dir, 'oicq.db'));
  const inside = store as unknown as Inside;
  try {
    assert.equal(inside.checkpointer, undefined);
    assert.equal(inside.db.pragma('wal_autocheckpoint', { simple: true }), 1000);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
