// The --summary aggregates: per (framing, command, direction) row, the packet count, length spreads and
// the request↔reply / push↔ack bookkeeping, kept in constant memory (bounded rows, bounded samples, a
// bounded table of outstanding exchanges). Fed one packet at a time with numbers only.
import { codesOfKind, commandMeaning, wiresharkName } from '../protocol/commands.js';
import type { Direction, Framing } from '../protocol/framing.js';
import { PairTable, PUSH_ACKED, PUSH_NOACK, PUSH_PENDING, REQ_ANSWERED, REQ_PENDING } from './pair-table.js';
import { MEDIAN_METHOD, Reservoir, Reservoir3, type Spread } from './reservoir.js';
import { C2S } from './select.js';

/** What a packet turned out to be in its exchange. */
export const Role = {
  REQUEST: 1,
  /** A client packet with the key of a request seen recently (a resend). */
  RETRANSMISSION: 2,
  REPLY: 3,
  /** A server packet answering a request that was already answered (the server's answer to a resend). */
  REPEATED_REPLY: 4,
  /** A server packet that answers no request (0x0081, 0x0017/0x00CE, 0x0080…). */
  PUSH: 5,
  /** A server push seen again with the same key. */
  REPEATED_PUSH: 6,
  /** A client packet acknowledging a push (same command and sequence), or an ack-only command. */
  ACK: 7,
  /** A client packet that expects no reply (logout). */
  ONE_WAY: 8,
} as const;
/** A Role value. */
export type RoleCode = (typeof Role)[keyof typeof Role];

/** Role names for reports, by code. */
export const ROLE_NAMES: Readonly<Record<RoleCode, string>> = {
  1: 'request',
  2: 'retransmission',
  3: 'reply',
  4: 'repeated reply',
  5: 'push',
  6: 'repeated push',
  7: 'ack',
  8: 'one-way',
};

/** Framing as a number on the hot path: 0 classic, 1 modern. */
export type FramingCode = 0 | 1;

// Client packets that only acknowledge a push (the table's `ack` rows) and ones that expect nothing back
// (its `oneWay` rows), by framing code.
const ACK_ONLY: readonly ReadonlySet<number>[] = [new Set(codesOfKind('classic', 'ack')), new Set(codesOfKind('modern', 'ack'))];
const ONE_WAY: readonly ReadonlySet<number>[] = [new Set(codesOfKind('classic', 'oneWay')), new Set(codesOfKind('modern', 'oneWay'))];

/** Rows for distinct commands at most; further unknown codes share one "other" row per framing and direction. */
export const MAX_ROWS = 512;

class Row {
  count = 0;
  readonly lengths = new Reservoir3();
  readonly replyMs = new Reservoir();
  requests = 0;
  retransmitted = 0;
  retransmissions = 0;
  answered = 0;
  unanswered = 0;
  oneWay = 0;
  acks = 0;
  replies = 0;
  repeatedReplies = 0;
  pushes = 0;
  repeatedPushes = 0;
  pushesAcked = 0;
  pushesUnacked = 0;

  constructor(
    readonly framing: FramingCode,
    readonly dir: number,
    /** -1 for the overflow row. */
    readonly command: number,
  ) {}
}

/** One row of the summary: a command in one framing and direction. */
export interface SummaryRow {
  framing: Framing;
  direction: Direction;
  /** The command code, or null for the row that collects codes beyond MAX_ROWS. */
  command: number | null;
  name: string;
  wireshark: string | null;
  count: number;
  frame: Spread | null;
  udp: Spread | null;
  oicq: Spread | null;
  /** Client rows: requests (first copies), how many were answered or not, resent ones, one-way and ack packets. */
  requests?: number;
  answered?: number;
  unanswered?: number;
  retransmitted?: number;
  retransmissions?: number;
  oneWay?: number;
  acks?: number;
  /** Reply time of this row's requests (first copy → first reply), ms. */
  replyMs?: Spread | null;
  /** Server rows: replies, replies repeated for resent requests, pushes and their acks. */
  replies?: number;
  repeatedReplies?: number;
  pushes?: number;
  repeatedPushes?: number;
  pushesAcked?: number;
  pushesUnacked?: number;
}

/** Totals of the pairing over all rows. */
export interface PairingTotals {
  requests: number;
  answered: number;
  unanswered: number;
  retransmitted: number;
  retransmissions: number;
  replies: number;
  repeatedReplies: number;
  pushes: number;
  acks: number;
  oneWay: number;
  replyMs: Spread | null;
  /** Outstanding exchanges dropped early to keep the table bounded (counted as unanswered / unacked). */
  evicted: number;
}

/** The whole summary (JSON-safe). */
export interface Summary {
  frames: number;
  udp: number;
  oicq: number;
  malformed: number;
  malformedReasons: Record<string, number>;
  /** Capture time of the first and last OICQ packet (seconds since the epoch), null when none. */
  firstTime: number | null;
  lastTime: number | null;
  medians: string;
  pairing: PairingTotals;
  rows: SummaryRow[];
}

/**
 * Accumulates the summary. `packet` classifies each packet (return value) and, for replies, acks and
 * resends, leaves the matched packet's frame in `peerFrame` and the reply time in `peerMs`.
 */
export class SummaryBuilder {
  frames = 0;
  udp = 0;
  oicq = 0;
  malformed = 0;
  /** Frame index of the request a reply / resend answers, or of the push an ack acknowledges (0 = none). */
  peerFrame = 0;
  /** Reply time in ms for REPLY and REPEATED_REPLY (from the request's first copy). */
  peerMs = 0;
  private readonly reasons = new Map<string, number>();
  private readonly rows: Row[] = [];
  private readonly rowIndex = new Uint16Array(1 << 18);
  private readonly table: PairTable;
  private readonly totalReply = new Reservoir();
  private first = NaN;
  private last = NaN;

  constructor(options: { slots?: number; windowMs?: number } = {}) {
    this.table = new PairTable(options.slots, options.windowMs, (state, row) => this.onEvict(state, row));
  }

  private onEvict(state: number, row: number): void {
    const r = this.rows[row]!;
    if (state === REQ_PENDING) r.unanswered++;
    else if (state === PUSH_PENDING) r.pushesUnacked++;
  }

  private rowFor(framing: FramingCode, dir: number, command: number): number {
    const idx = (framing << 17) | ((dir - 1) << 16) | command;
    const at = this.rowIndex[idx]!;
    if (at !== 0) return at - 1;
    let id: number;
    if (this.rows.length < MAX_ROWS) {
      id = this.rows.length;
      this.rows.push(new Row(framing, dir, command));
    } else {
      id = this.rows.findIndex((r) => r.command === -1 && r.framing === framing && r.dir === dir);
      if (id < 0) {
        id = this.rows.length;
        this.rows.push(new Row(framing, dir, -1));
      }
    }
    this.rowIndex[idx] = id + 1;
    return id;
  }

  /** Counts a datagram on the OICQ port that is not a well-formed packet. */
  malformedPacket(reason: string): void {
    this.malformed++;
    this.reasons.set(reason, (this.reasons.get(reason) ?? 0) + 1);
  }

  /**
   * Adds one well-formed packet. `who` identifies the client side of the exchange (a safe integer: the
   * caller derives it from the uid for modern packets and from the client endpoint for classic ones, whose
   * server packets carry no uid, keeping the two apart); `t` is in ms.
   */
  packet(framing: FramingCode, dir: number, command: number, seq: number, who: number, t: number, frame: number, frameLen: number, udpLen: number, oicqLen: number): RoleCode {
    this.oicq++;
    if (this.oicq === 1) this.first = t;
    this.last = t;
    const rowId = this.rowFor(framing, dir, command);
    const row = this.rows[rowId]!;
    row.count++;
    row.lengths.add(frameLen, udpLen, oicqLen);
    const table = this.table;
    const k2 = command * 65536 + seq;
    const slot = table.find(who, k2);
    this.peerFrame = 0;
    if (slot >= 0) {
      const role = this.match(slot, dir, row, t, oicqLen);
      if (role !== 0) return role;
      // Not part of that exchange (too old, or a different request under a reused key): close it.
      this.onEvict(table.state[slot]!, table.row[slot]!);
    }
    let role: RoleCode;
    let state: number;
    if (dir === C2S) {
      if (ACK_ONLY[framing]!.has(command)) {
        row.acks++;
        role = Role.ACK;
        state = PUSH_ACKED;
      } else if (ONE_WAY[framing]!.has(command)) {
        row.oneWay++;
        role = Role.ONE_WAY;
        state = REQ_ANSWERED;
      } else {
        row.requests++;
        role = Role.REQUEST;
        state = REQ_PENDING;
      }
    } else {
      row.pushes++;
      role = Role.PUSH;
      state = ACK_ONLY[framing]!.has(command) ? PUSH_PENDING : PUSH_NOACK;
    }
    if (slot >= 0) table.reset(slot, state, t, frame, rowId, oicqLen);
    else table.insert(who, k2, state, t, frame, rowId, oicqLen);
    return role;
  }

  // A packet whose key is in the table: its role in that exchange, or 0 when it starts a new one.
  private match(slot: number, dir: number, row: Row, t: number, oicqLen: number): RoleCode | 0 {
    const table = this.table;
    const state = table.state[slot]!;
    const t0 = table.t0[slot]!;
    if (t - t0 > table.windowMs) return 0;
    const isPush = state === PUSH_PENDING || state === PUSH_ACKED || state === PUSH_NOACK;
    if (dir === C2S) {
      if (isPush) {
        if (state !== PUSH_ACKED) {
          this.rows[table.row[slot]!]!.pushesAcked++;
          table.state[slot] = PUSH_ACKED;
        }
        row.acks++;
        this.peerFrame = table.frame[slot]!;
        return Role.ACK;
      }
      if (table.len[slot] !== oicqLen) return 0; // a resend carries the same bytes
      const copies = table.copies[slot]! < 0xffff ? ++table.copies[slot]! : 0xffff;
      if (copies === 2) this.rows[table.row[slot]!]!.retransmitted++;
      row.retransmissions++;
      this.peerFrame = table.frame[slot]!;
      return Role.RETRANSMISSION;
    }
    this.peerFrame = table.frame[slot]!;
    if (state === REQ_PENDING) {
      table.state[slot] = REQ_ANSWERED;
      const ms = t - t0;
      const reqRow = this.rows[table.row[slot]!]!;
      reqRow.answered++;
      reqRow.replyMs.add(ms);
      this.totalReply.add(ms);
      row.replies++;
      this.peerMs = ms;
      return Role.REPLY;
    }
    if (state === REQ_ANSWERED) {
      row.repeatedReplies++;
      this.peerMs = t - t0;
      return Role.REPEATED_REPLY;
    }
    if (table.len[slot] !== oicqLen) {
      this.peerFrame = 0;
      return 0;
    }
    if (table.copies[slot]! < 0xffff) table.copies[slot]!++;
    row.repeatedPushes++;
    return Role.REPEATED_PUSH;
  }

  /** Closes the outstanding exchanges and returns the summary. The builder is spent afterwards. */
  finish(): Summary {
    this.table.drain();
    const rows = this.rows
      .slice()
      .sort((a, b) => a.framing - b.framing || (a.command === -1 ? 1 : b.command === -1 ? -1 : a.command - b.command) || a.dir - b.dir)
      .map((r) => this.rowSummary(r));
    const t: PairingTotals = {
      requests: 0,
      answered: 0,
      unanswered: 0,
      retransmitted: 0,
      retransmissions: 0,
      replies: 0,
      repeatedReplies: 0,
      pushes: 0,
      acks: 0,
      oneWay: 0,
      replyMs: this.totalReply.spread(),
      evicted: this.table.evicted,
    };
    for (const r of this.rows) {
      t.requests += r.requests;
      t.answered += r.answered;
      t.unanswered += r.unanswered;
      t.retransmitted += r.retransmitted;
      t.retransmissions += r.retransmissions;
      t.replies += r.replies;
      t.repeatedReplies += r.repeatedReplies;
      t.pushes += r.pushes;
      t.acks += r.acks;
      t.oneWay += r.oneWay;
    }
    return {
      frames: this.frames,
      udp: this.udp,
      oicq: this.oicq,
      malformed: this.malformed,
      malformedReasons: Object.fromEntries(this.reasons),
      firstTime: Number.isNaN(this.first) ? null : this.first / 1000,
      lastTime: Number.isNaN(this.last) ? null : this.last / 1000,
      medians: MEDIAN_METHOD,
      pairing: t,
      rows,
    };
  }

  private rowSummary(r: Row): SummaryRow {
    const framing: Framing = r.framing === 0 ? 'classic' : 'modern';
    const base: SummaryRow = {
      framing,
      direction: r.dir === C2S ? 'c2s' : 's2c',
      command: r.command < 0 ? null : r.command,
      name: r.command < 0 ? `other commands (beyond ${MAX_ROWS} rows)` : commandMeaning(r.command, framing),
      wireshark: r.command < 0 ? null : (wiresharkName(r.command) ?? null),
      count: r.count,
      frame: r.lengths.spread(0),
      udp: r.lengths.spread(1),
      oicq: r.lengths.spread(2),
    };
    if (r.dir === C2S) {
      return {
        ...base,
        requests: r.requests,
        answered: r.answered,
        unanswered: r.unanswered,
        retransmitted: r.retransmitted,
        retransmissions: r.retransmissions,
        oneWay: r.oneWay,
        acks: r.acks,
        replyMs: r.replyMs.spread(),
      };
    }
    return { ...base, replies: r.replies, repeatedReplies: r.repeatedReplies, pushes: r.pushes, repeatedPushes: r.repeatedPushes, pushesAcked: r.pushesAcked, pushesUnacked: r.pushesUnacked };
  }
}
