// Live sessions (list, kick) and login locks (list, unlock).
import { isIP } from 'node:net';
import type { Session } from '../../server/session.js';
import { AdminError } from '../params.js';
import { defineCommand, liveOf, liveView, type LiveServer } from '../context.js';

const STATUS_NAMES: Record<number, string> = { 10: 'online', 20: 'offline', 30: 'away', 40: 'invisible', 50: 'busy' };

/** A session as the console's table shows it. */
export function sessionRow(live: LiveServer, s: Session) {
  return {
    uid: s.uid,
    nick: live.server.hub.store.getUser(s.uid)?.nick ?? '',
    address: `${s.endpoint.address}:${s.endpoint.port}`,
    framing: s.framing,
    clientTag: '0x' + s.version.toString(16).padStart(4, '0'),
    status: STATUS_NAMES[s.status] ?? String(s.status),
    loginTime: s.loginTime,
    lastHeard: s.lastSeen,
    ...live.traffic.statsOf(s),
    retransmits: s.retransmits,
    pendingPushes: live.server.hub.pendingPushes(s),
  };
}

export const sessionList = liveView('session.list', '/api/sessions', 'the users online, with their traffic', (live) =>
  [...live.server.hub.all()].map((s) => sessionRow(live, s)).sort((a, b) => a.uid - b.uid),
);

export const sessionKick = defineCommand({
  name: 'session.kick',
  summary: 'end a session: the client gets the "logged in elsewhere" notice, or the reason given',
  method: 'POST',
  path: '/api/sessions/{uid}/kick',
  params: { uid: { type: 'uid', doc: 'the user online' }, reason: { type: 'string', doc: 'notice shown to the user instead', required: false } },
  live: true,
  run: (ctx, { uid, reason }) => {
    if (!liveOf(ctx).server.hub.kick(uid, reason)) throw new AdminError('not_found', `user ${uid} is not online`);
    return { uid, kicked: true };
  },
});

export const lockList = liveView('lock.list', '/api/locks', 'uids and addresses whose logins are refused after too many failures', (live) => live.server.guard.locks());

export const lockUnlock = defineCommand({
  name: 'lock.unlock',
  summary: 'end the login cool-down of a uid or an address',
  method: 'POST',
  path: '/api/locks/unlock',
  params: { uid: { type: 'uid', doc: 'a locked uid', required: false }, address: { type: 'string', doc: 'a locked IPv4 address', required: false } },
  live: true,
  run: (ctx, { uid, address }) => {
    if ((uid === undefined) === (address === undefined)) throw new AdminError('bad_param', "give exactly one of 'uid' or 'address'");
    if (address !== undefined && !isIP(address)) throw new AdminError('bad_param', `parameter 'address' must be an IP address, got "${address}"`);
    const unlocked = liveOf(ctx).server.guard.unlock(uid !== undefined ? { uid } : { address: address! });
    return { uid: uid ?? null, address: address ?? null, unlocked };
  },
});
