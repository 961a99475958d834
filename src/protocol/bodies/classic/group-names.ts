import { codec } from '../../codec.js';
import { EncodeError } from '../../errors.js';
import { Reader } from '../../reader.js';
import { Writer } from '../../writer.js';
import { decodeGb, encodeGb } from '../../text.js';
import { entryCount } from './common.js';

// 0x003C group-name operation, classic (QQ2006-era clients, e.g. tag 0x0E1B; LumaQQ's layouts): 01 downloads
// the names, 02 uploads the whole list (index u8 and 16 name bytes each). Other sub-operations keep their bytes.
// 0x003D uploads which group each friend is in (uid u32, group index u8 — the plain index, not × 4 as 0x0058).

/** 0x003C sub-operations. */
export const GroupNameOp = { DOWNLOAD: 0x01, UPLOAD: 0x02 } as const;

/** Bytes of one group name on the wire: GB18030, zero-padded (a longer name is cut). */
export const GROUP_NAME_BYTES = 16;

/** One named group: its index (1 … 63; group 0 "My Friends" is never sent) and name. */
export interface GroupNameEntry {
  index: number;
  name: string;
}

/**
 * 0x003C request: `01 02 00000000` downloads the names; `02` and (index, name) entries uploads them (every group
 * but "My Friends", in order); any other sub-operation keeps its bytes in `data`.
 */
export type GroupNameRequest =
  | { sub: typeof GroupNameOp.DOWNLOAD; unknown: number; reserved: number }
  | { sub: typeof GroupNameOp.UPLOAD; groups: GroupNameEntry[] }
  | { sub: number; data: Buffer };

/** 0x003C reply: sub-operation, result (0 = OK); a download adds u32 0 and the names, 17 bytes each. */
export interface GroupNameReply {
  sub: number;
  result: number;
  download?: { reserved: number; groups: GroupNameEntry[] };
}

/** 0x003C c2s codec. */
export const groupNameRequestCodec = codec<GroupNameRequest>(
  'groupNameRequest',
  (v) => {
    const w = new Writer(6).u8(v.sub, 'sub');
    if ('groups' in v) return writeNames(w, v.groups).finish();
    return ('data' in v ? w.bytes(v.data) : w.u8(v.unknown, 'unknown').u32(v.reserved, 'reserved')).finish();
  },
  (body) => {
    const r = new Reader(body);
    const sub = r.u8('sub');
    if (sub === GroupNameOp.UPLOAD) return { sub, groups: readNames(r) };
    if (sub !== GroupNameOp.DOWNLOAD) return { sub, data: Buffer.from(r.rest()) };
    const v = { sub, unknown: r.u8('unknown'), reserved: r.u32('reserved') };
    r.end();
    return v;
  },
);

/** A name cut to GROUP_NAME_BYTES of GB18030 without splitting a character. */
function nameBytes(name: string): Buffer {
  let b = encodeGb(name);
  for (let chars = [...name]; b.length > GROUP_NAME_BYTES; b = encodeGb(chars.join(''))) chars = chars.slice(0, -1);
  return b;
}

/** Writes (index, 16-byte name) entries. */
function writeNames(w: Writer, groups: readonly GroupNameEntry[]): Writer {
  groups.forEach((g, i) => {
    if (g.name.includes('\0')) throw new EncodeError(`groups[${i}].name`, 'contains NUL');
    const b = nameBytes(g.name);
    w.u8(g.index, `groups[${i}].index`).bytes(b).bytes(Buffer.alloc(GROUP_NAME_BYTES - b.length));
  });
  return w;
}

/** Reads (index, 16-byte name) entries to the end of the body. */
function readNames(r: Reader): GroupNameEntry[] {
  const groups: GroupNameEntry[] = [];
  while (r.remaining > 0) {
    const index = r.u8('index');
    const raw = r.copy(GROUP_NAME_BYTES, 'name');
    const nul = raw.indexOf(0);
    groups.push({ index, name: decodeGb(nul < 0 ? raw : raw.subarray(0, nul)) });
  }
  return groups;
}

/** 0x003C s2c codec. */
export const groupNameReplyCodec = codec<GroupNameReply>(
  'groupNameReply',
  (v) => {
    const w = new Writer(6 + (v.download?.groups.length ?? 0) * (1 + GROUP_NAME_BYTES)).u8(v.sub, 'sub').u8(v.result, 'result');
    if (!v.download) return w.finish();
    return writeNames(w.u32(v.download.reserved, 'reserved'), v.download.groups).finish();
  },
  (body) => {
    const r = new Reader(body);
    const sub = r.u8('sub');
    const result = r.u8('result');
    if (sub !== GroupNameOp.DOWNLOAD || result !== 0 || r.remaining === 0) return { sub, result };
    const reserved = r.u32('reserved');
    return { sub, result, download: { reserved, groups: readNames(r) } };
  },
);

/** One friend's group in a 0x003D upload. */
export interface GroupUploadEntry {
  uid: number;
  /** The group index itself (0 = "My Friends"). */
  group: number;
}

/** 0x003D request: (uid u32, group u8) for the friends whose group the client sets. */
export interface UploadGroupsRequest {
  entries: GroupUploadEntry[];
}

/** 0x003D c2s codec. */
export const uploadGroupsRequestCodec = codec<UploadGroupsRequest>(
  'uploadGroupsRequest',
  (v) => {
    const w = new Writer(5 * v.entries.length);
    v.entries.forEach((e, i) => w.u32(e.uid, `entries[${i}].uid`).u8(e.group, `entries[${i}].group`));
    return w.finish();
  },
  (body) => {
    const r = new Reader(body);
    const n = entryCount(r, 5, 'entries');
    const entries: GroupUploadEntry[] = [];
    for (let i = 0; i < n; i++) entries.push({ uid: r.u32(`entries[${i}].uid`), group: r.u8(`entries[${i}].group`) });
    return { entries };
  },
);
