// The operator console: a token login, then hash-routed pages over the admin API. /signup is the public
// signup page (only when the server runs with --open-registration).
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { api, ApiError, setToken, token } from './api.js';
import { Dashboard } from './pages/dashboard.js';
import { Sessions } from './pages/sessions.js';
import { Users, UserPage } from './pages/users.js';
import { Drops } from './pages/drops.js';
import { Logs } from './pages/logs.js';
import { Signup } from './pages/signup.js';
import { Inspector } from './pages/inspector.js';

const PAGES: [string, string][] = [
  ['dashboard', 'Dashboard'],
  ['sessions', 'Sessions'],
  ['users', 'Users'],
  ['drops', 'Drops'],
  ['logs', 'Log'],
  ['inspector', 'Inspector'],
];

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

function Login({ onDone }: { onDone: () => void }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setToken(value.trim());
    try {
      await api('GET', '/api/server');
      onDone();
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? 'wrong token — use the one oicq serve printed at start' : (err as Error).message);
    }
  };
  return (
    <form class="login" onSubmit={submit}>
      <h1>oicq console</h1>
      <label>
        Admin token
        <input id="token" type="password" autocomplete="off" value={value} onInput={(e) => setValue(e.currentTarget.value)} />
      </label>
      <button type="submit">Log in</button>
      {error && <p class="error">{error}</p>}
      <p class="hint">The token is printed by <code>oicq serve</code> at start (or set with --admin-token).</p>
    </form>
  );
}

function Page({ route }: { route: string[] }) {
  switch (route[0]) {
    case 'sessions':
      return <Sessions />;
    case 'users':
      return route[1] ? <UserPage uid={Number(route[1])} /> : <Users />;
    case 'drops':
      return <Drops />;
    case 'logs':
      return <Logs />;
    case 'inspector':
      return <Inspector />;
    default:
      return <Dashboard />;
  }
}

function App() {
  const hash = useHash();
  const [authed, setAuthed] = useState(token() !== null);
  useEffect(() => {
    const out = () => setAuthed(false);
    addEventListener('oicq-logout', out);
    return () => removeEventListener('oicq-logout', out);
  }, []);
  if (location.pathname === '/signup') return <Signup />;
  if (!authed) return <Login onDone={() => setAuthed(true)} />;
  const route = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  const current = route[0] ?? 'dashboard';
  return (
    <div class="shell">
      <nav>
        <span class="brand">oicq</span>
        {PAGES.map(([id, label]) => (
          <a href={`#/${id}`} class={current === id ? 'on' : ''} id={`nav-${id}`}>
            {label}
          </a>
        ))}
        <button class="link" onClick={() => (setToken(null), setAuthed(false))}>
          Log out
        </button>
      </nav>
      <main>
        <Page route={route} />
      </main>
    </div>
  );
}

render(<App />, document.getElementById('app')!);
