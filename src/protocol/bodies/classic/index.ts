import type { BodyCodec, BodyRegistry, BodySpec, Wrap } from '../../codec.js';
import type { Direction } from '../../framing.js';
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

// One line per command (PROTOCOL.md §5): code, then the c2s and s2c codecs. Wrap is `session` unless
// the row says otherwise.
type Row = readonly [code: number, c2s: BodyCodec<unknown> | undefined, s2c: BodyCodec<unknown> | undefined, wraps?: Partial<Record<Direction, Wrap>>];

const ROWS: readonly Row[] = [
  [0x0001, logoutCodec, undefined],
  [0x0002, keepAliveRequestCodec, keepAliveReplyCodec],
  [0x0006, userInfoRequestCodec, userInfoReplyCodec],
  [0x000d, changeStatusRequestCodec, changeStatusReplyCodec],
  [0x0012, systemMessageAckCodec, undefined],
  [0x0016, sendImRequestCodec, sendImReplyCodec],
  [0x0017, receiveImAckCodec, receiveImPushCodec],
  [0x001d, keyRequestCodec, keyReplyCodec],
  [0x0022, loginRequestCodec, loginReplyCodec, { c2s: 'keyPrefixed', s2c: 'loginReply' }],
  [0x0026, friendListRequestCodec, friendListReplyCodec],
  [0x0027, onlineFriendsRequestCodec, onlineFriendsReplyCodec],
  [0x003e, memoRequestCodec, memoReplyCodec],
  [0x0058, friendGroupsRequestCodec, friendGroupsReplyCodec],
  [0x005c, levelsRequestCodec, levelsReplyCodec],
  [0x0062, tokenRequestCodec, tokenReplyCodec, { c2s: 'none', s2c: 'none' }],
  [0x0080, undefined, systemMessageCodec],
  [0x0081, undefined, friendStatusPushCodec],
];

function spec(c: BodyCodec<unknown>, wrap: Wrap | undefined): BodySpec {
  return { wrap: wrap ?? 'session', codec: c };
}

/** Body layouts of the classic framing, by command and direction. */
export const CLASSIC_BODIES: BodyRegistry = new Map(
  ROWS.map(([code, c2s, s2c, wraps]) => {
    const entry: Partial<Record<Direction, BodySpec>> = {};
    if (c2s) entry.c2s = spec(c2s, wraps?.c2s);
    if (s2c) entry.s2c = spec(s2c, wraps?.s2c);
    return [code, entry] as const;
  }),
);
