import * as Q from '../../protocol/bodies/qun.js';
import { DecodeError } from '../../protocol/errors.js';
import { imFragmentText } from '../../protocol/bodies/modern/message.js';
import { decodeGb, encodeGb, fragmentByteLength, fragmentTextOf, messageFontOf, splitFontTrailer, type FragmentText } from '../../protocol/text.js';
import { MAX_FRAGMENT_BYTES } from '../message-id.js';
import { QunPolicy, type Qun, type Store } from '../../store/store.js';
import type { Exchange } from '../dispatch.js';
import type { Charset } from './handlers.js';
import type { JoinOutcome, QunFragment } from './quns.js';
import { usesLogin2007 } from '../../protocol/families.js';

const GB: Charset = { decode: (b) => decodeGb(b), encode: (t) => encodeGb(t) };
const UTF8: Charset = { decode: (b) => b.toString('utf8'), encode: (t) => Buffer.from(t, 'utf8') };
/** Members a modern info reply lists per page. */
const INFO_PAGE = 100;

function infoOf(store: Store, q: Qun, cs: Charset, maxMembers: number): Q.QunInfo {
  return {
    id: q.id, ext: q.id, type: Q.QUN_TYPE_PERMANENT, creator: q.creator, authType: q.authType, category: 0, maxMembers,
    name: cs.encode(q.name), notice: cs.encode(q.notice), intro: cs.encode(q.intro),
    members: store.qunMembers(q.id).map((m) => ({ uid: m.uid, org: 0, role: m.role })),
  };
}

const JOIN_CODE: Record<JoinOutcome, number> = {
  joined: Q.QunJoin.OK, 'needs-auth': Q.QunJoin.NEEDS_AUTH, denied: Q.QunJoin.DENIED, full: Q.QunJoin.DENIED, unknown: Q.QunJoin.DENIED,
};

/**
 * The Qun command of both framings (classic 0x0030, modern 0x0002): one switch over the sub-commands, answered
 * with `sub, result, data`. Texts are GB18030 in the classic framing and UTF-8 in the modern one, member
 * nicks included (MyQQ 3.30 takes them as they come: its GB conversion is commented out).
 */
export function handleQunCommand(x: Exchange<Q.QunRequest, Q.QunReply>): void {
  const { sub, qun, data } = x.body;
  const me = x.session.uid;
  const { hub, store } = x.ctx;
  const quns = hub.quns;
  const cs = x.session.framing === 'classic' ? GB : UTF8;
  const ok = (d: Buffer) => x.reply({ sub, result: Q.QunResult.OK, data: d });
  const fail = (result: number) => x.reply({ sub, result, data: Q.writeQunId(qun) });

  if (sub === Q.QunSub.CREATE) {
    const c = Q.readQunCreate(data);
    const policy = c.authType >= 1 && c.authType <= 3 ? c.authType : QunPolicy.NEEDS_AUTH;
    let q: Qun;
    try {
      q = quns.create(me, cs.decode(c.name) || `Qun of ${me}`, policy);
    } catch {
      return x.reply({ sub, result: Q.QunResult.REFUSED, data: Buffer.alloc(0) });
    }
    if (c.notice.length || c.intro.length) quns.setInfo(q.id, me, { notice: cs.decode(c.notice), intro: cs.decode(c.intro) });
    for (const m of c.members) if (m !== me && store.getUser(m)) store.qunChange({ qun: q.id, join: { uid: m, role: 0 }, notices: [] });
    return ok(Q.writeQunCreated(q.id, q.id));
  }
  if (sub === Q.QunSub.SEARCH) {
    const s = Q.readQunSearch(data);
    const q = store.getQun(s.ext);
    if (!q) return x.reply({ sub, result: Q.QunResult.NO_SUCH_QUN, data: Buffer.alloc(0) });
    return ok(Q.writeQunFound(s.type, infoOf(store, q, cs, quns.limits.maxMembers)));
  }

  const q = store.getQun(qun);
  if (!q) return fail(Q.QunResult.NO_SUCH_QUN);
  const member = store.isQunMember(qun, me);
  switch (sub) {
    case Q.QunSub.JOIN:
      return ok(Q.writeQunJoined(qun, JOIN_CODE[quns.join(qun, me)]));
    case Q.QunSub.AUTH: {
      const a = Q.readQunAuth(data);
      const note = cs.decode(a.note);
      if (a.opt === Q.QunAuthOpt.APPLY) return quns.join(qun, me, note) === 'unknown' ? fail(Q.QunResult.REFUSED) : ok(Q.writeQunId(qun));
      const done = quns.answer(qun, me, a.uid, a.opt === Q.QunAuthOpt.APPROVE, note);
      return done ? ok(Q.writeQunId(qun)) : fail(Q.QunResult.REFUSED);
    }
    case Q.QunSub.ACTIVATE:
      return ok(Q.writeQunId(qun));
  }
  if (!member) return fail(Q.QunResult.NOT_MEMBER);
  switch (sub) {
    case Q.QunSub.GET_INFO:
      return ok(Q.writeQunInfo(infoOf(store, q, cs, quns.limits.maxMembers), usesLogin2007(x.session.version) ? 'qq2007' : 'qq2005'));
    case Q.QunSub.GET_INFO_EX: {
      const from = data.length >= 4 ? data.readUInt32BE(0) : 0;
      const info = infoOf(store, q, cs, quns.limits.maxMembers);
      const rest = info.members.filter((m) => m.uid > from);
      const page = rest.slice(0, INFO_PAGE);
      return ok(Q.writeQunInfoEx({ ...info, members: page }, page.at(-1)?.uid ?? 0, rest.length > page.length));
    }
    case Q.QunSub.CHANGE_INFO: {
      const c = Q.readQunChangeInfo(data);
      const policy = c.authType >= 1 && c.authType <= 3 ? c.authType : q.authType;
      const done = quns.setInfo(qun, me, { name: cs.decode(c.name) || q.name, notice: cs.decode(c.notice), intro: cs.decode(c.intro), authType: policy });
      return done ? ok(Q.writeQunId(qun)) : fail(Q.QunResult.REFUSED);
    }
    case Q.QunSub.QUIT:
      quns.leave(qun, me);
      return ok(Q.writeQunId(qun));
    case Q.QunSub.GET_ONLINES:
      return ok(Q.writeQunOnlines(qun, quns.online(qun)));
    case Q.QunSub.GET_MEMBERS: {
      const asked = new Set(Q.readUidList(data));
      const cards = store.qunMembers(qun).filter((m) => asked.size === 0 || asked.has(m.uid))
        .map((m) => ({ uid: m.uid, face: m.face, age: m.age, gender: m.gender, nick: cs.encode(m.nick) }));
      return ok(Q.writeQunMembers(qun, cards));
    }
    case Q.QunSub.GET_NAMES:
      return ok(Q.writeQunNames(qun, store.qunMembers(qun).map((m) => ({ uid: m.uid, name: cs.encode(m.nick) }))));
    case Q.QunSub.SEND_IM: {
      // Classic: GB18030 text and its font trailer; one fragment per request (pidgin splits long text itself).
      const t = splitFontTrailerSafe(Q.readQunSendIm(data));
      const now = Math.floor(x.ctx.clock.now() / 1000);
      const text = fragmentTextOf(t.text, 'gb18030');
      const sent = sendFragment(x, { sentAt: now, msgId: x.packet.seq, fragCount: 1, fragIndex: 0, text: typeof text === 'string' ? text.replace(/ $/, '') : text, ...(t.font ? { font: messageFontOf(t.font) } : {}) });
      return sent ? ok(Q.writeQunId(qun)) : fail(Q.QunResult.REFUSED);
    }
    case Q.QunSub.CLASSIC_SEND_IM_EX: {
      // Classic (LumaQQ's Qun send since 2004): the head, then GB18030 text cut by bytes (inside characters too) and
      // the font trailer on the last fragment.
      if (x.session.framing !== 'classic') return fail(Q.QunResult.REFUSED);
      const m = Q.readClassicQunSendImEx(data);
      const f = fragmentsOf(m);
      const t = f.fragIndex === f.fragCount - 1 ? splitFontTrailerSafe(m.content) : { text: m.content };
      const now = Math.floor(x.ctx.clock.now() / 1000);
      const sent = sendFragment(x, { sentAt: now, msgId: m.msgId || x.packet.seq, ...f, text: fragmentTextOf(t.text, 'gb18030'), ...(t.font ? { font: messageFontOf(t.font) } : {}) });
      return sent ? ok(Q.writeQunId(qun)) : fail(Q.QunResult.REFUSED);
    }
    case Q.QunSub.SEND_IM_EX: {
      const now = Math.floor(x.ctx.clock.now() / 1000);
      const m = Q.readQunSendImEx(data);
      const b = m.block;
      const sent = sendFragment(x, {
        sentAt: b.time2 || now, msgId: m.msgId || (b.msgIdPair & 0xffff), ...fragmentsOf(m),
        text: imFragmentText(b), font: { name: b.fontName, size: b.fontSize & 0x1f, bold: false, italic: false, underline: false, color: b.color & 0xffffff },
      });
      return sent ? ok(Q.writeQunId(qun)) : fail(Q.QunResult.REFUSED);
    }
    default:
      return fail(Q.QunResult.REFUSED);
  }
}

/** A send's fragment count and index, made consistent (a count of at least 1, an index inside it). */
function fragmentsOf(m: { fragCount: number; fragIndex: number }): { fragCount: number; fragIndex: number } {
  const fragCount = Math.max(1, m.fragCount);
  return { fragCount, fragIndex: Math.min(m.fragIndex, fragCount - 1) };
}

/**
 * Stores and delivers a member's fragment. One cut inside a character is kept as its bytes, with its text read after
 * the bytes its predecessor left over (CutTexts), as for private messages. False when over the fragment size limit.
 */
function sendFragment(x: Exchange<Q.QunRequest, Q.QunReply>, f: Omit<QunFragment, 'text' | 'raw'> & { text: FragmentText }): boolean {
  if (fragmentByteLength(f.text) > MAX_FRAGMENT_BYTES) return false;
  const { qun } = x.body;
  const me = x.session.uid;
  const text = x.ctx.cutTexts.textOf(`qun ${qun}:${me}:${f.sentAt}:${f.msgId}:${f.fragCount}`, f.fragIndex, f.fragCount, f.text);
  return x.ctx.hub.quns.send(qun, me, { ...f, text, ...(typeof f.text === 'string' ? {} : { raw: f.text }) });
}

/** The text and font trailer of a classic Qun send; without a valid trailer the whole content is text. */
function splitFontTrailerSafe(content: Buffer): { text: Buffer; font?: ReturnType<typeof splitFontTrailer>['font'] } {
  try {
    return splitFontTrailer(content);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    return { text: content };
  }
}
