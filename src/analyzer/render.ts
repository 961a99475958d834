// Text and JSON renderings of dissected packets and of the summary. The packet block keeps the notation of
// the original hand analysis ([1] Flag, [2] Version, …), tshark -V style but compact.
import type { DissectedPacket, DissectResult, MalformedPacket } from './dissect.js';
import { toJson } from './json.js';
import type { Spread } from './reservoir.js';
import { describeSession, type OpenedBody, type SessionResult } from './sessions.js';
import type { Summary, SummaryRow } from './summary.js';

/** Bytes of UDP data shown in hex per packet. */
export const HEX_PREVIEW = 32;
/** Longest hex shown for a Buffer field of a decoded body (text mode; JSON has everything). */
export const FIELD_HEX_MAX = 64;
/** Lines of decoded body shown per packet at most (text mode). */
export const BODY_LINES_MAX = 200;

const ARROW: Record<string, string> = { c2s: 'client→server', s2c: 'server→client' };

function hex4(n: number): string {
  return '0x' + n.toString(16).toUpperCase().padStart(4, '0');
}

/** Spaced hex of the first `max` bytes, with the total when cut. */
export function hexPreview(b: Uint8Array, max = HEX_PREVIEW): string {
  const shown = Buffer.from(b.buffer, b.byteOffset, Math.min(b.length, max)).toString('hex').replace(/(..)(?!$)/g, '$1 ');
  return b.length > max ? `${shown} … (${b.length} bytes)` : shown;
}

/** UTC date and time with microseconds: "2024-05-01 12:00:00.123456". */
export function formatTime(tsSec: number, tsNsec: number): string {
  const d = new Date(tsSec * 1000).toISOString(); // 2024-05-01T12:00:00.000Z
  return `${d.slice(0, 10)} ${d.slice(11, 19)}.${String(Math.floor(tsNsec / 1000)).padStart(6, '0')}`;
}

function fieldHex(b: Uint8Array): string {
  if (b.length === 0) return '(empty)';
  const h = Buffer.from(b.buffer, b.byteOffset, Math.min(b.length, FIELD_HEX_MAX)).toString('hex');
  return b.length > FIELD_HEX_MAX ? `${h}… (${b.length} bytes)` : h;
}

/** A decoded body as "path: value" lines (Buffers in hex, strings quoted so texts show exactly). */
export function formatValue(v: unknown, path = ''): string[] {
  const out: string[] = [];
  const walk = (x: unknown, at: string): void => {
    if (out.length > BODY_LINES_MAX) return;
    const label = at === '' ? 'value' : at;
    if (x instanceof Uint8Array) out.push(`${label}: ${fieldHex(x)}`);
    else if (typeof x === 'string') out.push(`${label}: ${JSON.stringify(x)}`);
    else if (typeof x === 'bigint') out.push(`${label}: ${x}`);
    else if (x === null || x === undefined || typeof x !== 'object') out.push(`${label}: ${String(x)}`);
    else if (Array.isArray(x)) {
      if (x.length === 0) out.push(`${label}: []`);
      x.forEach((e, i) => walk(e, `${at}[${i}]`));
    } else {
      const entries = x instanceof Map ? [...x.entries()].map(([k, e]) => [String(k), e] as const) : Object.entries(x);
      if (entries.length === 0) out.push(`${label}: {}`);
      for (const [k, e] of entries) walk(e, at === '' ? k : `${at}.${k}`);
    }
  };
  walk(v, path);
  if (out.length > BODY_LINES_MAX) out.splice(BODY_LINES_MAX, Infinity, `… (more fields; --json shows them all)`);
  return out;
}

function roleText(p: DissectedPacket): string {
  if (p.peerFrame === undefined) return p.role;
  if (p.replyMs !== undefined) return `${p.role} to #${p.peerFrame} after ${p.replyMs.toFixed(3)} ms`;
  return `${p.role} of #${p.peerFrame}`;
}

function bodyLines(s: SessionResult, indent: string): string[] {
  const lines: string[] = [];
  const o = s.opened;
  if (o) {
    const how = o.key === 'clear' ? 'sent in clear' : `opened with the ${o.key}`;
    if (o.decoded.ok) {
      lines.push(`${indent}body: ${how} → ${o.decoded.value.codec} (${o.plain.length} bytes)`);
      for (const l of formatValue(o.decoded.value.value)) lines.push(`${indent}  ${l}`);
    } else {
      lines.push(`${indent}body: ${how} (${o.plain.length} bytes) but not decoded: ${o.decoded.error.message}`);
      lines.push(`${indent}  plain: ${fieldHex(o.plain)}`);
    }
  } else if (s.failure) lines.push(`${indent}body: not opened: ${s.failure}`);
  for (const n of s.notes) lines.push(`${indent}note: ${n}`);
  return lines;
}

/** The multi-line text block of one packet. */
export function formatPacket(p: DissectedPacket): string {
  const ws = p.wireshark === undefined ? 'Wireshark: not in its table (it leaves this packet unlabeled)' : `Wireshark: ${p.wireshark}`;
  const lines = [
    `#${p.frame}  ${formatTime(p.tsSec, p.tsNsec)}  ${p.src} → ${p.dst}  ${p.framing}${p.table === p.framing ? '' : ` (${p.table} chain)`} ${ARROW[p.direction]}`,
    `    lengths: frame ${p.frameLength}, UDP ${p.udpLength}, OICQ ${p.length} · ${roleText(p)}`,
    `    [1] Flag: 0x${p.flag.toString(16).padStart(2, '0')}`,
    `    [2] Version: ${hex4(p.version)}`,
    `    [2] Command: ${p.meaning} (${p.command}) · ${ws}`,
    `    [2] Sequence: ${p.seq}`,
  ];
  if (p.uid !== undefined) lines.push(`    [4] Data(OICQ Number): ${p.uid}`);
  if (p.extra !== undefined) lines.push(`    [${p.extra.length}] Header extra: ${hexPreview(p.extra)}`);
  lines.push(`    [${p.body.length}] Data`, `    UDP data: ${hexPreview(p.payload)}`);
  if (p.session) lines.push(...bodyLines(p.session, '    '));
  return lines.join('\n') + '\n';
}

/** The one-line text of a malformed datagram. */
export function formatMalformed(m: MalformedPacket): string {
  return `#${m.frame}  ${m.src} → ${m.dst}  malformed: ${m.reason}${m.detail ? ` (${m.detail})` : ''}, ${m.length} bytes: ${hexPreview(m.payload, 16)}\n`;
}

function openedJson(o: OpenedBody): Record<string, unknown> {
  if (o.decoded.ok) return { key: o.key, codec: o.decoded.value.codec, plain: o.plain, value: o.decoded.value.value };
  return { key: o.key, plain: o.plain, error: o.decoded.error.message };
}

/** One JSON line for a packet (fields for jq; Buffers as hex, bigints as strings). */
export function packetJson(p: DissectedPacket): string {
  const o: Record<string, unknown> = {
    frame: p.frame,
    time: p.time,
    src: p.src,
    dst: p.dst,
    framing: p.framing,
    table: p.table,
    direction: p.direction,
    flag: p.flag,
    version: p.version,
    command: p.command,
    commandName: p.meaning,
    wireshark: p.wireshark ?? null,
    seq: p.seq,
    uid: p.uid ?? null,
    length: p.length,
    udpLength: p.udpLength,
    frameLength: p.frameLength,
    role: p.role,
  };
  if (p.peerFrame !== undefined) o.peerFrame = p.peerFrame;
  if (p.replyMs !== undefined) o.replyMs = p.replyMs;
  if (p.extra !== undefined) o.extra = p.extra;
  o.data = p.body;
  if (p.session?.opened) o.body = openedJson(p.session.opened);
  if (p.session?.failure) o.bodyError = p.session.failure;
  if (p.session && p.session.notes.length > 0) o.notes = p.session.notes;
  return toJson(o) + '\n';
}

/** One JSON line for a malformed datagram. */
export function malformedJson(m: MalformedPacket): string {
  return toJson({ frame: m.frame, time: m.time, src: m.src, dst: m.dst, direction: m.direction, length: m.length, malformed: m.reason, detail: m.detail, hex: m.payload }) + '\n';
}

/** The summary as one JSON line: {"summary": …}. */
export function summaryJson(s: Summary, extra: Record<string, unknown> = {}): string {
  return toJson({ summary: { ...s, ...extra } }) + '\n';
}

// ---------------------------------------------------------------- summary text

function num(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(3);
}

function spread(s: Spread | null | undefined): string {
  return s ? `${num(s.min)}/${num(s.median)}/${num(s.max)}` : '-';
}

function exchanges(r: SummaryRow): string {
  const parts: string[] = [];
  if (r.direction === 'c2s') {
    if (r.requests) {
      let t = `${r.requests} req: ${r.answered} answered, ${r.unanswered} unanswered`;
      if (r.retransmitted) t += `, ${r.retransmitted} resent (${r.retransmissions} copies)`;
      if (r.replyMs) t += `; reply ms ${spread(r.replyMs)}`;
      parts.push(t);
    } else if (r.retransmissions) parts.push(`${r.retransmissions} resent copies`);
    if (r.acks) parts.push(`${r.acks} ack`);
    if (r.oneWay) parts.push(`${r.oneWay} one-way`);
  } else {
    if (r.replies) parts.push(`${r.replies} replies`);
    if (r.repeatedReplies) parts.push(`${r.repeatedReplies} repeated replies`);
    if (r.pushes) parts.push(r.pushesAcked || r.pushesUnacked ? `${r.pushes} push: ${r.pushesAcked} acked, ${r.pushesUnacked} unacked` : `${r.pushes} push`);
    if (r.repeatedPushes) parts.push(`${r.repeatedPushes} repeated pushes`);
  }
  return parts.join('; ');
}

function table(head: string[], rows: string[][], rightAligned: ReadonlySet<number>): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string =>
    r
      .map((c, i) => (i === r.length - 1 ? c : rightAligned.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n') + '\n';
}

/** The --summary report in text. */
export function formatSummary(s: Summary): string {
  const when = s.firstTime === null || s.lastTime === null ? '' : `, ${formatTime(Math.floor(s.firstTime), 0).slice(0, 19)} → ${formatTime(Math.floor(s.lastTime), 0).slice(0, 19)} UTC`;
  const reasons = Object.entries(s.malformedReasons)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const pr = s.pairing;
  const lines = [
    `summary: ${s.frames} frames, ${s.udp} UDP, ${s.oicq} OICQ packets, ${s.malformed} malformed${reasons ? ` (${reasons})` : ''}${when}`,
    `pairing: ${pr.requests} requests: ${pr.answered} answered, ${pr.unanswered} unanswered, ${pr.retransmitted} retransmitted (${pr.retransmissions} extra copies); reply ms min/median/max ${spread(pr.replyMs)}`,
    `         ${pr.replies} replies (${pr.repeatedReplies} repeated), ${pr.pushes} pushes, ${pr.acks} acks, ${pr.oneWay} one-way${pr.evicted ? `; ${pr.evicted} outstanding exchanges dropped early to bound memory` : ''}`,
    `medians: ${s.medians}`,
    '',
  ];
  const rows = s.rows.map((r) => [
    r.framing,
    r.direction === 'c2s' ? 'c→s' : 's→c',
    r.command === null ? 'other' : `${hex4(r.command)} ${r.name} (${r.command})`,
    r.wireshark ?? '-',
    String(r.count),
    spread(r.frame),
    spread(r.udp),
    spread(r.oicq),
    exchanges(r),
  ]);
  const head = ['framing', 'dir', 'command', 'Wireshark', 'count', 'frame min/med/max', 'UDP min/med/max', 'OICQ min/med/max', 'exchanges'];
  return lines.join('\n') + '\n' + (rows.length ? table(head, rows, new Set([4])) : 'no OICQ packets\n');
}

// ---------------------------------------------------------------- notices after the packets or the summary

/** What a dissection found beside the packets, as text lines: sessions (with passwords), OICQ off the selected ports, bad lengths. */
export function formatNotices(r: Pick<DissectResult, 'sessions' | 'sessionsUnlisted' | 'elsewhere' | 'overlong'>): string {
  const lines: string[] = [];
  if (r.sessions.length > 0) {
    lines.push('sessions of the users given with --password:');
    for (const s of r.sessions) lines.push(`  ${describeSession(s)}`);
    if (r.sessionsUnlisted > 0) lines.push(`  … and ${r.sessionsUnlisted} later logins (not listed)`);
  }
  if (r.elsewhere.length > 0) {
    const total = r.elsewhere.reduce((n, e) => n + e.count, 0);
    const where = r.elsewhere.map((e) => `port ${e.port}: ${e.count}`).join(', ');
    lines.push(`${total} UDP datagrams off the selected port(s) look like OICQ (${where}) — try --port ${r.elsewhere[0]!.port}, or --any-port`);
  }
  if (r.overlong.count > 0) {
    lines.push(`${r.overlong.count} frame(s) claim more captured bytes than their original length (first: frame #${r.overlong.firstFrame}) — the capture file is inconsistent; they were dissected as captured`);
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}
