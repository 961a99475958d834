import { codec, type BodyCodec } from '../../codec.js';
import { EncodeError } from '../../errors.js';
import { imKey } from '../../keys.js';
import { fragmentBytes, fragmentString, fragmentTextOf, joinFragmentTexts, splitText, type FragmentText } from '../../text.js';
import type { Reader } from '../../reader.js';
import type { Writer } from '../../writer.js';
import { readWhole, encodeWith, rawOr, readText8, readText16, resultByteCodec, type ResultByte } from './common.js';

// Instant messages (PROTOCOL-MODERN.md §5): 0x00CD send = sender, receiver, then the "IM body"; 0x00CE push =
// a 20-byte routing header, then the same IM body (bytes [8:] of the sender's 0x00CD); the ack = 16 bytes.

/** Content type of a text message. */
export const IM_CONTENT_TEXT = 0x000b;
/** 0x00CE IM type of a buddy message in the QQ2009 SP1+ format. */
export const IM_TYPE_BUDDY = 0x00a6;
/** Reply types. */
export const ReplyType = { NORMAL: 0x01, AUTO: 0x02 } as const;
/** Segment types. */
export const SegmentType = { TEXT: 0x01, FACE: 0x02, IMAGE: 0x03 } as const;
/** UTF-8 bytes of text per fragment. */
export const IM_FRAGMENT_BYTES = 700;
/** The charset u16 MQ sends after the font size and flags (`86 00`). */
export const IM_CHARSET = 0x8600;
/** Length of the 0x00CD plaintext before the text, with MQ's font name "宋体" (PROTOCOL-MODERN.md §5.1). */
export const SEND_IM_HEADER_LENGTH = 105;

const IM_HEAD = Buffer.from('0001000400000000', 'hex');
const MSG_TAG = Buffer.from('4d53470000000000', 'hex');

/** A message segment: text (`01 · u16 len · 01 · tok16 text`; bytes when cut inside a character) or any other kept as bytes. */
export type ImSegment = { kind: 'text'; text: FragmentText } | { kind: 'raw'; type: number; data: Buffer };

/** The IM body shared by 0x00CD (from offset 8) and 0x00CE (from offset 20). */
export interface ImBody {
  /** u16 before the 8-byte block (0). */
  headType?: number;
  /** u16-length block, `00010004 00000000` in every run ("09SP1 changes"). */
  head?: Buffer;
  senderVersion: number;
  sender: number;
  receiver: number;
  /** MD5(sender uid ‖ sender's session key). */
  imKey: Buffer;
  contentType: number;
  msgSeq: number;
  sendTime: number;
  face: number;
  hasFont: number;
  fragCount: number;
  fragIndex: number;
  /** Random, the same for all fragments of a message. */
  msgId: number;
  replyType: number;
  /** "MSG\0" + 4 zero bytes. */
  msgTag?: Buffer;
  /** The send time again. */
  time2: number;
  /** msg id ‖ msg id in the runs. */
  msgIdPair: number;
  color: number;
  fontSize: number;
  fontFlags: number;
  /** u16 as on the wire: 0x8600 from MQ (charset 0x86, then 00). */
  charset: number;
  fontName: string;
  /** u16 after the font name (0). */
  reserved: number;
  segments: ImSegment[];
}

function readSegment(r: Reader, i: number): ImSegment {
  const type = r.u8(`segments[${i}].type`);
  const data = r.tok16(`segments[${i}].data`);
  if (type === SegmentType.TEXT && data.length >= 3 && data[0] === 0x01 && data.readUInt16BE(1) === data.length - 3) {
    // Not checked as UTF-8: MyQQ 3.19 cuts long text every 700 bytes, inside characters too (kept as bytes).
    return { kind: 'text', text: fragmentTextOf(data.subarray(3), 'utf8') };
  }
  return { kind: 'raw', type, data };
}

function writeSegment(w: Writer, s: ImSegment, i: number): void {
  if (s.kind === 'raw') {
    w.u8(s.type, `segments[${i}].type`).tok16(s.data, `segments[${i}].data`);
    return;
  }
  const t = fragmentBytes(s.text, 'utf8');
  w.u8(SegmentType.TEXT).u16(t.length + 3, `segments[${i}].length`).u8(0x01).tok16(t, `segments[${i}].text`);
}

/** Reads an IM body to the end of the reader. */
export function readImBody(r: Reader): ImBody {
  const headType = r.u16('headType');
  const head = r.tok16('head');
  const v: ImBody = {
    headType,
    head,
    senderVersion: r.u16('senderVersion'),
    sender: r.u32('sender'),
    receiver: r.u32('receiver'),
    imKey: r.copy(16, 'imKey'),
    contentType: r.u16('contentType'),
    msgSeq: r.u16('msgSeq'),
    sendTime: r.u32('sendTime'),
    face: r.u16('face'),
    hasFont: r.u32('hasFont'),
    fragCount: r.u8('fragCount'),
    fragIndex: r.u8('fragIndex'),
    msgId: r.u16('msgId'),
    replyType: r.u8('replyType'),
    msgTag: r.copy(8, 'msgTag'),
    time2: r.u32('time2'),
    msgIdPair: r.u32('msgIdPair'),
    color: r.u32('color'),
    fontSize: r.u8('fontSize'),
    fontFlags: r.u8('fontFlags'),
    charset: r.u16('charset'),
    fontName: readText16(r, 'fontName'),
    reserved: r.u16('reserved'),
    segments: [],
  };
  while (r.remaining > 0) v.segments.push(readSegment(r, v.segments.length));
  return v;
}

/** The "MSG" block that ends an IM body (from the "MSG" tag to the last segment); Qun messages carry it too. */
export type MsgBlock = Pick<ImBody, 'msgTag' | 'time2' | 'msgIdPair' | 'color' | 'fontSize' | 'fontFlags' | 'charset' | 'fontName' | 'reserved' | 'segments'>;

/** Reads a MSG block to the end of the reader. */
export function readMsgBlock(r: Reader): MsgBlock {
  const v: MsgBlock = {
    msgTag: r.copy(8, 'msgTag'), time2: r.u32('time2'), msgIdPair: r.u32('msgIdPair'), color: r.u32('color'),
    fontSize: r.u8('fontSize'), fontFlags: r.u8('fontFlags'), charset: r.u16('charset'), fontName: readText16(r, 'fontName'),
    reserved: r.u16('reserved'), segments: [],
  };
  while (r.remaining > 0) v.segments.push(readSegment(r, v.segments.length));
  return v;
}

/** Writes a MSG block. */
export function writeMsgBlock(w: Writer, v: MsgBlock): void {
  w.bytes(rawOr(v.msgTag, MSG_TAG, 'msgTag')).u32(v.time2, 'time2').u32(v.msgIdPair, 'msgIdPair').u32(v.color, 'color');
  w.u8(v.fontSize, 'fontSize').u8(v.fontFlags, 'fontFlags').u16(v.charset, 'charset').tok16(Buffer.from(v.fontName, 'utf8'), 'fontName');
  w.u16(v.reserved, 'reserved');
  v.segments.forEach((s, i) => writeSegment(w, s, i));
}

/** A text MSG block as MyQQ writes one (font 宋体 9, charset 0x8600). */
export function textMsgBlock(text: FragmentText, time: number, msgId: number, font?: { name?: string; size?: number; flags?: number; color?: number }): MsgBlock {
  return {
    msgTag: MSG_TAG, time2: time, msgIdPair: ((msgId << 16) | msgId) >>> 0, color: font?.color ?? 0, fontSize: font?.size ?? 9,
    fontFlags: font?.flags ?? 0, charset: IM_CHARSET, fontName: font?.name ?? '宋体', reserved: 0, segments: [{ kind: 'text', text }],
  };
}

/** Writes an IM body. */
export function writeImBody(w: Writer, v: ImBody): void {
  w.u16(v.headType ?? 0, 'headType').tok16(v.head ?? IM_HEAD, 'head');
  w.u16(v.senderVersion, 'senderVersion').u32(v.sender, 'sender').u32(v.receiver, 'receiver').fixed(v.imKey, 16, 'imKey');
  w.u16(v.contentType, 'contentType').u16(v.msgSeq, 'msgSeq').u32(v.sendTime, 'sendTime').u16(v.face, 'face').u32(v.hasFont, 'hasFont');
  w.u8(v.fragCount, 'fragCount').u8(v.fragIndex, 'fragIndex').u16(v.msgId, 'msgId').u8(v.replyType, 'replyType');
  writeMsgBlock(w, v);
}

/** The text of an IM body (or a MSG block): its text segments joined (a cut fragment shows U+FFFD at its cuts). */
export function imText(im: Pick<ImBody, 'segments'>): string {
  return fragmentString(imFragmentText(im));
}

/** An IM body's text as a fragment of its message: a string, or its bytes when they are not whole characters. */
export function imFragmentText(im: Pick<ImBody, 'segments'>): FragmentText {
  const texts = im.segments.flatMap((s) => (s.kind === 'text' ? [s.text] : []));
  if (texts.every((t) => typeof t === 'string')) return texts.join('');
  return fragmentTextOf(Buffer.concat(texts.map((t) => fragmentBytes(t, 'utf8'))), 'utf8');
}

// ---------------------------------------------------------------- 0x00CD send

/** 0x00CD request: sender, receiver, IM body (105 B + text with MQ's font). */
export interface SendIm {
  sender: number;
  receiver: number;
  im: ImBody;
}

/** Codec of the 0x00CD request. */
export const sendIm: BodyCodec<SendIm> = codec<SendIm>(
  'sendIm',
  (v) =>
    encodeWith((w) => {
      w.u32(v.sender, 'sender').u32(v.receiver, 'receiver');
      writeImBody(w, v.im);
    }),
  (body) => readWhole(body, (r) => ({ sender: r.u32('sender'), receiver: r.u32('receiver'), im: readImBody(r) })),
);

/** Codec of the 0x00CD reply: one byte, `00` = accepted. */
export const sendImReply: BodyCodec<ResultByte> = resultByteCodec('sendImReply');

/** What a client needs to build its 0x00CD bodies. */
export interface SendImParams {
  sender: number;
  receiver: number;
  /** The sender's session key (the IM key is derived from it). */
  sessionKey: Buffer;
  senderVersion: number;
  text: string;
  /** Message seq (MQ uses the packet's seq). */
  msgSeq: number;
  /** Send time, unix seconds. */
  sendTime: number;
  /** Random u16, the same for all fragments. */
  msgId: number;
  face?: number;
  fontName?: string;
  fontSize?: number;
  replyType?: number;
}

/** What one text fragment's IM body needs; the rest is fixed (as MyQQ sends it). */
export interface ImTextParams {
  sender: number;
  receiver: number;
  /** MD5(sender uid ‖ sender's session key). */
  imKey: Buffer;
  senderVersion: number;
  /** This fragment's text (bytes when cut inside a character). */
  text: FragmentText;
  msgSeq: number;
  /** Send time, unix seconds. */
  sendTime: number;
  msgId: number;
  fragCount: number;
  fragIndex: number;
  face?: number;
  fontName?: string;
  fontSize?: number;
  /** 0xRRGGBB. */
  color?: number;
  fontFlags?: number;
  replyType?: number;
}

/** Builds the IM body of one text fragment (a 0x00CD send's, or a 0x00CE push's). */
export function makeImText(p: ImTextParams): ImBody {
  return {
    headType: 0,
    head: IM_HEAD,
    senderVersion: p.senderVersion,
    sender: p.sender,
    receiver: p.receiver,
    imKey: p.imKey,
    contentType: IM_CONTENT_TEXT,
    msgSeq: p.msgSeq,
    sendTime: p.sendTime,
    face: p.face ?? 0,
    hasFont: 1,
    fragCount: p.fragCount,
    fragIndex: p.fragIndex,
    msgId: p.msgId,
    replyType: p.replyType ?? ReplyType.NORMAL,
    msgTag: MSG_TAG,
    time2: p.sendTime,
    msgIdPair: ((p.msgId << 16) | p.msgId) >>> 0,
    color: p.color ?? 0,
    fontSize: p.fontSize ?? 9,
    fontFlags: p.fontFlags ?? 0,
    charset: IM_CHARSET,
    fontName: p.fontName ?? '宋体',
    reserved: 0,
    segments: [{ kind: 'text', text: p.text }],
  };
}

/** Builds the 0x00CD bodies of one message: one per fragment of at most 700 UTF-8 bytes. */
export function makeSendIms(p: SendImParams): SendIm[] {
  const parts = splitImText(p.text);
  const key = imKey(p.sender, p.sessionKey);
  return parts.map((text, i) => ({
    sender: p.sender,
    receiver: p.receiver,
    im: makeImText({
      sender: p.sender, receiver: p.receiver, imKey: key, senderVersion: p.senderVersion, text, msgSeq: p.msgSeq,
      sendTime: p.sendTime, msgId: p.msgId, fragCount: parts.length, fragIndex: i, face: p.face,
      fontName: p.fontName, fontSize: p.fontSize, replyType: p.replyType,
    }),
  }));
}

/** Splits a text into fragments of at most `maxBytes` UTF-8 bytes, never inside a character ('' → ['']). */
export function splitImText(text: string, maxBytes: number = IM_FRAGMENT_BYTES): string[] {
  return splitText(text, maxBytes);
}

/** Joins the fragments of one message (any order) back into its text. */
export function joinImFragments(fragments: readonly ImBody[]): string {
  return joinFragmentTexts([...fragments].sort((a, b) => a.fragIndex - b.fragIndex).map(imFragmentText));
}

// ---------------------------------------------------------------- 0x00CE receive + ack

/** The 20-byte routing header of a 0x00CE push. */
export interface ImRoute {
  sender: number;
  receiver: number;
  /** The server's sequence of the message (its store id; part of the ack). */
  serverSeq: number;
  senderIp: number;
  senderPort: number;
  imType: number;
}

/** 0x00CE push: a buddy message (type 00A6) with its IM body, or another type kept as bytes. */
export type ReceiveIm = (ImRoute & { kind: 'im'; im: ImBody }) | (ImRoute & { kind: 'raw'; data: Buffer });

/** Codec of the 0x00CE push. */
export const receiveIm: BodyCodec<ReceiveIm> = codec<ReceiveIm>(
  'receiveIm',
  (v) =>
    encodeWith((w) => {
      w.u32(v.sender, 'sender').u32(v.receiver, 'receiver').u32(v.serverSeq, 'serverSeq').u32(v.senderIp, 'senderIp').u16(v.senderPort, 'senderPort').u16(v.imType, 'imType');
      if (v.kind === 'raw') {
        if (v.imType === IM_TYPE_BUDDY) throw new EncodeError('imType', 'type 00A6 carries an IM body');
        w.bytes(v.data);
      } else {
        if (v.imType !== IM_TYPE_BUDDY) throw new EncodeError('imType', 'an IM body needs type 00A6');
        writeImBody(w, v.im);
      }
    }),
  (body) =>
    readWhole<ReceiveIm>(body, (r) => {
      const route: ImRoute = { sender: r.u32('sender'), receiver: r.u32('receiver'), serverSeq: r.u32('serverSeq'), senderIp: r.u32('senderIp'), senderPort: r.u16('senderPort'), imType: r.u16('imType') };
      if (route.imType === IM_TYPE_BUDDY) return { ...route, kind: 'im', im: readImBody(r) };
      return { ...route, kind: 'raw', data: Buffer.from(r.rest()) };
    }),
);

/** Builds the push a server forwards: a fresh routing header in front of the sender's IM body. */
export function forwardIm(send: SendIm, route: { serverSeq: number; senderIp: number; senderPort: number }): ReceiveIm {
  return { sender: send.sender, receiver: send.receiver, serverSeq: route.serverSeq, senderIp: route.senderIp, senderPort: route.senderPort, imType: IM_TYPE_BUDDY, kind: 'im', im: send.im };
}

/** 0x00CE ack (client → server, same seq as the push): the push's first 16 bytes. */
export interface ImAck {
  sender: number;
  receiver: number;
  serverSeq: number;
  senderIp: number;
}

/** Codec of the 0x00CE ack. */
export const imAck: BodyCodec<ImAck> = codec<ImAck>(
  'imAck',
  (v) => encodeWith((w) => w.u32(v.sender, 'sender').u32(v.receiver, 'receiver').u32(v.serverSeq, 'serverSeq').u32(v.senderIp, 'senderIp')),
  (body) => readWhole(body, (r) => ({ sender: r.u32('sender'), receiver: r.u32('receiver'), serverSeq: r.u32('serverSeq'), senderIp: r.u32('senderIp') })),
);

/** The ack a client sends for a push. */
export function imAckFor(push: ImRoute): ImAck {
  return { sender: push.sender, receiver: push.receiver, serverSeq: push.serverSeq, senderIp: push.senderIp };
}

/** 0x00CE type of a system notice (PROTOCOL-MODERN.md §5.3). */
export const IM_TYPE_SYSTEM = 0x0030;

/** A system notice, the body of a 0x00CE push of type 0030 after the routing header: u32, type u8, u8 length + text. */
export interface SystemNotice {
  /** The u32 MQ skips (0 from this server). */
  unknown: number;
  type: number;
  text: string;
}

/** Codec of a system notice (used as the `data` of a `raw` ReceiveIm with imType IM_TYPE_SYSTEM). */
export const systemNotice: BodyCodec<SystemNotice> = codec<SystemNotice>(
  'systemNotice',
  (v) => encodeWith((w) => w.u32(v.unknown, 'unknown').u8(v.type, 'type').tok8(Buffer.from(v.text, 'utf8'), 'text')),
  (body) => readWhole(body, (r) => ({ unknown: r.u32('unknown'), type: r.u8('type'), text: readText8(r, 'text') })),
);

/** The text MyQQ recognises as "logged in from another place" (it then leaves the session). */
export const KICKED_TEXT = '您的帐号在另一地点登录';
