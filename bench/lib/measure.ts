import { performance } from 'node:perf_hooks';

/** Options for measure(): how long to warm up and how long to time. */
export interface MeasureOptions {
  /** Minimum timed duration in milliseconds (default 1000). */
  minMs?: number;
  /** Untimed warm-up duration in milliseconds, so the JIT has settled (default 200). */
  warmupMs?: number;
}

/** Result of measure(): how many calls ran in how long. */
export interface Measurement {
  ops: number;
  ms: number;
  /** Calls per second. */
  opsPerSec: number;
}

/** Keeps results reachable so the JIT cannot drop the work that produced them. */
let sink: unknown;

/** Returns the last value a measured function produced (lets a caller check the bench did real work). */
export function lastResult(): unknown {
  return sink;
}

// Runs fn in batches whose size grows until a batch takes ≥ ~10 ms, so the clock is read rarely.
function runFor(fn: () => unknown, minMs: number): Measurement {
  let batch = 1;
  let ops = 0;
  let ms = 0;
  while (ms < minMs) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) sink = fn();
    const dt = performance.now() - t0;
    ops += batch;
    ms += dt;
    if (dt < 10) batch *= 2;
  }
  return { ops, ms, opsPerSec: (ops * 1000) / ms };
}

/** Times `fn` (after a warm-up) for at least `minMs` milliseconds and reports calls per second. */
export function measure(fn: () => unknown, opts: MeasureOptions = {}): Measurement {
  const { minMs = 1000, warmupMs = 200 } = opts;
  if (warmupMs > 0) runFor(fn, warmupMs);
  return runFor(fn, minMs);
}

/** Megabytes (1e6 bytes) per second for a measurement whose every call processed `bytesPerOp` bytes. */
export function mbPerSec(m: Measurement, bytesPerOp: number): number {
  return (m.opsPerSec * bytesPerOp) / 1e6;
}
