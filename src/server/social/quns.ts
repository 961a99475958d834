import { Status } from '../../protocol/bodies/status-block.js';
import type { TextBytes } from '../../protocol/text.js';
import { NoticeCode, QunPolicy, type NewNotice, type Qun, type Store, type StoredMessage } from '../../store/store.js';
import type { SessionTable } from '../sessions.js';

/** Size limits of Qun. */
export interface QunLimits {
  maxMembers: number;
  /** Qun one user may create. */
  maxCreated: number;
}

/** Default Qun limits (options of `oicq serve`). */
export const DEFAULT_QUN_LIMITS: QunLimits = { maxMembers: 500, maxCreated: 20 };

/** What asking to join a Qun led to. */
export type JoinOutcome = 'joined' | 'needs-auth' | 'denied' | 'full' | 'unknown';

/** A Qun message fragment as a member sends it. */
export interface QunFragment {
  sentAt: number;
  msgId: number;
  fragCount: number;
  fragIndex: number;
  /** The text; for a fragment cut inside a character (`raw` set), the characters that end in it (see CutTexts). */
  text: string;
  /** The bytes as sent, when the fragment was cut inside a character. */
  raw?: TextBytes;
  font?: StoredMessage['font'];
}

/**
 * Qun as members and their creator use them, for both framings: create, join (open, or approved by the
 * creator), leave, dismiss, info changes, and messages stored once and delivered to every other member
 * exactly once, in order per (Qun, sender), through the same delivery as private messages.
 */
export class Quns {
  constructor(
    private readonly store: Store,
    private readonly sessions: SessionTable,
    private readonly deliver: (fresh: readonly StoredMessage[]) => void,
    readonly limits: QunLimits = DEFAULT_QUN_LIMITS,
  ) {}

  /** Creates a Qun; its creator is its first member (admin). Throws StoreError past the per-user limit. */
  create(creator: number, name: string, authType: number = QunPolicy.NEEDS_AUTH): Qun {
    return this.store.createQun(creator, name, authType, this.limits.maxCreated);
  }

  private others(qun: number, except: number): number[] {
    return this.store.qunMembers(qun).map((m) => m.uid).filter((u) => u !== except);
  }

  private tell(qun: number, receivers: readonly number[], sender: number, code: number, text = ''): NewNotice[] {
    return receivers.map((receiver) => ({ sender, receiver, code, text, qun }));
  }

  /** `uid` asks to join; a note goes to the creator when the Qun needs approval. */
  join(qun: number, uid: number, note?: string): JoinOutcome {
    const q = this.store.getQun(qun);
    if (!q || !this.store.getUser(uid)) return 'unknown';
    if (this.store.isQunMember(qun, uid)) return 'joined';
    if (q.authType === QunPolicy.CLOSED) return 'denied';
    if (this.store.qunMembers(qun).length >= this.limits.maxMembers) return 'full';
    if (q.authType === QunPolicy.OPEN) {
      this.deliver(this.store.qunChange({ qun, join: { uid, role: 0 }, notices: this.tell(qun, this.others(qun, uid), uid, NoticeCode.QUN_JOINED) }));
      return 'joined';
    }
    if (note !== undefined) {
      this.deliver(this.store.qunChange({ qun, request: { uid, note }, notices: this.tell(qun, [q.creator], uid, NoticeCode.QUN_APPLY, note) }));
    }
    return 'needs-auth';
  }

  /** The creator answers `uid`'s request to join. False if `by` is not the creator or there was no request. */
  answer(qun: number, by: number, uid: number, accept: boolean, reason = ''): boolean {
    const q = this.store.getQun(qun);
    if (!q || q.creator !== by || !this.store.qunRequest(qun, uid)) return false;
    if (!accept) {
      this.deliver(this.store.qunChange({ qun, dropRequest: uid, notices: this.tell(qun, [uid], by, NoticeCode.QUN_REFUSED, reason) }));
      return true;
    }
    if (this.store.qunMembers(qun).length >= this.limits.maxMembers) return false;
    const notices = [...this.tell(qun, [uid], by, NoticeCode.QUN_APPROVED), ...this.tell(qun, this.others(qun, by), uid, NoticeCode.QUN_JOINED)];
    this.deliver(this.store.qunChange({ qun, join: { uid, role: 0 }, dropRequest: uid, notices }));
    return true;
  }

  /** `uid` leaves; when the creator leaves, the Qun is dismissed and every member is told. False if not a member. */
  leave(qun: number, uid: number): boolean {
    const q = this.store.getQun(qun);
    if (!q || !this.store.isQunMember(qun, uid)) return false;
    const others = this.others(qun, uid);
    if (q.creator === uid) {
      this.deliver(this.store.qunChange({ qun, dismiss: true, notices: this.tell(qun, others, uid, NoticeCode.QUN_DISMISSED) }));
    } else {
      this.deliver(this.store.qunChange({ qun, leave: uid, notices: this.tell(qun, others, uid, NoticeCode.QUN_LEFT) }));
    }
    return true;
  }

  /** The creator changes the name, notice, intro or join policy. False if `by` is not the creator. */
  setInfo(qun: number, by: number, info: Partial<Pick<Qun, 'name' | 'notice' | 'intro' | 'authType'>>): boolean {
    const q = this.store.getQun(qun);
    if (!q || q.creator !== by) return false;
    this.store.qunChange({ qun, info, notices: [] });
    return true;
  }

  /** Stores a member's message fragment once and delivers it to every other member. False if not a member. */
  send(qun: number, sender: number, f: QunFragment): boolean {
    if (!this.store.isQunMember(qun, sender)) return false;
    const r = this.store.storeQunMessage({ qun, sender, ...f });
    this.deliver(r.inbox);
    return true;
  }

  /** Members online now and visible, by uid (answered from the live sessions). */
  online(qun: number): number[] {
    return this.store.qunMembers(qun).map((m) => m.uid).filter((u) => {
      const s = this.sessions.get(u);
      return s !== undefined && s.status !== Status.INVISIBLE;
    }).sort((a, b) => a - b);
  }
}
