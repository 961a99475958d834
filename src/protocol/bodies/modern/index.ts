import { Wrap, type BodyRegistry } from '../../codec.js';
import { bodiesOf, codesOf, row, spec, type CommandTable } from '../../table.js';
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
import { loginListReply, loginListRequest } from './login-list.js';
import { verifyE3Reply, verifyE3Request } from './login-e3.js';
import { logoutRequest } from './logout.js';
import { imAck, receiveIm, sendIm, sendImReply } from './message.js';
import { changeStatusReply, changeStatusRequest, statusPush } from './status.js';
import { broadcastAck, systemBroadcast } from './broadcast.js';
import { qunReplyCodec, qunRequestCodec } from '../qun.js';
import {
  addExReplyCodec, authCodeReplyCodec, authCodeRequestCodec, authExReplyCodec, authExRequestCodec, removeRequestCodec, resultOnlyCodec,
  searchReplyCodec, searchRequestCodec, uidU32Codec,
} from '../classic/buddy-ops.js';

export * from './common.js';
export * from './wrap.js';
export * from './login.js';
export * from './login-list.js';
export * from './login-e3.js';
export * from './chain.js';
export * from './lists.js';
export * from './level.js';
export * from './status.js';
export * from './keepalive.js';
export * from './key.js';
export * from './details.js';
export * from './message.js';
export * from './logout.js';
export * from './broadcast.js';

// THE modern command table (PROTOCOL-MODERN.md §3–§6): code, our name, exchange kind, and the bodies.
// Login-chain requests carry their key in clear (or the magic) and their replies use a chain key; everything
// after is TEA(session key) both ways.
const PW = 'password key';
export const MODERN_TABLE = {
  GROUP_LABELS: row(0x0001, 'friend group labels', 'request', spec(groupLabelsRequest), spec(groupLabelsReply)),
  QUN: row(0x0002, 'Qun command', 'request', spec(qunRequestCodec), spec(qunReplyCodec)),
  SEARCH_USER: row(0x0005, 'search user', 'request', spec(searchRequestCodec), spec(searchReplyCodec)),
  GET_USER_INFO: row(0x0006, 'get user info', 'request'),
  CHANGE_STATUS: row(0x000d, 'change status', 'request', spec(changeStatusRequest), spec(changeStatusReply)),
  DELETE_FRIEND: row(0x000a, 'delete friend', 'request', spec(removeRequestCodec), spec(resultOnlyCodec)),
  QUN_MESSAGE: row(0x0017, 'receive Qun/system message', 'ack', spec(imAck), spec(receiveIm)),
  LOGIN_LIST: row(0x0018, 'pre-login buddy list (QQ2009)', 'request',
    spec(loginListRequest, Wrap.MAGIC_PREFIXED, ['login_info_key1']),
    spec(loginListReply, Wrap.LOGIN_REPLY, ['login_info_key2', PW])),
  REQUEST_KEY: row(0x001d, 'request key', 'request', spec(keyRequest), spec(keyReply)),
  GET_ONLINE_FRIENDS: row(0x0027, 'get online friends', 'request', spec(onlineListRequest), spec(onlineListReply)),
  SEND_LOGIN_INFO: row(0x0030, 'send login info', 'request',
    spec(sendLoginInfoRequest, Wrap.MAGIC_PREFIXED, ['login_info_key1']),
    spec(sendLoginInfoReply, Wrap.LOGIN_REPLY, ['login_info_key2', PW])),
  FRIEND_DETAILS: row(0x003c, 'friend details', 'request', spec(detailsRequest), spec(detailsReply)),
  ALIASES: row(0x003e, 'friend aliases', 'request', spec(aliasesRequest), spec(aliasesReply)),
  KEEP_ALIVE: row(0x0058, 'keep alive', 'request', spec(keepAliveRequest), spec(keepAliveReply)),
  GET_LEVEL: row(0x005c, 'get level', 'request', spec(levelRequest), spec(levelReply)),
  LOGOUT: row(0x0062, 'logout', 'oneWay', spec(logoutRequest)),
  SIGNATURES: row(0x0067, 'signatures', 'request', spec(signaturesRequest), spec(signaturesReply)),
  SYSTEM_BROADCAST: row(0x0080, 'system broadcast', 'ack', spec(broadcastAck), spec(systemBroadcast)),
  FRIEND_STATUS: row(0x0081, 'friend status changed', 'push', undefined, spec(statusPush)),
  TOUCH: row(0x0091, 'touch', 'request',
    spec(touchRequest, Wrap.KEY_PREFIXED, ['touch key']),
    spec(touchReply, Wrap.LOGIN_REPLY, ['touch key', PW])),
  ADD_FRIEND_EX: row(0x00a7, 'add friend request', 'request', spec(uidU32Codec), spec(addExReplyCodec)),
  ADD_FRIEND_AUTH_EX: row(0x00a8, 'add friend verify', 'request', spec(authExRequestCodec), spec(authExReplyCodec)),
  AUTH_CODE: row(0x00ae, 'request token', 'request', spec(authCodeRequestCodec), spec(authCodeReplyCodec)),
  ACCOUNTS: row(0x00b5, 'accounts', 'request', spec(accountsRequest), spec(accountsReply)),
  LOGIN_REQUEST: row(0x00ba, 'login request', 'request',
    spec(loginRequest, Wrap.KEY_PREFIXED, ['request key']),
    spec(loginReply, Wrap.LOGIN_REPLY, ['request key', PW])),
  SEND_IM: row(0x00cd, 'send message', 'request', spec(sendIm), spec(sendImReply)),
  RECV_IM: row(0x00ce, 'receive message', 'ack', spec(imAck), spec(receiveIm)),
  VERIFY: row(0x00dd, 'password verify', 'request',
    spec(verifyRequest, Wrap.KEY_PREFIXED, ['verify key']),
    spec(verifyReply, Wrap.LOGIN_REPLY, ['verify_key2', 'verify key', PW])),
  VERIFY_E3: row(0x00e3, 'verify E3 (pidgin-libqq)', 'request',
    spec(verifyE3Request, Wrap.MAGIC_PREFIXED, ['login_info_key1']),
    spec(verifyE3Reply, Wrap.LOGIN_REPLY, ['e3 key', PW])),
  GET_LOGIN_INFO: row(0x00e5, 'get login info', 'request',
    spec(loginInfoRequest, Wrap.MAGIC_PREFIXED, ['login_info_key1']),
    spec(loginInfoReply, Wrap.LOGIN_REPLY, ['login_info_key3', PW])),
  CHAIN_E9: row(0x00e9, 'login chain 0x00E9', 'request', spec(chainRequest), spec(chainReply)),
  CHAIN_EA: row(0x00ea, 'login chain 0x00EA', 'request', spec(chainRequest), spec(chainReply)),
  BUDDY_INDEX: row(0x00eb, 'buddy/Qun index', 'request', spec(buddyIndexRequest), spec(buddyIndexReply)),
  CHAIN_EC: row(0x00ec, 'login chain 0x00EC', 'request', spec(chainRequest), spec(chainReply)),
  CHAIN_ED: row(0x00ed, 'login chain 0x00ED', 'request', spec(chainRequest), spec(chainReply)),
  FRIEND_LIST: row(0x0126, 'get friend list', 'request', spec(friendListRequest), spec(friendListReply)),
} as const satisfies CommandTable;

/** Modern command codes by name (derived from MODERN_TABLE; each code has exactly one name). */
export const ModernCmd = codesOf(MODERN_TABLE);

/** Body layouts of the modern framing, by command and direction (derived from MODERN_TABLE). */
export const MODERN_BODIES: BodyRegistry = bodiesOf('modern', MODERN_TABLE);
