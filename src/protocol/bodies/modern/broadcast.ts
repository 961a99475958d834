import { codec } from '../../codec.js';
import { DecodeError, EncodeError } from '../../errors.js';
import { Writer } from '../../writer.js';

// Modern 0x0080 system broadcast as MyQQ 3.30 reads it: ASCII code, from uid, to uid, then the code's data,
// separated by 0x1F. Codes: "40" you were added, "41" someone asks to add you (data: tok8 note, allow-reverse
// u8), "43" your request was approved, "04" it was refused (data: tok8 reason), "03" you added someone,
// "06" a notice (data: the text).

const FS = 0x1f;

/** Codes of modern system broadcasts (two ASCII digits). */
export const BroadcastCode = { ADDED_ME: '40', ADD_REQUEST: '41', APPROVED: '43', REJECTED: '04', I_ADDED: '03', NOTICE: '06' } as const;

/** A modern 0x0080 body. */
export interface SystemBroadcast {
  code: string;
  from: number;
  to: number;
  data: Buffer;
}

/** 0x0080 s2c codec (modern). */
export const systemBroadcast = codec<SystemBroadcast>(
  'systemBroadcast',
  (v) => {
    if (!/^[0-9]{1,4}$/.test(v.code)) throw new EncodeError('code', `code ${JSON.stringify(v.code)} is not 1–4 ASCII digits`);
    return Buffer.concat([Buffer.from(`${v.code}\x1f${v.from >>> 0}\x1f${v.to >>> 0}\x1f`, 'latin1'), v.data]);
  },
  (body) => {
    const seps: number[] = [];
    for (let i = 0; i < body.length && seps.length < 3; i++) if (body[i] === FS) seps.push(i);
    if (seps.length < 3) throw new DecodeError('truncated', `${seps.length} of 3 separators`, 'fields', body.length);
    const num = (a: number, b: number, field: string) => {
      const t = body.subarray(a, b).toString('latin1');
      if (!/^[0-9]{1,10}$/.test(t) || Number(t) > 0xffffffff) throw new DecodeError('bad_value', `${JSON.stringify(t)} is not a uid`, field, a);
      return Number(t);
    };
    return {
      code: body.subarray(0, seps[0]).toString('latin1'),
      from: num(seps[0]! + 1, seps[1]!, 'from'),
      to: num(seps[1]! + 1, seps[2]!, 'to'),
      data: Buffer.from(body.subarray(seps[2]! + 1)),
    };
  },
);

/** The data of a "41" request or a "04" refusal: tok8 text, then (41) the allow-reverse byte. */
export function broadcastNote(note: Buffer, allowReverse?: number): Buffer {
  const w = new Writer(2 + note.length).tok8(note.subarray(0, 255), 'note');
  if (allowReverse !== undefined) w.u8(allowReverse, 'allowReverse');
  return w.finish();
}

/** Reads the tok8 note of a "41"/"04" broadcast's data ('' when absent). */
export function readBroadcastNote(data: Buffer): Buffer {
  if (data.length === 0) return Buffer.alloc(0);
  const n = data[0]!;
  return Buffer.from(data.subarray(1, 1 + n));
}

/** 0x0080 c2s: the ack our SDK sends (same sequence; body = the push's first 16 bytes or fewer). MyQQ sends none. */
export interface BroadcastAck {
  data: Buffer;
}

/** 0x0080 c2s codec (modern). */
export const broadcastAck = codec<BroadcastAck>('broadcastAck', (v) => Buffer.from(v.data), (body) => ({ data: Buffer.from(body) }));
