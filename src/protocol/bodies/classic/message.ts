import { codec } from '../../codec.js';
import { DecodeError, EncodeError } from '../../errors.js';
import { Reader } from '../../reader.js';
import { FONT_TRAILER_FIXED, fragmentBytes, fragmentTextOf, gbMaxLength, splitFontTrailer, writeFontTrailer, type FontTrailer, type FragmentText } from '../../text.js';
import { Writer } from '../../writer.js';
import { readWhole } from './common.js';

// 0x0016 send message and 0x0017 receive message (PROTOCOL.md §5). Both carry the same "message
// part" (sender version … text, font trailer); it is read and written here, once.

/** IM type of a text message. */
export const IM_TEXT = 0x000b;
/** Reply types: normal message or auto-reply. */
export const ReplyType = { NORMAL: 0x01, AUTO: 0x02 } as const;
/** 0x0017 routing types whose payload is a message part. */
export const RecvType = { FRIEND: 0x0009, STRANGER: 0x000a } as const;

/**
 * The message part shared by 0x0016 and 0x0017. `text` is exactly the bytes sent (decoded): the
 * "space appended to the last fragment" is not added or stripped here (pidgin sends none). A fragment cut inside a
 * character is kept as its bytes (FragmentText), so relaying it gives the same bytes.
 * `font` undefined ⇔ has-font = 0 (no trailer).
 */
export interface ImMessage {
  senderVersion: number;
  sender: number;
  receiver: number;
  /** MD5(sender uid ‖ sender's session key). */
  imKey: Buffer;
  imType: number;
  msgSeq: number;
  /** Unix seconds, from the sender. */
  sendTime: number;
  face: number;
  fragCount: number;
  fragIndex: number;
  msgId: number;
  replyType: number;
  text: FragmentText;
  font: FontTrailer | undefined;
}

/** Bytes of the message part before the text. */
export const IM_MESSAGE_HEAD = 2 + 4 + 4 + 16 + 2 + 2 + 4 + 2 + 4 + 1 + 1 + 2 + 1;

/** Most bytes a message part can take (a writer capacity that never needs to grow). */
export function imMessageMaxLength(m: ImMessage): number {
  return IM_MESSAGE_HEAD + (typeof m.text === 'string' ? gbMaxLength(m.text) : 4 * m.text.bytes.length) + (m.font ? FONT_TRAILER_FIXED + gbMaxLength(m.font.name) : 0);
}

/** Reads a message part that runs to the end of the reader's body. */
export function readImMessage(r: Reader): ImMessage {
  // One object literal with every field (no spreads): a hot path, and V8 keeps one shape for it.
  const senderVersion = r.u16('senderVersion');
  const sender = r.u32('sender');
  const receiver = r.u32('receiver');
  const imKey = r.copy(16, 'imKey');
  const imType = r.u16('imType');
  const msgSeq = r.u16('msgSeq');
  const sendTime = r.u32('sendTime');
  const face = r.u16('face');
  const hasFontAt = r.offset;
  const hasFont = r.u32('hasFont');
  if (hasFont > 1) throw new DecodeError('bad_value', `has-font ${hasFont}`, 'hasFont', hasFontAt);
  const fragCount = r.u8('fragCount');
  const fragIndex = r.u8('fragIndex');
  const msgId = r.u16('msgId');
  const replyType = r.u8('replyType');
  const textAt = r.offset;
  const tail = r.rest('text');
  const trailer = hasFont === 0 ? { text: tail, font: undefined } : splitFontTrailer(tail, textAt);
  return {
    senderVersion, sender, receiver, imKey, imType, msgSeq, sendTime, face,
    fragCount, fragIndex, msgId, replyType, text: fragmentTextOf(trailer.text, 'gb18030'), font: trailer.font,
  };
}

/** Writes a message part (has-font = 1 and a trailer when `font` is set). */
export function writeImMessage(w: Writer, m: ImMessage): Writer {
  w.u16(m.senderVersion, 'senderVersion')
    .u32(m.sender, 'sender')
    .u32(m.receiver, 'receiver')
    .fixed(m.imKey, 16, 'imKey')
    .u16(m.imType, 'imType')
    .u16(m.msgSeq, 'msgSeq')
    .u32(m.sendTime, 'sendTime')
    .u16(m.face, 'face')
    .u32(m.font ? 1 : 0, 'hasFont')
    .u8(m.fragCount, 'fragCount')
    .u8(m.fragIndex, 'fragIndex')
    .u16(m.msgId, 'msgId')
    .u8(m.replyType, 'replyType')
    .bytes(fragmentBytes(m.text, 'gb18030'));
  return m.font ? writeFontTrailer(w, m.font) : w;
}

/** 0x0016 request: sender, receiver, then the message part. */
export interface SendImRequest {
  sender: number;
  receiver: number;
  message: ImMessage;
}

/** 0x0016 reply: `00` = accepted. */
export interface SendImReply {
  result: number;
}

/** 0x0016 c2s codec. */
export const sendImRequestCodec = codec<SendImRequest>(
  'sendImRequest',
  (v) => writeImMessage(new Writer(8 + imMessageMaxLength(v.message)).u32(v.sender, 'sender').u32(v.receiver, 'receiver'), v.message).finish(),
  (body) => {
    const r = new Reader(body);
    return { sender: r.u32('sender'), receiver: r.u32('receiver'), message: readImMessage(r) };
  },
);

/** 0x0016 s2c codec. */
export const sendImReplyCodec = codec<SendImReply>(
  'sendImReply',
  (v) => new Writer(1).u8(v.result, 'result').finish(),
  (body) => readWhole(body, (r) => ({ result: r.u8('result') })),
);

/** What follows the 0x0017 routing head: a message part, or (other types) bytes kept as sent. */
export type ReceiveImContent = { kind: 'im'; message: ImMessage } | { kind: 'other'; bytes: Buffer };

/** 0x0017 push: a 20-byte routing head, then the content. */
export interface ReceiveImPush {
  sender: number;
  receiver: number;
  /** The server's message sequence. */
  serverSeq: number;
  senderIp: number;
  senderPort: number;
  /** RecvType.FRIEND, RecvType.STRANGER, or another type (then `content.kind` is 'other'). */
  type: number;
  content: ReceiveImContent;
}

/** 0x0017 ack: the first 16 bytes of the push. */
export interface ReceiveImAck {
  sender: number;
  receiver: number;
  serverSeq: number;
  senderIp: number;
}

/** Length of the routing head of a 0x0017 push. */
export const RECEIVE_IM_HEAD = 20;

function isImType(type: number): boolean {
  return type === RecvType.FRIEND || type === RecvType.STRANGER;
}

/** 0x0017 s2c codec. */
export const receiveImPushCodec = codec<ReceiveImPush>(
  'receiveImPush',
  (v) => {
    if (isImType(v.type) !== (v.content.kind === 'im')) throw new EncodeError('content', `kind ${v.content.kind} does not fit type 0x${v.type.toString(16)}`);
    const w = new Writer(RECEIVE_IM_HEAD + (v.content.kind === 'im' ? imMessageMaxLength(v.content.message) : v.content.bytes.length))
      .u32(v.sender, 'sender')
      .u32(v.receiver, 'receiver')
      .u32(v.serverSeq, 'serverSeq')
      .u32(v.senderIp, 'senderIp')
      .u16(v.senderPort, 'senderPort')
      .u16(v.type, 'type');
    return (v.content.kind === 'im' ? writeImMessage(w, v.content.message) : w.bytes(v.content.bytes)).finish();
  },
  (body) => {
    const r = new Reader(body);
    const sender = r.u32('sender');
    const receiver = r.u32('receiver');
    const serverSeq = r.u32('serverSeq');
    const senderIp = r.u32('senderIp');
    const senderPort = r.u16('senderPort');
    const type = r.u16('type');
    const content: ReceiveImContent = isImType(type) ? { kind: 'im', message: readImMessage(r) } : { kind: 'other', bytes: Buffer.from(r.rest()) };
    return { sender, receiver, serverSeq, senderIp, senderPort, type, content };
  },
);

/** 0x0017 c2s codec (the ack). */
export const receiveImAckCodec = codec<ReceiveImAck>(
  'receiveImAck',
  (v) => new Writer(16).u32(v.sender, 'sender').u32(v.receiver, 'receiver').u32(v.serverSeq, 'serverSeq').u32(v.senderIp, 'senderIp').finish(),
  (body) => readWhole(body, (r) => ({ sender: r.u32('sender'), receiver: r.u32('receiver'), serverSeq: r.u32('serverSeq'), senderIp: r.u32('senderIp') })),
);

/** The ack a client owes for a push (same command and sequence; body = the push's first 16 bytes). */
export function receiveImAckFor(push: ReceiveImPush): ReceiveImAck {
  return { sender: push.sender, receiver: push.receiver, serverSeq: push.serverSeq, senderIp: push.senderIp };
}

/** Routing fields a server adds when it forwards a send as a push. */
export interface PushRoute {
  serverSeq: number;
  senderIp: number;
  senderPort: number;
  /** RecvType.FRIEND unless told otherwise. */
  type?: number;
}

/** The push that delivers a 0x0016 send to its receiver: the sender's message part, unchanged. */
export function receiveImPushFor(send: SendImRequest, route: PushRoute): ReceiveImPush {
  return {
    sender: send.sender,
    receiver: send.receiver,
    serverSeq: route.serverSeq,
    senderIp: route.senderIp,
    senderPort: route.senderPort,
    type: route.type ?? RecvType.FRIEND,
    content: { kind: 'im', message: send.message },
  };
}
