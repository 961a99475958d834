import { codec } from '../../codec.js';
import { Reader } from '../../reader.js';
import { Writer } from '../../writer.js';
import { decodeGb, encodeGb } from '../../text.js';
import { readWhole } from './common.js';

/** 0x003E sub-command asking for a friend's memo (what pidgin sends once per friend after the friend list). */
export const MEMO_GET = 0x03;
/** Fields of a memo: alias, mobile, telephone, address, email, zip code, note. */
export const MEMO_FIELDS = 7;

/** 0x003E request: sub-command, then the friend's uid. */
export interface MemoRequest {
  sub: number;
  uid: number;
}

/** 0x003E reply: the sub-command alone means "no memo"; otherwise uid, a zero byte and the seven GB18030 fields. */
export interface MemoReply {
  sub: number;
  memo?: { uid: number; unknown: number; fields: string[] };
}

/** 0x003E c2s codec. */
export const memoRequestCodec = codec<MemoRequest>(
  'memoRequest',
  (v) => new Writer(5).u8(v.sub, 'sub').u32(v.uid, 'uid').finish(),
  (body) => readWhole(body, (r) => ({ sub: r.u8('sub'), uid: r.u32('uid') })),
);

/** 0x003E s2c codec. */
export const memoReplyCodec = codec<MemoReply>(
  'memoReply',
  (v) => {
    const w = new Writer(64).u8(v.sub, 'sub');
    if (v.memo) {
      w.u32(v.memo.uid, 'uid').u8(v.memo.unknown, 'unknown');
      for (let i = 0; i < MEMO_FIELDS; i++) w.tok8(encodeGb(v.memo.fields[i] ?? ''), `fields[${i}]`);
    }
    return w.finish();
  },
  (body) => {
    const r = new Reader(body);
    const sub = r.u8('sub');
    if (r.remaining === 0) return { sub };
    const uid = r.u32('uid');
    const unknown = r.u8('unknown');
    const fields: string[] = [];
    for (let i = 0; i < MEMO_FIELDS; i++) fields.push(decodeGb(r.tok8(`fields[${i}]`)));
    r.end();
    return { sub, memo: { uid, unknown, fields } };
  },
);
