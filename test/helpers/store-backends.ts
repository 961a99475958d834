// The Store backends the store contract tests run against: SQLite always, PostgreSQL when its binaries are installed
// (a private server per test file, a fresh database per test).
import { after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres.js';
import { PgConnection } from '../../src/store/pg-sync.js';
import type { Store } from '../../src/store/store.js';
import { PgServer, postgresBinDir } from './services.js';

/** Options every backend takes. */
export interface BackendOptions {
  now?: () => number;
  keepDeliveredDays?: number;
}

/** A fresh, empty store of one backend; `reopen` opens another handle on the same data. */
export interface FreshStore {
  store: Store;
  reopen: () => Store;
}

export interface Backend {
  name: 'sqlite' | 'postgres';
  /** Why this backend's tests skip here (one line), or undefined. */
  skip?: string;
  fresh(t: { after: (fn: () => void) => void }, opts?: BackendOptions): Promise<FreshStore>;
}

let pg: Promise<PgServer> | undefined;
let dbSeq = 0;

// Registered when the file is loaded (a hook registered inside a test would run when that test ends).
after(async () => {
  if (pg) (await pg).stop();
});

/** The file's PostgreSQL server, started on first use and stopped when the file's tests are done. */
export function sharedPg(): Promise<PgServer> {
  pg ??= PgServer.start();
  return pg;
}

/** A new empty database on the file's PostgreSQL server: its URL. */
export async function freshPgDatabase(): Promise<string> {
  const server = await sharedPg();
  const name = `t${process.pid}_${++dbSeq}`;
  const admin = new PgConnection(server.url);
  admin.query(`CREATE DATABASE ${name}`);
  admin.close();
  return server.url.replace(/\/oicq$/, `/${name}`);
}

/** The store tests' backends. */
export const BACKENDS: Backend[] = [
  {
    name: 'sqlite',
    async fresh(t, opts = {}) {
      const dir = mkdtempSync(join(tmpdir(), 'oicq-store-'));
      const path = join(dir, 'oicq.db');
      const opened: Store[] = [];
      const reopen = () => {
        const s = openSqliteStore(path, opts);
        opened.push(s);
        return s;
      };
      const store = reopen();
      t.after(() => {
        for (const s of opened) s.close();
        rmSync(dir, { recursive: true, force: true });
      });
      return { store, reopen };
    },
  },
  {
    name: 'postgres',
    skip: postgresBinDir() ? undefined : 'skipped: PostgreSQL not installed (apt-get install postgresql; .ci/run does)',
    async fresh(t, opts = {}) {
      const url = await freshPgDatabase();
      const opened: PostgresStore[] = [];
      const reopen = () => {
        const s = openPostgresStore(url, opts);
        opened.push(s);
        return s;
      };
      const store = reopen();
      t.after(() => {
        for (const s of opened) s.close();
      });
      return { store, reopen };
    },
  },
];
