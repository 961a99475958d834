import type { StatusBlock } from '../protocol/bodies/status-block.js';
import type { Presence } from './session.js';

/** A user's presence as the 31-byte status block both framings carry (online lists and status pushes). */
export function statusBlockOf(p: Presence): StatusBlock {
  return { uid: p.uid, flag: 0x01, ip: p.ip, port: p.port, unknown: 0, status: p.status, clientVersion: p.clientVersion, key: p.key };
}
