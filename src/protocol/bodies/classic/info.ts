import { codec } from '../../codec.js';
import { DecodeError } from '../../errors.js';
import { checkU32 } from '../../writer.js';
import { decodeGb, encodeGb } from '../../text.js';
import { decimalBytes, joinWith, parseDecimal, splitOn } from './common.js';

// 0x0006 get user info (PROTOCOL.md §5): request = uid in ASCII; reply = 0x1E-separated fields.

/** 0x0006 request: the uid whose info is wanted, as ASCII decimal. */
export interface UserInfoRequest {
  uid: number;
}

/** 0x0006 c2s codec. */
export const userInfoRequestCodec = codec<UserInfoRequest>(
  'userInfoRequest',
  (v) => decimalBytes(v.uid, 'uid'),
  (body) => ({ uid: parseDecimal(body.toString('latin1'), 'uid', 0) }),
);

/** Field separator of the info reply. */
export const INFO_SEPARATOR = 0x1e;
/** Fewest fields a reply may carry. */
export const INFO_MIN_FIELDS = 37;
/** Fields a QQ2008-era reply carries (what the builder writes). */
export const INFO_FIELDS = 38;

/** The named fields of an info reply (unknowns are only in the raw list). */
export interface UserInfo {
  uid: number;
  nick: string;
  country: string;
  province: string;
  zip: string;
  address: string;
  telephone: string;
  age: number;
  gender: number;
  name: string;
  email: string;
  pagerSn: string;
  pagerNumber: string;
  pagerProvider: string;
  pagerBaseNumber: string;
  pagerType: string;
  occupation: string;
  homepage: string;
  authType: number;
  face: number;
  mobile: string;
  mobileType: string;
  intro: string;
  city: string;
  publishMobile: string;
  publishContact: string;
  college: string;
  horoscope: string;
  zodiac: string;
  bloodType: string;
  show: string;
}

// Field index → name; indices 19, 20, 26–28 and 36 are unknown. The fields in NUMERIC are numbers, the rest text.
const NAMED: ReadonlyArray<readonly [number, keyof UserInfo]> = [
  [0, 'uid'], [1, 'nick'], [2, 'country'], [3, 'province'], [4, 'zip'], [5, 'address'], [6, 'telephone'], [7, 'age'], [8, 'gender'],
  [9, 'name'], [10, 'email'], [11, 'pagerSn'], [12, 'pagerNumber'], [13, 'pagerProvider'], [14, 'pagerBaseNumber'], [15, 'pagerType'],
  [16, 'occupation'], [17, 'homepage'], [18, 'authType'], [21, 'face'], [22, 'mobile'], [23, 'mobileType'], [24, 'intro'], [25, 'city'],
  [29, 'publishMobile'], [30, 'publishContact'], [31, 'college'], [32, 'horoscope'], [33, 'zodiac'], [34, 'bloodType'], [35, 'show'],
];
const NUMERIC: ReadonlySet<keyof UserInfo> = new Set(['uid', 'age', 'gender', 'authType', 'face']);

/**
 * 0x0006 reply: the named fields, plus every field as sent (`fields`, GB18030-decoded) so unknown and
 * extra fields survive. On encode the named fields win where they disagree with `fields`.
 */
export interface UserInfoReply {
  info: UserInfo;
  fields: string[];
}

// Numeric fields are lenient on decode (clients send "" or "-" where they have nothing).
function numberOf(text: string): number {
  return /^[0-9]{1,10}$/.test(text) && Number(text) <= 0xffffffff ? Number(text) : 0;
}

/** Named fields read from a raw field list (missing fields read as empty). */
export function userInfoOf(fields: readonly string[]): UserInfo {
  const info: Record<string, string | number> = {};
  for (const [i, key] of NAMED) info[key] = NUMERIC.has(key) ? numberOf(fields[i] ?? '') : (fields[i] ?? '');
  return info as unknown as UserInfo;
}

/** A reply for `info` with INFO_FIELDS fields, unknown ones "0" (as real servers send). */
export function userInfoReply(info: UserInfo): UserInfoReply {
  return { info, fields: Array.from({ length: INFO_FIELDS }, () => '0') };
}

function encodeUserInfoReply(v: UserInfoReply): Buffer {
  const fields = [...v.fields];
  while (fields.length < INFO_MIN_FIELDS) fields.push('');
  for (const [i, key] of NAMED) {
    const value = v.info[key];
    const numeric = NUMERIC.has(key);
    if (numeric) checkU32(value as number, `info.${key}`);
    // A field already saying the same (a number's text read leniently) keeps its text.
    if (numeric ? numberOf(fields[i]!) !== value : fields[i] !== value) fields[i] = String(value);
  }
  return joinWith(fields.map(encodeGb), INFO_SEPARATOR, 'fields');
}

function decodeUserInfoReply(body: Buffer): UserInfoReply {
  const fields = splitOn(body, INFO_SEPARATOR).map(decodeGb);
  if (fields.length < INFO_MIN_FIELDS) {
    throw new DecodeError('truncated', `${fields.length} field(s), need ≥ ${INFO_MIN_FIELDS}`, 'fields', body.length);
  }
  return { info: userInfoOf(fields), fields };
}

/** 0x0006 s2c codec. */
export const userInfoReplyCodec = codec<UserInfoReply>('userInfoReply', encodeUserInfoReply, decodeUserInfoReply);
