import * as B from '../protocol/bodies/classic/buddy-ops.js';
import * as Q from '../protocol/bodies/qun.js';
import { textMsgBlock, imFragmentText } from '../protocol/bodies/modern/message.js';
import { DecodeError } from '../protocol/errors.js';
import { DEFAULT_FONT, encodeFontTrailer, encodeGb, fragmentTextOf, splitFontTrailer } from '../protocol/text.js';
import { REMOVED_YOU_TEXT } from '../protocol/bodies/classic/system.js';
import { ProtocolError } from './errors.js';
import type { Fragment } from './session.js';

// The friend and Qun side of the SDK, shared by both framings: each framing session supplies how to send a
// request (its command codes and key) and its charset; the layouts come from the protocol package.

/** A user found by searchUsers. */
export interface FoundUser {
  uid: number;
  nick: string;
  face: number;
}

/** What addFriend led to. */
export type AddFriendResult = 'accepted' | 'needs-authorization' | 'refused';

/** A Qun as the SDK reports it. */
export interface QunInfo {
  qun: number;
  name: string;
  creator: number;
  /** 1 open, 2 the creator approves, 3 closed. */
  authType: number;
  members: { uid: number; role: number }[];
}

/** What joinQun led to. */
export type JoinQunResult = 'joined' | 'needs-authorization' | 'denied';

/** A friend- or Qun-related notice pushed by the server (already acked). */
export type Notice =
  | { kind: 'friendRequest'; uid: number; note: string }
  | { kind: 'friendAdded'; uid: number }
  | { kind: 'friendRefused'; uid: number; reason: string }
  | { kind: 'friendRemoved'; uid: number }
  | { kind: 'qunMembersChanged'; qun: number; uid: number; change: 'joined' | 'left' | 'applied' | 'approved' | 'refused'; note: string };

/** A friend event as both framings' system messages carry it (each framing maps its own codes to these). */
export type FriendEvent = 'added' | 'request' | 'refused' | 'notice';

/**
 * The SDK's notice for a friend event from `uid`; `text` reads the message's text (the request's note, the
 * refusal's reason). A plain notice means something only when it is the server's "removed you" text.
 */
export function friendNotice(event: FriendEvent | undefined, uid: number, text: () => string): Notice | undefined {
  switch (event) {
    case 'added':
      return { kind: 'friendAdded', uid };
    case 'request':
      return { kind: 'friendRequest', uid, note: text() };
    case 'refused':
      return { kind: 'friendRefused', uid, reason: text() };
    case 'notice':
      return REMOVED_YOU_TEXT.test(text()) ? { kind: 'friendRemoved', uid } : undefined;
    default:
      return undefined;
  }
}

/** A Qun message fragment pushed by the server (already acked). */
export interface QunFragment {
  qun: number;
  fragment: Fragment;
}

/** How a framing sends the requests the social calls need. */
export interface SocialTransport {
  framing: 'classic' | 'modern';
  decode(b: Buffer): string;
  encode(t: string): Buffer;
  qun(req: Q.QunRequest): Promise<Q.QunReply>;
  search(req: B.SearchRequest): Promise<B.SearchReply>;
  now(): number;
  /** A new message id (see TableSession.nextMessageId). */
  messageId(): number;
}

function check(r: Q.QunReply, what: string): Buffer {
  if (r.result !== Q.QunResult.OK) throw new ProtocolError(0, `${what}: Qun result 0x${r.result.toString(16)}`);
  return r.data;
}

/** Searches users by number, by nick, or everyone online (one page). */
export async function searchUsers(t: SocialTransport, q: { uid?: number; nick?: string; online?: boolean }, page = 0): Promise<FoundUser[]> {
  const req: B.SearchRequest = q.online
    ? { kind: B.SearchKind.ALL_ONLINE, page }
    : { kind: B.SearchKind.CUSTOM, page, ...(q.uid !== undefined ? { uid: q.uid } : {}), ...(q.nick ? { nick: t.encode(q.nick) } : {}) };
  const r = await t.search(req);
  return r.entries.map((e) => ({ uid: e.uid, nick: t.decode(e.nick), face: e.face }));
}

/** Creates a Qun (the caller is its creator); resolves with its number. */
export async function createQun(t: SocialTransport, name: string, authType: number = Q.QunAuthType.NEEDS_AUTH): Promise<number> {
  const data = Q.writeQunCreate({ type: Q.QUN_TYPE_PERMANENT, authType, category: 0, name: t.encode(name), notice: Buffer.alloc(0), intro: Buffer.alloc(0), members: [] });
  return Q.readQunCreated(check(await t.qun({ sub: Q.QunSub.CREATE, qun: 0, data }), 'create')).id;
}

/** Joins a Qun; with a note, a Qun that needs approval gets the request (the creator answers later). */
export async function joinQun(t: SocialTransport, qun: number, note?: string): Promise<JoinQunResult> {
  const j = Q.readQunJoined(check(await t.qun({ sub: Q.QunSub.JOIN, qun, data: Buffer.alloc(0) }), 'join'));
  if (j.code === Q.QunJoin.OK) return 'joined';
  if (j.code !== Q.QunJoin.NEEDS_AUTH) return 'denied';
  if (note !== undefined) check(await t.qun({ sub: Q.QunSub.AUTH, qun, data: Q.writeQunAuth({ opt: Q.QunAuthOpt.APPLY, uid: 0, note: t.encode(note).subarray(0, 255) }) }), 'apply');
  return 'needs-authorization';
}

/** The creator approves or refuses `uid`'s request to join. */
export async function answerQun(t: SocialTransport, qun: number, uid: number, accept: boolean, reason = ''): Promise<void> {
  const opt = accept ? Q.QunAuthOpt.APPROVE : Q.QunAuthOpt.REJECT;
  check(await t.qun({ sub: Q.QunSub.AUTH, qun, data: Q.writeQunAuth({ opt, uid, note: t.encode(reason).subarray(0, 255) }) }), 'answer');
}

/** Leaves a Qun (the creator leaving dismisses it). */
export async function leaveQun(t: SocialTransport, qun: number): Promise<void> {
  check(await t.qun({ sub: Q.QunSub.QUIT, qun, data: Buffer.alloc(0) }), 'leave');
}

/** A Qun's info and members with roles (classic GET_INFO; modern GET_INFO_EX, every page). */
export async function qunInfo(t: SocialTransport, qun: number): Promise<QunInfo> {
  if (t.framing === 'classic') {
    const i = Q.readQunInfo(check(await t.qun({ sub: Q.QunSub.GET_INFO, qun, data: Buffer.alloc(0) }), 'info'));
    return { qun: i.id, name: t.decode(i.name), creator: i.creator, authType: i.authType, members: i.members.map((m) => ({ uid: m.uid, role: m.role })) };
  }
  const members: { uid: number; role: number }[] = [];
  let from = 0;
  for (let page = 0; page < 1000; page++) {
    const pos = Buffer.alloc(4);
    pos.writeUInt32BE(from);
    const r = Q.readQunInfoEx(check(await t.qun({ sub: Q.QunSub.GET_INFO_EX, qun, data: pos }), 'info'));
    members.push(...r.info.members.map((m) => ({ uid: m.uid, role: m.role })));
    if (!r.more || r.lastUid <= from) return { qun: r.info.id, name: t.decode(r.info.name), creator: r.info.creator, authType: r.info.authType, members };
    from = r.lastUid;
  }
  throw new ProtocolError(0, 'Qun info paging did not end');
}

/** Members of a Qun online now. */
export async function qunOnline(t: SocialTransport, qun: number): Promise<number[]> {
  return Q.readQunOnlines(check(await t.qun({ sub: Q.QunSub.GET_ONLINES, qun, data: Buffer.alloc(0) }), 'online')).online;
}

/** Longest text of one Qun fragment (bytes in the framing's charset). */
const QUN_FRAGMENT_BYTES = 700;

/** Sends a message to a Qun (fragments of at most 700 bytes, in order); resolves with its message id once every fragment was stored. */
export async function sendQunMessage(t: SocialTransport, qun: number, text: string, split: (text: string, max: number) => string[]): Promise<number> {
  const parts = split(text, QUN_FRAGMENT_BYTES);
  const msgId = t.messageId();
  for (let i = 0; i < parts.length; i++) {
    const data = t.framing === 'classic'
      ? Q.writeQunSendIm(Buffer.concat([encodeGb(parts[i]!), encodeFontTrailer(DEFAULT_FONT)]))
      : Q.writeQunSendImEx({ contentType: 1, fragCount: parts.length, fragIndex: i, msgId, block: textMsgBlock(parts[i]!, t.now(), msgId) });
    check(await t.qun({ sub: t.framing === 'classic' ? Q.QunSub.SEND_IM : Q.QunSub.SEND_IM_EX, qun, data }), 'send');
  }
  return msgId;
}

const QUN_CHANGES: Record<number, 'joined' | 'left' | 'applied' | 'approved' | 'refused'> = {
  [Q.QunPushType.ADDED]: 'joined',
  [Q.QunPushType.REMOVED]: 'left',
  [Q.QunPushType.APPLY]: 'applied',
  [Q.QunPushType.APPROVED]: 'approved',
  [Q.QunPushType.REJECTED]: 'refused',
};

/** Reads what follows the routing head of a Qun push (message or notice); undefined for other types. */
export function readQunPush(framing: 'classic' | 'modern', route: { sender: number; serverSeq: number; type: number }, data: Buffer, decode: (b: Buffer) => string): QunFragment | Notice | undefined {
  try {
    if (route.type === Q.QunPushType.CLASSIC_IM && framing === 'classic') {
      const m = Q.readClassicQunIm(data);
      let text = m.content;
      if (m.fragIndex === m.fragCount - 1 || m.fragCount <= 1) {
        try {
          text = splitFontTrailer(m.content).text;
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
        }
      }
      return { qun: route.sender, fragment: { sender: m.sender, serverSeq: route.serverSeq, sendTime: m.time, msgSeq: m.msgSeq, msgId: m.msgId, fragCount: Math.max(1, m.fragCount), fragIndex: m.fragIndex, text: fragmentTextOf(text, 'gb18030') } };
    }
    if (route.type === Q.QunPushType.MODERN_IM) {
      const m = Q.readModernQunIm(data);
      return { qun: route.sender, fragment: { sender: m.sender, serverSeq: route.serverSeq, sendTime: m.time, msgSeq: m.msgId, msgId: m.msgId, fragCount: Math.max(1, m.fragCount), fragIndex: m.fragIndex, text: imFragmentText(m.block) } };
    }
    const change = QUN_CHANGES[route.type];
    if (!change) return undefined;
    const n = Q.readQunNotice(data);
    return { kind: 'qunMembersChanged', qun: route.sender, uid: n.uid, change, note: n.note ? decode(n.note) : '' };
  } catch (e) {
    if (e instanceof DecodeError) return undefined;
    throw e;
  }
}
