import { Status } from '../../protocol/bodies/status-block.js';
import { AuthPolicy, NoticeCode, type Account, type Store, type StoredMessage } from '../../store/store.js';
import type { SessionTable } from '../sessions.js';

/** What asking to add a friend led to. */
export type AddOutcome = 'added' | 'needs-auth' | 'refused' | 'unknown';

/** Most results of one search page. */
export const SEARCH_PAGE = 20;

/**
 * Friendships as users make them from their clients, the same for both framings: search, add (at once, or
 * by a request the other side answers), remove. Every change is stored with the system messages it causes
 * in one transaction, and those go to delivery like messages (pushed now, or queued until the next login).
 */
export class Friendships {
  constructor(
    private readonly store: Store,
    private readonly sessions: SessionTable,
    private readonly deliver: (fresh: readonly StoredMessage[]) => void,
  ) {}

  /** Users by number or nick (a page of SEARCH_PAGE). */
  search(q: { uid?: number; nick?: string }, page: number): Account[] {
    return this.store.searchUsers(q, SEARCH_PAGE, page * SEARCH_PAGE);
  }

  /** Users online now and visible ("who is online"), a page of SEARCH_PAGE, by uid. */
  online(page: number): Account[] {
    const uids = [...this.sessions.all()].filter((s) => s.status !== Status.INVISIBLE).map((s) => s.uid).sort((a, b) => a - b);
    return uids.slice(page * SEARCH_PAGE, (page + 1) * SEARCH_PAGE).flatMap((u) => this.store.getUser(u) ?? []);
  }

  /**
   * `from` adds `to`. Anyone may: they are friends now and `to` is told. Needs authorization: with
   * `request` set, the request (and its note) is stored and `to` is told; the answer comes later.
   */
  add(from: number, to: number, request?: { note: string }): AddOutcome {
    const target = this.store.getUser(to);
    if (!target || to === from) return 'unknown';
    if (this.store.areFriends(from, to)) return 'added';
    if (target.authType === AuthPolicy.NOBODY) return 'refused';
    if (target.authType === AuthPolicy.ANYONE) {
      this.deliver(this.store.friendChange({ befriend: [from, to], notices: [{ sender: from, receiver: to, code: NoticeCode.ADDED_YOU, text: '' }] }));
      return 'added';
    }
    if (request) {
      this.deliver(this.store.friendChange({
        request: { from, to, note: request.note },
        notices: [{ sender: from, receiver: to, code: NoticeCode.ADD_REQUEST, text: request.note }],
      }));
    }
    return 'needs-auth';
  }

  /** `by` answers the request of `requester` (accept: friends now; refuse: with a reason). False if there was none. */
  answer(by: number, requester: number, accept: boolean, reason = ''): boolean {
    if (!this.store.friendRequest(requester, by)) return false;
    this.deliver(this.store.friendChange(accept
      ? { befriend: [by, requester], dropRequest: { from: requester, to: by }, notices: [{ sender: by, receiver: requester, code: NoticeCode.APPROVED, text: '' }] }
      : { dropRequest: { from: requester, to: by }, notices: [{ sender: by, receiver: requester, code: NoticeCode.REFUSED, text: reason }] }));
    return true;
  }

  /** Ends a friendship (either side may); the other side is told. False if they were not friends. */
  remove(by: number, other: number): boolean {
    if (!this.store.areFriends(by, other)) return false;
    this.deliver(this.store.friendChange({ unfriend: [by, other], notices: [{ sender: by, receiver: other, code: NoticeCode.REMOVED_YOU, text: '' }] }));
    return true;
  }

  /** An operator makes two users friends; both are told (as if the other had added them). */
  befriend(a: number, b: number): void {
    this.deliver(this.store.friendChange({
      befriend: [a, b],
      notices: [{ sender: a, receiver: b, code: NoticeCode.ADDED_YOU, text: '' }, { sender: b, receiver: a, code: NoticeCode.ADDED_YOU, text: '' }],
    }));
  }
}
