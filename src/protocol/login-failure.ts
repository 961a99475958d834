// Why a login failed, as this project's server words it in both framings' failure replies (classic 0x0022
// carries only a text; modern 0x00DD a code and a text). The client classifies failures by these constants,
// never by matching words; servers that word them otherwise get the generic refusal.

/** The failure texts of a refused login. */
export const LoginFailure = {
  COOL_DOWN: 'too many failed logins; wait a few minutes and try again',
  TOKEN_EXPIRED: 'login token expired; log in again',
  UNKNOWN_UID: 'no such QQ number',
  WRONG_PASSWORD: 'wrong password',
  /** Followed by ": <the operator's reason>". */
  BANNED: 'this QQ number is banned',
  /** The server cannot take logins now (a cluster node without its presence store or database). */
  BUSY: 'the server is busy; try again in a moment',
} as const;
/** A LoginFailure text. */
export type LoginFailure = (typeof LoginFailure)[keyof typeof LoginFailure];
