import { LoginFailure } from '../protocol/login-failure.js';
import type { Account } from '../store/store.js';
import type { ServerContext } from './context.js';
import type { Endpoint } from './session.js';

/** The outcome of checking a login's credentials: the account and what opened, or why it failed. */
export type LoginCheck<T> = { ok: true; account: Account; opened: T } | { ok: false; failure: LoginFailure; text: string };

/**
 * The one login-failure path of both framings: the cool-down guard, the token, the account, the password
 * proof and an operator's ban, in that order; failures are counted and logged here, and the framing sends its failure reply.
 * `open` checks the password proof against the account (undefined: wrong password).
 */
export function checkLogin<T>(
  ctx: ServerContext,
  uid: number,
  from: Endpoint,
  open: (account: Account) => T | undefined,
  tokenOk = true,
): LoginCheck<T> {
  const fail = (failure: LoginFailure, counted: boolean, detail?: string): LoginCheck<T> => {
    ctx.metrics.loginsFailed++;
    if (counted && ctx.guard.fail(uid, from.address)) ctx.log.warn({ uid, from: `${from.address}:${from.port}` }, 'login cool-down started');
    const text = detail === undefined ? failure : `${failure}: ${detail}`;
    ctx.log.info({ uid, from: `${from.address}:${from.port}`, reason: text }, 'login failed');
    return { ok: false, failure, text };
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
  // After the password: a ban does not tell a stranger that the number exists.
  const ban = ctx.store.banOf(uid);
  if (ban) return fail(LoginFailure.BANNED, false, ban.reason);
  ctx.guard.succeed(uid);
  return { ok: true, account, opened };
}
