// The access token of OneBot v11: `Authorization: Bearer <token>` (or `Token <token>`) or `?access_token=`.
import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** What a request's token check says: allowed, or the HTTP status to answer (401 none given, 403 wrong). */
export type TokenCheck = 'ok' | 401 | 403;

/** The token a request carries, from its Authorization header or its `access_token` query parameter. */
export function tokenOf(headers: IncomingHttpHeaders, url: URL): string | undefined {
  const m = /^(?:Bearer|Token)\s+(.+)$/i.exec(headers.authorization ?? '');
  return m?.[1] ?? url.searchParams.get('access_token') ?? undefined;
}

/** Checks a request against `expected` (no token configured: everything is allowed). */
export function checkToken(expected: string | undefined, headers: IncomingHttpHeaders, url: URL): TokenCheck {
  if (expected === undefined || expected === '') return 'ok';
  const given = tokenOf(headers, url);
  if (given === undefined) return 401;
  // Equal-length digests, so the comparison takes the same time whatever was sent.
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected)) ? 'ok' : 403;
}
