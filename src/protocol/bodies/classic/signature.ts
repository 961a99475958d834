import { codec } from '../../codec.js';
import { DecodeError } from '../../errors.js';
import { Reader } from '../../reader.js';
import { Writer } from '../../writer.js';
import { decodeGb, encodeGb } from '../../text.js';
import { entryCount, readWhole } from './common.js';

// 0x0067 signature operation, classic (LumaQQ's layouts; pidgin 2.7.11 does not send it): 01 sets the user's own
// signature, 02 deletes it, 03 asks for friends' signatures with the modification time the client already has.

/** 0x0067 sub-commands. */
export const SignatureOp = { MODIFY: 0x01, DELETE: 0x02, GET: 0x03 } as const;
/** Longest signature on the wire: a u8 length and GB18030 bytes. */
export const SIGNATURE_BYTES = 255;

/** One uid asked about, with the modification time of the signature the client has (0 if none). */
export interface SignatureQueryEntry {
  uid: number;
  time: number;
}

/** 0x0067 request: `01 01 len text` (set), `02` (delete), `03 00 count (uid, time)…` (get). */
export type SignatureRequest =
  | { sub: typeof SignatureOp.MODIFY; unknown: number; text: string }
  | { sub: typeof SignatureOp.DELETE }
  | { sub: typeof SignatureOp.GET; unknown: number; queries: SignatureQueryEntry[] };

/** One signature in a get reply. */
export interface SignatureEntry {
  uid: number;
  /** Unix seconds of its last change. */
  time: number;
  text: string;
}

/** 0x0067 reply: sub-command and result (00 = OK); a get adds the next uid to ask from (0 = done) and the entries. */
export interface SignatureReply {
  sub: number;
  result: number;
  get?: { next: number; signatures: SignatureEntry[] };
}

/** 0x0067 c2s codec. */
export const signatureRequestCodec = codec<SignatureRequest>(
  'signatureRequest',
  (v) => {
    const w = new Writer(16).u8(v.sub, 'sub');
    if (v.sub === SignatureOp.MODIFY) w.u8(v.unknown, 'unknown').tok8(encodeGb(v.text), 'text');
    if (v.sub === SignatureOp.GET) {
      w.u8(v.unknown, 'unknown').u8(v.queries.length, 'count');
      v.queries.forEach((q, i) => w.u32(q.uid, `queries[${i}].uid`).u32(q.time, `queries[${i}].time`));
    }
    return w.finish();
  },
  (body) =>
    readWhole(body, (r) => {
      const sub = r.u8('sub');
      if (sub === SignatureOp.DELETE) return { sub };
      if (sub === SignatureOp.MODIFY) return { sub, unknown: r.u8('unknown'), text: decodeGb(r.tok8('text')) };
      if (sub !== SignatureOp.GET) throw new DecodeError('bad_value', `signature sub-command 0x${sub.toString(16)} has no known layout`, 'sub', 0);
      const unknown = r.u8('unknown');
      const count = r.u8('count');
      if (entryCount(r, 8, 'queries') !== count) throw new DecodeError('bad_value', `count ${count} but ${r.remaining / 8} entries`, 'count', 2);
      const queries: SignatureQueryEntry[] = [];
      for (let i = 0; i < count; i++) queries.push({ uid: r.u32(`queries[${i}].uid`), time: r.u32(`queries[${i}].time`) });
      return { sub, unknown, queries };
    }),
);

/** 0x0067 s2c codec. */
export const signatureReplyCodec = codec<SignatureReply>(
  'signatureReply',
  (v) => {
    const w = new Writer(32).u8(v.sub, 'sub').u8(v.result, 'result');
    if (v.get) {
      w.u32(v.get.next, 'next');
      v.get.signatures.forEach((s, i) => w.u32(s.uid, `signatures[${i}].uid`).u32(s.time, `signatures[${i}].time`).tok8(encodeGb(s.text), `signatures[${i}].text`));
    }
    return w.finish();
  },
  (body) => {
    const r = new Reader(body);
    const sub = r.u8('sub');
    const result = r.u8('result');
    if (sub !== SignatureOp.GET || r.remaining === 0) {
      r.end();
      return { sub, result };
    }
    const next = r.u32('next');
    const signatures: SignatureEntry[] = [];
    while (r.remaining > 0) {
      const p = `signatures[${signatures.length}]`;
      signatures.push({ uid: r.u32(`${p}.uid`), time: r.u32(`${p}.time`), text: decodeGb(r.tok8(`${p}.text`)) });
    }
    return { sub, result, get: { next, signatures } };
  },
);
