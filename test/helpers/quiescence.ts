// Absence checked by quiescence, not by sleeping: a test that asserts "shown once" or "nothing more arrived"
// first waits until the server says every push it owed was acked, then lets the datagrams already on their way
// be read, and only then looks. A fixed 100–300 ms wait is too short on a loaded machine and too long elsewhere.
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { OicqServer } from '../../src/server/server.js';

/** How many message pushes the server still owes (queued, in flight, or not yet acked); 0 = all acked. */
export type OutstandingProbe = () => number;

/** Datagrams something between the two ends still holds (e.g. a UdpProxy's `holding`). */
export function heldBy(relay: { readonly holding: number }): OutstandingProbe {
  return () => relay.holding;
}

/** The probe of an in-process server. */
export function serverProbe(server: Pick<OicqServer, 'outstandingPushes'>): OutstandingProbe {
  return () => server.outstandingPushes();
}

/**
 * The probe of a server in another process: the messages to `receivers` its SQLite file still holds as
 * undelivered. Delivery marks are committed right after each ack, so 0 means every push to them was acked — of the
 * sends already answered: one pushed unstored is answered only once acked or stored, so wait for the answers first.
 */
export function storeProbe(dbPath: string, receivers: readonly number[]): OutstandingProbe {
  return () => {
    const store = openSqliteStore(dbPath);
    try {
      return receivers.reduce((n, uid) => n + store.pendingCount(uid), 0);
    } finally {
      store.close();
    }
  };
}

/** Resolves after one whole event-loop turn, poll phase included: datagrams already in a socket's buffer are read. */
export async function ioTurn(): Promise<void> {
  await new Promise((r) => setTimeout(r, 0));
  await new Promise((r) => setImmediate(r));
}

/** Options of quiescence(). */
export interface QuiescenceOptions {
  /** Give up (and throw) after this long; it bounds a failing test, a passing one returns as soon as it is quiet. */
  deadlineMs?: number;
  /** Said in the error at the deadline. */
  what?: string;
  /** How often to ask the probes (default 5 ms; a store probe opens the database each time, so ask it less). */
  pollMs?: number;
}

/**
 * Waits until the probes report nothing outstanding on two checks a full event-loop turn apart (so pushes and
 * acks already sent have been read by both sides), or throws at the deadline saying how many were still owed.
 */
export async function quiescence(probes: OutstandingProbe | readonly OutstandingProbe[], opts: QuiescenceOptions = {}): Promise<void> {
  const all = typeof probes === 'function' ? [probes] : probes;
  const probe = () => all.reduce((n, p) => n + p(), 0);
  const deadline = Date.now() + (opts.deadlineMs ?? 5000);
  let left = probe();
  for (;;) {
    if (left === 0) {
      await ioTurn();
      left = probe();
      if (left === 0) return;
    }
    if (Date.now() > deadline) {
      throw new Error(`not quiescent after ${opts.deadlineMs ?? 5000} ms: ${left} push(es) still owed${opts.what ? ` (${opts.what})` : ''}`);
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 5));
    left = probe();
  }
}
