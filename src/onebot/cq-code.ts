// OneBot v11 messages: CQ-code strings (`text[CQ:face,id=14]`) and segment arrays ({type, data}), and how they map
// to the text classic QQ carries. QQ text holds a face ("smiley") as the classic in-text marker: byte 0x14 followed
// by one byte, the face number — so a face survives both framings and reaches old clients as a smiley.

/** One message segment as OneBot v11 writes it (values are strings in CQ codes; JSON may carry numbers). */
export interface Segment {
  type: string;
  data: Record<string, unknown>;
}

/** The in-text face marker of classic QQ. */
export const FACE_MARK = '\x14';
/** Face numbers that fit the one byte after the marker and stay one byte in GB text (ASCII). */
export const MAX_FACE = 0x7f;

/** Escapes text for a CQ-code string (`&`, `[`, `]`). */
export function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/\[/g, '&#91;').replace(/]/g, '&#93;');
}

/** Escapes a CQ-code parameter value (also `,`). */
export function escapeParam(s: string): string {
  return escapeText(s).replace(/,/g, '&#44;');
}

/** Undoes escapeText / escapeParam. */
export function unescape(s: string): string {
  return s.replace(/&#44;/g, ',').replace(/&#91;/g, '[').replace(/&#93;/g, ']').replace(/&amp;/g, '&');
}

/** A malformed message (the action answers 1400 with this text). */
export class MessageFormatError extends Error {}

/** Parses a CQ-code string into segments (text between codes becomes text segments, unescaped). */
export function parseCq(s: string): Segment[] {
  const out: Segment[] = [];
  const text = (t: string) => {
    if (t !== '') out.push({ type: 'text', data: { text: unescape(t) } });
  };
  const re = /\[CQ:([a-zA-Z0-9_.-]+)((?:,[a-zA-Z0-9_.-]+=[^,\]]*)*)\]/g;
  let at = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    text(s.slice(at, m.index));
    const data: Record<string, string> = {};
    for (const kv of m[2]!.split(',').slice(1)) {
      const eq = kv.indexOf('=');
      data[kv.slice(0, eq)] = unescape(kv.slice(eq + 1));
    }
    out.push({ type: m[1]!, data });
    at = re.lastIndex;
  }
  text(s.slice(at));
  return out;
}

/** Writes segments as a CQ-code string. */
export function toCq(segments: readonly Segment[]): string {
  return segments.map((g) => {
    if (g.type === 'text') return escapeText(String(g.data.text ?? ''));
    const params = Object.entries(g.data).map(([k, v]) => `,${k}=${escapeParam(String(v))}`).join('');
    return `[CQ:${g.type}${params}]`;
  }).join('');
}

/** Segments of QQ text: text runs and faces (marker + face byte). */
export function segmentsOfText(text: string): Segment[] {
  const out: Segment[] = [];
  let run = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const next = text.charCodeAt(i + 1);
    if (c === FACE_MARK && next <= MAX_FACE) {
      if (run) out.push({ type: 'text', data: { text: run } });
      run = '';
      out.push({ type: 'face', data: { id: String(next) } });
      i++;
    } else run += c;
  }
  if (run) out.push({ type: 'text', data: { text: run } });
  return out;
}

/** Reads a message parameter: a CQ string (unless `autoEscape`: then plain text), one segment or a segment array. */
export function segmentsOf(message: unknown, autoEscape = false): Segment[] {
  if (typeof message === 'string') return autoEscape ? [{ type: 'text', data: { text: message } }] : parseCq(message);
  const list = Array.isArray(message) ? message : [message];
  return list.map((g, i) => {
    const seg = g as Partial<Segment> | null;
    if (typeof seg !== 'object' || seg === null || typeof seg.type !== 'string') throw new MessageFormatError(`message segment ${i} is not {type, data}`);
    const data = seg.data ?? {};
    if (typeof data !== 'object' || data === null) throw new MessageFormatError(`message segment ${i} has no data object`);
    return { type: seg.type, data };
  });
}

/**
 * The QQ text of segments. Text and faces (0..127) carry over; `at` becomes "@<qq> " text (QQ has no mentions);
 * anything else (images, records, replies …) cannot be carried by classic QQ and is refused.
 */
export function textOfSegments(segments: readonly Segment[]): string {
  let out = '';
  for (const g of segments) {
    if (g.type === 'text') {
      const t = g.data.text;
      if (typeof t !== 'string') throw new MessageFormatError('a text segment needs data.text (a string)');
      out += t;
    } else if (g.type === 'face') {
      const id = Number(g.data.id);
      if (!Number.isInteger(id) || id < 0 || id > MAX_FACE) throw new MessageFormatError(`face id ${String(g.data.id)} is not 0..${MAX_FACE} (the faces classic QQ text carries)`);
      out += FACE_MARK + String.fromCharCode(id);
    } else if (g.type === 'at') {
      out += `@${String(g.data.qq)} `;
    } else {
      throw new MessageFormatError(`segment type '${g.type}' cannot be sent over classic QQ (text, face and at can)`);
    }
  }
  if (out === '') throw new MessageFormatError('the message is empty');
  return out;
}
