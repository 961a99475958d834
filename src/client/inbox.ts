import type { Fragment } from './session.js';

// Incoming messages: every pushed copy is acked by the session, but each message surfaces once
// (PROTOCOL.md §8). Duplicates are recognised by (sender, server message seq) and by
// (sender, send time, message id, fragment index); fragments are held until the message is whole.

/** A whole message, ready for the `message` event. */
export interface AssembledMessage {
  from: number;
  text: string;
  time: Date;
  messageId: number;
  fragments: number;
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

/** De-duplicates and reassembles message fragments. Kept across reconnects, so a re-delivery shows once. */
export class Inbox {
  private readonly bySeq: RecentSet;
  private readonly byId: RecentSet;
  private readonly partial = new Map<string, { frags: Map<number, string>; count: number }>();

  constructor(private readonly capacity = 1024, private readonly maxPartial = 64) {
    this.bySeq = new RecentSet(capacity);
    this.byId = new RecentSet(capacity);
  }

  /** Takes one fragment; returns the message when it is complete and new, else undefined. */
  accept(f: Fragment): AssembledMessage | undefined {
    const seqKey = `${f.sender}:${f.serverSeq}`;
    // The same identity the server de-duplicates on: a random u16 id alone collides within a busy second.
    const idKey = `${f.sender}:${f.sendTime}:${f.msgSeq}:${f.msgId}:${f.fragIndex}`;
    const freshSeq = this.bySeq.add(seqKey);
    const freshId = this.byId.add(idKey);
    if (!freshSeq || !freshId) return undefined;
    if (f.fragCount <= 1) return { from: f.sender, text: f.text, time: new Date(f.sendTime * 1000), messageId: f.msgId, fragments: 1 };
    const key = `${f.sender}:${f.sendTime}:${f.msgSeq}:${f.msgId}`;
    let p = this.partial.get(key);
    if (!p) {
      p = { frags: new Map(), count: f.fragCount };
      this.partial.set(key, p);
      if (this.partial.size > this.maxPartial) this.partial.delete(this.partial.keys().next().value!);
    }
    p.frags.set(f.fragIndex, f.text);
    if (p.frags.size < p.count) return undefined;
    this.partial.delete(key);
    const text = [...p.frags.entries()].sort((a, b) => a[0] - b[0]).map(([, t]) => t).join('');
    return { from: f.sender, text, time: new Date(f.sendTime * 1000), messageId: f.msgId, fragments: p.count };
  }
}
