import { Wrap, type BodyRegistry } from '../../codec.js';
import { bodiesOf, codesOf, row, spec, type CommandTable } from '../../table.js';
import { userInfoReplyCodec, userInfoRequestCodec } from './info.js';
import { keepAliveReplyCodec, keepAliveRequestCodec } from './keepalive.js';
import { keyReplyCodec, keyRequestCodec } from './key.js';
import { friendGroupsReplyCodec, friendGroupsRequestCodec, friendListReplyCodec, friendListRequestCodec, levelsReplyCodec, levelsRequestCodec } from './friends.js';
import { loginReplyCodec, loginRequestCodec, tokenReplyCodec, tokenRequestCodec } from './login.js';
import { logoutCodec } from './logout.js';
import { receiveImAckCodec, receiveImPushCodec, sendImReplyCodec, sendImRequestCodec } from './message.js';
import { onlineFriendsReplyCodec, onlineFriendsRequestCodec } from './online.js';
import { changeStatusReplyCodec, changeStatusRequestCodec, friendStatusPushCodec } from './status.js';
import { systemMessageAckCodec, systemMessageCodec } from './system.js';
import { memoReplyCodec, memoRequestCodec } from './memo.js';
import { groupNameReplyCodec, groupNameRequestCodec, uploadGroupsRequestCodec } from './group-names.js';
import { signatureReplyCodec, signatureRequestCodec } from './signature.js';
import {
  checkPasswordReplyCodec, checkPasswordRequestCodec, login2007ReplyCodec, login2007RequestCodec, selectServerReplyCodec, selectServerRequestCodec, tokenExReplyCodec,
  tokenExRequestCodec,
} from './login2007.js';
import {
  addExReplyCodec, addNoAuthReplyCodec, authCodeReplyCodec, authCodeRequestCodec, authExReplyCodec, authExRequestCodec, authReplyCodec,
  authRequestCodec, removeRequestCodec, resultOnlyCodec, searchReplyCodec, searchRequestCodec, uidTextCodec, uidU32Codec,
  updateInfoRequestCodec,
} from './buddy-ops.js';
import { qunReplyCodec, qunRequestCodec } from '../qun.js';

export * from './info.js';
export * from './keepalive.js';
export * from './key.js';
export * from './friends.js';
export * from './login.js';
export * from './logout.js';
export * from './message.js';
export * from './online.js';
export * from './status.js';
export * from './system.js';
export * from './memo.js';
export * from './group-names.js';
export * from './signature.js';
export * from './login2007.js';
export * from './buddy-ops.js';

// THE classic command table (PROTOCOL.md §4, §5): code, our name, exchange kind, and the client→server and
// server→client bodies. Wrap is `session` unless the row says otherwise. Rows without bodies name commands
// whose layout the project does not implement (the analyzer still names them).
export const CLASSIC_TABLE = {
  LOGOUT: row(0x0001, 'logout', 'oneWay', spec(logoutCodec)),
  KEEP_ALIVE: row(0x0002, 'keep alive', 'request', spec(keepAliveRequestCodec), spec(keepAliveReplyCodec)),
  UPDATE_USER_INFO: row(0x0004, 'update user info', 'request', spec(updateInfoRequestCodec), spec(uidTextCodec)),
  SEARCH_USER: row(0x0005, 'search user', 'request', spec(searchRequestCodec), spec(searchReplyCodec)),
  GET_USER_INFO: row(0x0006, 'get user info', 'request', spec(userInfoRequestCodec), spec(userInfoReplyCodec)),
  ADD_FRIEND: row(0x0009, 'add friend (no auth)', 'request', spec(uidTextCodec), spec(addNoAuthReplyCodec)),
  DELETE_FRIEND: row(0x000a, 'delete friend', 'request', spec(removeRequestCodec), spec(resultOnlyCodec)),
  ADD_FRIEND_AUTH: row(0x000b, 'add friend (auth)', 'request', spec(authRequestCodec), spec(authReplyCodec)),
  CHANGE_STATUS: row(0x000d, 'change status', 'request', spec(changeStatusRequestCodec), spec(changeStatusReplyCodec)),
  ACK_SYSTEM_MESSAGE: row(0x0012, 'ack system message', 'ack', spec(systemMessageAckCodec)),
  SEND_IM: row(0x0016, 'send message', 'request', spec(sendImRequestCodec), spec(sendImReplyCodec)),
  RECV_IM: row(0x0017, 'receive message', 'ack', spec(receiveImAckCodec), spec(receiveImPushCodec)),
  RETRIEVE_INFO: row(0x0018, 'retrieve information', 'request'),
  DELETE_ME: row(0x001c, 'delete me', 'request', spec(uidU32Codec), spec(resultOnlyCodec)),
  REQUEST_KEY: row(0x001d, 'request key', 'request', spec(keyRequestCodec), spec(keyReplyCodec)),
  LOGIN: row(0x0022, 'login', 'request',
    spec(loginRequestCodec, Wrap.KEY_PREFIXED, ['initial key']),
    spec(loginReplyCodec, Wrap.LOGIN_REPLY, ['password key', 'initial key'])),
  GET_FRIEND_LIST: row(0x0026, 'get friend list', 'request', spec(friendListRequestCodec), spec(friendListReplyCodec)),
  GET_ONLINE_FRIENDS: row(0x0027, 'get online friends', 'request', spec(onlineFriendsRequestCodec), spec(onlineFriendsReplyCodec)),
  QUN: row(0x0030, 'Qun command', 'request', spec(qunRequestCodec), spec(qunReplyCodec)),
  GROUP_NAME_OPERATION: row(0x003c, 'group name operation', 'request', spec(groupNameRequestCodec), spec(groupNameReplyCodec)),
  UPLOAD_GROUPS: row(0x003d, 'upload friend groups', 'request', spec(uploadGroupsRequestCodec), spec(resultOnlyCodec)),
  BUDDY_MEMO: row(0x003e, 'memo operation', 'request', spec(memoRequestCodec), spec(memoReplyCodec)),
  DOWNLOAD_GROUPS: row(0x0058, 'download friend groups', 'request', spec(friendGroupsRequestCodec), spec(friendGroupsReplyCodec)),
  GET_LEVEL: row(0x005c, 'get level', 'request', spec(levelsRequestCodec), spec(levelsReplyCodec)),
  REQUEST_LOGIN_TOKEN: row(0x0062, 'request login token', 'request', spec(tokenRequestCodec, Wrap.NONE), spec(tokenReplyCodec, Wrap.NONE)),
  REQUEST_EXTRA_INFO: row(0x0065, 'request extra information', 'request'),
  SIGNATURE_OPERATION: row(0x0067, 'signature operation', 'request', spec(signatureRequestCodec), spec(signatureReplyCodec)),
  SYSTEM_MESSAGE: row(0x0080, 'system message', 'push', undefined, spec(systemMessageCodec)),
  FRIEND_STATUS: row(0x0081, 'friend status changed', 'push', undefined, spec(friendStatusPushCodec)),
  // The 2007/2008 chain (login2007.ts); its 0x0022 has its own layout (token-prefixed, TEA(login key)): the row of
  // CLASSIC_2007_TABLE, not this table's LOGIN.
  SELECT_SERVER: row(0x0091, 'select server', 'request',
    spec(selectServerRequestCodec, Wrap.KEY_PREFIXED, ['request key']), spec(selectServerReplyCodec, Wrap.LOGIN_REPLY, ['request key'])),
  ADD_FRIEND_EX: row(0x00a7, 'add friend (2007/08)', 'request', spec(uidU32Codec), spec(addExReplyCodec)),
  ADD_FRIEND_AUTH_EX: row(0x00a8, 'add friend with authorization (2007/08)', 'request', spec(authExRequestCodec), spec(authExReplyCodec)),
  AUTH_CODE: row(0x00ae, 'authorization code', 'request', spec(authCodeRequestCodec), spec(authCodeReplyCodec)),
  FRIENDS_STATUS_OF_GROUP: row(0x00b5, 'friends status of group', 'request'),
  LOGIN_TOKEN_EX: row(0x00ba, 'login token (ex)', 'request',
    spec(tokenExRequestCodec, Wrap.KEY_PREFIXED, ['request key']), spec(tokenExReplyCodec, Wrap.LOGIN_REPLY, ['request key'])),
  CHECK_PASSWORD: row(0x00dd, 'check password', 'request',
    spec(checkPasswordRequestCodec, Wrap.KEY_PREFIXED, ['request key']), spec(checkPasswordReplyCodec, Wrap.LOGIN_REPLY, ['request key'])),
} as const satisfies CommandTable;

/**
 * The rows a 2007/2008-chain client (families.ts usesLogin2007) reads in another layout than CLASSIC_TABLE's:
 * its 0x0022 is the login token in clear then TEA(login key), answered with the 139-byte reply in TEA(password key).
 * commands.ts picks these rows by the client's tag; the server, by the pending 0x00DD state it holds.
 */
export const CLASSIC_2007_TABLE = {
  LOGIN: row(0x0022, 'login', 'request',
    spec(login2007RequestCodec, Wrap.MAGIC_PREFIXED, ['login key']), spec(login2007ReplyCodec, Wrap.LOGIN_REPLY, ['password key'])),
} as const satisfies CommandTable;

/** Classic command codes by name (derived from CLASSIC_TABLE; each code has exactly one name). */
export const ClassicCmd = codesOf(CLASSIC_TABLE);

/** Body layouts of the classic framing, by command and direction (derived from CLASSIC_TABLE). */
export const CLASSIC_BODIES: BodyRegistry = bodiesOf('classic', CLASSIC_TABLE);
