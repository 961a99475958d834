import { LoginFailure } from '../protocol/login-failure.js';
import type { Account } from '../store/store.js';
import type { ServerContext } from './context.js';
import type { Endpoint } from './session.js';

/** The outcome of checking a login's credentials: the account and what opened, or why it failed. */
export type LoginCheck<T> = { ok: true; account: Account; opened: T } | { ok: false; failure: LoginFailure };

/**
 * The one login-failure path of both framings: the cool-down guard, the token, the account and the password
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
  const fail = (failure: LoginFailure, counted: boolean): LoginCheck<T> => {
    ctx.metrics.loginsFailed++;
    if (counted && ctx.guard.fail(uid, from.address)) ctx.log.warn({ uid, from: `${from.address}:${from.port}` }, 'login cool-down started');
    ctx.log.info({ uid, from: `${from.address}:${from.port}`, reason: failure }, 'login failed');
    return { ok: false, failure };
  };
  if (!ctx.guard.allowed(uid, from.address)) {
    ctx.metrics.drop('login_refused');
    return fail(LoginFailure.COOL_DOWN, false);
  }
  if (!tokenOk) return fail(LoginFailure.TOKEN_EXPIRED, false);
  const account = ctx.store.getUser(uid);
  if (!account) return fail(LoginFailure.UNKNOWN_UID, true);
  const opened = open(account);
  if (opened === undefined) return fail(LoginFailure.WRONG_PASSWORD, true);
  ctx.guard.succeed(uid);
  return { ok: true, account, opened };
}
