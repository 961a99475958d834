import type { Store } from '../store/store.js';

/** Most signatures in one reply (both framings page by asking again). */
export const SIGNATURES_PER_PAGE = 30;

/**
 * The signatures of the users asked about, for either framing's 0x0067 get: every uid that exists, with its
 * text and the time of its last change (0 and '' when never set). Unknown uids are left out (one would stop
 * MyQQ's parse).
 */
export function signaturesOf(store: Store, queries: readonly { uid: number }[]): { uid: number; time: number; text: string }[] {
  return queries.flatMap((q) => {
    const a = store.getUser(q.uid);
    return a ? [{ uid: a.uid, time: a.signatureAt, text: a.signature }] : [];
  }).slice(0, SIGNATURES_PER_PAGE);
}
