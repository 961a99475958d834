// The OneBot v11 action table, shared by every transport: name → parameter check → SDK call. Also the
// `_async` / `_rate_limited` suffixes and the return codes: 0 ok, 1 async, 1400 bad parameters, 1404 unknown
// action, 100 the call itself failed (the SDK's reason in `message`).
import { ClientError, type RecordedMessage } from '../client/index.js';
import { version } from '../version.js';
import { OneBot } from './bot.js';
import { MessageFormatError, segmentsOf, textOfSegments } from './cq-code.js';
import { messageFields, unixTime } from './events.js';

/** What every transport answers for an action call. */
export interface ActionResponse {
  status: 'ok' | 'async' | 'failed';
  retcode: number;
  data: unknown;
  message: string;
  wording: string;
  echo?: unknown;
}

/** Return codes. */
export const Retcode = { OK: 0, ASYNC: 1, FAILED: 100, BAD_REQUEST: 1400, UNAUTHORIZED: 1401, FORBIDDEN: 1403, NOT_FOUND: 1404 } as const;

/** Bad parameters (answered 1400). */
export class ParamError extends Error {}

/** The action could not be done (answered 100 with this text). */
export class ActionFailed extends Error {}

/** Reads an action's parameters: numbers may come as numeric strings and booleans as strings (form posts, Koishi). */
export class Params {
  private readonly p: Record<string, unknown>;

  constructor(raw: unknown) {
    if (raw === undefined || raw === null) this.p = {};
    else if (typeof raw === 'object' && !Array.isArray(raw)) this.p = raw as Record<string, unknown>;
    else throw new ParamError('params must be an object');
  }

  /** Whether `name` was given. */
  has(name: string): boolean {
    return this.p[name] !== undefined && this.p[name] !== null && this.p[name] !== '';
  }

  /** A QQ or Qun number (1..4294967295). */
  id(name: string): number {
    const v = this.p[name];
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,10}$/.test(v) ? Number(v) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > 0xffffffff) throw new ParamError(v === undefined ? `missing ${name}` : `${name} must be a QQ number (1..4294967295)`);
    return n;
  }

  /** A message id (int32). */
  int32(name: string): number {
    const v = this.p[name];
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d{1,10}$/.test(v) ? Number(v) : NaN;
    if (!Number.isInteger(n) || n < -0x80000000 || n > 0x7fffffff) throw new ParamError(v === undefined ? `missing ${name}` : `${name} must be an int32`);
    return n;
  }

  /** A boolean (true/false, 1/0, "true"/"false"); `def` when absent. */
  bool(name: string, def: boolean): boolean {
    const v = this.p[name];
    if (v === undefined || v === null || v === '') return def;
    if (v === true || v === 'true' || v === 1 || v === '1') return true;
    if (v === false || v === 'false' || v === 0 || v === '0') return false;
    throw new ParamError(`${name} must be true or false`);
  }

  /** A string; `def` when absent. */
  string(name: string, def?: string): string {
    const v = this.p[name];
    if (v === undefined || v === null) {
      if (def === undefined) throw new ParamError(`missing ${name}`);
      return def;
    }
    if (typeof v !== 'string') throw new ParamError(`${name} must be a string`);
    return v;
  }

  /** The QQ text of `message` (CQ string, segment or segment array; plain text with auto_escape). */
  message(): string {
    if (this.p.message === undefined || this.p.message === null) throw new ParamError('missing message');
    try {
      return textOfSegments(segmentsOf(this.p.message, this.bool('auto_escape', false)));
    } catch (e) {
      if (e instanceof MessageFormatError) throw new ParamError(e.message);
      throw e;
    }
  }
}

/** One action: its parameter check, then the SDK call (which may throw ActionFailed or an SDK error). */
interface Action<A> {
  check(p: Params): A;
  run(bot: OneBot, args: A): Promise<unknown>;
}

function action<A>(check: (p: Params) => A, run: (bot: OneBot, args: A) => Promise<unknown>): Action<unknown> {
  return { check, run: run as (bot: OneBot, args: unknown) => Promise<unknown> };
}

const none = (): undefined => undefined;

/** A sent message's answer. */
const sent = (r: RecordedMessage) => ({ message_id: r.id });

type SendArgs = { to: number } | { qun: number };

/** send_msg: message_type decides; without it, group_id makes it a Qun message. */
function sendTarget(p: Params): SendArgs {
  const type = p.has('message_type') ? p.string('message_type') : p.has('group_id') ? 'group' : 'private';
  if (type === 'private') return { to: p.id('user_id') };
  if (type === 'group') return { qun: p.id('group_id') };
  throw new ParamError(`message_type must be private or group, not '${type}'`);
}

async function groupOf(bot: OneBot, qun: number) {
  const info = await bot.qunInfo(qun);
  return { group_id: info.qun, group_name: info.name, member_count: info.members.length, max_member_count: 0 };
}

/** The asker of a friend request's flag (their number). */
function friendFlagOf(flag: string): number {
  const uid = /^\d{1,10}$/.test(flag) ? Number(flag) : NaN;
  if (!(uid >= 1 && uid <= 0xffffffff)) throw new ParamError(`flag '${flag}' is not a friend request's flag (the asker's number)`);
  return uid;
}

/** Splits a join request's flag `<qun>:<uid>`. */
function groupFlagOf(flag: string): { qun: number; uid: number } {
  const m = /^(\d{1,10}):(\d{1,10})$/.exec(flag);
  const qun = Number(m?.[1]);
  const uid = Number(m?.[2]);
  if (!m || qun < 1 || qun > 0xffffffff || uid < 1 || uid > 0xffffffff) throw new ParamError(`flag '${flag}' is not a join request's flag (<group>:<user>)`);
  return { qun, uid };
}

/** The table. */
const ACTIONS = new Map<string, Action<unknown>>([
  ['get_login_info', action(none, async (bot) => ({ user_id: bot.selfId, nickname: bot.nickname }))],
  ['send_private_msg', action((p) => ({ to: p.id('user_id'), text: p.message() }), async (bot, a) => sent(await bot.client.send({ to: a.to }, a.text)))],
  ['send_group_msg', action((p) => ({ qun: p.id('group_id'), text: p.message() }), async (bot, a) => sent(await bot.client.send({ qun: a.qun }, a.text)))],
  ['send_msg', action((p) => ({ target: sendTarget(p), text: p.message() }), async (bot, a) => sent(await bot.client.send(a.target, a.text)))],
  ['get_msg', action((p) => p.int32('message_id'), async (bot, id) => {
    const m = bot.client.messages.get(id);
    if (!m) throw new ActionFailed(`message ${id} is not in the record (it keeps the last ${bot.client.messages.capacity} messages sent and received)`);
    const nickname = await bot.nickOf(m.from).catch(() => '');
    return {
      time: unixTime(m.time), message_type: m.kind === 'qun' ? 'group' : 'private', message_id: m.id, real_id: m.messageId,
      ...(m.kind === 'qun' ? { group_id: m.peer } : {}), sender: { user_id: m.from, nickname }, message: messageFields(m.text, bot.messageFormat).message,
    };
  })],
  ['delete_msg', action((p) => p.int32('message_id'), async () => {
    throw new ActionFailed('classic QQ has no recall: a message cannot be deleted once the server took it');
  })],
  ['get_friend_list', action(none, async (bot) => {
    await bot.refreshFriends();
    return bot.friendList().map((f) => ({ user_id: f.uid, nickname: f.nick, remark: '' }));
  })],
  ['get_stranger_info', action((p) => p.id('user_id'), async (bot, uid) => {
    const info = await bot.client.getUserInfo(uid);
    return { user_id: info.uid, nickname: info.nick, sex: info.gender === 0 ? 'male' : info.gender === 1 ? 'female' : 'unknown', age: info.age ?? 0 };
  })],
  ['get_group_list', action(none, async (bot) => {
    const { quns } = await bot.client.getFriends();
    return Promise.all(quns.map((q) => groupOf(bot, q)));
  })],
  ['get_group_info', action((p) => p.id('group_id'), groupOf)],
  ['get_group_member_list', action((p) => p.id('group_id'), async (bot, qun) => {
    const info = await bot.qunInfo(qun);
    return Promise.all(info.members.map(async (m) => ({
      group_id: qun, user_id: m.uid, nickname: await bot.nickOf(m.uid).catch(() => ''), card: '', sex: 'unknown', age: 0, area: '',
      join_time: 0, last_sent_time: 0, level: '', role: OneBot.roleOf(info, m.uid), unfriendly: false, title: '', title_expire_time: 0, card_changeable: false,
    })));
  })],
  ['set_friend_add_request', action((p) => ({ uid: friendFlagOf(p.string('flag')), approve: p.bool('approve', true) }), async (bot, a) => {
    await bot.client.answerFriend(a.uid, a.approve);
    if (a.approve) await bot.refreshFriends();
    return null;
  })],
  ['set_group_add_request', action((p) => {
    const type = p.has('sub_type') ? p.string('sub_type') : p.string('type', 'add');
    if (type !== 'add') throw new ParamError(`sub_type '${type}' does not exist here: a Qun takes requests to join (add), never invitations`);
    return { ...groupFlagOf(p.string('flag')), approve: p.bool('approve', true), reason: p.string('reason', '') };
  }, async (bot, a) => {
    await bot.client.answerQun(a.qun, a.uid, a.approve, a.reason);
    return null;
  })],
  ['get_status', action(none, async (bot) => ({ online: bot.online, good: bot.online }))],
  ['get_version_info', action(none, async () => ({ app_name: 'oicq-kit', app_version: version(), protocol_version: 'v11' }))],
  ['can_send_image', action(none, async () => ({ yes: false }))],
  ['can_send_record', action(none, async () => ({ yes: false }))],
]);

/** Names of every action (without suffixes). */
export const ACTION_NAMES: readonly string[] = [...ACTIONS.keys()];

function answer(status: ActionResponse['status'], retcode: number, data: unknown, message = ''): ActionResponse {
  return { status, retcode, data, message, wording: message };
}

function failure(e: unknown): ActionResponse {
  if (e instanceof ParamError || e instanceof MessageFormatError) return answer('failed', Retcode.BAD_REQUEST, null, e.message);
  if (e instanceof ActionFailed || e instanceof ClientError) return answer('failed', Retcode.FAILED, null, e.message);
  throw e;
}

/**
 * Runs `name` with `params` for `bot`. `<name>_async` answers `async` (retcode 1) once the parameters are checked and
 * runs the call after; `<name>_rate_limited` does the same, one call every `rateLimitMs`.
 */
export async function runAction(bot: OneBot, name: string, params: unknown): Promise<ActionResponse> {
  const mode = name.endsWith('_async') ? 'async' : name.endsWith('_rate_limited') ? 'rate' : 'now';
  const base = mode === 'async' ? name.slice(0, -'_async'.length) : mode === 'rate' ? name.slice(0, -'_rate_limited'.length) : name;
  const entry = ACTIONS.get(base);
  if (!entry) return answer('failed', Retcode.NOT_FOUND, null, `unknown action '${name}'`);
  let args: unknown;
  try {
    args = entry.check(new Params(params));
  } catch (e) {
    return failure(e);
  }
  if (mode === 'now') {
    try {
      return answer('ok', Retcode.OK, await entry.run(bot, args));
    } catch (e) {
      return failure(e);
    }
  }
  const later = () => entry.run(bot, args).then(() => undefined, (e: unknown) => bot.asyncFailed(name, e instanceof Error ? e : new Error(String(e))));
  if (mode === 'async') void later();
  else bot.rateLimited(later);
  return answer('async', Retcode.ASYNC, null);
}
