// What bench/scale.ts and its generator processes (scale-gen.ts) say to each other over IPC.

/** Coordinator → generator. */
export type GenCommand =
  | { type: 'login'; uids: number[]; modern: boolean[]; window: number }
  | { type: 'counters' }
  /** Until told `on: false`, also send one datagram of a keep-alive's size to `port` (a bare echo) per keep-alive sent. */
  | { type: 'echo'; port: number; on: boolean }
  | { type: 'chat'; pairs: number; rate: number; ms: number; warmupMs: number }
  | { type: 'exit' };

/** Generator → coordinator. */
export type GenReply =
  | { type: 'ready' }
  | { type: 'logged'; ok: number; failed: number; firstError?: string }
  | { type: 'counters'; keepAlivesFailed: number }
  | { type: 'chat'; sent: number; delivered: number; p50: number; p99: number; max: number; loopP99: number };

/** The shared password of every scale account. */
export const SCALE_PASSWORD = 'scale-pw';
