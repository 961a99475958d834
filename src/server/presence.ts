import type { Store } from '../store/store.js';
import { Status } from '../protocol/bodies/status-block.js';
import type { Presence, Session } from './session.js';
import type { SessionTable } from './sessions.js';

/** The status friends see: invisible looks offline. */
function shownStatus(status: number): number {
  return status === Status.INVISIBLE ? Status.OFFLINE : status;
}

/** Presence fan-out: what friends see of a session, and telling online friends when it changes. */
export class PresenceFanout {
  /** Also told of every change friends are shown (a cluster fans it out to the other nodes). */
  onBroadcast?: (from: Session, shown: Presence) => void;

  constructor(private readonly store: Store, private readonly sessions: SessionTable) {}

  /** What friends see of a session. */
  of(s: Session): Presence {
    return { uid: s.uid, status: s.status, ip: s.ip, port: s.endpoint.port, clientVersion: s.version, key: s.fileKey };
  }

  /** A user's friends that are online and visible, in uid order. */
  onlineFriends(uid: number): Presence[] {
    const out: Presence[] = [];
    for (const f of this.store.friendUids(uid)) {
      const s = this.sessions.get(f);
      if (s && s.status !== Status.INVISIBLE) out.push(this.of(s));
    }
    return out;
  }

  /** A session came online: friends see it unless it is invisible. */
  online(s: Session): void {
    if (s.status !== Status.INVISIBLE) this.broadcast(s, this.of(s));
  }

  /** A session went offline: friends see it go unless it was invisible. */
  offline(s: Session): void {
    if (s.status !== Status.INVISIBLE) this.broadcast(s, { ...this.of(s), status: Status.OFFLINE });
  }

  /** A new session replaced a live one of the same user: friends hear only of a change in what they see. */
  replaced(old: Session, s: Session): void {
    if (shownStatus(old.status) !== shownStatus(s.status)) this.broadcast(s, { ...this.of(s), status: shownStatus(s.status) });
  }

  /** Changes a user's status and tells online friends (invisible looks offline to them). */
  setStatus(s: Session, status: number): void {
    const before = s.status;
    if (before === status) return;
    s.status = status;
    const shown = shownStatus(status);
    if (shown !== shownStatus(before)) this.broadcast(s, { ...this.of(s), status: shown });
  }

  private broadcast(from: Session, p: Presence): void {
    for (const f of this.store.friendUids(from.uid)) {
      const s = this.sessions.get(f);
      if (s) s.output.pushStatus(s, p);
    }
    this.onBroadcast?.(from, p);
  }

}
