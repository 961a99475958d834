import type { Packet } from '../protocol/framing.js';
import type { Friend, FriendGroup } from '../store/store.js';
import type { AddFriendResult, Notice, QunFragment, SocialTransport } from './social.js';
import type { FragmentText } from '../protocol/text.js';

// What the client needs from a framing: the login, the requests after it, and the reading of pushes.
// ClassicSession and ModernSession implement it on the protocol codecs; Client adds timers, events,
// de-duplication and reconnects on top, the same for both.

/** What a successful login established. */
export interface LoginInfo {
  uid: number;
  sessionKey: Buffer;
  /** The client's address as the server saw it. */
  clientIp: string;
  clientPort: number;
  /** Server's login time. */
  loginTime: Date;
}

// A friend and a friend group are the records the server's store keeps: one definition, in the store's interface
// (a type-only import, so the SDK carries no store code).
export type { Friend, FriendGroup };

/** The friend list with its groups. */
export interface FriendList {
  groups: FriendGroup[];
  friends: Friend[];
  /** Numbers of the Qun the user is a member of. */
  quns: number[];
}

/** A friend that is online (from the online list). */
export interface OnlineFriend {
  uid: number;
  /** Status value (Status.ONLINE, AWAY, BUSY …). */
  status: number;
  ip: string;
  port: number;
  clientVersion: number;
}

/** What getUserInfo returns. */
export interface UserInfo {
  uid: number;
  nick: string;
  face?: number;
  age?: number;
  gender?: number;
}

/** One received message fragment, as either framing delivers it. */
export interface Fragment {
  sender: number;
  /** The server's message sequence (the routing header's). */
  serverSeq: number;
  /** Sender's send time, unix seconds. */
  sendTime: number;
  /** The sender's message sequence (u16). */
  msgSeq: number;
  msgId: number;
  fragCount: number;
  fragIndex: number;
  /** Bytes when the sender cut this fragment inside a character: the inbox decodes them with the whole message. */
  text: FragmentText;
}

/** What a push means to the client (the session has already acked it if it needs an ack). */
export type PushEvent =
  | { kind: 'message'; fragment: Fragment }
  | { kind: 'status'; uid: number; status: number }
  | { kind: 'kicked'; text: string }
  | { kind: 'qun'; qun: QunFragment }
  | { kind: 'notice'; notice: Notice }
  | { kind: 'ignored' };

/** One framing's client side. Every method but `readPush` and `logout` is a request with retransmission. */
export interface FramingSession {
  /** The session key once logged in. */
  readonly sessionKey: Buffer | undefined;
  login(status: number): Promise<LoginInfo>;
  keepAlive(): Promise<void>;
  getFriends(): Promise<FriendList>;
  getOnlineFriends(): Promise<OnlineFriend[]>;
  getUserInfo(uid: number): Promise<UserInfo>;
  setStatus(status: number): Promise<void>;
  requestKey(sub: number): Promise<Buffer>;
  /** Sends one message (all fragments, in order); resolves with its message id once every fragment was acked 00. */
  sendMessage(to: number, text: string): Promise<number>;
  /** Asks to add a friend; with a note, a user who authorizes gets the request. */
  addFriend(uid: number, note?: string): Promise<AddFriendResult>;
  /** Answers a friend request (accept, or refuse with a reason). */
  answerFriend(uid: number, accept: boolean, reason?: string): Promise<void>;
  /** Ends a friendship (both sides). */
  removeFriend(uid: number): Promise<void>;
  /** The requests Qun and search calls need (see social.ts). */
  social(): SocialTransport;
  /** Opens, acks and reads a server packet that answered no request; undefined if it does not open. */
  readPush(p: Packet): PushEvent | undefined;
  /** Sends the logout datagram(s); no reply. */
  logout(): void;
}
