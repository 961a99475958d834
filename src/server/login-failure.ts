import { LoginFailure } from '../protocol/login-failure.js';
import type { Account } from '../store/store.js';
import type { ServerContext } from './context.js';
import type { Endpoint } from './session.js';

/** The outcome of checking a login's credentials: the account and what opened, or why it failed. */
export type LoginCheck<T> = { ok: true; account: Account; opened: T } | { ok: false; failure: LoginFailure };

/**
 * The one login-failure path of both framings: the login guard's slow-down, the token, the account and the password
 * proof, in that order; failures are counted and logged here, and the framing sends its failure reply.
 * `open` checks the password proof against the account (undefined: wrong password).
 */
export function checkLogin<T>(
  ctx: ServerContext,
  uid: number,
  from: Endpoint,
  open: (account: Account) => T | undefined,
  tokenOk = true,
): LoginCheck<T> {
  // `counted`: a password was tried (for a known uid or not); the guard counts it and logs it aggregated.
  const fail = (failure: LoginFailure, counted?: { knownUid: boolean }): LoginCheck<T> => {
    ctx.metrics.loginsFailed++;
    if (counted) ctx.guard.fail(uid, from.address, counted.knownUid, failure);
    return { ok: false, failure };
  };
  const verdict = ctx.guard.check(uid, from.address);
  if (!verdict.ok) {
    ctx.metrics.drop('login_refused');
    return fail(LoginFailure.COOL_DOWN);
  }
  if (!tokenOk) return fail(LoginFailure.TOKEN_EXPIRED);
  const account = ctx.store.getUser(uid);
  if (!account) return fail(LoginFailure.UNKNOWN_UID, { knownUid: false });
  const opened = open(account);
  if (opened === undefined) return fail(LoginFailure.WRONG_PASSWORD, { knownUid: true });
  ctx.guard.succeed(uid, from.address);
  return { ok: true, account, opened };
}
