// What bench/scale.ts and its generator processes (scale-gen.ts) say to each other over IPC.

/** Coordinator → generator. */
export type GenCommand =
  /** Bind one socket per uid, each to log in with the modern framing or the classic one (not timed). */
  | { type: 'open'; uids: number[]; modern: boolean[] }
  /** Log in the uids opened before, `window` at a time. */
  | { type: 'login'; uids: number[]; window: number }
  | { type: 'counters' }
  /** Until told `on: false`, also send one datagram of a keep-alive's size to `port` (a bare echo) per keep-alive sent. */
  | { type: 'echo'; port: number; on: boolean }
  | { type: 'chat'; pairs: number; rate: number; ms: number; warmupMs: number }
  | { type: 'exit' };

/** Generator → coordinator. */
export type GenReply =
  | { type: 'ready' }
  | { type: 'opened' }
  | { type: 'logged'; ok: number; failed: number; firstError?: string }
  | { type: 'counters'; keepAlivesFailed: number }
  | { type: 'chat'; sent: number; delivered: number; p50: number; p99: number; max: number; loopP99: number };

/** The shared password of every scale account. */
export const SCALE_PASSWORD = 'scale-pw';
