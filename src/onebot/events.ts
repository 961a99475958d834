// OneBot v11 event objects, built from what the SDK reports. Pure: the caller supplies the time, the bot's number
// and whatever it looked up (nicknames, roles). Field sets follow the v11 spec; fields classic QQ has no value for
// carry the spec's neutral value (font 0, sex "unknown", age 0, empty card and title).
import { segmentsOfText, toCq, type Segment } from './cq-code.js';

/** Any OneBot event (every one has time, self_id and post_type). */
export interface OneBotEvent {
  time: number;
  self_id: number;
  post_type: 'message' | 'notice' | 'request' | 'meta_event';
  [field: string]: unknown;
}

/** How events carry messages: a CQ-code string or a segment array. */
export type MessageFormat = 'string' | 'array';

/** A Qun member's OneBot role. */
export type Role = 'owner' | 'admin' | 'member';

/** Unix seconds of a Date. */
export function unixTime(d: Date): number {
  return Math.floor(d.getTime() / 1000);
}

/** The message field in the configured format, and raw_message (always CQ). */
export function messageFields(text: string, format: MessageFormat): { message: string | Segment[]; raw_message: string } {
  const segments = segmentsOfText(text);
  const raw = toCq(segments);
  return { message: format === 'array' ? segments : raw, raw_message: raw };
}

/** meta_event lifecycle (connect: the first frame on every WebSocket; enable: the gateway started). */
export function lifecycleEvent(selfId: number, now: Date, subType: 'connect' | 'enable' | 'disable'): OneBotEvent {
  return { time: unixTime(now), self_id: selfId, post_type: 'meta_event', meta_event_type: 'lifecycle', sub_type: subType };
}

/** meta_event heartbeat, with get_status's answer and the interval in ms. */
export function heartbeatEvent(selfId: number, now: Date, online: boolean, intervalMs: number): OneBotEvent {
  return { time: unixTime(now), self_id: selfId, post_type: 'meta_event', meta_event_type: 'heartbeat', status: { online, good: online }, interval: intervalMs };
}

/** message.private: sub_type friend (a friend wrote) or other (a stranger did). */
export function privateMessageEvent(selfId: number, m: { recordId: number; from: number; text: string; time: Date }, p: { isFriend: boolean; nickname: string; format: MessageFormat }): OneBotEvent {
  return {
    time: unixTime(m.time), self_id: selfId, post_type: 'message', message_type: 'private', sub_type: p.isFriend ? 'friend' : 'other',
    message_id: m.recordId, user_id: m.from, ...messageFields(m.text, p.format), font: 0,
    sender: { user_id: m.from, nickname: p.nickname, sex: 'unknown', age: 0 },
  };
}

/** message.group.normal: a Qun message. */
export function groupMessageEvent(selfId: number, m: { recordId: number; qun: number; from: number; text: string; time: Date }, p: { nickname: string; role: Role; format: MessageFormat }): OneBotEvent {
  return {
    time: unixTime(m.time), self_id: selfId, post_type: 'message', message_type: 'group', sub_type: 'normal',
    message_id: m.recordId, group_id: m.qun, user_id: m.from, anonymous: null, ...messageFields(m.text, p.format), font: 0,
    sender: { user_id: m.from, nickname: p.nickname, card: '', sex: 'unknown', age: 0, area: '', level: '', role: p.role, title: '' },
  };
}

/** notice.friend_add: `uid` and the bot are friends now. */
export function friendAddEvent(selfId: number, now: Date, uid: number): OneBotEvent {
  return { time: unixTime(now), self_id: selfId, post_type: 'notice', notice_type: 'friend_add', user_id: uid };
}

/** request.friend; its flag is what set_friend_add_request takes back. */
export function friendRequestEvent(selfId: number, now: Date, uid: number, note: string): OneBotEvent {
  return { time: unixTime(now), self_id: selfId, post_type: 'request', request_type: 'friend', user_id: uid, comment: note, flag: friendFlag(uid) };
}

/** request.group.add: `uid` asks to join a Qun the bot created. */
export function groupRequestEvent(selfId: number, now: Date, qun: number, uid: number, note: string): OneBotEvent {
  return { time: unixTime(now), self_id: selfId, post_type: 'request', request_type: 'group', sub_type: 'add', group_id: qun, user_id: uid, comment: note, flag: groupFlag(qun, uid) };
}

/** The flag of a friend request: the asker's number. */
export function friendFlag(uid: number): string {
  return String(uid);
}

/** The flag of a join request: `<qun>:<uid>`. */
export function groupFlag(qun: number, uid: number): string {
  return `${qun}:${uid}`;
}
