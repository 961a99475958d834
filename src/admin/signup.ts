// The optional public signup (`oicq serve --open-registration`): creates an account through the admin
// table's user.add, rate-limited per source address so it is no account-minting service.
import type { AdminContext } from './context.js';
import { AdminError } from './params.js';
import { invoke } from './table.js';
import { userAdd } from './commands/users.js';
import type { ExtraRoute } from './http.js';

/** Limits of the signup page. */
export interface SignupOptions {
  /** Accounts one address may create per window. */
  perAddress: number;
  windowMs: number;
  /** Most addresses remembered (oldest forgotten first). */
  maxTracked: number;
}

export const DEFAULT_SIGNUP: SignupOptions = { perAddress: 3, windowMs: 3_600_000, maxTracked: 10_000 };

/** The POST /api/signup route: `{ password, nick }` → `{ uid, nick }`; 403 unless registration is `open`. */
export function signupRoute(ctx: AdminContext, open: boolean, now: () => number, o: SignupOptions = DEFAULT_SIGNUP): ExtraRoute {
  const recent = new Map<string, number[]>();
  return {
    method: 'POST',
    path: '/api/signup',
    public: true,
    maxBody: 4096,
    handle({ body, address }) {
      if (!open) throw new AdminError('forbidden', 'signup is closed on this server (it runs without --open-registration)');
      const t = now();
      const times = (recent.get(address) ?? []).filter((x) => x > t - o.windowMs);
      if (times.length >= o.perAddress) {
        throw new AdminError('rate_limited', `at most ${o.perAddress} accounts per address per ${Math.round(o.windowMs / 60_000)} minutes — try again later`);
      }
      let raw: unknown;
      try {
        raw = JSON.parse(body.toString('utf8') || '{}');
      } catch {
        throw new AdminError('bad_param', 'the request body is not valid JSON');
      }
      const { password, nick } = (raw ?? {}) as Record<string, unknown>;
      // Only a password and a nick: a stranger does not choose the uid.
      const result = invoke(ctx, userAdd, { password, nick });
      times.push(t);
      recent.delete(address);
      if (recent.size >= o.maxTracked) recent.delete(recent.keys().next().value!);
      recent.set(address, times);
      return result;
    },
  };
}
