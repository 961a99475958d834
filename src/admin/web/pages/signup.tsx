// The public signup page (--open-registration): a nick and a password give a new QQ number.
import { useState } from 'preact/hooks';
import { api } from '../api.js';

export function Signup() {
  const [nick, setNick] = useState('');
  const [password, setPassword] = useState('');
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      const r = await api<{ uid: number; nick: string }>('POST', '/api/signup', { nick: nick || undefined, password });
      setResult(`Your QQ number is ${r.uid} (${r.nick}). Log in with it and your password.`);
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form class="login" onSubmit={submit}>
      <h1>Get a QQ number</h1>
      <label>Nickname<input id="nick" value={nick} onInput={(e) => setNick(e.currentTarget.value)} /></label>
      <label>Password<input id="password" type="password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} /></label>
      <button type="submit">Sign up</button>
      {result && <p id="signup-result" class="note">{result}</p>}
      {error && <p class="error">{error}</p>}
    </form>
  );
}
