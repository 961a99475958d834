import { codec, type BodyCodec } from '../../codec.js';
import { readWhole, encodeWith } from './common.js';

// 0x005C get level (PROTOCOL-MODERN.md §4.7).

/** 0x005C request: `88 · uid u32 · 00` (one user), or pidgin-libqq's `89 · uid u32 × n` (its friends, then itself). */
export type LevelRequest = { uid: number } | { uids: number[] };

/** Codec of the 0x005C request. */
export const levelRequest: BodyCodec<LevelRequest> = codec<LevelRequest>(
  'levelRequest',
  (v) =>
    encodeWith((w) => {
      if ('uid' in v) return void w.u8(0x88).u32(v.uid, 'uid').u8(0);
      w.u8(0x89);
      v.uids.forEach((uid, i) => w.u32(uid, `uids[${i}]`));
    }),
  (body) =>
    readWhole<LevelRequest>(body, (r) => {
      if (body[0] === 0x89) {
        r.u8('sub');
        const uids: number[] = [];
        while (r.remaining > 0) uids.push(r.u32(`uids[${uids.length}]`));
        return { uids };
      }
      r.expectU8(0x88, 'sub');
      const uid = r.u32('uid');
      r.expectU8(0, 'reserved');
      return { uid };
    }),
);

/** One entry of the 0x89 reply: uid, level, 2 bytes pidgin-libqq skips. */
export interface LevelEntry {
  uid: number;
  level: number;
  unknown: number;
}

/** 0x005C reply: one user's (0x88), or `89 · (uid u32 · level u16 · u16)×n` (0x89, pidgin-libqq's friends). */
export type LevelReply = LevelReplyOne | { levels: LevelEntry[] };

/** 0x005C 0x88 reply: `88 · uid · u32 (3) · level u16 · active days u16 · u16 · days to upgrade u16` (17 B). */
export interface LevelReplyOne {
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
    encodeWith((w) => {
      if ('levels' in v) {
        w.u8(0x89);
        return void v.levels.forEach((e, i) => w.u32(e.uid, `levels[${i}].uid`).u16(e.level, `levels[${i}].level`).u16(e.unknown, `levels[${i}].unknown`));
      }
      w.u8(0x88).u32(v.uid, 'uid').u32(v.unknown1, 'unknown1').u16(v.level, 'level').u16(v.activeDays, 'activeDays').u16(v.unknown2, 'unknown2').u16(v.daysToUpgrade, 'daysToUpgrade');
    }),
  (body) =>
    readWhole<LevelReply>(body, (r) => {
      if (body[0] === 0x89) {
        r.u8('sub');
        const levels: LevelEntry[] = [];
        while (r.remaining > 0) levels.push({ uid: r.u32(`levels[${levels.length}].uid`), level: r.u16(`levels[${levels.length}].level`), unknown: r.u16(`levels[${levels.length}].unknown`) });
        return { levels };
      }
      r.expectU8(0x88, 'sub');
      return { uid: r.u32('uid'), unknown1: r.u32('unknown1'), level: r.u16('level'), activeDays: r.u16('activeDays'), unknown2: r.u16('unknown2'), daysToUpgrade: r.u16('daysToUpgrade') };
    }),
);
