// Dropped datagrams by reason, each with its last few datagrams in hex.
import { api } from '../api.js';
import { usePoll, when } from '../hooks.js';

interface Drop {
  reason: string;
  count: number;
  last: { at: number; from: string; command?: string; uid?: number; hex: string }[];
}

/** Hex in groups of 16 bytes, offset first. */
export function hexLines(hex: string): string {
  const out: string[] = [];
  for (let i = 0; i < hex.length; i += 32) {
    const row = hex.slice(i, i + 32).match(/../g) ?? [];
    out.push(`${(i / 2).toString(16).padStart(4, '0')}  ${row.join(' ')}`);
  }
  return out.join('\n');
}

export function Drops() {
  const { data, error } = usePoll(() => api<Drop[]>('GET', '/api/drops'), 2000);
  const total = (data ?? []).reduce((a, d) => a + d.count, 0);
  return (
    <section>
      <h2>Drops ({total})</h2>
      <table id="drops">
        <thead>
          <tr><th>reason</th><th>count</th><th>last datagrams</th></tr>
        </thead>
        <tbody>
          {(data ?? []).map((d) => (
            <tr class={d.count ? '' : 'muted'} data-reason={d.reason}>
              <td>{d.reason}</td>
              <td>{d.count}</td>
              <td>
                {d.last.map((x) => (
                  <details>
                    <summary>{when(x.at)} from {x.from} {x.command ?? ''} {x.uid ? `uid ${x.uid}` : ''} ({x.hex.length / 2} bytes)</summary>
                    <pre class="hex">{hexLines(x.hex)}</pre>
                  </details>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {error && <p class="error">{error}</p>}
    </section>
  );
}
