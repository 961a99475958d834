// The client's bounded record of the messages it sent and received, so a program can look one up later by a small
// number (a bot gateway hands that number out as a message id). Oldest entries go first once it is full.

/** One message the client sent or received. */
export interface RecordedMessage {
  /** The record's number: 1, 2, 3 … (a positive int32, unique while the record still holds the message). */
  id: number;
  direction: 'in' | 'out';
  /** A message between two users, or a message in a Qun. */
  kind: 'private' | 'qun';
  /** The other user (private) or the Qun. */
  peer: number;
  /** Who wrote it. */
  from: number;
  text: string;
  time: Date;
  /** The protocol's message id (u16, chosen by the sender). */
  messageId: number;
}

/** Default number of messages kept. */
export const DEFAULT_RECORD_SIZE = 1000;

const INT32_MAX = 0x7fffffff;

/** A bounded record of messages, numbered in arrival order. */
export class MessageRecord {
  private readonly byId = new Map<number, RecordedMessage>();
  private last = 0;

  constructor(readonly capacity: number = DEFAULT_RECORD_SIZE) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`record size ${capacity} is not a positive integer`);
  }

  /** Adds a message; returns it with its number. */
  add(m: Omit<RecordedMessage, 'id'>): RecordedMessage {
    // After 2^31 − 1 messages the numbers start again at 1: by then the old holders of those numbers are long gone.
    this.last = this.last >= INT32_MAX ? 1 : this.last + 1;
    const r: RecordedMessage = { id: this.last, ...m };
    this.byId.delete(r.id);
    this.byId.set(r.id, r);
    if (this.byId.size > this.capacity) this.byId.delete(this.byId.keys().next().value!);
    return r;
  }

  /** The message numbered `id`, if the record still holds it. */
  get(id: number): RecordedMessage | undefined {
    return this.byId.get(id);
  }

  /** How many messages are held. */
  get size(): number {
    return this.byId.size;
  }
}
