// Accounts: the list with an add form, and one user's page (profile, friends, groups, pending messages,
// login history, locks; ban/unban, unlock).
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { usePoll, when } from '../hooks.js';
import type { userList, userShow } from '../../commands/users.js';

type UserRow = ReturnType<typeof userList.run>[number];

export function Users() {
  const { data, error, reload } = usePoll(() => api<UserRow[]>('GET', '/api/users'), 0);
  const [nick, setNick] = useState('');
  const [password, setPassword] = useState('');
  const [note, setNote] = useState<string | null>(null);
  const add = async (e: Event) => {
    e.preventDefault();
    try {
      const r = await api<{ uid: number }>('POST', '/api/users', { password, nick: nick || undefined });
      setNote(`added ${r.uid}`);
      setPassword('');
      setNick('');
      reload();
    } catch (err) {
      setNote((err as Error).message);
    }
  };
  return (
    <section>
      <h2>Users ({data?.length ?? '…'})</h2>
      <form class="inline" onSubmit={add}>
        <input placeholder="nick" value={nick} onInput={(e) => setNick(e.currentTarget.value)} />
        <input placeholder="password" type="password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        <button type="submit">Add user</button>
        {note && <span class="note">{note}</span>}
      </form>
      <table>
        <thead>
          <tr><th>uid</th><th>nick</th><th>friends</th><th>created</th><th>online</th><th>banned</th></tr>
        </thead>
        <tbody>
          {(data ?? []).map((u) => (
            <tr>
              <td><a href={`#/users/${u.uid}`}>{u.uid}</a></td>
              <td>{u.nick}</td>
              <td>{u.friends}</td>
              <td>{when(u.createdAt, 's')}</td>
              <td>{u.online ? 'yes' : ''}</td>
              <td>{u.banned ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {error && <p class="error">{error}</p>}
    </section>
  );
}

type UserInfo = ReturnType<typeof userShow.run>;

export function UserPage({ uid }: { uid: number }) {
  const { data: u, error, reload } = usePoll(() => api<UserInfo>('GET', `/api/users/${uid}`), 3000, [uid]);
  const [reason, setReason] = useState('');
  const [note, setNote] = useState<string | null>(null);
  const act = async (method: string, path: string, body?: unknown) => {
    try {
      await api(method, path, body);
      setNote('done');
    } catch (e) {
      setNote((e as Error).message);
    }
    reload();
  };
  if (!u) return <section>{error ? <p class="error">{error}</p> : <p>loading…</p>}</section>;
  return (
    <section>
      <h2>
        {u.nick} <span class="muted">({u.uid})</span>
      </h2>
      <p>
        created {when(u.createdAt, 's')} · face {u.face} · age {u.age} · gender {u.gender === 0 ? 'male' : u.gender === 1 ? 'female' : 'unknown'}
      </p>
      <p id="user-session">
        {u.session ? (
          <>
            online from {u.session.address} ({u.session.framing} {u.session.clientTag}, {u.session.status}) since {when(u.session.loginTime)}{' '}
            <button class="danger" onClick={() => act('POST', `/api/sessions/${uid}/kick`, {})}>kick</button>
          </>
        ) : (
          'offline'
        )}
      </p>
      <div class="inline">
        {u.ban ? (
          <>
            <span class="error">banned: {u.ban.reason}</span>
            <button onClick={() => act('DELETE', `/api/users/${uid}/ban`)}>Unban</button>
          </>
        ) : (
          <>
            <input placeholder="ban reason" value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
            <button class="danger" onClick={() => act('POST', `/api/users/${uid}/ban`, { reason })}>Ban</button>
          </>
        )}
        {note && <span class="note">{note}</span>}
      </div>
      <div class="columns">
        <div>
          <h3>Friends ({u.friends.length})</h3>
          <ul>
            {u.friends.map((f) => (
              <li><a href={`#/users/${f.uid}`}>{f.uid}</a> {f.nick} <span class="muted">— {f.groupName}</span></li>
            ))}
          </ul>
          <h3>Groups</h3>
          <ul>{u.groups.map((g) => <li>{g.index} {g.name}</li>)}</ul>
        </div>
        <div>
          <h3>Pending messages ({u.pending.count})</h3>
          <ul>
            {u.pending.messages.map((m) => (
              <li>from {m.sender} at {when(m.sentAt, 's')} ({m.fragment}): {m.text}</li>
            ))}
          </ul>
          <h3>Login history</h3>
          <ul>
            {(u.logins ?? []).map((l) => (
              <li>{l.time.replace('T', ' ').slice(0, 19)} {l.event} {l.from ?? ''} <span class="muted">{l.detail ?? ''}</span></li>
            ))}
          </ul>
          <h3>Locks</h3>
          {(u.locks ?? []).length === 0 ? (
            <p class="muted">none</p>
          ) : (
            <p>
              locked until {when(u.locks![0]!.until)} <button onClick={() => act('POST', '/api/locks/unlock', { uid })}>Unlock</button>
            </p>
          )}
        </div>
      </div>
    </section>
  );
}
