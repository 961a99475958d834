import type { Logger } from 'pino';
import type { Clock } from '../transport/clock.js';
import type { RandomSource } from '../protocol/random.js';
import type { Packet } from '../protocol/framing.js';
import type { Store } from '../store/store.js';
import type { Hub } from './hub.js';
import type { LoginGuard } from './login-guard.js';
import type { DropReason, Metrics } from './metrics.js';
import type { Endpoint, Session } from './session.js';
import type { TokenSource } from './login-token.js';
import type { CutTexts } from './cut-text.js';

/** What a framing's handler gets from the server: the core, the store, and a way to send. */
export interface ServerContext {
  readonly hub: Hub;
  readonly store: Store;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly metrics: Metrics;
  readonly guard: LoginGuard;
  readonly log: Logger;
  /** Issues and checks the login-chain tokens (stateless HMAC tokens unless a test injects fixed ones). */
  readonly tokens: TokenSource;
  /** Texts of message fragments cut inside a character, read with what the fragment before left over. */
  readonly cutTexts: CutTexts;
  /** The server's own IPv4 address as clients should see it (for login replies). */
  readonly serverIp: string;
  readonly serverPort: () => number;
  /**
   * Sends a datagram (after the configured reply delay, if any). `session`: the session it goes to, when the
   * caller has it (the console's traffic view then counts it there without a lookup by endpoint).
   */
  send(bytes: Buffer, to: Endpoint, session?: Session): void;
  /** Counts a dropped datagram and logs it at debug level. */
  drop(reason: DropReason, from: Endpoint, packet?: Packet): void;
}

/** One framing's request handling (classic or modern); the socket loop hands it every packet of that framing. */
export interface FramingHandler {
  handle(packet: Packet, from: Endpoint): void;
}
