// Row shapes shared by the SQL backends (SQLite and PostgreSQL name their columns alike) and their mapping to the
// Store's types.
import type { Account, Memo, NewQunMessage, Qun, StoredMessage } from './store.js';
import { styleOf } from '../protocol/text.js';

export interface UserRow {
  uid: number;
  nick: string;
  password_md5: Buffer;
  face: number;
  age: number;
  gender: number;
  created_at: number;
  strangers: number;
  auth_type: number;
  signature: string;
  signature_at: number;
}

export interface MemoRow extends Memo {
  friend: number;
}

export function toMemo(r: MemoRow): Memo {
  return { alias: r.alias, mobile: r.mobile, telephone: r.telephone, address: r.address, email: r.email, zipcode: r.zipcode, note: r.note };
}

export interface QunRow {
  id: number;
  name: string;
  notice: string;
  intro: string;
  creator: number;
  auth_type: number;
  created_at: number;
}

export interface FriendRow {
  uid: number;
  nick: string;
  face: number;
  age: number;
  gender: number;
  grp: number;
}

export interface MessageRow {
  id: number;
  sender: number;
  receiver: number;
  sent_at: number;
  msg_id: number;
  frag_count: number;
  frag_index: number;
  reply_type: number;
  text: string;
  text_bytes: Buffer | null;
  text_charset: string | null;
  font_name: string | null;
  font_size: number | null;
  font_style: number | null;
  font_color: number | null;
  kind: number;
  ref: number | null;
  qun: number | null;
  stranger: number;
}

/** Qun numbers start here (they look like QQ's Qun numbers and never collide with the internal 0). */
export const FIRST_QUN_ID = 100_001;

// The style column keeps the font-style bits of the classic attribute byte (FontStyleBit), shifted down to bits 0–2.
export const STYLE_SHIFT = 5;

export function toAccount(r: UserRow): Account {
  return {
    uid: r.uid,
    nick: r.nick,
    passwordMd5: r.password_md5,
    face: r.face,
    age: r.age,
    gender: r.gender,
    createdAt: r.created_at,
    authType: r.auth_type,
    signature: r.signature,
    signatureAt: r.signature_at,
    strangers: r.strangers === 1 ? 'friends-only' : 'accept',
  };
}

export function toQun(r: QunRow): Qun {
  return { id: r.id, name: r.name, notice: r.notice, intro: r.intro, creator: r.creator, authType: r.auth_type, createdAt: r.created_at };
}

export function toMessage(r: MessageRow): StoredMessage {
  const m: StoredMessage = {
    id: r.id,
    sender: r.sender,
    receiver: r.receiver,
    sentAt: r.sent_at,
    msgId: r.msg_id,
    fragCount: r.frag_count,
    fragIndex: r.frag_index,
    replyType: r.reply_type,
    text: r.text,
  };
  if (r.text_bytes !== null) m.raw = { bytes: Buffer.from(r.text_bytes), charset: r.text_charset === 'gb18030' ? 'gb18030' : 'utf8' };
  if (r.kind === 1) {
    m.kind = 'qun';
    m.qun = r.qun ?? 0;
  } else if (r.kind === 2) {
    m.kind = 'system';
    m.code = r.ref ?? 0;
    if (r.qun !== null) m.qun = r.qun;
  }
  if (r.stranger) m.stranger = true;
  if (r.font_name !== null) {
    const style = r.font_style ?? 0;
    m.font = {
      name: r.font_name,
      size: r.font_size ?? 0,
      ...styleOf(style << STYLE_SHIFT),
      color: r.font_color ?? 0,
    };
  }
  return m;
}

/** The inbox entry `id` of a Qun message fragment for member `receiver` (as both stores return it). */
export function qunInboxEntry(m: NewQunMessage, id: number, receiver: number): StoredMessage {
  const e: StoredMessage = {
    id, sender: m.sender, receiver, sentAt: m.sentAt, msgId: m.msgId, fragCount: m.fragCount, fragIndex: m.fragIndex,
    replyType: 1, text: m.text, kind: 'qun', qun: m.qun,
  };
  if (m.raw) e.raw = m.raw;
  if (m.font) e.font = m.font;
  return e;
}
