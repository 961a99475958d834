import { LoginFailure } from '../protocol/login-failure.js';
import type { Account } from '../store/store.js';
import type { ServerContext } from './context.js';
import type { Endpoint } from './session.js';

/** The outcome of checking a login's credentials: the account and what opened, or why it failed. */
export type LoginCheck<T> = { ok: true; account: Account; opened: T } | { ok: false; failure: LoginFailure; text: string };

/** One login's credentials as checkLogin needs them. */
export interface LoginAttempt<T> {
  uid: number;
  from: Endpoint;
  /** Checks the password proof against the account: what it opened, or undefined for a wrong password. */
  open: (account: Account) => T | undefined;
  /** Whether the login token the request carries is valid (default: the framing has none to check here). */
  tokenOk?: boolean;
}

/**
 * The one login-failure path of both framings: the login guard's slow-down, the token, the account, the password
 * proof and an operator's ban, in that order; failures are counted here and logged aggregated by the guard, and the
 * framing sends its failure reply.
 */
export function checkLogin<T>(ctx: ServerContext, { uid, from, open, tokenOk = true }: LoginAttempt<T>): LoginCheck<T> {
  // `counted`: a password was tried (for a known uid or not); the guard counts it. Every failure is logged by the
  // guard, aggregated per (uid, address) and interval: a flood of failures is a few lines.
  const fail = (failure: LoginFailure, counted?: { knownUid: boolean }, detail?: string): LoginCheck<T> => {
    ctx.metrics.loginsFailed++;
    const text = detail === undefined ? failure : `${failure}: ${detail}`;
    if (counted) ctx.guard.fail(uid, from.address, counted.knownUid, text);
    else ctx.guard.refused(uid, from.address, text);
    return { ok: false, failure, text };
  };
  const verdict = ctx.guard.check(uid, from.address);
  if (!verdict.ok) {
    ctx.metrics.drop('login_refused');
    return fail(LoginFailure.COOL_DOWN);
  }
  if (!tokenOk) return fail(LoginFailure.TOKEN_EXPIRED);
  // A cluster node whose presence store is down takes no new logins (live sessions go on).
  if (ctx.hub.loginsPaused()) return fail(LoginFailure.BUSY);
  let found;
  try {
    found = ctx.store.loginAccount(uid);
  } catch (err) {
    // The database is unreachable: "busy", never a crash or silence.
    ctx.log.warn({ err, uid }, 'login refused: the store did not answer');
    return fail(LoginFailure.BUSY);
  }
  if (!found) return fail(LoginFailure.UNKNOWN_UID, { knownUid: false });
  const { account, ban } = found;
  const opened = open(account);
  if (opened === undefined) return fail(LoginFailure.WRONG_PASSWORD, { knownUid: true });
  // After the password: a ban does not tell a stranger that the number exists.
  if (ban) return fail(LoginFailure.BANNED, undefined, ban.reason);
  ctx.guard.succeed(uid, from.address);
  return { ok: true, account, opened };
}
