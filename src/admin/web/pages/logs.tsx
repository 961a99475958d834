// Live log tail: new lines every second, filtered by level and uid.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import type { LogEntry } from '../../log-ring.js';

type Line = LogEntry;

const LEVELS = ['debug', 'info', 'warn', 'error'];

export function Logs() {
  const [level, setLevel] = useState('info');
  const [uid, setUid] = useState('');
  const [lines, setLines] = useState<Line[]>([]);
  const [error, setError] = useState<string | null>(null);
  const after = useRef(0);
  useEffect(() => {
    after.current = 0;
    setLines([]);
    let live = true;
    const poll = async () => {
      const q = new URLSearchParams({ level, after: String(after.current) });
      if (/^\d+$/.test(uid)) q.set('uid', uid);
      try {
        const got = await api<Line[]>('GET', `/api/logs?${q}`);
        if (!live || got.length === 0) return;
        after.current = got.at(-1)!.seq;
        setLines((old) => [...old, ...got].slice(-1000));
        setError(null);
      } catch (e) {
        if (live) setError((e as Error).message);
      }
    };
    poll();
    const t = setInterval(poll, 1000);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [level, uid]);
  return (
    <section>
      <h2>Log</h2>
      <div class="inline">
        <select id="log-level" value={level} onChange={(e) => setLevel(e.currentTarget.value)}>
          {LEVELS.map((l) => <option value={l}>{l} and above</option>)}
        </select>
        <input id="log-uid" placeholder="uid" value={uid} onInput={(e) => setUid(e.currentTarget.value)} />
      </div>
      <pre id="log" class="log">
        {lines.map((l) => (
          <div class={`lvl-${l.level}`}>
            {l.time.slice(11, 23)} {l.level.padEnd(5)} {l.msg}
            {l.uid !== undefined ? ` uid=${l.uid}` : ''} {Object.entries(l.fields).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(' ')}
          </div>
        ))}
      </pre>
      {error && <p class="error">{error}</p>}
    </section>
  );
}
