import { fragmentString, joinFragmentTexts, type FragmentText } from '../protocol/text.js';
import type { Fragment } from './session.js';

// Incoming messages: every pushed copy is acked by the session, but each message surfaces once
// (PROTOCOL.md §8). Duplicates are recognised by (sender, server message seq) and by
// (sender, send time, message seq, message id, fragment index). Fragments of one message are grouped by what
// they share — sender, message id, fragment count — not by the message sequence (MyQQ gives each fragment its own)
// nor the send time (LumaQQ stamps each with its own second). A message still missing fragments after `partialTimeoutMs` (or pushed out of a full table)
// surfaces anyway, marked incomplete: nothing is dropped silently.

/** What stands in for a fragment that never arrived. */
export const MISSING_FRAGMENT = '[…]';

/** A message ready for the `message` event. */
export interface AssembledMessage {
  from: number;
  text: string;
  time: Date;
  messageId: number;
  fragments: number;
  /** Fragments never arrived (their places hold MISSING_FRAGMENT); `missing` lists their indexes. */
  incomplete: boolean;
  missing: number[];
}

/** A set that forgets its oldest keys past `capacity`. */
class RecentSet {
  private readonly keys = new Set<string>();
  constructor(private readonly capacity: number) {}

  /** Adds `key`; returns false if it was already there. */
  add(key: string): boolean {
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    if (this.keys.size > this.capacity) this.keys.delete(this.keys.values().next().value!);
    return true;
  }
}

interface Reassembly {
  from: number;
  sendTime: number;
  msgId: number;
  count: number;
  frags: Map<number, FragmentText>;
  /** When its first fragment arrived (ms). */
  since: number;
}

/** Inbox limits. */
export interface InboxOptions {
  /** Recent pushes remembered for de-duplication. */
  capacity: number;
  /** Messages being reassembled at once; past it the oldest surfaces incomplete. */
  maxPartial: number;
  /** How long a message may wait for its missing fragments (ms). */
  partialTimeoutMs: number;
}

export const DEFAULT_INBOX: InboxOptions = { capacity: 1024, maxPartial: 64, partialTimeoutMs: 30_000 };

/** De-duplicates and reassembles message fragments. Kept across reconnects, so a re-delivery shows once. */
export class Inbox {
  private readonly bySeq: RecentSet;
  private readonly byId: RecentSet;
  private readonly partial = new Map<string, Reassembly>();
  private readonly opts: InboxOptions;

  constructor(opts: Partial<InboxOptions> = {}) {
    this.opts = { ...DEFAULT_INBOX, ...opts };
    this.bySeq = new RecentSet(this.opts.capacity);
    this.byId = new RecentSet(this.opts.capacity);
  }

  /** Takes one fragment at time `now` (ms); returns the messages it completes or pushes out (usually 0 or 1). */
  accept(f: Fragment, now = 0): AssembledMessage[] {
    const seqKey = `${f.sender}:${f.serverSeq}`;
    // The same identity the server de-duplicates on: a random u16 id alone collides within a busy second.
    const idKey = `${f.sender}:${f.sendTime}:${f.msgSeq}:${f.msgId}:${f.fragIndex}`;
    const freshSeq = this.bySeq.add(seqKey);
    const freshId = this.byId.add(idKey);
    if (!freshSeq || !freshId) return [];
    if (f.fragCount <= 1) return [{ from: f.sender, text: fragmentString(f.text), time: new Date(f.sendTime * 1000), messageId: f.msgId, fragments: 1, incomplete: false, missing: [] }];
    const key = `${f.sender}:${f.msgId}:${f.fragCount}`;
    const out: AssembledMessage[] = [];
    let p = this.partial.get(key);
    if (!p) {
      p = { from: f.sender, sendTime: f.sendTime, msgId: f.msgId, count: f.fragCount, frags: new Map(), since: now };
      this.partial.set(key, p);
      if (this.partial.size > this.opts.maxPartial) {
        const [oldKey, old] = this.partial.entries().next().value!;
        this.partial.delete(oldKey);
        out.push(this.assemble(old));
      }
    }
    p.frags.set(f.fragIndex, f.text);
    if (p.frags.size === p.count) {
      this.partial.delete(key);
      out.push(this.assemble(p));
    }
    return out;
  }

  /** Messages that waited `partialTimeoutMs` for missing fragments by `now`: they surface incomplete. */
  expire(now: number): AssembledMessage[] {
    const out: AssembledMessage[] = [];
    for (const [key, p] of this.partial) {
      if (now - p.since < this.opts.partialTimeoutMs) continue;
      this.partial.delete(key);
      out.push(this.assemble(p));
    }
    return out;
  }

  /** When the oldest waiting message times out (ms), or undefined when none waits. */
  nextExpiry(): number | undefined {
    let first: number | undefined;
    for (const p of this.partial.values()) if (first === undefined || p.since < first) first = p.since;
    return first === undefined ? undefined : first + this.opts.partialTimeoutMs;
  }

  private assemble(p: Reassembly): AssembledMessage {
    const missing: number[] = [];
    const parts: FragmentText[] = [];
    for (let i = 0; i < p.count; i++) {
      const t = p.frags.get(i);
      if (t === undefined) missing.push(i);
      parts.push(t ?? MISSING_FRAGMENT);
    }
    // Joined as bytes when a fragment is bytes: a character the sender cut between two fragments is whole again.
    return { from: p.from, text: joinFragmentTexts(parts), time: new Date(p.sendTime * 1000), messageId: p.msgId, fragments: p.count, incomplete: missing.length > 0, missing };
  }
}
