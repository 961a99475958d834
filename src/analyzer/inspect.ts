// The packet inspector's view of a capture held in memory: every OICQ packet of the dissector with its wire
// and (when a password opened it) decrypted bytes in hex, and its fields with byte ranges — the header's from
// the framing, the body's recorded while the command table's codec decodes it (no layout is restated here).
import { CaptureError, parseCapture } from './capture/index.js';
import { Dissector, type DissectedPacket, type MalformedPacket } from './dissect.js';
import type { Credential } from './sessions.js';
import type { SummaryRow } from './summary.js';
import { decodeBody } from '../protocol/commands.js';
import { headerFields } from '../protocol/framing.js';
import { recordFields } from '../protocol/reader.js';

/** A field with its byte range in one of the packet's two hex panes. */
export interface InspectField {
  field: string;
  start: number;
  end: number;
  /** `wire`: the datagram as sent; `plain`: the decrypted body. */
  pane: 'wire' | 'plain';
}

/** One packet of the inspector's list. */
export interface InspectPacket {
  frame: number;
  /** Seconds since the epoch. */
  time: number;
  src: string;
  dst: string;
  client: string;
  direction: 'c2s' | 's2c';
  framing: 'classic' | 'modern';
  version: number;
  command: number;
  name: string;
  seq: number;
  uid?: number;
  length: number;
  role: string;
  peerFrame?: number;
  replyMs?: number;
  /** opened (decrypted and decoded), undecoded (decrypted, layout unknown or bad), failed (should have opened), encrypted (no password). */
  decrypt: 'opened' | 'undecoded' | 'failed' | 'encrypted';
  key?: string;
  failure?: string;
  notes: string[];
  wire: string;
  plain?: string;
  /** The decoded body (JSON-able), when it decoded. */
  decoded?: unknown;
  fields: InspectField[];
}

/** Options of inspectCapture. */
export interface InspectOptions {
  credentials?: readonly Credential[];
  ports?: readonly number[];
  anyPort?: boolean;
  /** Most packets listed (default 20 000); the summary still counts all. */
  maxPackets?: number;
}

/** What the inspector shows of a capture. */
export interface InspectResult {
  packets: InspectPacket[];
  malformed: { frame: number; time: number; src: string; dst: string; reason: string; detail: string; wire: string }[];
  /** The per-command size table (the same rows as `oicq dissect --summary`). */
  sizes: SummaryRow[];
  /** True when more packets than maxPackets were in the capture. */
  truncated: boolean;
  /** A capture fault that stopped reading (everything before it is listed). */
  error?: string;
}

/** Buffers and bigints as hex, for the JSON answer. */
function jsonable(v: unknown): unknown {
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return v.map(jsonable);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonable(x)]));
  return v;
}

function toPacket(p: DissectedPacket): InspectPacket {
  const fields: InspectField[] = headerFields(p.framing, p.direction, p.length).map((f) => ({ ...f, pane: 'wire' as const }));
  fields.push({ field: 'body (encrypted)', start: p.headerLength, end: p.length - 1, pane: 'wire' });
  const out: InspectPacket = {
    frame: p.frame, time: p.time, src: p.src, dst: p.dst, client: p.client, direction: p.direction, framing: p.framing,
    version: p.version, command: p.command, name: p.meaning, seq: p.seq, length: p.length, role: p.role,
    decrypt: 'encrypted', notes: p.session?.notes ?? [], wire: p.payload.toString('hex'), fields,
  };
  if (p.uid !== undefined) out.uid = p.uid;
  if (p.peerFrame !== undefined) out.peerFrame = p.peerFrame;
  if (p.replyMs !== undefined) out.replyMs = p.replyMs;
  const opened = p.session?.opened;
  if (opened) {
    out.key = opened.key;
    out.plain = opened.plain.toString('hex');
    // Decode once more with the reader recording: the codec's own reads give the body's field ranges.
    const rec = recordFields(opened.plain, () => decodeBody(p.table, p.command, p.direction, opened.plain, opened.version));
    for (const f of rec.fields) fields.push({ ...f, pane: 'plain' });
    if (opened.decoded.ok) {
      out.decrypt = 'opened';
      out.decoded = jsonable(opened.decoded.value.value);
    } else {
      out.decrypt = 'undecoded';
      out.failure = opened.decoded.error.message;
    }
  } else {
    if (p.session?.failure) {
      out.decrypt = 'failed';
      out.failure = p.session.failure;
    }
  }
  return out;
}

/** Dissects a capture in memory for the inspector; never throws on a bad capture (its fault is in `error`). */
export function inspectCapture(bytes: Buffer, o: InspectOptions = {}): InspectResult {
  const max = o.maxPackets ?? 20_000;
  const result: InspectResult = { packets: [], malformed: [], sizes: [], truncated: false };
  const d = new Dissector(
    { ...(o.ports ? { ports: o.ports } : {}), anyPort: o.anyPort ?? false, credentials: o.credentials ?? [], detail: true },
    {
      packet: (p) => {
        if (result.packets.length < max) result.packets.push(toPacket(p));
        else result.truncated = true;
      },
      malformed: (m: MalformedPacket) => {
        if (result.malformed.length < max) {
          result.malformed.push({ frame: m.frame, time: m.time, src: m.src, dst: m.dst, reason: m.reason, detail: m.detail, wire: m.payload.toString('hex') });
        }
      },
    },
  );
  try {
    parseCapture(bytes, d.onFrame);
  } catch (e) {
    if (!(e instanceof CaptureError)) throw e;
    result.error = e.message;
  }
  result.sizes = d.summary.finish().rows;
  return result;
}
