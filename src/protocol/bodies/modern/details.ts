import { codec, type BodyCodec } from '../../codec.js';
import { readWhole, encodeWith, readZeros } from './common.js';

// 0x003C buddy details (PROTOCOL-MODERN.md §4.16): a request naming field tags, a tag-length-value reply.

/** Detail tags with a known meaning (MQ understands 0x4E22–0x4E3F). */
export const DetailTag = { NICK: 0x4e22, POST_CODE: 0x4e25 } as const;

/** The 26 tags MQ asks for, in its order. */
export const MYQQ_DETAIL_TAGS: readonly number[] = [
  0x4e22, 0x4e25, 0x4e26, 0x4e27, 0x4e29, 0x4e2a, 0x4e2b, 0x4e2c, 0x4e2d, 0x4e2e, 0x4e2f, 0x4e30, 0x4e31, 0x4e33, 0x4e35, 0x4e36,
  0x4e37, 0x4e38, 0x4e3f, 0x4e40, 0x4e41, 0x4e42, 0x4e43, 0x4e45, 0x520b, 0x520f,
];

/** 0x003C request: `00 01 · uid · 22 zero bytes · u16 count · tags` (82 B from MQ). */
export interface DetailsRequest {
  uid: number;
  tags: number[];
}

/** Codec of the 0x003C request. */
export const detailsRequest: BodyCodec<DetailsRequest> = codec<DetailsRequest>(
  'detailsRequest',
  (v) =>
    encodeWith((w) => {
      w.u16(0x0001).u32(v.uid, 'uid').zeros(22).u16(v.tags.length, 'count');
      v.tags.forEach((t, i) => w.u16(t, `tags[${i}]`));
    }),
  (body) =>
    readWhole(body, (r) => {
      r.expectU16(0x0001, 'head');
      const uid = r.u32('uid');
      readZeros(r, 22, 'reserved');
      const n = r.u16('count');
      const tags: number[] = [];
      for (let i = 0; i < n; i++) tags.push(r.u16(`tags[${i}]`));
      return { uid, tags };
    }),
);

/** One detail field: tag and value bytes (text fields are UTF-8). */
export interface DetailField {
  tag: number;
  value: Buffer;
}

/** 0x003C reply: `00 01 · result · uid · u32 · u16 count · (tag u16, u16 length, value)…`. */
export interface DetailsReply {
  result: number;
  uid: number;
  unknown: number;
  fields: DetailField[];
}

/** Codec of the 0x003C reply. */
export const detailsReply: BodyCodec<DetailsReply> = codec<DetailsReply>(
  'detailsReply',
  (v) =>
    encodeWith((w) => {
      w.u16(0x0001).u8(v.result, 'result').u32(v.uid, 'uid').u32(v.unknown, 'unknown').u16(v.fields.length, 'count');
      v.fields.forEach((f, i) => w.u16(f.tag, `fields[${i}].tag`).tok16(f.value, `fields[${i}].value`));
    }),
  (body) =>
    readWhole(body, (r) => {
      r.expectU16(0x0001, 'head');
      const v: DetailsReply = { result: r.u8('result'), uid: r.u32('uid'), unknown: r.u32('unknown'), fields: [] };
      const n = r.u16('count');
      for (let i = 0; i < n; i++) v.fields.push({ tag: r.u16(`fields[${i}].tag`), value: r.tok16(`fields[${i}].value`) });
      return v;
    }),
);

/** The UTF-8 text of a detail field, or undefined if the reply lacks the tag. */
export function detailText(reply: DetailsReply, tag: number): string | undefined {
  return reply.fields.find((f) => f.tag === tag)?.value.toString('utf8');
}
