import { codec } from '../../codec.js';
import { DecodeError } from '../../errors.js';
import { Reader } from '../../reader.js';
import { Writer } from '../../writer.js';
import { decodeGb, encodeGb } from '../../text.js';
import { readWhole } from './common.js';

// 0x003E buddy memo, as pidgin 2.7.11 sends it: 03 asks for a friend's memo (once per friend after the friend
// list, and before its "modify memo" dialog), 01 writes one. pidgin never sends 02 (remove), so it has no layout.

/** 0x003E sub-commands. */
export const MemoOp = { MODIFY: 0x01, REMOVE: 0x02, GET: 0x03 } as const;
/** 0x003E sub-command asking for a friend's memo. */
export const MEMO_GET = MemoOp.GET;
/** Fields of a memo: alias, mobile, telephone, address, email, zip code, note. */
export const MEMO_FIELDS = 7;
/** Longest field on the wire: each is a u8 length and GB18030 bytes. */
export const MEMO_FIELD_BYTES = 255;

/** 0x003E request: `03 uid` (get), or `01 00 uid 00` and the seven fields (modify). */
export type MemoRequest =
  | { sub: typeof MemoOp.GET; uid: number }
  | { sub: typeof MemoOp.MODIFY; unknown1: number; uid: number; unknown2: number; fields: string[] };

/**
 * 0x003E reply. Get: the sub-command alone means "no memo", else uid, a zero byte and the seven fields.
 * Modify: the sub-command and a result (00 = accepted).
 */
export interface MemoReply {
  sub: number;
  result?: number;
  memo?: { uid: number; unknown: number; fields: string[] };
}

function writeFields(w: Writer, fields: readonly string[]): void {
  for (let i = 0; i < MEMO_FIELDS; i++) w.tok8(encodeGb(fields[i] ?? ''), `fields[${i}]`);
}

function readFields(r: Reader): string[] {
  const fields: string[] = [];
  for (let i = 0; i < MEMO_FIELDS; i++) fields.push(decodeGb(r.tok8(`fields[${i}]`)));
  return fields;
}

/** 0x003E c2s codec. */
export const memoRequestCodec = codec<MemoRequest>(
  'memoRequest',
  (v) => {
    if (v.sub === MemoOp.GET) return new Writer(5).u8(v.sub, 'sub').u32(v.uid, 'uid').finish();
    const w = new Writer(64).u8(v.sub, 'sub').u8(v.unknown1, 'unknown1').u32(v.uid, 'uid').u8(v.unknown2, 'unknown2');
    writeFields(w, v.fields);
    return w.finish();
  },
  (body) =>
    readWhole(body, (r) => {
      const sub = r.u8('sub');
      if (sub === MemoOp.GET) return { sub, uid: r.u32('uid') };
      if (sub !== MemoOp.MODIFY) throw new DecodeError('bad_value', `memo sub-command 0x${sub.toString(16)} has no known layout`, 'sub', 0);
      return { sub, unknown1: r.u8('unknown1'), uid: r.u32('uid'), unknown2: r.u8('unknown2'), fields: readFields(r) };
    }),
);

/** 0x003E s2c codec. */
export const memoReplyCodec = codec<MemoReply>(
  'memoReply',
  (v) => {
    const w = new Writer(64).u8(v.sub, 'sub');
    if (v.result !== undefined) w.u8(v.result, 'result');
    if (v.memo) {
      w.u32(v.memo.uid, 'uid').u8(v.memo.unknown, 'unknown');
      writeFields(w, v.memo.fields);
    }
    return w.finish();
  },
  (body) =>
    readWhole(body, (r) => {
      const sub = r.u8('sub');
      if (r.remaining === 0) return { sub };
      if (sub !== MemoOp.GET) return { sub, result: r.u8('result') };
      const uid = r.u32('uid');
      const unknown = r.u8('unknown');
      return { sub, memo: { uid, unknown, fields: readFields(r) } };
    }),
);
