// The console's client of the admin API: the token lives in sessionStorage (this tab only).

const KEY = 'oicq-admin-token';

/** The token typed at login, if any. */
export function token(): string | null {
  return sessionStorage.getItem(KEY);
}

export function setToken(t: string | null): void {
  if (t === null) sessionStorage.removeItem(KEY);
  else sessionStorage.setItem(KEY, t);
}

/** An API error as the server words it. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** Calls the API; rejects with ApiError on an error answer. A 401 forgets the token. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  const t = token();
  if (t) headers.authorization = `Bearer ${t}`;
  let payload: BodyInit | undefined;
  if (body instanceof ArrayBuffer) {
    payload = body;
    headers['content-type'] = 'application/octet-stream';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(path, { method, headers, body: payload });
  const value = await res.json().catch(() => null);
  if (!res.ok) {
    const e = (value as { error?: { code: string; message: string } } | null)?.error;
    if (res.status === 401) {
      setToken(null);
      window.dispatchEvent(new Event('oicq-logout'));
    }
    throw new ApiError(res.status, e?.code ?? 'http', e?.message ?? `HTTP ${res.status}`);
  }
  return value as T;
}
