import type { Endpoint, Session } from './session.js';

/** The online sessions, found by uid and by the endpoint they are bound to. */
export class SessionTable {
  private readonly byUid = new Map<number, Session>();
  private readonly byEndpoint = new Map<string, Session>();

  private static key(e: Endpoint): string {
    return `${e.address}|${e.port}`;
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

  /** All sessions. */
  all(): IterableIterator<Session> {
    return this.byUid.values();
  }

  /** Adds a session; the caller closed any older session of the uid first. */
  add(s: Session): void {
    this.byUid.set(s.uid, s);
    this.byEndpoint.set(SessionTable.key(s.endpoint), s);
  }

  /** Removes a session (only itself: a newer session of the same uid or endpoint stays). */
  remove(s: Session): void {
    if (this.byUid.get(s.uid) === s) this.byUid.delete(s.uid);
    const k = SessionTable.key(s.endpoint);
    if (this.byEndpoint.get(k) === s) this.byEndpoint.delete(k);
  }

  /** Sessions last seen before `limit` (ms). */
  seenBefore(limit: number): Session[] {
    const out: Session[] = [];
    for (const s of this.byUid.values()) if (s.lastSeen < limit) out.push(s);
    return out;
  }
}
