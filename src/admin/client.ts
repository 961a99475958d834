// Calls one admin command over the HTTP API: the command's path with its path parameters filled in, the
// others as the query (GET, DELETE) or a JSON body (POST). Used by `oicq admin --url` and by tests.
import type { AdminCommand } from './context.js';
import { AdminError, type AdminErrorCode } from './params.js';

/** The URL path and body of a command call. */
export function requestOf(command: AdminCommand, args: Record<string, unknown>): { path: string; body?: string } {
  const rest: Record<string, unknown> = { ...args };
  const path = command.path.replace(/\{(\w+)\}/g, (_, n: string) => {
    const v = rest[n];
    delete rest[n];
    if (v === undefined) throw new AdminError('bad_param', `missing parameter '${n}': ${command.params[n]?.doc ?? ''}`);
    return encodeURIComponent(String(v));
  });
  const defined = Object.entries(rest).filter(([, v]) => v !== undefined);
  if (command.method === 'POST') return { path, body: JSON.stringify(Object.fromEntries(defined)) };
  const q = new URLSearchParams(defined.map(([k, v]): [string, string] => [k, String(v)])).toString();
  return { path: q ? `${path}?${q}` : path };
}

/** Runs `command` on the server at `url` with `token`; resolves with the result, rejects with an AdminError. */
export async function callAdmin(url: string, token: string, command: AdminCommand, args: Record<string, unknown>): Promise<unknown> {
  const { path, body } = requestOf(command, args);
  const res = await fetch(new URL(path, url), {
    method: command.method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body,
  });
  const text = await res.text();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AdminError('not_running', `${url} did not answer with JSON (HTTP ${res.status}) — is it an oicq admin address?`);
  }
  if (!res.ok) {
    const e = (value as { error?: { code?: string; message?: string } }).error;
    throw new AdminError((e?.code ?? 'bad_param') as AdminErrorCode, e?.message ?? `HTTP ${res.status}`);
  }
  return value;
}
