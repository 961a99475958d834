/** Why the server dropped a datagram; every drop is counted under one of these. */
export type DropReason =
  | 'too_short'
  | 'bad_tag'
  | 'bad_tail'
  | 'oversize'
  | 'undecryptable'
  | 'bad_body'
  | 'unknown_command'
  | 'unsupported_version'
  | 'no_session'
  | 'wrong_address'
  | 'rate_limited'
  | 'login_refused'
  | 'unexpected';

/** Counters kept by the server, for logs, tests and a metrics endpoint. */
export class Metrics {
  readonly dropped: Record<DropReason, number> = {
    too_short: 0, bad_tag: 0, bad_tail: 0, oversize: 0, undecryptable: 0, bad_body: 0,
    unknown_command: 0, unsupported_version: 0, no_session: 0, wrong_address: 0, rate_limited: 0, login_refused: 0, unexpected: 0,
  };
  received = 0;
  sent = 0;
  duplicates = 0;
  loginsOk = 0;
  loginsFailed = 0;
  logouts = 0;
  timeouts = 0;
  messagesStored = 0;
  messagesDelivered = 0;
  pushRetransmits = 0;
  pushesGivenUp = 0;

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
    const { dropped, ...rest } = this;
    return { ...rest, dropped: { ...dropped }, droppedTotal: this.droppedTotal };
  }
}
