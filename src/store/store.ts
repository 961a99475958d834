// The store interface: what the server and the account CLI need, whatever the backend.
// The embedded default is SQLite (sqlite.ts). Everything here is synchronous: better-sqlite3 is,
// and a send is answered only after its message is committed.
import type { FontStyle } from '../protocol/text.js';

/** A user account. The store keeps MD5(password), never the password (PROTOCOL.md §3). */
export interface Account {
  uid: number;
  nick: string;
  /** MD5(password): password-equivalent for this protocol, so the database file is created 0600. */
  passwordMd5: Buffer;
  face: number;
  age: number;
  /** 0 male, 1 female, 0xFF unknown. */
  gender: number;
  createdAt: number;
  /** Who may leave this user messages when they are not friends. */
  strangers: StrangerPolicy;
}

/** A user's privacy setting for messages from non-friends: QQ's "accept" / "friends only". */
export type StrangerPolicy = 'accept' | 'friends-only';

/** Undelivered messages of one receiver, split by whether the sender was a friend when it was stored. */
export interface MailboxUsage {
  friends: { count: number; bytes: number };
  strangers: { count: number; bytes: number };
}

/** The server that holds a store (written when it starts, for the message a second one prints). */
export interface ServerInfo {
  pid: number;
  host: string;
  startedAt: number;
}

/** An operator's ban on an account. */
export interface Ban {
  reason: string;
  /** Unix seconds. */
  bannedAt: number;
}

/** A friend as seen by one owner: the friend's public profile and the owner's group for it. */
export interface Friend {
  uid: number;
  nick: string;
  face: number;
  age: number;
  gender: number;
  /** The owner's friend-group index (0 = "My Friends"). */
  group: number;
}

/** One of an owner's friend groups. Index 0, "My Friends", always exists. */
export interface FriendGroup {
  index: number;
  name: string;
}

/** Font of a message, kept so the receiver sees what the sender chose (either framing): the trailer's fields without its charset. */
export type MessageFont = FontStyle;

/** A message to store: one fragment of what a sender sent. */
export interface NewMessage {
  sender: number;
  receiver: number;
  /** Unix seconds, from the sender's request. */
  sentAt: number;
  /** The sender's message id (the same for all fragments of one message). */
  msgId: number;
  fragCount: number;
  fragIndex: number;
  /** 1 normal, 2 auto-reply. */
  replyType: number;
  text: string;
  font?: MessageFont;
  /** The sender was not the receiver's friend when it was sent (counted against the strangers' quota). */
  stranger?: boolean;
}

/** A stored message, with its store id (increasing: the delivery order). */
export interface StoredMessage extends NewMessage {
  id: number;
}

/** What deleteUser removed. */
export interface DeletedUser {
  uid: number;
  /** Friendships ended (each counted once, though stored as two rows). */
  friends: number;
  /** Messages deleted: sent or received by the user, delivered or not. */
  messages: number;
  /** Of those, messages that were still waiting for delivery. */
  undelivered: number;
}

/** The server's persistence. Implementations must be durable on return of every mutating call. */
export interface Store {
  addUser(uid: number, passwordMd5: Buffer, nick: string): Account;
  getUser(uid: number): Account | undefined;
  listUsers(): Account[];
  countUsers(): number;
  setPassword(uid: number, passwordMd5: Buffer): void;
  setNick(uid: number, nick: string): void;
  /** Bans an account (its logins are refused with `reason`); banning again replaces the reason. */
  ban(uid: number, reason: string): void;
  /** Lifts a ban; returns whether there was one. */
  unban(uid: number): boolean;
  /** The ban on an account, if any. */
  banOf(uid: number): Ban | undefined;
  /** The next free uid at or above `from` (for demo accounts and `user add` without a number). */
  nextFreeUid(from: number): number;
  setStrangerPolicy(uid: number, policy: StrangerPolicy): void;

  /** Whether `uid` logged in successfully from `address` (one of its last few). */
  isKnownAddress(uid: number, address: string): boolean;
  /** Records a successful login from `address`; keeps the `keep` most recent addresses of the uid. */
  rememberAddress(uid: number, address: string, keep: number): void;
  /**
   * Adds an account under the next free uid at or above `from`, picked and taken in one transaction (so
   * concurrent adds, even from other processes, get different uids). `nick` defaults to the uid.
   */
  addNextUser(from: number, passwordMd5: Buffer, nick?: string): Account;
  /**
   * Deletes an account and everything that belongs to it, in one transaction: its friendships (both sides; the
   * friends' lists no longer show it), its friend groups, and every message it sent or received, delivered or
   * not (so nothing of it is pushed later, and a uid reused by a new account inherits no mailbox).
   */
  deleteUser(uid: number): DeletedUser;

  /** Makes a and b friends of each other (idempotent); `groupOfBForA` puts b in one of a's groups. */
  addFriend(a: number, b: number, groupOfBForA?: number, groupOfAForB?: number): void;
  /** Ends the friendship both ways; returns whether it existed. */
  removeFriend(a: number, b: number): boolean;
  friendsOf(uid: number): Friend[];
  areFriends(a: number, b: number): boolean;
  /** Groups of an owner, index 0 first. */
  groupsOf(uid: number): FriendGroup[];
  /** Adds a group (or returns the existing one with that name); returns its index. */
  addGroup(uid: number, name: string): number;
  renameGroup(uid: number, index: number, name: string): void;
  /** Removes a group; its friends move to group 0. */
  removeGroup(uid: number, index: number): void;
  moveFriend(owner: number, friend: number, index: number): void;

  /**
   * Stores messages in one transaction (group commit). A message equal to one already stored
   * (same sender, receiver, sentAt, msgId, fragIndex) is not stored again: its existing id is returned
   * with duplicate = true. `delivered` ids are marked delivered in the same transaction (one commit for a
   * whole turn of sends and acks). Durable when this returns.
   */
  storeMessages(msgs: NewMessage[], delivered?: readonly number[]): { id: number; duplicate: boolean }[];
  /** Undelivered messages for a receiver, in store order. */
  pendingFor(receiver: number, limit?: number): StoredMessage[];
  /** Number of undelivered messages for a receiver. */
  pendingCount(receiver: number): number;
  /** Counts and text bytes of a receiver's undelivered messages, friends' and strangers' apart. */
  mailboxUsage(receiver: number): MailboxUsage;
  /** Marks a message delivered (acked by the receiver); idempotent. */
  markDelivered(id: number): void;
  getMessage(id: number): StoredMessage | undefined;
  /**
   * Deletes delivered messages older than the retention (and their tombstones, kept a while so a late
   * retransmitted send is still recognised as a duplicate); returns how many rows went.
   */
  purgeDelivered(): number;

  /** Records the running server (pid, host) in the store, or clears it with undefined. */
  setServerInfo(info: ServerInfo | undefined): void;
  serverInfo(): ServerInfo | undefined;
  /** SQLite's integrity check ('quick' at start, 'full' for `oicq db check`): the problems found, [] if none. */
  check(mode: 'quick' | 'full'): string[];
  /** Free bytes on the disk that holds the store (undefined when it has no file). */
  freeDiskBytes(): number | undefined;
  /** Online copy of the store into `file` (consistent even while the server writes). */
  backup(file: string): Promise<void>;

  close(): void;
}
