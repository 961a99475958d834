import { codec } from '../../codec.js';
import { DecodeError, EncodeError } from '../../errors.js';
import { Reader } from '../../reader.js';
import { Writer } from '../../writer.js';
import { decimalBytes, joinWith, parseDecimal, readWhole, splitOn } from './common.js';

// Friend operations: search (0x0005), add without authorization (0x0009), authorization (0x000B),
// remove (0x000A), remove me (0x001C), and the 2007/08 forms 0x00A7 / 0x00AE / 0x00A8 (also what MyQQ 3.30
// sends in the modern framing; the layouts are the same there). Texts stay bytes here: the framing decides
// the charset (GB18030 classic, UTF-8 modern).

const FS = 0x1f;
const RS = 0x1e;
const EMPTY_FIELD = 0x2d; // '-': a search field left empty

/** 0x0005 search kinds (ASCII digits on the wire): LumaQQ's custom search (uid, nick, email) is `0`, everyone online `1`. */
export const SearchKind = { CUSTOM: 0, ALL_ONLINE: 1, BY_NICK: 2, BY_UID: 3 } as const;

/** 0x0005 request: kind, then the page (kind 1) or uid, nick, email and page (the others; `-` for an empty field). */
export interface SearchRequest {
  kind: number;
  uid?: number;
  nick?: Buffer;
  page: number;
}

/** One 0x0005 result: uid, nick, province, face (ASCII / charset of the framing). */
export interface SearchEntry {
  uid: number;
  nick: Buffer;
  province: Buffer;
  face: number;
}

/** 0x0005 reply: one page of entries; a page with none is the end of the search. */
export interface SearchReply {
  entries: SearchEntry[];
}

/** The reply that ends a search (no entries on this page): `-1`. */
const SEARCH_END = Buffer.from('-1', 'latin1');

/** 0x0005 c2s codec. */
export const searchRequestCodec = codec<SearchRequest>(
  'searchRequest',
  (v) => {
    const kind = decimalBytes(v.kind, 'kind');
    const page = decimalBytes(v.page, 'page');
    if (v.kind === SearchKind.ALL_ONLINE) return joinWith([kind, page], FS, 'fields');
    const uid = v.uid !== undefined ? decimalBytes(v.uid, 'uid') : Buffer.of(EMPTY_FIELD);
    const nick = v.nick && v.nick.length ? v.nick : Buffer.of(EMPTY_FIELD);
    return Buffer.concat([joinWith([kind, uid, nick, Buffer.of(EMPTY_FIELD), page], FS, 'fields'), Buffer.of(0)]);
  },
  (body) => {
    const text = body.length && body[body.length - 1] === 0 ? body.subarray(0, body.length - 1) : body;
    const parts = splitOn(text, FS);
    const kind = parseDecimal(parts[0]!.toString('latin1'), 'kind', 0);
    if (kind === SearchKind.ALL_ONLINE) {
      if (parts.length !== 2) throw new DecodeError('bad_value', `${parts.length} fields, expected 2`, 'fields', 0);
      return { kind, page: parseDecimal(parts[1]!.toString('latin1'), 'page') };
    }
    if (parts.length !== 5) throw new DecodeError('bad_value', `${parts.length} fields, expected 5`, 'fields', 0);
    const isEmpty = (b: Buffer) => b.length === 0 || (b.length === 1 && b[0] === EMPTY_FIELD);
    const v: SearchRequest = { kind, page: parseDecimal(parts[4]!.toString('latin1'), 'page') };
    if (!isEmpty(parts[1]!)) v.uid = parseDecimal(parts[1]!.toString('latin1'), 'uid');
    if (!isEmpty(parts[2]!)) v.nick = Buffer.from(parts[2]!);
    return v;
  },
);

/**
 * 0x0005 s2c codec (LumaQQ's layout): each entry is `uid 1E nick 1E province 1E face 1F`, nothing before or
 * after; a page without entries is `-1` (LumaQQ's "search finished").
 */
export const searchReplyCodec = codec<SearchReply>(
  'searchReply',
  (v) => {
    if (v.entries.length === 0) return SEARCH_END;
    const w = new Writer(64);
    v.entries.forEach((e, i) => {
      const fields = [decimalBytes(e.uid, 'uid'), e.nick, e.province, decimalBytes(e.face, 'face')];
      for (const [j, f] of fields.entries()) {
        if (f.includes(RS) || f.includes(FS)) throw new EncodeError(`entries[${i}][${j}]`, 'contains a separator');
        w.bytes(f).u8(j < 3 ? RS : FS);
      }
    });
    return w.finish();
  },
  (body) => {
    if (body.length === 0 || body.equals(SEARCH_END)) return { entries: [] };
    const recs = splitOn(body, FS);
    if (recs.at(-1)!.length !== 0) throw new DecodeError('trailing_bytes', 'entries must end with 0x1F', 'entries', body.length);
    const entries = recs.slice(0, -1).map((rec) => {
      const f = splitOn(rec, RS);
      if (f.length !== 4) throw new DecodeError('bad_value', `entry with ${f.length} fields, expected 4`, 'entries', 0);
      return { uid: parseDecimal(f[0]!.toString('latin1'), 'uid'), nick: Buffer.from(f[1]!), province: Buffer.from(f[2]!), face: parseDecimal(f[3]!.toString('latin1'), 'face') };
    });
    return { entries };
  },
);

/** 0x0009 request: the uid to add, in ASCII. Also 0x000A (2005 form) and the uid part of other requests. */
export interface UidText {
  uid: number;
}

/** 0x0009 / 0x000A (2005) c2s codec: the uid in ASCII decimal. */
export const uidTextCodec = codec<UidText>(
  'uidText',
  (v) => decimalBytes(v.uid, 'uid'),
  (body) => ({ uid: parseDecimal(body.toString('latin1'), 'uid', 0) }),
);

/** 0x0009 reply outcomes (ASCII digit): added, the other side wants to authorize, nobody may add them. */
export const AddOutcome = { ADDED: 0, NEEDS_AUTH: 1, REFUSED: 2 } as const;

/** 0x0009 reply: my uid (ASCII), 0x1F, the outcome digit. */
export interface AddNoAuthReply {
  uid: number;
  outcome: number;
}

/** 0x0009 s2c codec. */
export const addNoAuthReplyCodec = codec<AddNoAuthReply>(
  'addNoAuthReply',
  (v) => joinWith([decimalBytes(v.uid, 'uid'), decimalBytes(v.outcome, 'outcome')], FS, 'fields'),
  (body) => {
    const parts = splitOn(body, FS);
    if (parts.length !== 2) throw new DecodeError('bad_value', `${parts.length} fields, expected 2`, 'fields', 0);
    return { uid: parseDecimal(parts[0]!.toString('latin1'), 'uid', 0), outcome: parseDecimal(parts[1]!.toString('latin1'), 'outcome') };
  },
);

/** 0x000B actions (ASCII '0' approve, '1' reject, '2' ask). */
export const AuthAction = { APPROVE: 0x30, REJECT: 0x31, REQUEST: 0x32 } as const;

/** 0x000B request: uid (ASCII), 0x1F, action byte, optionally 0x1F and a text (the note or the reason). */
export interface AuthRequest {
  uid: number;
  action: number;
  text?: Buffer;
}

/** 0x000B c2s codec. */
export const authRequestCodec = codec<AuthRequest>(
  'authRequest',
  (v) => {
    const head = Buffer.concat([decimalBytes(v.uid, 'uid'), Buffer.of(FS, v.action)]);
    return v.text === undefined ? head : Buffer.concat([head, Buffer.of(FS), v.text]);
  },
  (body) => {
    const sep = body.indexOf(FS);
    if (sep < 1 || body.length < sep + 2) throw new DecodeError('bad_value', 'expected uid, 0x1F, action', 'fields', 0);
    const v: AuthRequest = { uid: parseDecimal(body.subarray(0, sep).toString('latin1'), 'uid', 0), action: body[sep + 1]! };
    if (body.length > sep + 2) {
      if (body[sep + 2] !== FS) throw new DecodeError('bad_value', 'expected 0x1F before the text', 'text', sep + 2);
      v.text = Buffer.from(body.subarray(sep + 3));
    }
    return v;
  },
);

/** 0x000B reply: ASCII '0' = done; otherwise a code, 0x1F and a reason. */
export interface AuthReply {
  ok: boolean;
  reason?: Buffer;
}

/** 0x000B s2c codec. */
export const authReplyCodec = codec<AuthReply>(
  'authReply',
  (v) => (v.ok ? Buffer.from('0') : Buffer.concat([Buffer.from('1'), Buffer.of(FS), v.reason ?? Buffer.alloc(0)])),
  (body) => {
    if (body.length === 1 && body[0] === 0x30) return { ok: true };
    const parts = splitOn(body, FS);
    return { ok: false, reason: Buffer.from(body.subarray(parts[0]!.length + 1)) };
  },
);

/** 0x000A request: the uid in ASCII, preceded (2007/08 and modern) by the token from 0x00AE as tok8. */
export interface RemoveRequest {
  uid: number;
  token?: Buffer;
}

/** 0x000A c2s codec (a first byte that is an ASCII digit means the 2005 form without a token). */
export const removeRequestCodec = codec<RemoveRequest>(
  'removeRequest',
  (v) => (v.token ? Buffer.concat([new Writer(1 + v.token.length).tok8(v.token, 'token').finish(), decimalBytes(v.uid, 'uid')]) : decimalBytes(v.uid, 'uid')),
  (body) => {
    if (body.length > 0 && body[0]! >= 0x31 && body[0]! <= 0x39) return { uid: parseDecimal(body.toString('latin1'), 'uid', 0) };
    const r = new Reader(body);
    const token = r.tok8('token');
    return { uid: parseDecimal(r.rest().toString('latin1'), 'uid', 1 + token.length), token };
  },
);

/** A reply that is one result byte (0x000A, 0x001C, …). */
export interface ResultOnly {
  result: number;
}

/** One-byte result codec (0x000A, 0x001C, 0x003C …). */
export const resultOnlyCodec = codec<ResultOnly>(
  'resultOnly',
  (v) => new Writer(1).u8(v.result, 'result').finish(),
  (body) => readWhole(body, (r) => ({ result: r.u8('result') })),
);

/** 0x001C request / 0x00A7 request: a uid u32. */
export interface UidU32 {
  uid: number;
}

/** uid u32 codec (0x001C, 0x00A7 requests). */
export const uidU32Codec = codec<UidU32>(
  'uidU32',
  (v) => new Writer(4).u32(v.uid, 'uid').finish(),
  (body) => readWhole(body, (r) => ({ uid: r.u32('uid') })),
);

/** 0x00A7 reply: `ADDED_EX` = added at once (pidgin); else `0` and the other side's policy (MyQQ reads it as flag). */
export const ADDED_EX = 0x99;
/** The "who may add me" setting as 0x00A7 and 0x0004 carry it. */
export const AuthType = { ANYONE: 0, NEEDS_AUTH: 1, NOBODY: 2 } as const;

/** 0x00A7 reply: uid u32, reply u8, the other side's auth type u8. */
export interface AddExReply {
  uid: number;
  reply: number;
  authType: number;
}

/** 0x00A7 s2c codec. */
export const addExReplyCodec = codec<AddExReply>(
  'addExReply',
  (v) => new Writer(6).u32(v.uid, 'uid').u8(v.reply, 'reply').u8(v.authType, 'authType').finish(),
  (body) => readWhole(body, (r) => ({ uid: r.u32('uid'), reply: r.u8('reply'), authType: r.remaining ? r.u8('authType') : 0 })),
);

/** 0x00AE request: cmd u8 (1 buddy), sub u16 (1 add, 6 remove), uid u32. */
export interface AuthCodeRequest {
  cmd: number;
  sub: number;
  uid: number;
}

/** 0x00AE c2s codec (MyQQ's captcha answer form, with more bytes after the uid, is not served). */
export const authCodeRequestCodec = codec<AuthCodeRequest>(
  'authCodeRequest',
  (v) => new Writer(7).u8(v.cmd, 'cmd').u16(v.sub, 'sub').u32(v.uid, 'uid').finish(),
  (body) => readWhole(body, (r) => ({ cmd: r.u8('cmd'), sub: r.u16('sub'), uid: r.u32('uid') })),
);

/** 0x00AE reply: cmd u8, sub u16, reply u8 (0 = no captcha), tok16 code. */
export interface AuthCodeReply {
  cmd: number;
  sub: number;
  reply: number;
  code: Buffer;
}

/** 0x00AE s2c codec. */
export const authCodeReplyCodec = codec<AuthCodeReply>(
  'authCodeReply',
  (v) => new Writer(6 + v.code.length).u8(v.cmd, 'cmd').u16(v.sub, 'sub').u8(v.reply, 'reply').tok16(v.code, 'code').finish(),
  (body) => readWhole(body, (r) => ({ cmd: r.u8('cmd'), sub: r.u16('sub'), reply: r.u8('reply'), code: r.tok16('code') })),
);

/**
 * 0x00A8 sub-commands: 00 add (anyone may), 01/03 approve a request, 02 ask with a note, 0x10 add after a
 * question (pidgin), and 04 refuse with a reason (the project's own: MyQQ has no way to refuse).
 */
export const AuthExSub = { ADD: 0x00, APPROVE: 0x01, REQUEST: 0x02, APPROVE_ADD: 0x03, REFUSE: 0x04, QUESTION: 0x10 } as const;

/** 0x00A8 request: sub u8, uid u32, u16 0, then per sub: tok16 code, allow-reverse u8, group u8, tok8 note (02). */
export interface AuthExRequest {
  sub: number;
  uid: number;
  code?: Buffer;
  allowReverse?: number;
  group?: number;
  note?: Buffer;
}

/** 0x00A8 c2s codec. */
export const authExRequestCodec = codec<AuthExRequest>(
  'authExRequest',
  (v) => {
    const w = new Writer(32).u8(v.sub, 'sub').u32(v.uid, 'uid').u16(0);
    if (v.sub === AuthExSub.APPROVE_ADD) return w.u8(0).finish();
    w.tok16(v.code ?? Buffer.alloc(0), 'code');
    if (v.sub === AuthExSub.APPROVE) return w.u8(0).finish();
    w.u8(v.allowReverse ?? 1, 'allowReverse').u8(v.group ?? 0, 'group');
    if (v.sub === AuthExSub.REQUEST || v.sub === AuthExSub.REFUSE) w.tok8(v.note ?? Buffer.alloc(0), 'note');
    return w.finish();
  },
  (body) => {
    const r = new Reader(body);
    const v: AuthExRequest = { sub: r.u8('sub'), uid: r.u32('uid') };
    r.u16('zero');
    if (v.sub === AuthExSub.APPROVE_ADD) {
      if (r.remaining) r.u8('zero');
    } else {
      v.code = r.tok16('code');
      if (v.sub === AuthExSub.APPROVE) {
        if (r.remaining) r.u8('zero');
      } else {
        v.allowReverse = r.u8('allowReverse');
        v.group = r.u8('group');
        if (v.sub === AuthExSub.REQUEST || v.sub === AuthExSub.REFUSE) v.note = r.remaining ? r.tok8('note') : Buffer.alloc(0);
      }
    }
    r.end();
    return v;
  },
);

/** 0x00A8 reply: sub u8, uid u32, result u8 (0 ok). */
export interface AuthExReply {
  sub: number;
  uid: number;
  result: number;
}

/** 0x00A8 s2c codec. */
export const authExReplyCodec = codec<AuthExReply>(
  'authExReply',
  (v) => new Writer(6).u8(v.sub, 'sub').u32(v.uid, 'uid').u8(v.result, 'result').finish(),
  (body) => readWhole(body, (r) => ({ sub: r.u8('sub'), uid: r.u32('uid'), result: r.remaining ? r.u8('result') : 0 })),
);

/** 0x0004 request: old password, new password (both empty unless changing it), then the 0x0006 fields from the nickname on. */
export interface UpdateInfoRequest {
  oldPassword: Buffer;
  newPassword: Buffer;
  /** The user-info fields without the uid (index 0 = nickname, 17 = auth type), in the framing's charset. */
  fields: Buffer[];
}

/** Index of the auth type ("who may add me") in UpdateInfoRequest.fields. */
export const UPDATE_INFO_AUTH_FIELD = 17;

/** 0x0004 c2s codec: everything separated by 0x1F, with a closing 0x1F. */
export const updateInfoRequestCodec = codec<UpdateInfoRequest>(
  'updateInfoRequest',
  (v) => Buffer.concat([joinWith([v.oldPassword, v.newPassword, ...v.fields], FS, 'fields'), Buffer.of(FS)]),
  (body) => {
    const parts = splitOn(body, FS);
    if (parts.length < 3 || parts.at(-1)!.length !== 0) throw new DecodeError('bad_value', 'expected passwords and fields ending with 0x1F', 'fields', 0);
    return { oldPassword: Buffer.from(parts[0]!), newPassword: Buffer.from(parts[1]!), fields: parts.slice(2, -1).map((p) => Buffer.from(p)) };
  },
);
