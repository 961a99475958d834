// Who is online: sortable, filterable, with a kick button per row.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { usePoll, when } from '../hooks.js';
import type { sessionRow } from '../../commands/sessions.js';
import type { LoginLock } from '../../../server/login-guard.js';

type Row = ReturnType<typeof sessionRow>;

const COLUMNS: [keyof Row, string][] = [
  ['uid', 'uid'], ['nick', 'nick'], ['address', 'address'], ['framing', 'framing'], ['clientTag', 'client'], ['status', 'status'],
  ['loginTime', 'login'], ['lastHeard', 'last heard'], ['packetsIn', 'pkts in'], ['bytesIn', 'bytes in'], ['packetsOut', 'pkts out'],
  ['bytesOut', 'bytes out'], ['retransmits', 'retrans.'], ['pendingPushes', 'pending'],
];

export function Sessions() {
  const { data, error, reload } = usePoll(() => api<Row[]>('GET', '/api/sessions'), 1000);
  const [sort, setSort] = useState<{ key: keyof Row; desc: boolean }>({ key: 'uid', desc: false });
  const [filter, setFilter] = useState('');
  const [note, setNote] = useState<string | null>(null);
  const kick = async (uid: number) => {
    try {
      await api('POST', `/api/sessions/${uid}/kick`, {});
      setNote(`kicked ${uid}`);
    } catch (e) {
      setNote((e as Error).message);
    }
    reload();
  };
  const f = filter.trim().toLowerCase();
  const rows = (data ?? [])
    .filter((r) => !f || COLUMNS.some(([k]) => String(r[k]).toLowerCase().includes(f)))
    .sort((a, b) => {
      const x = a[sort.key];
      const y = b[sort.key];
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return sort.desc ? -c : c;
    });
  return (
    <section>
      <h2>Sessions ({data?.length ?? '…'})</h2>
      <input id="session-filter" placeholder="filter: uid, nick, address, framing…" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
      {note && <p class="note">{note}</p>}
      <table id="sessions">
        <thead>
          <tr>
            {COLUMNS.map(([k, label]) => (
              <th onClick={() => setSort({ key: k, desc: sort.key === k ? !sort.desc : false })} class="sortable">
                {label}
                {sort.key === k ? (sort.desc ? ' ▼' : ' ▲') : ''}
              </th>
            ))}
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr data-uid={r.uid}>
              {COLUMNS.map(([k]) => (
                <td>
                  {k === 'uid' ? <a href={`#/users/${r.uid}`}>{r.uid}</a> : k === 'loginTime' || k === 'lastHeard' ? when(r[k]) : String(r[k])}
                </td>
              ))}
              <td>
                <button class="danger kick" onClick={() => kick(r.uid)}>
                  kick
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length === 0 && <p class="muted">nobody online{f ? ' matches the filter' : ''}</p>}
      {error && <p class="error">{error}</p>}
      <Locks />
    </section>
  );
}

type Lock = LoginLock;

/** Login cool-downs now in force, each with an unlock button. */
function Locks() {
  const { data, reload } = usePoll(() => api<Lock[]>('GET', '/api/locks'), 2000);
  const unlock = async (l: Lock) => {
    await api('POST', '/api/locks/unlock', l.kind === 'address' ? { address: l.address } : { uid: l.uid }).catch(() => undefined);
    reload();
  };
  return (
    <>
      <h3>Login locks ({data?.length ?? '…'})</h3>
      {(data ?? []).length === 0 ? (
        <p class="muted">none: no uid or address is in a cool-down</p>
      ) : (
        <table id="locks">
          <thead>
            <tr><th>locked</th><th>until</th><th /></tr>
          </thead>
          <tbody>
            {data!.map((l) => (
              <tr>
                <td>
                  {l.kind === 'address' ? `address ${l.address}` : <a href={`#/users/${l.uid}`}>uid {l.uid}</a>}
                  {l.kind === 'pair' ? ` from ${l.address}` : ''}
                </td>
                <td>{when(l.until)}</td>
                <td><button onClick={() => unlock(l)}>unlock</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
