import type { BodyCodec, BodyRegistry, BodySpec, Wrap } from '../../codec.js';
import type { Direction } from '../../framing.js';
import { buddyIndexReply, buddyIndexRequest, chainReply, chainRequest } from './chain.js';
import { detailsReply, detailsRequest } from './details.js';
import { keepAliveReply, keepAliveRequest } from './keepalive.js';
import { keyReply, keyRequest } from './key.js';
import { levelReply, levelRequest } from './level.js';
import {
  accountsReply,
  accountsRequest,
  aliasesReply,
  aliasesRequest,
  friendListReply,
  friendListRequest,
  groupLabelsReply,
  groupLabelsRequest,
  onlineListReply,
  onlineListRequest,
  signaturesReply,
  signaturesRequest,
} from './lists.js';
import {
  loginInfoReply,
  loginInfoRequest,
  loginReply,
  loginRequest,
  sendLoginInfoReply,
  sendLoginInfoRequest,
  touchReply,
  touchRequest,
  verifyReply,
  verifyRequest,
} from './login.js';
import { logoutRequest } from './logout.js';
import { imAck, receiveIm, sendIm, sendImReply } from './message.js';
import { changeStatusReply, changeStatusRequest, statusPush } from './status.js';

export * from './common.js';
export * from './wrap.js';
export * from './login.js';
export * from './chain.js';
export * from './lists.js';
export * from './level.js';
export * from './status.js';
export * from './keepalive.js';
export * from './key.js';
export * from './details.js';
export * from './message.js';
export * from './logout.js';

const spec = <T>(wrap: Wrap, c: BodyCodec<T>): BodySpec => ({ wrap, codec: c as BodyCodec<unknown> });
type Row = [number, Partial<Record<Direction, BodySpec>>];
const session = <A, B>(code: number, c2s?: BodyCodec<A>, s2c?: BodyCodec<B>): Row => [
  code,
  { ...(c2s ? { c2s: spec('session', c2s) } : {}), ...(s2c ? { s2c: spec('session', s2c) } : {}) },
];

/** Body layouts of the modern framing, by command and direction (PROTOCOL-MODERN.md §3–§6). */
export const MODERN_BODIES: BodyRegistry = new Map<number, Partial<Record<Direction, BodySpec>>>([
  // Login chain: requests carry their key in clear (or the magic), replies use a chain key.
  [0x0091, { c2s: spec('keyPrefixed', touchRequest), s2c: spec('loginReply', touchReply) }],
  [0x00ba, { c2s: spec('keyPrefixed', loginRequest), s2c: spec('loginReply', loginReply) }],
  [0x00dd, { c2s: spec('keyPrefixed', verifyRequest), s2c: spec('loginReply', verifyReply) }],
  [0x00e5, { c2s: spec('magicPrefixed', loginInfoRequest), s2c: spec('loginReply', loginInfoReply) }],
  [0x0030, { c2s: spec('magicPrefixed', sendLoginInfoRequest), s2c: spec('loginReply', sendLoginInfoReply) }],
  // Everything after: TEA(session key) both ways.
  session(0x00eb, buddyIndexRequest, buddyIndexReply),
  session(0x00e9, chainRequest, chainReply),
  session(0x00ea, chainRequest, chainReply),
  session(0x00ed, chainRequest, chainReply),
  session(0x00ec, chainRequest, chainReply),
  session(0x0001, groupLabelsRequest, groupLabelsReply),
  session(0x005c, levelRequest, levelReply),
  session(0x000d, changeStatusRequest, changeStatusReply),
  session(0x0126, friendListRequest, friendListReply),
  session(0x0067, signaturesRequest, signaturesReply),
  session(0x00b5, accountsRequest, accountsReply),
  session(0x003e, aliasesRequest, aliasesReply),
  session(0x0027, onlineListRequest, onlineListReply),
  session(0x0058, keepAliveRequest, keepAliveReply),
  session(0x0081, undefined, statusPush),
  session(0x001d, keyRequest, keyReply),
  session(0x003c, detailsRequest, detailsReply),
  session(0x00cd, sendIm, sendImReply),
  session(0x00ce, imAck, receiveIm),
  session(0x0062, logoutRequest),
]);
