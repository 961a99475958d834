// Store micro-benchmark: the calls the server makes synchronously, on SQLite (the reference, a file with
// synchronous=FULL) and on PostgreSQL through libpq's blocking calls (a private server, fsync on, loopback).
// Prints per-call times and PostgreSQL/SQLite ratios. Run with `npm run bench:store`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../src/store/sqlite.js';
import { openPostgresStore } from '../src/store/postgres.js';
import type { NewMessage, Store } from '../src/store/store.js';
import { passwordMd5 } from '../src/protocol/keys.js';
import { PgServer, servicesMissing } from '../test/helpers/services.js';
import { measure } from './lib/measure.js';
import { printTable, fmt, ratio } from './lib/table.js';

const missing = servicesMissing();
if (missing) {
  console.log(`bench:store ${missing}`);
  process.exit(0);
}

const BATCH = 20; // sends of one group-commit turn
let seq = 0;

function seed(s: Store): void {
  for (let u = 10001; u <= 10100; u++) s.addUser(u, passwordMd5('pw'), `u${u}`);
  for (let u = 10002; u <= 10100; u++) s.addFriend(10001, u);
}

function batch(): NewMessage[] {
  return Array.from({ length: BATCH }, () => {
    const n = ++seq;
    return { sender: 10001, receiver: 10002 + (n % 99), sentAt: 1_700_000_000 + Math.floor(n / 60000), msgId: n % 60000, fragCount: 1, fragIndex: 0, replyType: 1, text: 'hello there, a message of a usual length' };
  });
}

function run(s: Store): Record<string, number> {
  const opts = { minMs: 800, warmupMs: 150 };
  const out: Record<string, number> = {};
  out['loginAccount (login: account and ban)'] = 1000 / measure(() => s.loginAccount(10050), opts).opsPerSec;
  out['friendUids (login: presence, 99 friends)'] = 1000 / measure(() => s.friendUids(10001), opts).opsPerSec;
  out['friendsOf (friend list, 99 friends)'] = 1000 / measure(() => s.friendsOf(10001), opts).opsPerSec;
  out[`storeMessages, ${BATCH} per commit (per message)`] = 1000 / measure(() => s.storeMessages(batch()), opts).opsPerSec / BATCH;
  out['pendingFor (login drain)'] = 1000 / measure(() => s.pendingFor(10050, 100), opts).opsPerSec;
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'oicq-bench-store-'));
const pg = await PgServer.start({ durable: true });
try {
  const lite = openSqliteStore(join(dir, 'oicq.db'));
  seed(lite);
  const a = run(lite);
  lite.close();
  const post = openPostgresStore(pg.url);
  seed(post);
  const b = run(post);
  post.close();
  printTable('Store calls (ms per call; lower is better)', ['call', 'SQLite', 'PostgreSQL', 'PG / SQLite'], Object.keys(a).map((k) => [k, fmt(a[k]!, 4), fmt(b[k]!, 4), ratio(b[k]!, a[k]!)]));
} finally {
  pg.stop();
  rmSync(dir, { recursive: true, force: true });
}
