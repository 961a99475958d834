import { codec } from '../../codec.js';
import { DecodeError } from '../../errors.js';
import { Writer } from '../../writer.js';
import { decodeGb, encodeGb } from '../../text.js';
import { decimalBytes, joinWith, parseDecimal, splitOn } from './common.js';

/** Separator of the 0x0080 fields. */
export const SYSTEM_SEPARATOR = 0x1f;
/** Separator of the 0x0012 ack fields. */
export const SYSTEM_ACK_SEPARATOR = 0x1e;

/** Codes of 0x0080 system messages (PROTOCOL.md §4; 6 = a server notice, which this project uses for "logged in elsewhere"). */
export const SystemCode = { BEING_ADDED: 1, ADD_REQUEST: 2, ADD_APPROVED: 3, ADD_REJECTED: 4, NOTICE: 6, NEW_VERSION: 9 } as const;

const NUL = Buffer.from([0]);

/** 0x0080 push: ASCII decimal code, from uid, to uid, then the text (GB18030), separated by 0x1F. */
export interface SystemMessage {
  code: number;
  from: number;
  to: number;
  text: string;
}

/** 0x0080 s2c codec. */
export const systemMessageCodec = codec<SystemMessage>(
  'systemMessage',
  // The text is the last field and may contain the separator (readers split into at most four pieces). A refusal's
  // reason ends with a NUL: pidgin 2.7.11 reads it as a C string and otherwise runs past the body into stale bytes.
  (v) => Buffer.concat([joinWith([decimalBytes(v.code, 'code'), decimalBytes(v.from, 'from'), decimalBytes(v.to, 'to'), Buffer.alloc(0)], SYSTEM_SEPARATOR, 'fields'), encodeGb(v.text),
    v.code === SystemCode.ADD_REJECTED ? NUL : Buffer.alloc(0)]),
  (body) => {
    const parts = splitOn(body, SYSTEM_SEPARATOR);
    if (parts.length < 4) throw new DecodeError('truncated', `${parts.length} of 4 fields`, 'fields', body.length);
    // The text may itself contain the separator: everything after the third one is text.
    const head = parts[0]!.length + parts[1]!.length + parts[2]!.length + 3;
    return {
      code: parseDecimal(parts[0]!.toString('latin1'), 'code', 0),
      from: parseDecimal(parts[1]!.toString('latin1'), 'from'),
      to: parseDecimal(parts[2]!.toString('latin1'), 'to'),
      text: decodeGb(body.subarray(head, body.at(-1) === 0 && body.length > head ? -1 : undefined)),
    };
  },
);

/** 0x0012 ack of a system message: the code (ASCII decimal, as the push had it), 0x1E, from uid (ASCII), 0x1E, the push's seq u16. */
export interface SystemMessageAck {
  /** The push's code (1 → `31`, 41 → `34 31`). */
  code: number;
  from: number;
  seq: number;
}

/** 0x0012 c2s codec. */
export const systemMessageAckCodec = codec<SystemMessageAck>(
  'systemMessageAck',
  (v) => {
    const from = decimalBytes(v.from, 'from');
    const code = decimalBytes(v.code, 'code');
    return new Writer(4 + code.length + from.length).bytes(code).u8(SYSTEM_ACK_SEPARATOR).bytes(from).u8(SYSTEM_ACK_SEPARATOR).u16(v.seq, 'seq').finish();
  },
  (body) => {
    const sep = body.indexOf(SYSTEM_ACK_SEPARATOR);
    if (sep < 1) throw new DecodeError('bad_value', 'expected the code, then 0x1E', 'code', 0);
    const code = parseDecimal(body.subarray(0, sep).toString('latin1'), 'code', 0);
    const rest = body.subarray(sep + 1);
    const end = rest.indexOf(SYSTEM_ACK_SEPARATOR);
    if (end < 0 || rest.length !== end + 3) throw new DecodeError('bad_value', 'expected from uid, 0x1E, u16 seq', 'from', sep + 1);
    return { code, from: parseDecimal(rest.subarray(0, end).toString('latin1'), 'from', sep + 1), seq: rest.readUInt16BE(end + 1) };
  },
);

/**
 * The notice text (code 6 classic, "06" modern) the project's server sends when a friend removed you: neither
 * framing has a code for it; the project's SDK recognises this text.
 */
export function removedYouText(uid: number): string {
  return `${uid} removed you from their friends`;
}

/** Matches removedYouText. */
export const REMOVED_YOU_TEXT = /^\d+ removed you from their friends$/;
