import { parseIpv4 } from '../protocol/bodies/status-block.js';
import type { Framing } from '../protocol/framing.js';
import type { Endpoint, Session } from './session.js';
import { UidTable } from './uid-table.js';

/** How many sessions one kind of client holds: its framing and version tag. */
export interface ClientCount {
  framing: Framing;
  version: number;
  count: number;
}

/** The online sessions, found by uid and by the endpoint they are bound to. */
export class SessionTable {
  /** By uid: looked up for every request (UidTable: one cache line per lookup where a Map reads two). */
  private readonly byUid = new UidTable<Session>();
  private readonly byEndpoint = new Map<number | string, Session>();
  /** Sessions by framing and version tag (key: framing bit × 65536 + version), kept as sessions come and go. */
  private readonly byClient = new Map<number, number>();

  /**
   * An endpoint's key: IPv4 and port as one number (looked up for every datagram: no string to build and hash),
   * or a string for an address that is not dotted IPv4.
   */
  private static key(e: Endpoint): number | string {
    const ip = parseIpv4(e.address);
    return ip === undefined ? `${e.address}|${e.port}` : ip * 65536 + e.port;
  }

  /** The online session of a uid. */
  get(uid: number): Session | undefined {
    return this.byUid.get(uid);
  }

  /** Number of sessions. */
  get size(): number {
    return this.byUid.size;
  }

  /** Whether a live session is bound to this endpoint. */
  hasEndpoint(e: Endpoint): boolean {
    return this.byEndpoint.has(SessionTable.key(e));
  }

  /** The live session bound to this endpoint, if any. */
  atEndpoint(e: Endpoint): Session | undefined {
    return this.byEndpoint.get(SessionTable.key(e));
  }

  /** Sessions by kind of client, without walking the table (a metrics scrape at a million sessions must not). */
  clients(): ClientCount[] {
    return [...this.byClient].map(([k, count]) => ({ framing: k >= 65536 ? 'modern' : 'classic', version: k & 0xffff, count }));
  }

  private static clientKey(s: Session): number {
    return (s.framing === 'modern' ? 65536 : 0) + s.version;
  }

  /** All sessions. */
  all(): IterableIterator<Session> {
    return this.byUid.values();
  }

  /** Adds a session; the caller closed any older session of the uid first. */
  add(s: Session): void {
    this.byUid.set(s.uid, s);
    this.byEndpoint.set(SessionTable.key(s.endpoint), s);
    const c = SessionTable.clientKey(s);
    this.byClient.set(c, (this.byClient.get(c) ?? 0) + 1);
  }

  /** Removes a session (only itself: a newer session of the same uid or endpoint stays). */
  remove(s: Session): void {
    if (this.byUid.get(s.uid) === s) {
      this.byUid.delete(s.uid);
      const c = SessionTable.clientKey(s);
      const n = (this.byClient.get(c) ?? 1) - 1;
      if (n > 0) this.byClient.set(c, n);
      else this.byClient.delete(c);
    }
    const k = SessionTable.key(s.endpoint);
    if (this.byEndpoint.get(k) === s) this.byEndpoint.delete(k);
  }

  /**
   * Visits the next `budget` sessions of a round over the whole table, resuming where the last call stopped
   * (`visit` may remove the session it gets; see UidTable.sweep). Returns how many it visited: fewer than `budget`
   * when the round ended (the next call starts a new round).
   */
  sweepStep(budget: number, visit: (s: Session) => void): number {
    return this.byUid.sweep(budget, visit);
  }
}
