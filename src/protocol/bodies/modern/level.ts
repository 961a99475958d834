import { codec, type BodyCodec } from '../../codec.js';
import { readWhole, encodeWith } from './common.js';

// 0x005C get level (PROTOCOL-MODERN.md §4.7).

/** 0x005C request: `88 · uid u32 · 00`. */
export interface LevelRequest {
  uid: number;
}

/** Codec of the 0x005C request. */
export const levelRequest: BodyCodec<LevelRequest> = codec<LevelRequest>(
  'levelRequest',
  (v) => encodeWith((w) => w.u8(0x88).u32(v.uid, 'uid').u8(0)),
  (body) =>
    readWhole(body, (r) => {
      r.expectU8(0x88, 'sub');
      const uid = r.u32('uid');
      r.expectU8(0, 'reserved');
      return { uid };
    }),
);

/** 0x005C reply: `88 · uid · u32 (3) · level u16 · active days u16 · u16 · days to upgrade u16` (17 B). */
export interface LevelReply {
  uid: number;
  /** 3 in the run. */
  unknown1: number;
  level: number;
  activeDays: number;
  /** 0 in the run. */
  unknown2: number;
  daysToUpgrade: number;
}

/** Codec of the 0x005C reply. */
export const levelReply: BodyCodec<LevelReply> = codec<LevelReply>(
  'levelReply',
  (v) =>
    encodeWith((w) =>
      w.u8(0x88).u32(v.uid, 'uid').u32(v.unknown1, 'unknown1').u16(v.level, 'level').u16(v.activeDays, 'activeDays').u16(v.unknown2, 'unknown2').u16(v.daysToUpgrade, 'daysToUpgrade'),
    ),
  (body) =>
    readWhole(body, (r) => {
      r.expectU8(0x88, 'sub');
      return { uid: r.u32('uid'), unknown1: r.u32('unknown1'), level: r.u16('level'), activeDays: r.u16('activeDays'), unknown2: r.u16('unknown2'), daysToUpgrade: r.u16('daysToUpgrade') };
    }),
);
