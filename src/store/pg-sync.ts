// A synchronous PostgreSQL connection over libpq's blocking calls (the `libpq` package): the Store interface is
// synchronous and the server calls it from its handlers, so a query blocks the event loop for one loopback round
// trip (~0.04 ms measured, docs/DECISIONS.md "A PostgreSQL store behind the synchronous Store interface").
import { createRequire } from 'node:module';
import { StoreError } from './validate.js';

/** The parts of libpq's binding this module uses. */
interface LibPq {
  connectSync(conninfo: string): void;
  finish(): void;
  exec(sql: string): void;
  execParams(sql: string, params: (string | null)[]): void;
  prepare(name: string, sql: string, nParams: number): void;
  execPrepared(name: string, params: (string | null)[]): void;
  resultStatus(): string;
  resultErrorMessage(): string;
  resultErrorFields(): { sqlState?: string } | undefined;
  errorMessage(): string;
  ntuples(): number;
  nfields(): number;
  fname(i: number): string;
  ftype(i: number): number;
  getvalue(row: number, col: number): string;
  getisnull(row: number, col: number): boolean;
  cmdTuples(): string;
  transactionStatus(): number;
}

const require = createRequire(import.meta.url);
let PQ: (new () => LibPq) | undefined;

function libpq(): new () => LibPq {
  if (!PQ) {
    try {
      PQ = require('libpq') as new () => LibPq;
    } catch (e) {
      throw new StoreError('io', `the PostgreSQL client library could not be loaded (${(e as Error).message}) — install libpq-dev and run npm install again`);
    }
  }
  return PQ;
}

/** A value bound to a query parameter. */
export type PgParam = string | number | bigint | boolean | Buffer | null | undefined;

/** A result row: int and numeric columns as numbers, bytea as Buffer, booleans as booleans, the rest as text. */
export type PgRow = Record<string, unknown>;

/** A query failed; `sqlState` is PostgreSQL's error code (23505 unique violation…); `lost` when the connection is gone. */
export class PgError extends Error {
  constructor(message: string, readonly sqlState: string | undefined, readonly lost: boolean) {
    super(message);
  }
}

// Type OIDs decoded to JS values (pg_type.oid): everything else stays text.
const INT_OIDS = new Set([20, 21, 23, 26, 1700]);
const BYTEA = 17;
const BOOL = 16;

function encode(v: PgParam): string | null {
  if (v === null || v === undefined) return null;
  if (Buffer.isBuffer(v)) return `\\x${v.toString('hex')}`;
  if (typeof v === 'boolean') return v ? 't' : 'f';
  return String(v);
}

/** PostgreSQL's connection-loss errors (the server stopped, restarted or the network dropped). */
function isConnectionError(state: string | undefined, message: string): boolean {
  if (state && (state.startsWith('08') || state === '57P01' || state === '57P02' || state === '57P03')) return true;
  return /server closed the connection|no connection to the server|terminating connection|could not send data|connection to server/i.test(message);
}

/**
 * One synchronous connection, reconnected on the next query after it was lost. Statements are prepared once per
 * connection by their text.
 */
export class PgConnection {
  private conn?: LibPq;
  private prepared = new Map<string, string>();
  private depth = 0;

  constructor(private readonly url: string) {}

  private connection(): LibPq {
    if (this.conn) return this.conn;
    const Ctor = libpq();
    const c = new Ctor();
    try {
      // A short connect timeout: a node whose database is down refuses sends quickly instead of hanging.
      c.connectSync(withConnectTimeout(this.url));
    } catch (e) {
      throw new PgError(`cannot connect to PostgreSQL at ${redact(this.url)}: ${(e as Error).message.trim()}`, '08001', true);
    }
    this.conn = c;
    this.prepared.clear();
    this.query('SET client_min_messages = warning');
    return c;
  }

  /** Runs a statement (prepared on first use) and returns its rows. */
  query(sql: string, params: readonly PgParam[] = []): PgRow[] {
    const c = this.connection();
    let name = this.prepared.get(sql);
    if (params.length > 0 && name === undefined) {
      name = `s${this.prepared.size}`;
      c.prepare(name, sql, params.length);
      this.check(c);
      this.prepared.set(sql, name);
    }
    const args = params.map(encode);
    if (name !== undefined) c.execPrepared(name, args);
    else c.execParams(sql, args);
    this.check(c);
    return rowsOf(c);
  }

  /** Runs several statements separated by semicolons (no parameters: migrations). */
  script(sql: string): void {
    const c = this.connection();
    c.exec(sql);
    this.check(c);
  }

  /** Rows changed by the last statement. */
  changes(): number {
    return Number(this.conn?.cmdTuples() || 0);
  }

  /** The first row of a query, or undefined. */
  get(sql: string, params: readonly PgParam[] = []): PgRow | undefined {
    return this.query(sql, params)[0];
  }

  /** Runs `fn` in a transaction (nested calls join the outer one); rolls back when it throws. */
  tx<T>(fn: () => T): T {
    if (this.depth > 0) return fn();
    this.query('BEGIN');
    this.depth++;
    try {
      const r = fn();
      this.query('COMMIT');
      return r;
    } catch (e) {
      try {
        if (this.conn) this.query('ROLLBACK');
      } catch {
        // the connection is gone: the server rolled back
      }
      throw e;
    } finally {
      this.depth--;
    }
  }

  private check(c: LibPq): void {
    const status = c.resultStatus();
    if (status === 'PGRES_COMMAND_OK' || status === 'PGRES_TUPLES_OK' || status === 'PGRES_EMPTY_QUERY') return;
    const message = (c.resultErrorMessage() || c.errorMessage() || status).trim();
    const state = c.resultErrorFields()?.sqlState;
    // transactionStatus 4 = PQTRANS_UNKNOWN: the connection is bad.
    const lost = c.transactionStatus() === 4 || isConnectionError(state, message);
    if (lost) this.drop();
    throw new PgError(message, state, lost);
  }

  private drop(): void {
    const c = this.conn;
    this.conn = undefined;
    this.prepared.clear();
    if (!c) return;
    try {
      c.finish();
    } catch {
      // already closed
    }
    keepUntilClosed(c);
  }

  /** Closes the connection. */
  close(): void {
    this.drop();
  }
}

// libpq's finish() hands the socket watcher embedded in the native object to libuv's uv_close and then lets the
// object be garbage collected; libuv only finishes the close at the end of the loop turn. A collection before that
// frees memory libuv still holds and the process aborts (uv__finish_close). So a finished connection stays
// referenced until two loop turns have passed, past that turn's close phase.
const closing = new Set<LibPq>();

function keepUntilClosed(c: LibPq): void {
  closing.add(c);
  setImmediate(() => setImmediate(() => closing.delete(c)));
}

function rowsOf(c: LibPq): PgRow[] {
  const n = c.ntuples();
  const f = c.nfields();
  if (n === 0 || f === 0) return [];
  const names: string[] = [];
  const types: number[] = [];
  for (let j = 0; j < f; j++) {
    names.push(c.fname(j));
    types.push(c.ftype(j));
  }
  const rows: PgRow[] = new Array<PgRow>(n);
  for (let i = 0; i < n; i++) {
    const r: PgRow = {};
    for (let j = 0; j < f; j++) {
      if (c.getisnull(i, j)) {
        r[names[j]!] = null;
        continue;
      }
      const v = c.getvalue(i, j);
      const t = types[j]!;
      r[names[j]!] = INT_OIDS.has(t) ? Number(v) : t === BYTEA ? Buffer.from(v.slice(2), 'hex') : t === BOOL ? v === 't' : v;
    }
    rows[i] = r;
  }
  return rows;
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]+):[^@/]*@/, '$1:***@');
}

function withConnectTimeout(url: string): string {
  if (/connect_timeout=/.test(url)) return url;
  return url + (url.includes('?') ? '&' : '?') + 'connect_timeout=3';
}
