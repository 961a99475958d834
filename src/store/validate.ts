// Input checks shared by every Store backend, so each one rejects bad input with the same messages
// (the CLI shows them as-is and adds a hint chosen by `code`).
import { MEMO_KEYS, type FriendChange, type Memo, type MessageFont, type NewMessage, type NewNotice, type NewQunMessage, type StoredMessage } from './store.js';

/** Largest uid: uids are u32 on the wire. */
export const MAX_UID = 0xffffffff;
/** Largest friend-group index: the group travels as a u8 holding index × 4 (PROTOCOL.md, 0x0058). */
export const MAX_GROUP_INDEX = 63;
/** Name of group 0, which every owner has implicitly. */
export const DEFAULT_GROUP_NAME = 'My Friends';
/** Longest nick or group name, in characters. */
export const MAX_NAME_LENGTH = 64;
/** Longest memo field (characters; the wire allows 255 bytes of GB18030). */
export const MAX_MEMO_FIELD = 255;

/** What kind of mistake a StoreError reports (the CLI picks its hint from this). */
export type StoreErrorCode =
  | 'bad-input'
  | 'unknown-user'
  | 'duplicate-user'
  | 'self-friend'
  | 'not-friends'
  | 'unknown-group'
  | 'groups-full'
  | 'duplicate-group'
  | 'unknown-qun'
  | 'quns-full'
  | 'schema'
  | 'disk-full'
  | 'corrupt'
  | 'locked'
  | 'io';

/** A store call rejected its input or the database state; the message is one user-readable line. */
export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    /** The uid the error is about, when there is one (e.g. the unknown user). */
    readonly uid?: number,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

/** Throws unless `n` is an integer in [min, max]; `what` names the value in the message. */
export function checkInt(n: number, min: number, max: number, what: string): void {
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new StoreError('bad-input', `${what} must be a whole number from ${min} to ${max}, got ${String(n)}`);
  }
}

/** Throws unless `uid` is a valid uid (1..4294967295). */
export function checkUid(uid: number, what = 'uid'): void {
  checkInt(uid, 1, MAX_UID, what);
}

/** Throws unless `pwMd5` is a 16-byte MD5 digest. */
export function checkPasswordMd5(pwMd5: Uint8Array): void {
  if (!(pwMd5 instanceof Uint8Array) || pwMd5.length !== 16) {
    throw new StoreError('bad-input', 'the stored password must be a 16-byte MD5 digest');
  }
}

// Control characters would break the protocol's text fields (0x1E separates the fields of a get-info reply).
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Returns the trimmed name, or throws if it is empty, too long or holds control characters. */
export function checkName(name: string, what: string): string {
  const t = typeof name === 'string' ? name.trim() : '';
  if (t.length === 0) throw new StoreError('bad-input', `${what} must not be empty`);
  if ([...t].length > MAX_NAME_LENGTH) throw new StoreError('bad-input', `${what} is longer than ${MAX_NAME_LENGTH} characters`);
  if (CONTROL.test(t)) throw new StoreError('bad-input', `${what} must not contain control characters`);
  return t;
}

/** Checks a message before it is stored; throws StoreError (bad-input) naming the field. */
export function checkMessage(m: NewMessage): void {
  checkUid(m.sender, 'sender');
  checkUid(m.receiver, 'receiver');
  checkInt(m.sentAt, 0, MAX_UID, 'sentAt');
  checkInt(m.msgId, 0, MAX_UID, 'msgId');
  checkInt(m.fragCount, 1, 0xff, 'fragCount');
  checkInt(m.fragIndex, 0, m.fragCount - 1, 'fragIndex');
  checkInt(m.replyType, 0, 0xff, 'replyType');
  if (typeof m.text !== 'string') throw new StoreError('bad-input', 'message text must be a string');
  if (m.raw && (!Buffer.isBuffer(m.raw.bytes) || (m.raw.charset !== 'utf8' && m.raw.charset !== 'gb18030'))) {
    throw new StoreError('bad-input', 'message bytes must be a Buffer in utf8 or gb18030');
  }
  if (m.font) checkFont(m.font);
}

/** Checks a Qun message fragment (as a message to the Qun). */
export function checkQunMessage(m: NewQunMessage): void {
  checkMessage({
    sender: m.sender, receiver: m.qun, sentAt: m.sentAt, msgId: m.msgId, fragCount: m.fragCount, fragIndex: m.fragIndex, replyType: 1, text: m.text,
    ...(m.raw ? { raw: m.raw } : {}), ...(m.font ? { font: m.font } : {}),
  });
}

/** Checks a message font. */
export function checkFont(f: MessageFont): void {
  if (typeof f.name !== 'string') throw new StoreError('bad-input', 'font name must be a string');
  checkInt(f.size, 0, 0xff, 'font size');
  checkInt(f.color, 0, 0xffffff, 'font color');
}

/** Checks a client's whole group list (setGroups): indexes 1–63 and names each given once; returns it with clean names. */
export function checkGroupList(owner: number, groups: readonly { index: number; name: string }[]): { index: number; name: string }[] {
  const names = new Set<string>();
  const indexes = new Set<number>();
  return groups.map((g) => {
    checkInt(g.index, 1, MAX_GROUP_INDEX, 'group index');
    const name = checkName(g.name, 'group name');
    if (name === DEFAULT_GROUP_NAME || names.has(name)) throw new StoreError('duplicate-group', `group name "${name}" is given twice`, owner);
    if (indexes.has(g.index)) throw new StoreError('bad-input', `group index ${g.index} is given twice`, owner);
    names.add(name);
    indexes.add(g.index);
    return { index: g.index, name };
  });
}

/** Checks a memo's fields (strings of at most MAX_MEMO_FIELD characters). */
export function checkMemo(owner: number, memo: Memo): void {
  for (const k of MEMO_KEYS) {
    const v = memo[k];
    if (typeof v !== 'string' || [...v].length > MAX_MEMO_FIELD) throw new StoreError('bad-input', `memo ${k} is longer than ${MAX_MEMO_FIELD} characters`, owner);
  }
}

/** A backend's check that a user exists (it throws StoreError 'unknown-user'). */
export type UserCheck = (uid: number, what?: string) => void;

/** Checks system messages before they are stored: a known receiver, a code byte, a text. */
export function checkNotices(notices: readonly NewNotice[], requireUser: UserCheck): void {
  for (const n of notices) {
    checkUid(n.sender, 'notice sender');
    requireUser(n.receiver, 'notice receiver');
    checkInt(n.code, 1, 0xff, 'notice code');
    if (typeof n.text !== 'string') throw new StoreError('bad-input', 'notice text must be a string');
  }
}

/** Checks a friend change before its transaction; `requireUser` is the backend's existence check. */
export function checkFriendChange(ch: FriendChange, requireUser: UserCheck): void {
  checkNotices(ch.notices, requireUser);
  const pair = ch.befriend ?? ch.unfriend;
  if (pair) {
    requireUser(pair[0]);
    requireUser(pair[1]);
    if (pair[0] === pair[1]) throw new StoreError('self-friend', `user ${pair[0]} cannot be their own friend`, pair[0]);
  }
  if (ch.request) {
    requireUser(ch.request.from);
    requireUser(ch.request.to);
  }
}

/** The inbox entry of a system message stored under `id` at `at` (both backends store it the same way). */
export function noticeMessage(id: number, n: NewNotice, at: number): StoredMessage {
  const m: StoredMessage = {
    id, sender: n.sender, receiver: n.receiver, sentAt: at, msgId: 0, fragCount: 1, fragIndex: 0, replyType: 1, text: n.text,
    kind: 'system', code: n.code,
  };
  if (n.qun !== undefined) m.qun = n.qun;
  return m;
}
