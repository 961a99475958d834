import * as Q from '../../protocol/bodies/qun.js';
import { removedYouText, SystemCode, type ReceiveImPush, type SystemMessage } from '../../protocol/bodies/classic/index.js';
import { BroadcastCode, broadcastNote, textMsgBlock, type ReceiveIm, type SystemBroadcast } from '../../protocol/bodies/modern/index.js';
import { encodeFontTrailer, encodeGb, fontTrailerOf, fragmentBytes, styleBits } from '../../protocol/text.js';
import { pushedText } from '../cut-text.js';
import { NoticeCode, type StoredMessage } from '../../store/store.js';
import type { SenderInfo } from '../session.js';

// How each framing shows a stored Qun message or system message (the store keeps them framing-neutral).

const CLASSIC_SYSTEM: Record<number, number> = {
  [NoticeCode.ADDED_YOU]: SystemCode.BEING_ADDED,
  [NoticeCode.ADD_REQUEST]: SystemCode.ADD_REQUEST,
  [NoticeCode.APPROVED]: SystemCode.ADD_APPROVED,
  [NoticeCode.REFUSED]: SystemCode.ADD_REJECTED,
};

/** A friend-related system message as the classic 0x0080 push (codes 1–4; anything else is a notice, code 6). */
export function classicNotice(m: StoredMessage): SystemMessage {
  const code = CLASSIC_SYSTEM[m.code ?? 0];
  if (code !== undefined) return { code, from: m.sender, to: m.receiver, text: m.text };
  return { code: SystemCode.NOTICE, from: m.sender, to: m.receiver, text: noticeText(m) };
}

/** A friend-related system message as the modern 0x0080 broadcast MyQQ reads. */
export function modernNotice(m: StoredMessage): SystemBroadcast {
  const note = Buffer.from(m.text, 'utf8');
  switch (m.code) {
    case NoticeCode.ADDED_YOU:
      return { code: BroadcastCode.ADDED_ME, from: m.sender, to: m.receiver, data: Buffer.alloc(0) };
    case NoticeCode.ADD_REQUEST:
      return { code: BroadcastCode.ADD_REQUEST, from: m.sender, to: m.receiver, data: broadcastNote(note, 1) };
    case NoticeCode.APPROVED:
      return { code: BroadcastCode.APPROVED, from: m.sender, to: m.receiver, data: Buffer.alloc(0) };
    case NoticeCode.REFUSED:
      return { code: BroadcastCode.REJECTED, from: m.sender, to: m.receiver, data: broadcastNote(note) };
    default:
      return { code: BroadcastCode.NOTICE, from: m.sender, to: m.receiver, data: Buffer.from(noticeText(m), 'utf8') };
  }
}

/** Words for notices that have no code of their own in a framing. */
export function noticeText(m: StoredMessage): string {
  switch (m.code) {
    case NoticeCode.REMOVED_YOU:
      return removedYouText(m.sender);
    case NoticeCode.QUN_DISMISSED:
      return `Qun ${m.qun} was dismissed by ${m.sender}`;
    default:
      return m.text;
  }
}

const QUN_NOTICE_TYPE: Record<number, number> = {
  [NoticeCode.QUN_JOINED]: Q.QunPushType.ADDED,
  [NoticeCode.QUN_LEFT]: Q.QunPushType.REMOVED,
  [NoticeCode.QUN_APPLY]: Q.QunPushType.APPLY,
  [NoticeCode.QUN_APPROVED]: Q.QunPushType.APPROVED,
  [NoticeCode.QUN_REFUSED]: Q.QunPushType.REJECTED,
  [NoticeCode.QUN_DISMISSED]: Q.QunPushType.REMOVED,
};

/** The routing type and body (after the 20-byte head) of a Qun push: a message or a notice. */
function qunContent(m: StoredMessage, framing: 'classic' | 'modern'): { type: number; body: Buffer } {
  const qun = m.qun ?? 0;
  if (m.kind === 'system') {
    const type = QUN_NOTICE_TYPE[m.code ?? 0] ?? Q.QunPushType.REMOVED;
    const hasNote = type === Q.QunPushType.APPLY || type === Q.QunPushType.APPROVED || type === Q.QunPushType.REJECTED;
    const enc = framing === 'classic' ? encodeGb(m.text) : Buffer.from(m.text, 'utf8');
    // A dismissed Qun is shown as "you were removed" (the receiver's own uid), as the member list empties.
    const uid = m.code === NoticeCode.QUN_DISMISSED ? m.receiver : m.sender;
    return { type, body: Q.writeQunNotice({ ext: qun, type: Q.QUN_TYPE_PERMANENT, uid, ...(hasNote ? { note: enc.subarray(0, 255) } : {}) }) };
  }
  const msgId = m.msgId & 0xffff;
  if (framing === 'classic') {
    const last = m.fragIndex === m.fragCount - 1;
    // The bytes as sent to a receiver of the sender's charset (a fragment cut inside a character), else the text.
    const text = fragmentBytes(pushedText(m, 'gb18030'), 'gb18030');
    const content = last ? Buffer.concat([text, encodeFontTrailer(fontTrailerOf(m.font ?? DEFAULT_STYLE))]) : text;
    return {
      type: Q.QunPushType.CLASSIC_IM,
      body: Q.writeClassicQunIm({ ext: qun, type: Q.QUN_TYPE_PERMANENT, sender: m.sender, msgSeq: msgId, time: m.sentAt, contentType: 1, fragCount: m.fragCount, fragIndex: m.fragIndex, msgId, content }),
    };
  }
  const f = m.font;
  const block = textMsgBlock(pushedText(m, 'utf8'), m.sentAt, msgId, f ? { name: f.name, size: f.size, flags: styleBits(f), color: f.color } : undefined);
  return {
    type: Q.QunPushType.MODERN_IM,
    body: Q.writeModernQunIm({ ext: qun, type: Q.QUN_TYPE_PERMANENT, sender: m.sender, msgId, time: m.sentAt, contentType: 1, fragCount: m.fragCount, fragIndex: m.fragIndex, block }),
  };
}

const DEFAULT_STYLE = { name: '宋体', size: 9, bold: false, italic: false, underline: false, color: 0 };

/** A Qun message or notice as the classic 0x0017 push (the routing head's sender is the Qun). */
export function classicQunPush(m: StoredMessage, sender: SenderInfo): ReceiveImPush {
  const c = qunContent(m, 'classic');
  return { sender: m.qun ?? 0, receiver: m.receiver, serverSeq: m.id >>> 0, senderIp: sender.ip, senderPort: sender.port, type: c.type, content: { kind: 'other', bytes: c.body } };
}

/** A Qun message or notice as the modern 0x0017 push MyQQ reads (type 0x0052 for messages). */
export function modernQunPush(m: StoredMessage, sender: SenderInfo): ReceiveIm {
  const c = qunContent(m, 'modern');
  return { sender: m.qun ?? 0, receiver: m.receiver, serverSeq: m.id >>> 0, senderIp: sender.ip, senderPort: sender.port, imType: c.type, kind: 'raw', data: c.body };
}
