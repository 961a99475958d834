import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';

/**
 * The checkpointer's thread: its own connection to the file, a PASSIVE checkpoint every `everyMs` (it waits for no
 * reader or writer), each result posted back. Plain JavaScript run with `eval`: a worker does not inherit the
 * TypeScript loader the server runs under.
 */
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const failed = (e) => parentPort.postMessage({ error: String((e && e.message) || e) });
let db;
try {
  db = new Database(workerData.file, { fileMustExist: true });
  db.pragma('busy_timeout = 1000');
} catch (e) {
  failed(e);
  parentPort.close();
}
if (db) {
  const timer = setInterval(() => {
    try {
      const r = db.pragma('wal_checkpoint(PASSIVE)')[0];
      parentPort.postMessage({ log: r.log, checkpointed: r.checkpointed });
    } catch (e) {
      failed(e);
    }
  }, workerData.everyMs);
  parentPort.on('message', (m) => {
    if (m !== 'stop') return;
    clearInterval(timer);
    db.close();
    parentPort.close();
  });
}
`;

/** One checkpoint's outcome: WAL frames in the log, and how many of them are now in the database file. */
export interface CheckpointResult {
  log: number;
  checkpointed: number;
}

/**
 * Copies the WAL into the database file from a worker thread (docs/DECISIONS.md, "WAL checkpoints off the event
 * loop"). SQLite's own checkpoint runs inside the commit that crosses 1 000 pages, on the event loop, with its
 * fsync: that commit, and every message of its turn, waits. The owner turns its connection's autocheckpoint off
 * while this runs, and back on if the thread fails (`onFailure`). SQLite starts the WAL over only when a write
 * begins with every frame copied, which a checkpoint running beside a steady stream of commits may never leave
 * behind: the owner catches up itself (`onResult`) when the log grows past a limit.
 */
export class WalCheckpointer {
  private readonly worker: Worker;
  private stopped = false;
  /** Checkpoints done, and the last one's outcome. */
  done = 0;
  last?: CheckpointResult;

  constructor(file: string, everyMs: number, onFailure: (why: string) => void, onResult?: (r: CheckpointResult) => void) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(THREAD, { eval: true, workerData: { file, everyMs, driver } });
    this.worker.unref();
    let failed = false;
    const fail = (why: string) => {
      if (failed || this.stopped) return;
      failed = true;
      onFailure(why);
    };
    this.worker.on('message', (m: CheckpointResult | { error: string }) => {
      if ('error' in m) return fail(m.error);
      this.done++;
      this.last = m;
      onResult?.(m);
    });
    this.worker.on('error', (e) => fail(e.message));
    this.worker.on('exit', (code) => fail(`the checkpoint thread exited (code ${code})`));
  }

  /** Stops the thread; it closes its connection at once (the process never waits for it). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.worker.postMessage('stop');
  }
}
