// Where a seed sends a login (docs/DECISIONS.md, "Cluster: the seed and login redirects"): the least-loaded live
// node that is not a seed. Seeds are never targets, so a client redirected once is served where it lands; a pick
// that names the seed itself means "stay".
import type { NodeLoad } from './redis-presence.js';
import type { Endpoint } from '../server/session.js';

/** Splits `host:port` (the address a node publishes). */
export function splitAddress(address: string): Endpoint {
  const i = address.lastIndexOf(':');
  return { address: address.slice(0, i), port: Number(address.slice(i + 1)) };
}

/**
 * The least-loaded live node other than `self` that is not a seed, or undefined (serve here). `port`: only nodes on
 * that port (0x0091 redirects carry an IP only; the client keeps its port). Ties go to the smaller id.
 */
export function pickTarget(nodes: readonly NodeLoad[], self: string, port?: number): NodeLoad | undefined {
  let best: NodeLoad | undefined;
  for (const n of nodes) {
    if (n.seed || n.id === self) continue;
    if (port !== undefined && splitAddress(n.address).port !== port) continue;
    if (!best || n.sessions < best.sessions || (n.sessions === best.sessions && n.id < best.id)) best = n;
  }
  return best;
}
