import type { DecodeError } from '../protocol/errors.js';
import { REFUSALS, type Refusal } from './mailbox-policy.js';

/** Why the server dropped a datagram; every drop is counted under one of these. */
export const DROP_REASONS = [
  'too_short',
  'bad_tag',
  'bad_tail',
  'oversize',
  'undecryptable',
  'bad_body',
  'unknown_command',
  'unsupported_version',
  'no_session',
  'wrong_address',
  'rate_limited',
  'login_refused',
  'unexpected',
] as const;
/** A DROP_REASONS value. */
export type DropReason = (typeof DROP_REASONS)[number];

/** How a datagram that decodePacket refused is counted (its reason is one of the envelope's). */
export function packetDropReason(e: DecodeError): DropReason {
  const r = e.reason;
  return r === 'too_short' || r === 'bad_tag' || r === 'bad_tail' || r === 'oversize' ? r : 'bad_body';
}

/** How a body that did not open or decode is counted: undecryptable, or else a bad body. */
export function bodyDropReason(e: DecodeError): DropReason {
  return e.reason === 'undecryptable' ? 'undecryptable' : 'bad_body';
}

/** Timings the core reports when someone listens (the operator console's histograms); times in ms, durations in s. */
export interface Timings {
  /** A message was committed with store id `id` at `atMs`. */
  stored(id: number, atMs: number): void;
  /** The receiver acked the message with store id `id` at `atMs`. */
  delivered(id: number, atMs: number): void;
  /** The receiver acked a message delivered unstored (HeldSends) this long after it was submitted. */
  deliveredIn(ms: number): void;
  /** One group commit of messages took this long. */
  storeCommit(seconds: number): void;
}

/** Counters kept by the server, for logs, tests and a metrics endpoint. */
export class Metrics {
  /** Set by the admin metrics; unset, the core measures nothing extra. */
  timings?: Timings;
  readonly dropped = Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>;
  /** Sends refused by the mailbox policy, by reason. */
  readonly sendsRefused = Object.fromEntries(REFUSALS.map((r) => [r, 0])) as Record<Refusal, number>;
  received = 0;
  sent = 0;
  duplicates = 0;
  loginsOk = 0;
  loginsFailed = 0;
  logouts = 0;
  timeouts = 0;
  messagesStored = 0;
  /** Messages acked by their online receiver within the ack hold, so never written to the store. */
  messagesUnstored = 0;
  messagesDelivered = 0;
  /** Message pushes sent, first sends and re-sends (a message acked on its first push counts 1). */
  pushesSent = 0;
  pushRetransmits = 0;
  /** Pushes given up because the receiver fell silent (they go out again when it sends something). */
  pushesGivenUp = 0;
  /** Pushes re-sent under a fresh server sequence after going unacked under the old one. */
  pushFreshSeqs = 0;

  /** Counts one dropped datagram. */
  drop(reason: DropReason): void {
    this.dropped[reason]++;
  }

  /** Total datagrams dropped for any reason. */
  get droppedTotal(): number {
    return Object.values(this.dropped).reduce((a, b) => a + b, 0);
  }

  /** A plain snapshot (JSON-able). */
  snapshot(): Record<string, unknown> {
    const { dropped, sendsRefused, timings: _timings, ...rest } = this;
    return { ...rest, dropped: { ...dropped }, droppedTotal: this.droppedTotal, sendsRefused: { ...sendsRefused } };
  }
}
