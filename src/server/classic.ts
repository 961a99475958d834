import { encodePacket, CLASSIC_SERVER_VERSION, type Packet } from '../protocol/framing.js';
import { Cmd } from '../protocol/commands.js';
import { teaEncrypt } from '../protocol/tea.js';
import { passwordKeyFromMd5 } from '../protocol/keys.js';
import { ipToU32, Status, type StatusBlock } from '../protocol/bodies/status-block.js';
import { fontTrailerOf, messageFontOf } from '../protocol/text.js';
import {
  tokenRequestCodec, tokenReplyCodec, openLoginBody, checkPasswordProof, loginReplyCodec, loginSuccess,
  userInfoRequestCodec, userInfoReplyCodec, userInfoReply,
  changeStatusRequestCodec, changeStatusReplyCodec, CHANGE_STATUS_OK, friendStatusPushCodec,
  friendListRequestCodec, friendListReplyCodec, FRIEND_LIST_END,
  friendGroupsRequestCodec, friendGroupsReplyCodec, GroupEntryType, levelsRequestCodec, levelsReplyCodec,
  onlineFriendsRequestCodec, onlineFriendsReplyCodec, ONLINE_END, ONLINE_MAX_ENTRIES,
  keepAliveRequestCodec, keepAliveReplyCodec, keepAliveReply,
  keyRequestCodec, keyReplyCodec, KEY_REPLY_PADDING,
  sendImRequestCodec, sendImReplyCodec, receiveImPushCodec, receiveImAckCodec, RecvType, IM_TEXT,
  systemMessageCodec, systemMessageAckCodec, SystemCode, memoRequestCodec, memoReplyCodec,
  type LoginReply,
} from '../protocol/bodies/classic/index.js';
import { KICKED_TEXT } from '../protocol/bodies/modern/index.js';
import { DecodeError } from '../protocol/errors.js';
import type { StoredMessage } from '../store/store.js';
import type { FramingHandler } from './context.js';
import { slowedDownReason } from './login-guard.js';
import { SessionRequests } from './requests.js';
import type { Endpoint, Presence, SenderInfo, Session, SessionOutput } from './session.js';
import { fragmentOf, packMsgId, unpackMsgId } from './message-id.js';

const FRIENDS_PER_PAGE = 50;
/** What a replaced session is told (the Chinese text is what QQ clients recognise). */
const KICKED_NOTICE = `${KICKED_TEXT} (your account logged in from another place)`;
const GROUP_ENTRIES_PER_PAGE = 100;

/** A status block as friends see it. */
export function statusBlockOf(p: Presence): StatusBlock {
  return { uid: p.uid, flag: 0x01, ip: p.ip, port: p.port, unknown: 0, status: p.status, clientVersion: p.clientVersion, key: p.key };
}

/** Level shown for an account: one level per 10 days since it was created (the server keeps no online time). */
export function levelOf(createdAt: number, nowSec: number): { activeTime: number; level: number; daysLeft: number } {
  const days = Math.max(0, Math.floor((nowSec - createdAt) / 86_400));
  return { activeTime: days, level: 1 + Math.floor(days / 10), daysLeft: 10 - (days % 10) };
}

/**
 * The classic framing (PROTOCOL.md §5): 2005-style token + login, then the after-login commands pidgin's
 * QQ plugin and LumaQQ-style clients send. Bodies are encoded only through the protocol's codecs.
 */
export class ClassicHandler extends SessionRequests implements FramingHandler, SessionOutput {

  protected encode(_session: Session | undefined, command: number, seq: number, body: Buffer): Buffer {
    return encodePacket({ framing: 'classic', direction: 's2c', version: CLASSIC_SERVER_VERSION, command, seq, body });
  }

  handle(packet: Packet, from: Endpoint): void {
    switch (packet.command) {
      case Cmd.REQUEST_LOGIN_TOKEN:
        return this.token(packet, from);
      case Cmd.LOGIN:
        return this.login(packet, from);
    }
    const opened = this.open(packet, from);
    if (!opened) return;
    const { session, plain } = opened;
    try {
      this.dispatch(session, packet, plain);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      this.ctx.drop('bad_body', from, packet);
    }
  }

  private dispatch(s: Session, p: Packet, plain: Buffer): void {
    const { hub, store } = this.ctx;
    switch (p.command) {
      case Cmd.KEEP_ALIVE: {
        keepAliveRequestCodec.decode(plain);
        return this.reply(s, p, keepAliveReplyCodec.encode(keepAliveReply(hub.onlineCount(), s.endpoint.address, s.endpoint.port)));
      }
      case Cmd.GET_USER_INFO: {
        const { uid } = userInfoRequestCodec.decode(plain);
        return this.reply(s, p, userInfoReplyCodec.encode(this.userInfo(uid)));
      }
      case Cmd.CHANGE_STATUS: {
        const req = changeStatusRequestCodec.decode(plain);
        hub.setStatus(s, req.status);
        return this.reply(s, p, changeStatusReplyCodec.encode({ result: CHANGE_STATUS_OK }));
      }
      case Cmd.GET_FRIEND_LIST: {
        const { start } = friendListRequestCodec.decode(plain);
        const friends = store.friendsOf(s.uid).sort((a, b) => a.uid - b.uid);
        const page = friends.slice(start, start + FRIENDS_PER_PAGE);
        const end = start + page.length;
        return this.reply(s, p, friendListReplyCodec.encode({
          next: end < friends.length ? end : FRIEND_LIST_END,
          entries: page.map((f) => ({ uid: f.uid, face: f.face, age: f.age, gender: f.gender, nick: f.nick, flagsUnknown: 0, ext: 0, comm: 0 })),
        }));
      }
      case Cmd.DOWNLOAD_GROUPS: {
        const req = friendGroupsRequestCodec.decode(plain);
        const friends = store.friendsOf(s.uid).filter((f) => f.uid >= req.startUid).sort((a, b) => a.uid - b.uid);
        const page = friends.slice(0, GROUP_ENTRIES_PER_PAGE);
        return this.reply(s, p, friendGroupsReplyCodec.encode({
          op: req.op, result: 0, reserved: 0,
          nextUid: friends.length > page.length ? friends[page.length]!.uid : 0,
          entries: page.map((f) => ({ uid: f.uid, type: GroupEntryType.FRIEND, group: f.group })),
        }));
      }
      case Cmd.GET_LEVEL: {
        const req = levelsRequestCodec.decode(plain);
        const now = Math.floor(this.ctx.clock.now() / 1000);
        const entries = req.uids.flatMap((uid) => {
          const a = store.getUser(uid);
          return a ? [{ uid, ...levelOf(a.createdAt, now) }] : [];
        });
        return this.reply(s, p, levelsReplyCodec.encode({ sub: req.sub, entries }));
      }
      case Cmd.GET_ONLINE_FRIENDS: {
        const req = onlineFriendsRequestCodec.decode(plain);
        // The position is an index into the online list (a u8, as pidgin sends it); FF ends the paging.
        const online = hub.onlineFriends(s.uid);
        const page = online.slice(req.position, req.position + ONLINE_MAX_ENTRIES);
        const end = req.position + page.length;
        return this.reply(s, p, onlineFriendsReplyCodec.encode({
          next: end < online.length && end < ONLINE_END ? end : ONLINE_END,
          entries: page.map((f) => ({ block: statusBlockOf(f), unknown1: 0, ext: 0, comm: 0, unknown2: 0, end: 0 })),
        }));
      }
      case Cmd.REQUEST_KEY: {
        const { sub } = keyRequestCodec.decode(plain);
        return this.reply(s, p, keyReplyCodec.encode({ sub, result: 0, key: s.fileKey, token: undefined, padding: Buffer.alloc(KEY_REPLY_PADDING) }));
      }
      case Cmd.SEND_IM:
        return this.sendIm(s, p, plain);
      case Cmd.RECV_IM: {
        receiveImAckCodec.decode(plain);
        hub.ack(s, p.seq);
        return this.noReply(s, p);
      }
      case Cmd.BUDDY_MEMO: {
        // The server keeps no memos; the lone sub-command is the "no memo" answer pidgin accepts.
        const { sub } = memoRequestCodec.decode(plain);
        return this.reply(s, p, memoReplyCodec.encode({ sub }));
      }
      case Cmd.ACK_SYSTEM_MESSAGE: {
        systemMessageAckCodec.decode(plain);
        return this.noReply(s, p);
      }
      case Cmd.LOGOUT: {
        // The body is TEA(session key, password key): only the real user can end the session.
        if (!plain.equals(s.passwordKey)) return this.ctx.drop('bad_body', s.endpoint, p);
        this.noReply(s, p);
        return hub.close(s, 'logout');
      }
      default:
        return this.ctx.drop('unknown_command', s.endpoint, p);
    }
  }

  private userInfo(uid: number) {
    const a = this.ctx.store.getUser(uid);
    const r = userInfoReply({
      uid, nick: a?.nick ?? '', country: '', province: '', zip: '', address: '', telephone: '', age: a?.age ?? 0,
      gender: a?.gender ?? 0xff, name: '', email: '', pagerSn: '', pagerNumber: '', pagerProvider: '', pagerBaseNumber: '',
      pagerType: '', occupation: '', homepage: '', authType: 0, face: a?.face ?? 0, mobile: '', mobileType: '', intro: '',
      city: '', publishMobile: '', publishContact: '', college: '', horoscope: '', zodiac: '', bloodType: '', show: '',
    });
    return r;
  }

  private sendIm(s: Session, p: Packet, plain: Buffer): void {
    const req = sendImRequestCodec.decode(plain);
    const m = req.message;
    if (req.sender !== s.uid || m.sender !== s.uid) return this.ctx.drop('bad_body', s.endpoint, p);
    if (m.imType !== IM_TEXT) {
      // Non-text IMs (file-transfer requests …) are not relayed; answer so the client does not retry.
      return this.reply(s, p, sendImReplyCodec.encode({ result: 0 }));
    }
    const frag = fragmentOf(m.fragCount, m.fragIndex);
    if (!frag) return this.reply(s, p, sendImReplyCodec.encode({ result: 1 }));
    this.ctx.hub.submit([{
      sender: s.uid, receiver: req.receiver, sentAt: m.time, msgId: packMsgId(m.msgSeq, m.msgId),
      fragCount: frag.fragCount, fragIndex: frag.fragIndex, replyType: m.replyType, text: m.text,
      font: m.font ? messageFontOf(m.font) : undefined,
    }], ([r]) => {
      if (s.closed) return;
      this.reply(s, p, sendImReplyCodec.encode({ result: r?.ok ? 0 : 1 }));
    });
  }

  // ---- login ----

  private token(p: Packet, from: Endpoint): void {
    if (!this.ctx.guard.preLogin(from.address)) return this.ctx.drop('rate_limited', from, p);
    try {
      tokenRequestCodec.decode(p.body);
    } catch {
      return this.ctx.drop('bad_body', from, p);
    }
    const token = this.ctx.tokens.issue(from, this.ctx.clock.now(), 'token', 24);
    this.ctx.send(this.encode(undefined, p.command, p.seq, tokenReplyCodec.encode({ result: 0, token })), from);
  }

  private login(p: Packet, from: Endpoint): void {
    const { ctx } = this;
    const uid = p.uid!;
    if (this.resendLoginReply(p, from)) return;
    if (!ctx.guard.preLogin(from.address)) return ctx.drop('rate_limited', from, p);
    const opened = openLoginBody(p.body);
    if (!opened.ok) return ctx.drop(opened.error.reason === 'undecryptable' ? 'undecryptable' : 'bad_body', from, p);
    const { initialKey, request } = opened.value;
    // `counted`: a password was tried (for a known uid or not); the guard counts it and logs it aggregated.
    const fail = (reason: string, counted?: { knownUid: boolean }) => {
      ctx.metrics.loginsFailed++;
      if (counted) ctx.guard.fail(uid, from.address, counted.knownUid, reason);
      // The client cannot be answered with its password key when the password was wrong: use its initial key.
      const body = loginReplyCodec.encode({ kind: 'failure', code: 0x05, reason });
      ctx.send(this.encode(undefined, p.command, p.seq, teaEncrypt(body, initialKey, ctx.random)), from);
    };
    const verdict = ctx.guard.check(uid, from.address);
    if (!verdict.ok) {
      ctx.metrics.drop('login_refused');
      return fail(slowedDownReason(verdict.waitMs));
    }
    if (!this.ctx.tokens.check(from, request.token, ctx.clock.now(), 'token')) return fail('login token expired; log in again');
    const account = ctx.store.getUser(uid);
    if (!account) return fail('unknown QQ number', { knownUid: false });
    const passwordKey = passwordKeyFromMd5(account.passwordMd5);
    if (!checkPasswordProof(request.proof, passwordKey)) return fail('wrong password', { knownUid: true });
    ctx.guard.succeed(uid, from.address);
    const sessionKey = ctx.random(16);
    const status = [Status.ONLINE, Status.AWAY, Status.INVISIBLE, Status.BUSY].includes(request.status as 10) ? request.status : Status.ONLINE;
    const session = ctx.hub.open({
      uid, framing: 'classic', version: p.version, endpoint: from, sessionKey, passwordKey, status, output: this,
    });
    const now = Math.floor(ctx.clock.now() / 1000);
    const reply: LoginReply = loginSuccess({
      sessionKey, uid, clientIp: ipToU32(from.address), clientPort: from.port,
      serverIp: ipToU32(ctx.serverIp), serverPort: ctx.serverPort(), loginTime: now,
    });
    const bytes = this.encode(session, p.command, p.seq, teaEncrypt(loginReplyCodec.encode(reply), passwordKey, ctx.random));
    session.replies.set(p.command, p.seq, bytes);
    ctx.send(bytes, from);
    ctx.hub.deliverPending(session);
  }

  // ---- pushes (SessionOutput) ----

  kicked(session: Session): void {
    const body = systemMessageCodec.encode({ code: SystemCode.NOTICE, from: 10000, to: session.uid, text: KICKED_NOTICE });
    this.push(session, Cmd.SYSTEM_MESSAGE, session.nextSeq(), body);
  }

  pushStatus(session: Session, friend: Presence): void {
    const body = friendStatusPushCodec.encode({ friend: statusBlockOf(friend), myUid: session.uid, extra: Buffer.alloc(0) });
    this.push(session, Cmd.FRIEND_STATUS, session.nextSeq(), body);
  }

  pushMessage(session: Session, msg: StoredMessage, seq: number, sender: SenderInfo): void {
    const { msgSeq, msgId } = unpackMsgId(msg.msgId);
    const body = receiveImPushCodec.encode({
      sender: msg.sender, receiver: msg.receiver, serverSeq: msg.id >>> 0, senderIp: sender.ip, senderPort: sender.port,
      type: RecvType.FRIEND,
      content: {
        kind: 'im',
        message: {
          senderVersion: sender.clientVersion || session.version, sender: msg.sender, receiver: msg.receiver, imKey: sender.imKey,
          imType: IM_TEXT, msgSeq, time: msg.sentAt, face: 0, fragCount: msg.fragCount, fragIndex: msg.fragIndex, msgId,
          replyType: msg.replyType, text: msg.text, font: msg.font ? fontTrailerOf(msg.font) : undefined,
        },
      },
    });
    this.push(session, Cmd.RECV_IM, seq, body);
  }
}
