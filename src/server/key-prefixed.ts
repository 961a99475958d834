import { unwrapKeyPrefixed } from '../protocol/bodies/modern/wrap.js';
import type { Packet } from '../protocol/framing.js';
import type { ServerContext } from './context.js';
import { bodyDropReason } from './metrics.js';
import type { Endpoint } from './session.js';

/**
 * Opens a pre-login request that carries its key in clear (modern 0x0091/0x00BA/0x00DD, classic 2007/2008
 * 0x0091/0x00BA/0x00DD), after the pre-login rate limit; drops it (counted) when it does not open.
 */
export function openKeyPrefixed(ctx: ServerContext, p: Packet, from: Endpoint): { key: Buffer; plain: Buffer } | undefined {
  if (!ctx.guard.preLogin(from.address)) return void ctx.drop('rate_limited', from, p);
  const r = unwrapKeyPrefixed(p.body);
  if (!r.ok) return void ctx.drop(bodyDropReason(r.error), from, p);
  return r.value;
}
