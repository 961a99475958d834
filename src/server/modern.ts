import { encodePacket, type Packet } from '../protocol/framing.js';
import { Cmd } from '../protocol/commands.js';
import { teaEncrypt } from '../protocol/tea.js';
import { passwordKeyFromMd5 } from '../protocol/keys.js';
import { ipToU32, Status } from '../protocol/bodies/status-block.js';
import { DecodeError } from '../protocol/errors.js';
import * as M from '../protocol/bodies/modern/index.js';
import type { MessageFont, StoredMessage } from '../store/store.js';
import type { FramingHandler } from './context.js';
import { slowedDownReason } from './login-guard.js';
import { SessionRequests } from './requests.js';
import type { Endpoint, Presence, SenderInfo, Session, SessionOutput } from './session.js';
import { fragmentOf, packMsgId, unpackMsgId } from './message-id.js';
import { PendingLogins } from './pending-logins.js';
import { levelOf, statusBlockOf } from './classic.js';

const INDEX_PER_PAGE = 100;
const FRIENDS_PER_PAGE = 50;
/** ≈ 22 entries make the capture's ≈1000-byte online reply. */
const ONLINE_PER_PAGE = 22;
const SIGNATURES_PER_PAGE = 30;
/** Longest wait before a new session's queued messages are pushed (see sendLoginInfo). */
const PENDING_HOLD_MS = 1500;

// Font flag bits, as in the classic font trailer's attribute byte (a project choice: MQ sends 0).
const BOLD = 0x20;
const ITALIC = 0x40;
const UNDERLINE = 0x80;

/** What the server keeps between 0x00DD and 0x0030 for one endpoint and uid. */
interface Pending {
  verify: M.VerifyReplyOk;
  info?: M.LoginInfoReply;
}

/** The store-side font of a modern IM body. */
export function fontOfIm(im: M.ImBody): MessageFont {
  return {
    name: im.fontName, size: im.fontSize, bold: (im.fontFlags & BOLD) !== 0, italic: (im.fontFlags & ITALIC) !== 0,
    underline: (im.fontFlags & UNDERLINE) !== 0, color: im.color & 0xffffff,
  };
}

/**
 * The modern framing (PROTOCOL-MODERN.md): the login chain 0x0091 → 0x00BA → 0x00DD → 0x00E5 → 0x0030,
 * the post-login chain, keep-alive, pushes and 0x00CD/0x00CE messages, answered in 14-byte server headers.
 */
export class ModernHandler extends SessionRequests implements FramingHandler, SessionOutput {
  private readonly pending = new PendingLogins<Pending>();

  protected encode(session: Session, command: number, seq: number, body: Buffer): Buffer {
    return this.header(session.version, session.uid, command, seq, body);
  }

  private header(version: number, uid: number, command: number, seq: number, body: Buffer): Buffer {
    return encodePacket({ framing: 'modern', direction: 's2c', version, command, seq, uid, body });
  }

  private now(): number {
    return this.ctx.clock.now();
  }

  private nowSec(): number {
    return Math.floor(this.now() / 1000);
  }

  handle(packet: Packet, from: Endpoint): void {
    try {
      switch (packet.command) {
        case Cmd.TOUCH:
          return this.touch(packet, from);
        case Cmd.LOGIN_REQUEST:
          return this.loginRequest(packet, from);
        case Cmd.VERIFY:
          return this.verify(packet, from);
        case Cmd.GET_LOGIN_INFO:
          return this.loginInfo(packet, from);
        case Cmd.LOGIN_INFO:
          return this.sendLoginInfo(packet, from);
      }
      const opened = this.open(packet, from);
      if (opened) this.dispatch(opened.session, packet, opened.plain);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      this.ctx.drop('bad_body', from, packet);
    }
  }

  // ---- login chain ----

  /** Sends a login-chain reply sealed with `key`; returns the bytes. */
  private loginReply(p: Packet, from: Endpoint, key: Uint8Array, plain: Buffer): Buffer {
    const bytes = this.header(p.version, p.uid!, p.command, p.seq, teaEncrypt(plain, key, this.ctx.random));
    this.ctx.send(bytes, from);
    return bytes;
  }

  private unwrapKey(p: Packet, from: Endpoint): { key: Buffer; plain: Buffer } | undefined {
    if (!this.ctx.guard.preLogin(from.address)) return void this.ctx.drop('rate_limited', from, p);
    const r = M.unwrapKeyPrefixed(p.body);
    if (!r.ok) return void this.ctx.drop(r.error.reason === 'undecryptable' ? 'undecryptable' : 'bad_body', from, p);
    return r.value;
  }

  private touch(p: Packet, from: Endpoint): void {
    const w = this.unwrapKey(p, from);
    if (!w) return;
    M.touchRequest.decode(w.plain);
    // Never a redirect: a loopback client would reconnect to the address it is given.
    const reply = M.makeTouchReply({
      serverTime: this.nowSec(), serverIp: ipToU32(this.ctx.serverIp), loginToken: this.ctx.tokens.issue(from, this.now(), 'touch', 24),
    }, this.ctx.random);
    this.loginReply(p, from, w.key, M.touchReply.encode(reply));
  }

  private loginRequest(p: Packet, from: Endpoint): void {
    const w = this.unwrapKey(p, from);
    if (!w) return;
    const req = M.loginRequest.decode(w.plain);
    if (!this.ctx.tokens.check(from, req.loginToken, this.now(), 'touch')) return this.ctx.drop('login_refused', from, p);
    const tokenC = this.ctx.tokens.issue(from, this.now(), 'captcha', 56);
    this.loginReply(p, from, w.key, M.loginReply.encode(M.makeLoginReply(this.ctx.random, tokenC)));
  }

  private verify(p: Packet, from: Endpoint): void {
    const { ctx } = this;
    const uid = p.uid!;
    const earlier = this.pending.get(from.address, from.port, uid, this.now())?.replies.get(p.command, p.seq);
    if (earlier) {
      ctx.metrics.duplicates++;
      return ctx.send(earlier, from);
    }
    const w = this.unwrapKey(p, from);
    if (!w) return;
    const req = M.verifyRequest.decode(w.plain);
    if (!this.ctx.tokens.check(from, req.tokenC, this.now(), 'captcha')) return ctx.drop('login_refused', from, p);
    // `counted`: a password was tried (for a known uid or not); the guard counts it and logs it aggregated.
    const fail = (code: number, message: string, counted?: { knownUid: boolean }) => {
      ctx.metrics.loginsFailed++;
      if (counted) ctx.guard.fail(uid, from.address, counted.knownUid, message);
      // The verify block did not open (or must not be trusted): answer with the request's clear key.
      this.loginReply(p, from, w.key, M.verifyReply.encode(M.makeVerifyFailure(code, message)));
    };
    const verdict = ctx.guard.check(uid, from.address);
    if (!verdict.ok) {
      ctx.metrics.drop('login_refused');
      return fail(M.VerifyCode.DENIED, slowedDownReason(verdict.waitMs));
    }
    const account = ctx.store.getUser(uid);
    if (!account) return fail(M.VerifyCode.NO_SUCH_UID, 'no such QQ number', { knownUid: false });
    const opened = M.checkVerifyBlock(req.verifyCipher, account.passwordMd5, uid);
    if (!opened.ok) return fail(M.VerifyCode.WRONG_PASSWORD, 'wrong password', { knownUid: true });
    const verify = M.makeVerifySuccess({ serverTime: this.nowSec() }, ctx.random);
    const replies = this.pending.set(from.address, from.port, uid, { verify }, this.now());
    replies.set(p.command, p.seq, this.loginReply(p, from, opened.block.verifyKey2, M.verifyReply.encode(verify)));
  }

  private pendingFor(p: Packet, from: Endpoint) {
    const e = this.pending.get(from.address, from.port, p.uid!, this.now());
    if (!e) return void this.ctx.drop('no_session', from, p);
    const earlier = e.replies.get(p.command, p.seq);
    if (earlier) {
      this.ctx.metrics.duplicates++;
      return void this.ctx.send(earlier, from);
    }
    const r = M.unwrapMagicPrefixed(p.body, e.value.verify.loginInfoKey1);
    if (!r.ok) return void this.ctx.drop(r.error.reason === 'undecryptable' ? 'undecryptable' : 'bad_body', from, p);
    if (!r.value.magic.equals(e.value.verify.loginInfoMagic)) return void this.ctx.drop('login_refused', from, p);
    return { entry: e, plain: r.value.plain };
  }

  private loginInfo(p: Packet, from: Endpoint): void {
    const got = this.pendingFor(p, from);
    if (!got) return;
    const req = M.loginInfoRequest.decode(got.plain);
    if (!req.loginInfoToken.equals(got.entry.value.verify.loginInfoToken)) return this.ctx.drop('login_refused', from, p);
    const info = M.makeLoginInfoReply({ serverTime: this.nowSec(), clientIp: ipToU32(from.address) }, this.ctx.random);
    got.entry.value.info = info;
    got.entry.replies.set(p.command, p.seq, this.loginReply(p, from, got.entry.value.verify.loginInfoKey3, M.loginInfoReply.encode(info)));
  }

  private sendLoginInfo(p: Packet, from: Endpoint): void {
    const { ctx } = this;
    const uid = p.uid!;
    if (this.resendLoginReply(p, from)) return;
    const got = this.pendingFor(p, from);
    if (!got) return;
    const info = got.entry.value.info;
    if (!info) return ctx.drop('login_refused', from, p);
    const req = M.sendLoginInfoRequest.decode(got.plain);
    if (!req.loginInfoLarge.equals(info.loginInfoLarge)) return ctx.drop('login_refused', from, p);
    const account = ctx.store.getUser(uid);
    if (!account) return ctx.drop('login_refused', from, p);
    this.pending.delete(from.address, from.port, uid);
    ctx.guard.succeed(uid, from.address);
    const sessionKey = ctx.random(16);
    const status = req.mode === M.LoginMode.HIDDEN ? Status.INVISIBLE : Status.ONLINE;
    const session = ctx.hub.open({
      uid, framing: 'modern', version: p.version, endpoint: from, sessionKey,
      passwordKey: passwordKeyFromMd5(account.passwordMd5), status, output: this,
    });
    const reply = M.makeSendLoginInfoReply({
      sessionKey, uid, clientIp: ipToU32(from.address), clientPort: from.port, loginTime: this.nowSec(), mode: req.mode,
    });
    const bytes = this.loginReply(p, from, info.loginInfoKey2, M.sendLoginInfoReply.encode(reply));
    session.replies.set(p.command, p.seq, bytes);
    // Queued messages wait until the client has loaded its buddy list (its online-list request ends MyQQ's
    // post-login chain), so it can show who they are from; at most PENDING_HOLD_MS.
    ctx.clock.setTimeout(() => ctx.hub.deliverPending(session), PENDING_HOLD_MS);
  }

  // ---- after login ----

  private dispatch(s: Session, p: Packet, plain: Buffer): void {
    const { hub, store } = this.ctx;
    switch (p.command) {
      case Cmd.BUDDY_INDEX: {
        const { page } = M.buddyIndexRequest.decode(plain);
        const friends = store.friendsOf(s.uid).sort((a, b) => a.uid - b.uid);
        const totalPages = Math.max(1, Math.ceil(friends.length / INDEX_PER_PAGE));
        const current = Math.min(Math.max(page, 1), totalPages);
        const slice = friends.slice((current - 1) * INDEX_PER_PAGE, current * INDEX_PER_PAGE);
        return this.reply(s, p, M.buddyIndexReply.encode({
          result: 0, unknown1: 0, unknown2: 0, updateTime: this.nowSec(), totalPages, currentPage: current,
          entries: slice.map((f) => ({ uid: f.uid, type: M.IndexType.BUDDY, group: f.group })),
        }));
      }
      case Cmd.CHAIN_E9:
      case Cmd.CHAIN_EA:
      case Cmd.CHAIN_ED:
      case Cmd.CHAIN_EC:
        M.chainRequest.decode(plain);
        return this.reply(s, p, M.chainReply.encode(M.CHAIN_REPLY_OK));
      case Cmd.GROUP_LABELS: {
        M.groupLabelsRequest.decode(plain);
        const labels = store.groupsOf(s.uid).filter((g) => g.index !== 0).map((g, i) => ({ id: g.index, order: i + 1, name: g.name }));
        return this.reply(s, p, M.groupLabelsReply.encode({ next: labels.length ? 0 : M.NO_GROUP_LABELS, unknown1: 0, unknown2: 0, labels }));
      }
      case Cmd.GET_LEVEL: {
        const { uid } = M.levelRequest.decode(plain);
        const a = store.getUser(uid);
        const l = levelOf(a?.createdAt ?? this.nowSec(), this.nowSec());
        return this.reply(s, p, M.levelReply.encode({ uid, unknown1: 3, level: l.level, activeDays: l.activeTime, unknown2: 0, daysToUpgrade: l.daysLeft }));
      }
      case Cmd.CHANGE_STATUS: {
        const req = M.changeStatusRequest.decode(plain);
        hub.setStatus(s, req.mode);
        return this.reply(s, p, M.changeStatusReply.encode({ result: M.CHANGE_STATUS_OK }));
      }
      case Cmd.MODERN_FRIEND_LIST: {
        const { start } = M.friendListRequest.decode(plain);
        const all = store.friendsOf(s.uid).sort((a, b) => a.uid - b.uid)
          .map((f) => ({ uid: f.uid, face: f.face, age: f.age, sex: f.gender === 1 ? M.Sex.FEMALE : M.Sex.MALE, nick: f.nick }));
        return this.reply(s, p, M.friendListReply.encode(M.friendListPage(all, start, FRIENDS_PER_PAGE)));
      }
      case Cmd.SIGNATURES: {
        const { queries } = M.signaturesRequest.decode(plain);
        // The server keeps no signatures: every known uid gets an empty one (an unknown uid would stop MQ's parse).
        const known = queries.filter((q) => store.getUser(q.uid)).slice(0, SIGNATURES_PER_PAGE);
        return this.reply(s, p, M.signaturesReply.encode({ result: 0, next: 0, signatures: known.map((q) => ({ uid: q.uid, time: 0, text: '' })) }));
      }
      case Cmd.ACCOUNTS: {
        const req = M.accountsRequest.decode(plain);
        return this.reply(s, p, M.accountsReply.encode({ uid: s.uid, result: 1, next: 0, accounts: req.uids.map((uid) => ({ uid, flag: 0 })) }));
      }
      case Cmd.ALIASES: {
        M.aliasesRequest.decode(plain);
        return this.reply(s, p, M.aliasesReply.encode({ last: 1, aliases: [] }));
      }
      case Cmd.GET_ONLINE_FRIENDS: {
        const { start } = M.onlineListRequest.decode(plain);
        hub.deliverPending(s);
        const online = hub.onlineFriends(s.uid).filter((f) => f.uid > start);
        const page = online.slice(0, ONLINE_PER_PAGE);
        return this.reply(s, p, M.onlineListReply.encode({
          next: online.length > page.length ? 0 : M.ONLINE_LIST_LAST,
          entries: page.map((f) => ({ block: statusBlockOf(f) })),
        }));
      }
      case Cmd.FRIEND_DETAILS: {
        const req = M.detailsRequest.decode(plain);
        const a = store.getUser(req.uid);
        const fields = a ? [{ tag: M.DetailTag.NICK, value: Buffer.from(a.nick, 'utf8') }] : [];
        return this.reply(s, p, M.detailsReply.encode({ result: a ? 0 : 1, uid: req.uid, unknown: 0, fields }));
      }
      case Cmd.MODERN_KEEP_ALIVE: {
        M.keepAliveRequest.decode(plain);
        return this.reply(s, p, M.keepAliveReply.encode(M.makeKeepAliveReply({
          online: Math.max(1, hub.onlineCount()), clientIp: s.ip, clientPort: s.endpoint.port, serverTime: this.nowSec(),
        })));
      }
      case Cmd.REQUEST_KEY: {
        const { sub } = M.keyRequest.decode(plain);
        return this.reply(s, p, M.keyReply.encode({ sub, result: 0, key: s.fileKey }));
      }
      case Cmd.MODERN_SEND_IM:
        return this.sendIm(s, p, plain);
      case Cmd.MODERN_RECV_IM: {
        M.imAck.decode(plain);
        hub.ack(s, p.seq);
        return this.noReply(s, p);
      }
      case Cmd.MODERN_LOGOUT: {
        M.logoutRequest.decode(plain);
        this.noReply(s, p);
        return hub.close(s, 'logout');
      }
      default:
        return this.ctx.drop('unknown_command', s.endpoint, p);
    }
  }

  private sendIm(s: Session, p: Packet, plain: Buffer): void {
    const req = M.sendIm.decode(plain);
    const im = req.im;
    if (req.sender !== s.uid || im.sender !== s.uid) return this.ctx.drop('bad_body', s.endpoint, p);
    if (im.contentType !== M.IM_CONTENT_TEXT) return this.reply(s, p, M.sendImReply.encode({ result: 0 }));
    const frag = fragmentOf(im.fragmentCount, im.fragmentIndex);
    if (!frag) return this.reply(s, p, M.sendImReply.encode({ result: 1 }));
    this.ctx.hub.submit([{
      sender: s.uid, receiver: req.receiver, sentAt: im.sendTime, msgId: packMsgId(im.msgSeq, im.msgId),
      ...frag, replyType: im.replyType, text: M.imText(im), font: fontOfIm(im),
    }], ([r]) => {
      if (s.closed) return;
      this.reply(s, p, M.sendImReply.encode({ result: r?.ok ? 0 : 1 }));
    });
  }

  // ---- pushes (SessionOutput) ----

  kicked(session: Session): void {
    const data = M.systemNotice.encode({ unknown: 0, type: 1, text: `${M.KICKED_TEXT} (your account logged in from another place)` });
    const body = M.receiveIm.encode({ sender: 10000, receiver: session.uid, msgSeq: 0, senderIp: 0, senderPort: 0, imType: M.IM_TYPE_SYSTEM, kind: 'raw', data });
    this.push(session, Cmd.MODERN_RECV_IM, session.nextSeq(), body);
  }

  pushStatus(session: Session, friend: Presence): void {
    const body = M.statusPush.encode(M.makeStatusPush(statusBlockOf(friend), session.uid, this.nowSec()));
    this.push(session, Cmd.FRIEND_STATUS, session.nextSeq(), body);
  }

  pushMessage(session: Session, msg: StoredMessage, seq: number, sender: SenderInfo): void {
    const { msgSeq, msgId } = unpackMsgId(msg.msgId);
    const f = msg.font;
    const im = M.makeImText({
      sender: msg.sender, receiver: msg.receiver, imKey: sender.imKey, senderVersion: sender.clientVersion || session.version,
      text: msg.text, msgSeq, time: msg.sentAt, msgId, fragmentCount: msg.fragCount, fragmentIndex: msg.fragIndex,
      replyType: msg.replyType, fontName: f?.name, fontSize: f?.size,
      color: f ? f.color : 0, fontFlags: f ? (f.bold ? BOLD : 0) | (f.italic ? ITALIC : 0) | (f.underline ? UNDERLINE : 0) : 0,
    });
    const body = M.receiveIm.encode({
      sender: msg.sender, receiver: msg.receiver, msgSeq: msg.id >>> 0, senderIp: sender.ip, senderPort: sender.port,
      imType: M.IM_TYPE_BUDDY, kind: 'im', im,
    });
    this.push(session, Cmd.MODERN_RECV_IM, seq, body);
  }
}
