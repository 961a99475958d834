import type { Framing } from '../protocol/framing.js';
import { DupWindow, keepReply, keptReply, replyKey } from '../transport/dup-window.js';
import { imKey } from '../protocol/keys.js';
import { ipToU32, parseIpv4 } from '../protocol/bodies/status-block.js';
import type { Timer } from '../transport/clock.js';
import type { NewMessage, StoredMessage } from '../store/store.js';
import type { HeldSend } from './held-sends.js';
import { RtoEstimator, type RtoRange } from '../transport/rto.js';
import { KeySlab, SlotKey } from './key-slab.js';

/** The keys of every open session, in shared typed storage (one 64-byte slot each). */
export const sessionKeys = new KeySlab();

/** Requests remembered per session for duplicates (PROTOCOL.md §8), and bytes of a reply copied into the window. */
const REPLY_WINDOW = 64;
const REPLY_SLOT_BYTES = 128;

/** Where a client is: the UDP source its login came from. A session is bound to it. */
export interface Endpoint {
  address: string;
  port: number;
}

/** What friends see of a user: the fields of the 31-byte status block. */
export interface Presence {
  uid: number;
  status: number;
  /** IPv4 as u32 (0 when unknown). */
  ip: number;
  port: number;
  clientVersion: number;
  /** The user's file-transfer key (16 bytes), shown in status blocks. */
  key: Buffer;
}

/** Facts about a message's sender that a push carries besides the stored message. */
export interface SenderInfo {
  ip: number;
  port: number;
  clientVersion: number;
  /** IM key = MD5(sender ‖ sender's session key), or a stand-in when the sender is offline. */
  imKey: Buffer;
}

/** Why a session ended. */
export type CloseReason = 'logout' | 'timeout' | 'replaced' | 'kicked' | 'shutdown';

/** What the core asks a framing to send to one session; each framing encodes it its own way. */
export interface SessionOutput {
  pushStatus(session: Session, friend: Presence): void;
  /**
   * Sends (or re-sends) one message push with the session's server sequence `seq`. Returns false for a push the
   * client never acks (it counts as delivered once sent), true when an ack is to wait for.
   */
  pushMessage(session: Session, msg: StoredMessage, seq: number, sender: SenderInfo): boolean;
  /** Tells the client it was logged in elsewhere (or, with `reason`, why an operator ended it), where the framing can say so. */
  kicked?(session: Session, reason?: string): void;
}

/** A message in a delivery queue: stored, or held unstored (HeldSends) with its hold. */
export interface QueuedMessage extends StoredMessage {
  /** Set for a send pushed before it is stored: its ack answers the sender instead of marking a row (while held). */
  hold?: HeldSend;
}

/** One message push waiting for its ack. */
export interface Push {
  msg: QueuedMessage;
  /** The session it goes to, and its sender's queue there (what its retry wait needs). */
  receiver: Session;
  pair: PairQueue;
  /** The server sequence of the latest send. */
  seq: number;
  /** Every sequence this push went out under (an ack of any of them counts). */
  seqs: number[];
  /** Sends so far, and sends under the current sequence. */
  tries: number;
  seqTries: number;
  /** When the push was first sent, and when it was last sent (ms). */
  firstSentAt: number;
  sentAt: number;
  timer?: Timer;
}

/** The store's identity of a message (receiver, send time, message id, fragment) for a sender's last few sends. */
class UnstoredSends {
  private static readonly SIZE = 16;
  private readonly ids = new Uint32Array(UnstoredSends.SIZE * 4);
  private next = 0;
  private count = 0;
  /** When the latest was added (ms): the sweep frees the ring once that is older than the reply hold. */
  at = 0;

  add(m: NewMessage, now: number): void {
    const i = this.next * 4;
    this.ids[i] = m.receiver;
    this.ids[i + 1] = m.sentAt;
    this.ids[i + 2] = m.msgId;
    this.ids[i + 3] = m.fragIndex;
    this.next = (this.next + 1) % UnstoredSends.SIZE;
    this.count = Math.min(UnstoredSends.SIZE, this.count + 1);
    this.at = now;
  }

  has(m: NewMessage): boolean {
    for (let k = 0; k < this.count; k++) {
      const i = k * 4;
      if (this.ids[i] === m.receiver >>> 0 && this.ids[i + 1] === m.sentAt >>> 0 && this.ids[i + 2] === m.msgId >>> 0 && this.ids[i + 3] === m.fragIndex) return true;
    }
    return false;
  }
}

/** Per (sender → this receiver) delivery queue: at most one push in flight keeps the sender's order. */
export interface PairQueue {
  sender: number;
  queue: QueuedMessage[];
  inflight?: Push;
  /** The receiver fell silent: nothing is pushed until it sends something again. */
  paused: boolean;
}

/** Parameters to open a session after a successful login. */
export interface SessionInit {
  uid: number;
  framing: Framing;
  version: number;
  endpoint: Endpoint;
  sessionKey: Buffer;
  passwordKey: Buffer;
  status: number;
  output: SessionOutput;
}

/** A logged-in user. Framing-neutral: what differs by framing is how its output encodes pushes. */
export class Session {
  // Fields in the order a request reads them (V8 lays an object's fields out in declaration order), those a
  // keep-alive reads first: at a million sessions it touches a session nothing else has touched lately, and each
  // 64-byte line of it the request reads is a cache miss (perf: a line read only to store `lastSeen` was one).
  readonly framing: Framing;
  readonly version: number;
  /** The endpoint's IPv4 address (int32: see the constructor) and port: what isFrom compares. */
  private readonly ip32: number;
  readonly port: number;
  /**
   * The session key's four big-endian words (int32, small integers to V8: no heap object each), which QQ-TEA takes
   * as the key of every request, reply and push: the key slab's line is one more cache miss per request.
   */
  readonly k0: number;
  readonly k1: number;
  readonly k2: number;
  readonly k3: number;
  /**
   * Replies sent, by (command, sequence), for duplicate requests: allocated at the first remembered reply and
   * released by the sweep once no reply was remembered for a while (a repeat that late is no retransmission).
   */
  private window?: DupWindow;
  /**
   * The login reply (kept by keepReply), for a repeated login datagram, apart from the window: a session that only
   * keeps alive then never allocates one. The sweep lets it go with the window's hold.
   */
  private loginReply?: string;
  /**
   * When the session was last seen (lastSeen), as whole seconds since the epoch and the milliseconds past them: two
   * small integers, which V8 keeps in the object itself. A time in ms is a double, which V8 keeps in a box of its
   * own that every request writes to: one more cache miss per request at 50 000 sessions (perf). Numbers written
   * after the constructor start as numbers: a field declared without a value starts undefined (ES2022 class
   * fields), and V8 then keeps each value written to it as a new heap object, one per datagram.
   */
  private seenSec = 0;
  private seenMs = 0;
  /** Per-sender delivery queues and pushes in flight by server sequence: allocated by the first push, freed when drained. */
  pairs?: Map<number, PairQueue>;
  /** Queue the undelivered messages at the client's first request after login (classic framing). */
  releasePendingOnRequest = false;
  /**
   * Datagrams and bytes from and to the session's endpoint, counted by the operator console's traffic view. Plain
   * fields: a side table keyed by session (a WeakMap) costs more memory and makes every full collection slower.
   */
  packetsIn = 0;
  bytesIn = 0;
  packetsOut = 0;
  bytesOut = 0;
  // Not read by a keep-alive.
  readonly uid: number;
  private loginKey = -1;
  closed = false;
  /** Whether the undelivered messages of the store were queued for this session (once per session). */
  pendingLoaded = false;
  /** The session's four keys: a slot of the shared key slab while open, a private copy once closed. */
  private readonly slot: number;
  private retired?: Buffer;
  readonly endpoint: Endpoint;
  status = 0;
  readonly output: SessionOutput;
  readonly loginTime: number;
  /** Message pushes sent again for want of an ack (shown by the operator console). */
  retransmits = 0;
  /**
   * Qun whose info (0x0030 GET_INFO) a classic client has yet to ask for before its queued messages go: pidgin names
   * a Qun's window by the title that reply carries, and a Qun push before it opens a window with no name.
   */
  qunInfoWait?: Set<number>;
  /** When the last reply was remembered (ms). */
  private windowAt = 0;
  /** Identities of this user's latest sends delivered unstored (HeldSends), for repeats the store cannot recognise. */
  private unstored?: UnstoredSends;
  inflightBySeq?: Map<number, Push>;
  private readonly rtoRange: RtoRange;
  private estimator?: RtoEstimator;
  private seq = 0;

  constructor(init: SessionInit, now: number, fileKey: Buffer, firstSeq: number, rto: RtoRange) {
    this.uid = init.uid;
    this.framing = init.framing;
    this.version = init.version;
    this.endpoint = init.endpoint;
    // As int32: a u32 above 2^31 (any address from 128.0.0.0 up) is a double to V8, kept in a box of its own.
    this.ip32 = ipToU32(init.endpoint.address) | 0;
    this.port = init.endpoint.port;
    this.k0 = init.sessionKey.readInt32BE(0);
    this.k1 = init.sessionKey.readInt32BE(4);
    this.k2 = init.sessionKey.readInt32BE(8);
    this.k3 = init.sessionKey.readInt32BE(12);
    // MD5(uid ‖ session key) once per session, not per push.
    this.slot = sessionKeys.alloc(init.sessionKey, imKey(init.uid, init.sessionKey), init.passwordKey, fileKey);
    this.status = init.status;
    this.output = init.output;
    this.loginTime = now;
    this.lastSeen = now;
    this.seq = firstSeq & 0xffff;
    this.rtoRange = rto;
  }

  /** When the session was last seen (ms since the epoch). */
  get lastSeen(): number {
    return this.seenSec * 1000 + this.seenMs;
  }

  set lastSeen(t: number) {
    const sec = Math.floor(t / 1000);
    this.seenSec = sec;
    this.seenMs = t - sec * 1000;
  }

  /** The session key (a view: copy it to keep it past the session). */
  get sessionKey(): Buffer {
    return this.key(SlotKey.SESSION);
  }

  /** MD5(uid ‖ session key): what the user's messages carry as their IM key. */
  get imKey(): Buffer {
    return this.key(SlotKey.IM);
  }

  get passwordKey(): Buffer {
    return this.key(SlotKey.PASSWORD);
  }

  /** The session's file-transfer / auxiliary key, handed out by request-key and shown in status blocks. */
  get fileKey(): Buffer {
    return this.key(SlotKey.FILE);
  }

  private key(k: SlotKey): Buffer {
    return this.retired ? this.retired.subarray(k, k + 16) : sessionKeys.view(this.slot, k);
  }

  /** Gives the key slot back (the session closed); its keys stay readable from a private copy. */
  releaseKeys(): void {
    this.retired ??= sessionKeys.release(this.slot);
  }

  /** The retransmission timeout of message pushes, from this session's measured push→ack round trips (made at the first push). */
  get rto(): RtoEstimator {
    return (this.estimator ??= new RtoEstimator(this.rtoRange));
  }

  /** The reply remembered for a request (empty: answered with nothing), if it is a duplicate. */
  earlierReply(command: number, seq: number): Buffer | undefined {
    if (this.loginReply !== undefined && replyKey(command, seq) === this.loginKey) return keptReply(this.loginReply);
    return this.window?.get(command, seq);
  }

  /** Remembers the login reply (the request that opened this session) for a repeat of that request. */
  rememberLogin(command: number, seq: number, reply: Uint8Array): void {
    this.loginReply = keepReply(reply);
    this.loginKey = replyKey(command, seq);
  }

  /** Whether the login reply is still remembered (inspection and tests). */
  get remembersLogin(): boolean {
    return this.loginReply !== undefined;
  }

  /** Remembers the reply to a request for its duplicates. */
  remember(command: number, seq: number, reply: Uint8Array, now: number): void {
    // 4 slots first: a session that sends a request now and then never pays for 64 (DupWindow grows).
    (this.window ??= new DupWindow(REPLY_WINDOW, REPLY_SLOT_BYTES, 4)).set(command, seq, reply);
    this.windowAt = now;
  }

  /** Frees the duplicate window when no reply was remembered for `holdMs` (the login reply `holdMs` after login); true when it freed the window. */
  releaseReplies(now: number, holdMs: number): boolean {
    if (this.unstored && now - this.unstored.at >= holdMs) this.unstored = undefined;
    if (this.loginReply !== undefined && now - this.loginTime >= holdMs) this.loginReply = undefined;
    if (!this.window || now - this.windowAt < holdMs) return false;
    this.window = undefined;
    return true;
  }

  /** Remembers a send of this user that its receiver acked before it was stored. */
  rememberUnstored(m: NewMessage, now: number): void {
    (this.unstored ??= new UnstoredSends()).add(m, now);
  }

  /** Whether `m` repeats one of this user's latest sends delivered unstored. */
  sentUnstored(m: NewMessage): boolean {
    return this.unstored?.has(m) ?? false;
  }

  /** The duplicate window, if one is allocated (inspection and tests). */
  get replyWindow(): DupWindow | undefined {
    return this.window;
  }

  /** The next server sequence for a push (u16, wrapping, never 0, never one still in flight). */
  nextSeq(): number {
    do {
      this.seq = (this.seq + 1) & 0xffff;
    } while (this.seq === 0 || this.inflightBySeq?.has(this.seq));
    return this.seq;
  }

  /**
   * Whether a datagram from `e` belongs to this session. Compared as numbers: the session's own endpoint object and
   * its address string are two more cache misses per request (a dotted-quad parse of the hot `e` costs less).
   */
  isFrom(e: Endpoint): boolean {
    if (e.port !== this.port) return false;
    // ip 0: an address that is not dotted IPv4 (only tests make one), compared as text.
    if (this.ip32 === 0) return e.address === this.endpoint.address;
    const ip = parseIpv4(e.address);
    return ip !== undefined && (ip | 0) === this.ip32;
  }

  /** The endpoint's IPv4 address as a u32, as status blocks and message pushes carry it. */
  get ip(): number {
    return this.ip32 >>> 0;
  }
}
