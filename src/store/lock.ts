// One server per store. The lock is an OS file lock that SQLite takes on a small companion database
// (`<db>.server-lock`) in EXCLUSIVE locking mode: it is held for as long as the holding process lives and is
// released by the kernel when it dies, so there is no stale pid file to clean up. Account commands never take it.
import Database from 'better-sqlite3';
import { closeSync, openSync } from 'node:fs';
import { StoreError } from './validate.js';

/** The server lock's file next to the database. */
export function serverLockPath(dbPath: string): string {
  return `${dbPath}.server-lock`;
}

/** A held server lock. */
export interface ServerLock {
  release(): void;
}

/**
 * Takes the server lock of the store at `dbPath`, or throws StoreError('locked') when another process holds it.
 * `holder` describes the other server for the message (read from the store's server_info row).
 */
export function lockStoreForServer(dbPath: string, holder: () => string | undefined): ServerLock {
  const path = serverLockPath(dbPath);
  try {
    closeSync(openSync(path, 'a', 0o600));
  } catch (e) {
    throw new StoreError('bad-input', `cannot create the server lock ${path}: ${(e as Error).message} — check the directory's permissions`);
  }
  const db = new Database(path, { timeout: 0 });
  try {
    db.pragma('journal_mode = MEMORY');
    db.pragma('locking_mode = EXCLUSIVE');
    // The first write takes the exclusive lock; EXCLUSIVE locking mode keeps it until the connection closes.
    db.exec(`BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS holder (pid INTEGER); DELETE FROM holder;
             INSERT INTO holder VALUES (${process.pid}); COMMIT`);
  } catch (e) {
    db.close();
    const code = (e as { code?: unknown }).code;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      const who = holder();
      throw new StoreError(
        'locked',
        `another oicq serve${who ? ` (${who})` : ''} is already using ${dbPath} — stop it first, or give this one another --db ` +
          `(account commands such as 'oicq user list' work while it runs)`,
      );
    }
    throw e;
  }
  return { release: () => db.close() };
}
