// Polling hook: calls `load` now and every `ms`, keeps the last value and error.
import { useEffect, useState, useCallback } from 'preact/hooks';

export function usePoll<T>(load: () => Promise<T>, ms: number, deps: unknown[] = []): { data: T | undefined; error: string | null; reload: () => void } {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    let live = true;
    const run = () =>
      load().then(
        (v) => live && (setData(v), setError(null)),
        (e: Error) => live && setError(e.message),
      );
    run();
    const timer = ms > 0 ? setInterval(run, ms) : undefined;
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [...deps, tick]);
  return { data, error, reload };
}

/** Seconds or ms since the epoch as local 'YYYY-MM-DD HH:MM:SS'. */
export function when(t: number, unit: 's' | 'ms' = 'ms'): string {
  const d = new Date(unit === 's' ? t * 1000 : t);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
