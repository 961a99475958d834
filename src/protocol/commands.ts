import type { BodyRegistry, BodySpec } from './codec.js';
import { DecodeError, tryDecode, type Result } from './errors.js';
import type { Direction, Framing } from './framing.js';
import { CLASSIC_BODIES } from './bodies/classic/index.js';
import { MODERN_BODIES } from './bodies/modern/index.js';

// THE command table (PROTOCOL.md §4, PROTOCOL-MODERN.md): every view — server, client, analyzer — names
// commands and finds their body codecs here.

/** One row: a command code and what it means in each framing. */
export interface CommandInfo {
  readonly code: number;
  /** Meaning for classic clients (QQ2000–2009), or undefined if the code is not used there. */
  readonly classic?: string;
  /** Meaning for the modern framing (the capture's), or undefined. */
  readonly modern?: string;
  /** The label Wireshark's OICQ dissector prints, if it knows the code. */
  readonly wireshark?: string;
}

// Wireshark's labels are facts about its output (the analyzer shows them side by side with ours).
const ROWS: readonly CommandInfo[] = [
  { code: 0x0001, classic: 'logout', modern: 'friend group labels', wireshark: 'Log out' },
  { code: 0x0002, classic: 'keep alive', modern: 'Qun command', wireshark: 'Heart Message' },
  { code: 0x0004, classic: 'update user info', wireshark: 'Update User information' },
  { code: 0x0005, classic: 'search user', wireshark: 'Search user' },
  { code: 0x0006, classic: 'get user info', modern: 'get user info', wireshark: 'Get User informationBroadcast' },
  { code: 0x0009, classic: 'add friend (no auth)', wireshark: 'Add friend no auth' },
  { code: 0x000a, classic: 'delete friend', wireshark: 'Delete user' },
  { code: 0x000b, classic: 'add friend (auth)', wireshark: 'Add friend by auth' },
  { code: 0x000d, classic: 'change status', modern: 'change status', wireshark: 'Set status' },
  { code: 0x0012, classic: 'ack system message', wireshark: 'Confirmation of receiving message from server' },
  { code: 0x0016, classic: 'send message', wireshark: 'Send message' },
  { code: 0x0017, classic: 'receive message', modern: 'receive Qun/system message', wireshark: 'Receive message' },
  { code: 0x0018, classic: 'retrieve information', wireshark: 'Retrieve information' },
  { code: 0x001a, wireshark: 'Reserved ' },
  { code: 0x001c, classic: 'delete me', wireshark: 'Delete Me' },
  { code: 0x001d, classic: 'request key', modern: 'request key', wireshark: 'Request KEY' },
  { code: 0x0021, wireshark: 'Cell Phone' },
  { code: 0x0022, classic: 'login', wireshark: 'Log in' },
  { code: 0x0026, classic: 'get friend list', wireshark: 'Get friend list' },
  { code: 0x0027, classic: 'get online friends', modern: 'get online friends', wireshark: 'Get friend online' },
  { code: 0x0029, wireshark: 'Cell PHONE' },
  { code: 0x0030, classic: 'group operation', modern: 'send login info', wireshark: 'Operation on group' },
  { code: 0x0031, wireshark: 'Log in test' },
  { code: 0x003c, classic: 'group name operation', modern: 'friend details', wireshark: 'Group name operation' },
  { code: 0x003d, classic: 'upload friend groups', wireshark: 'Upload group friend' },
  { code: 0x003e, classic: 'memo operation', modern: 'friend aliases', wireshark: 'MEMO Operation' },
  { code: 0x0058, classic: 'download friend groups', modern: 'keep alive', wireshark: 'Download group friend' },
  { code: 0x005c, classic: 'get level', modern: 'get level', wireshark: 'Get level' },
  { code: 0x0062, classic: 'request login token', modern: 'logout', wireshark: 'Request login' },
  { code: 0x0065, classic: 'request extra information', wireshark: 'Request extra information' },
  { code: 0x0067, classic: 'signature operation', modern: 'signatures', wireshark: 'Signature operation' },
  { code: 0x0080, classic: 'system message', modern: 'system broadcast', wireshark: 'Receive system message' },
  { code: 0x0081, classic: 'friend status changed', modern: 'friend status changed', wireshark: 'Get status of friend' },
  { code: 0x0091, classic: 'select server', modern: 'touch' },
  { code: 0x00b5, classic: 'friends status of group', modern: 'accounts', wireshark: "Get friend's status of group" },
  { code: 0x00ba, classic: 'login token (ex)', modern: 'login request' },
  { code: 0x00cd, modern: 'send message' },
  { code: 0x00ce, modern: 'receive message' },
  { code: 0x00dd, classic: 'check password', modern: 'password verify' },
  { code: 0x00e5, modern: 'get login info' },
  { code: 0x00e9, modern: 'login chain 0x00E9' },
  { code: 0x00ea, modern: 'login chain 0x00EA' },
  { code: 0x00eb, modern: 'buddy/Qun index' },
  { code: 0x00ec, modern: 'login chain 0x00EC' },
  { code: 0x00ed, modern: 'login chain 0x00ED' },
  { code: 0x0126, modern: 'get friend list' },
];

const BY_CODE: ReadonlyMap<number, CommandInfo> = new Map(ROWS.map((r) => [r.code, r]));

/** Named command codes, for code that speaks of commands by name. */
export const Cmd = {
  LOGOUT: 0x0001,
  KEEP_ALIVE: 0x0002,
  GROUP_LABELS: 0x0001,
  GET_USER_INFO: 0x0006,
  CHANGE_STATUS: 0x000d,
  ACK_SYSTEM_MESSAGE: 0x0012,
  SEND_IM: 0x0016,
  RECV_IM: 0x0017,
  REQUEST_KEY: 0x001d,
  LOGIN: 0x0022,
  GET_FRIEND_LIST: 0x0026,
  GET_ONLINE_FRIENDS: 0x0027,
  LOGIN_INFO: 0x0030,
  FRIEND_DETAILS: 0x003c,
  ALIASES: 0x003e,
  BUDDY_MEMO: 0x003e,
  DOWNLOAD_GROUPS: 0x0058,
  MODERN_KEEP_ALIVE: 0x0058,
  GET_LEVEL: 0x005c,
  REQUEST_LOGIN_TOKEN: 0x0062,
  MODERN_LOGOUT: 0x0062,
  SIGNATURES: 0x0067,
  SYSTEM_MESSAGE: 0x0080,
  FRIEND_STATUS: 0x0081,
  TOUCH: 0x0091,
  ACCOUNTS: 0x00b5,
  LOGIN_REQUEST: 0x00ba,
  MODERN_SEND_IM: 0x00cd,
  MODERN_RECV_IM: 0x00ce,
  VERIFY: 0x00dd,
  GET_LOGIN_INFO: 0x00e5,
  CHAIN_E9: 0x00e9,
  CHAIN_EA: 0x00ea,
  BUDDY_INDEX: 0x00eb,
  CHAIN_EC: 0x00ec,
  CHAIN_ED: 0x00ed,
  MODERN_FRIEND_LIST: 0x0126,
} as const;

function hex4(code: number): string {
  return '0x' + code.toString(16).toUpperCase().padStart(4, '0');
}

/** The table row for a code, if known. */
export function commandInfo(code: number): CommandInfo | undefined {
  return BY_CODE.get(code);
}

/** What a command means in a framing; unknown codes read "unknown (0x00AB)" — never hidden. */
export function commandMeaning(code: number, framing: Framing): string {
  const row = BY_CODE.get(code);
  const meaning = row?.[framing];
  return meaning ?? `unknown (${hex4(code)})`;
}

/** Wireshark's label for a code, or undefined where Wireshark has none. */
export function wiresharkName(code: number): string | undefined {
  return BY_CODE.get(code)?.wireshark;
}

/** Every known row, in code order. */
export function allCommands(): readonly CommandInfo[] {
  return ROWS;
}

/** The body spec (wrap + codec) of a command in a framing and direction, if the layout is known. */
export function bodySpec(framing: Framing, code: number, dir: Direction): BodySpec | undefined {
  const reg = framing === 'classic' ? CLASSIC_BODIES : MODERN_BODIES;
  return reg.get(code)?.[dir];
}

/** A decoded body: the codec's name and its typed value. */
export interface DecodedBody {
  codec: string;
  value: unknown;
}

/** Decodes a plaintext body with the table's codec; never throws on malformed input. */
export function decodeBody(framing: Framing, code: number, dir: Direction, plain: Buffer): Result<DecodedBody> {
  const spec = bodySpec(framing, code, dir);
  if (!spec) return { ok: false, error: new DecodeError('unknown_command', `no ${framing} ${dir} layout for ${hex4(code)}`) };
  return tryDecode(() => ({ codec: spec.codec.name, value: spec.codec.decode(plain) }));
}
