import { MODERN_TABLE, ModernCmd } from '../protocol/commands.js';
import type { Packet } from '../protocol/framing.js';
import { Status, u32ToIp } from '../protocol/bodies/status-block.js';
import * as M from '../protocol/bodies/modern/index.js';
import type { BodyCodec } from '../protocol/codec.js';
import {
  decodeReply,
  LoginRefusedError, ProtocolError, RedirectRefusedError, SendFailedError, UnknownUserError, WrongPasswordError,
} from './errors.js';
import { KICK_TEXT, pushRoutes } from './push.js';
import type { FramingSession, Friend, FriendList, LoginInfo, OnlineFriend, PushEvent, UserInfo } from './session.js';
import { TableSession } from './table-session.js';
import { friendNotice, readQunPush, type AddFriendResult, type FriendEvent, type SocialTransport } from './social.js';
import * as B from '../protocol/bodies/classic/buddy-ops.js';

// The modern framing's client (PROTOCOL-MODERN.md §3–§5): the login chain 0x0091 → 0x00BA → 0x00DD → 0x00E5 →
// 0x0030 with random keys where MyQQ leaves them zero, then session requests TEA(session key) both ways.

/** Guards against a server that never reports the last page. */
const MAX_PAGES = 1000;

/** The client side of the modern framing. */
export class ModernSession extends TableSession implements FramingSession {
  /** Opens a login-chain reply with the first of `keys` that fits (the password key last) and decodes it. */
  private open<T>(p: Packet, codec: BodyCodec<T>, ...keys: Uint8Array[]): T {
    const r = M.openWith(p.body, ...keys, this.ctx.passwordKey);
    if (!r.ok) throw new ProtocolError(p.command, 'does not open with the expected key');
    return decodeReply(p.command, codec, r.value.plain);
  }

  // ---- login ----

  /** Touches the link's server; a redirect is followed once (same port, the reply's blob in the next touch). */
  private async touch(): Promise<M.TouchReplyOk> {
    const { link, random, uid } = this.ctx;
    let blob: Buffer = Buffer.alloc(15);
    for (let hop = 0; ; hop++) {
      const touchKey = random(16);
      const tp = await link.request(ModernCmd.TOUCH, M.wrapKeyPrefixed(touchKey, M.touchRequest.encode(M.makeTouchRequest(blob)), random));
      const touch = this.open(tp, M.touchReply, touchKey);
      if (!touch.ok) throw new LoginRefusedError(uid, `touch result 0x${touch.result.toString(16)}`, touch.result);
      if (!touch.redirect) return touch;
      if (hop > 0) throw new RedirectRefusedError(uid, u32ToIp(touch.redirect.serverIp));
      link.redirect(u32ToIp(touch.redirect.serverIp), link.opts.port);
      blob = M.touchBlobAfter(touch.redirect);
    }
  }

  async login(status: number): Promise<LoginInfo> {
    const { link, random, uid } = this.ctx;
    this.sessionKey = undefined;
    link.home();
    const touch = await this.touch();

    const requestKey = random(16);
    const lp = await link.request(ModernCmd.LOGIN_REQUEST, M.wrapKeyPrefixed(requestKey, M.loginRequest.encode(M.makeLoginRequest(touch.loginToken)), random));
    const gate = this.open(lp, M.loginReply, requestKey);
    if (gate.pngFlag !== 0 || gate.captcha !== 0) throw new LoginRefusedError(uid, 'the server asks for a captcha, which this client cannot answer');

    const verifyKey = random(16);
    const verifyKey2 = random(16);
    const verifyCipher = M.buildVerifyBlock(
      { uid, passwordMd5: this.ctx.passwordMd5, serverTime: touch.serverTime, serverIp: touch.serverIp, verifyKey1: random(16), verifyKey2 },
      random,
    );
    const vreq = M.verifyRequest.encode(M.makeVerifyRequest({ tokenC: gate.tokenC, verifyCipher }, random));
    const vp = await link.request(ModernCmd.VERIFY, M.wrapKeyPrefixed(verifyKey, vreq, random));
    // Success comes under verify_key2, a failure under the request's clear key (the server could not read key2).
    const verify = this.open(vp, M.verifyReply, verifyKey2, verifyKey);
    if (!verify.ok) {
      if (verify.code === M.VerifyCode.WRONG_PASSWORD) throw new WrongPasswordError(uid, verify.message);
      if (verify.code === M.VerifyCode.NO_SUCH_UID) throw new UnknownUserError(uid, verify.message);
      throw new LoginRefusedError(uid, verify.message || `code 0x${verify.code.toString(16)}`, verify.code);
    }

    const { loginInfoMagic: magic, loginInfoKey1: key1 } = verify;
    const ip = await link.request(ModernCmd.GET_LOGIN_INFO, M.wrapMagicPrefixed(magic, key1, M.loginInfoRequest.encode(M.makeLoginInfoRequest(gate.tokenC, verify)), random));
    const info = this.open(ip, M.loginInfoReply, verify.loginInfoKey3);

    const mode = status === Status.INVISIBLE ? M.LoginMode.HIDDEN : M.LoginMode.ONLINE;
    const sreq = M.sendLoginInfoRequest.encode(M.makeSendLoginInfoRequest({ tokenC: gate.tokenC, info, mode }, random));
    const sp = await link.request(ModernCmd.SEND_LOGIN_INFO, M.wrapMagicPrefixed(magic, key1, sreq, random));
    const done = this.open(sp, M.sendLoginInfoReply, info.loginInfoKey2);
    if (!done.ok) throw new LoginRefusedError(uid, `login info result 0x${done.result.toString(16)}`, done.result);
    this.sessionKey = done.sessionKey;
    return { uid, sessionKey: done.sessionKey, clientIp: u32ToIp(done.clientIp), clientPort: done.clientPort, loginTime: new Date(done.loginTime * 1000) };
  }

  // ---- requests ----

  async keepAlive(): Promise<void> {
    await this.call(MODERN_TABLE.KEEP_ALIVE, { uid: this.ctx.uid, form: 'u32' });
  }

  async getFriends(): Promise<FriendList> {
    // 0x00EB: uid → group, paged from page 1.
    const groupOf = new Map<number, number>();
    const quns: number[] = [];
    for (let page = 1, n = 0; n < MAX_PAGES; n++) {
      const r = await this.call(MODERN_TABLE.BUDDY_INDEX, { page });
      if (r.result === 0) {
        for (const e of r.entries) {
          if (e.type === M.IndexType.BUDDY) groupOf.set(e.uid, e.group);
          else if (e.type === M.IndexType.QUN) quns.push(e.uid);
        }
      }
      if (r.currentPage >= r.totalPages) break;
      page = r.currentPage + 1;
    }
    // 0x0001: group labels.
    const groups = [{ index: 0, name: 'My Friends' }];
    const labels = await this.call(MODERN_TABLE.GROUP_LABELS, { start: 0 });
    for (const l of [...labels.labels].sort((a, b) => a.order - b.order)) groups.push({ index: l.id, name: l.name });
    // 0x0126: the friends, paged until FFFF.
    const friends: Friend[] = [];
    for (let start = 0, n = 0; n < MAX_PAGES; n++) {
      const r = await this.call(MODERN_TABLE.FRIEND_LIST, { start });
      for (const f of r.friends) friends.push({ uid: f.uid, nick: f.nick, face: f.face, age: f.age, gender: f.sex, group: groupOf.get(f.uid) ?? 0 });
      if (r.next === M.FRIEND_LIST_LAST || r.next <= start) break;
      start = r.next;
    }
    return { groups, friends, quns };
  }

  async getOnlineFriends(): Promise<OnlineFriend[]> {
    const out = new Map<number, OnlineFriend>();
    for (let start = 0, n = 0; n < MAX_PAGES; n++) {
      const r = await this.call(MODERN_TABLE.GET_ONLINE_FRIENDS, { start });
      for (const { block: b } of r.entries) out.set(b.uid, { uid: b.uid, status: b.status, ip: u32ToIp(b.ip), port: b.port, clientVersion: b.clientVersion });
      const highest = Math.max(start, ...r.entries.map((e) => e.block.uid));
      // Not the last page: ask again from the highest uid seen (a page that moves nothing ends it).
      if (r.next === M.ONLINE_LIST_LAST || highest === start) break;
      start = highest;
    }
    return [...out.values()].sort((a, b) => a.uid - b.uid);
  }

  async getUserInfo(uid: number): Promise<UserInfo> {
    const r = await this.call(MODERN_TABLE.FRIEND_DETAILS, { uid, tags: [...M.MYQQ_DETAIL_TAGS] });
    if (r.result !== 0) throw new UnknownUserError(uid);
    return { uid, nick: M.detailText(r, M.DetailTag.NICK) ?? '' };
  }

  async setStatus(status: number): Promise<void> {
    const r = await this.call(MODERN_TABLE.CHANGE_STATUS, { mode: status });
    if (r.result !== M.CHANGE_STATUS_OK) throw new ProtocolError(ModernCmd.CHANGE_STATUS, `change status result 0x${r.result.toString(16)}`);
  }

  async requestKey(sub: number): Promise<Buffer> {
    const r = await this.call(MODERN_TABLE.REQUEST_KEY, { sub });
    if (r.result !== 0) throw new ProtocolError(ModernCmd.REQUEST_KEY, `request key result 0x${r.result.toString(16)}`);
    return r.key;
  }

  async sendMessage(to: number, text: string): Promise<number> {
    const msgId = this.nextMessageId();
    const sk = this.key();
    // MyQQ puts a packet's seq in the message seq; any u16 that differs per message does (the server dedups on it).
    const msgSeq = this.ctx.random(2).readUInt16BE(0);
    const parts = M.makeSendIms({ sender: this.ctx.uid, receiver: to, sessionKey: sk, senderVersion: this.ctx.version, text, msgSeq, sendTime: this.nowSec(), msgId });
    for (const part of parts) {
      const r = await this.call(MODERN_TABLE.SEND_IM, part);
      if (r.result !== 0) throw new SendFailedError(to, r.result, part.im.fragIndex);
    }
    return msgId;
  }

  protected readonly pushes = pushRoutes(MODERN_TABLE, {
    FRIEND_STATUS: (push) => ({ kind: 'status', uid: push.block.uid, status: push.block.status }),
    QUN_MESSAGE: (push, seq) => {
      this.sendSealed(ModernCmd.QUN_MESSAGE, M.imAck.encode(M.imAckFor(push)), seq);
      if (push.receiver !== this.ctx.uid || push.kind !== 'raw') return { kind: 'ignored' };
      const q = readQunPush('modern', { sender: push.sender, serverSeq: push.serverSeq, type: push.imType }, push.data, (b) => b.toString('utf8'));
      if (!q) return { kind: 'ignored' };
      return 'fragment' in q ? { kind: 'qun', qun: q } : { kind: 'notice', notice: q };
    },
    SYSTEM_BROADCAST: (b, seq) => {
      // MyQQ sends no ack; this SDK does (same command and seq), so the server can stop re-sending.
      const ack = M.broadcastAck.encode({ data: M.systemBroadcast.encode(b).subarray(0, 16) });
      this.sendSealed(ModernCmd.SYSTEM_BROADCAST, ack, seq);
      if (b.to !== this.ctx.uid) return { kind: 'ignored' };
      const notice = friendNotice(FRIEND_EVENTS[b.code], b.from, () => broadcastText(b));
      return notice ? { kind: 'notice', notice } : { kind: 'ignored' };
    },
    RECV_IM: (push, seq) => {
      // Every copy is acked (same command and seq, the push's first 16 bytes); the server does not answer.
      this.sendSealed(ModernCmd.RECV_IM, M.imAck.encode(M.imAckFor(push)), seq);
      if (push.receiver !== this.ctx.uid) return { kind: 'ignored' };
      if (push.kind === 'raw') return push.imType === M.IM_TYPE_SYSTEM ? systemNotice(push.data) : { kind: 'ignored' };
      const im = push.im;
      if (im.contentType !== M.IM_CONTENT_TEXT) return { kind: 'ignored' };
      return {
        kind: 'message',
        fragment: {
          sender: push.sender, serverSeq: push.serverSeq, sendTime: im.sendTime, msgSeq: im.msgSeq, msgId: im.msgId,
          fragCount: Math.max(1, im.fragCount), fragIndex: im.fragIndex, text: M.imFragmentText(im),
        },
      };
    },
  });

  private authCode(sub: number, uid: number): Promise<B.AuthCodeReply> {
    return this.call(MODERN_TABLE.AUTH_CODE, { cmd: 1, sub, uid });
  }

  /** MyQQ's way: 0x00A7 asks for the policy, 0x00AE gets a code, 0x00A8 adds (00) or asks with a note (02). */
  async addFriend(uid: number, note?: string): Promise<AddFriendResult> {
    const r = await this.call(MODERN_TABLE.ADD_FRIEND_EX, { uid });
    if (r.reply !== 0 || r.authType > B.AuthType.NEEDS_AUTH) return 'refused';
    const anyone = r.authType === B.AuthType.ANYONE;
    if (!anyone && note === undefined) return 'needs-authorization';
    const { code } = await this.authCode(1, uid);
    const sub = anyone ? B.AuthExSub.ADD : B.AuthExSub.REQUEST;
    const v = await this.call(MODERN_TABLE.ADD_FRIEND_AUTH_EX, { sub, uid, code, allowReverse: 1, group: 0, ...(anyone ? {} : { note: Buffer.from(note ?? '', 'utf8').subarray(0, 255) }) });
    if (v.result !== 0) return 'refused';
    return anyone ? 'accepted' : 'needs-authorization';
  }

  async answerFriend(uid: number, accept: boolean, reason = ''): Promise<void> {
    const sub = accept ? B.AuthExSub.APPROVE_ADD : B.AuthExSub.REFUSE;
    const v = await this.call(MODERN_TABLE.ADD_FRIEND_AUTH_EX, { sub, uid, ...(accept ? {} : { code: Buffer.alloc(0), note: Buffer.from(reason, 'utf8').subarray(0, 255) }) });
    if (v.result !== 0) throw new ProtocolError(ModernCmd.ADD_FRIEND_AUTH_EX, `no friend request from ${uid} to answer`);
  }

  async removeFriend(uid: number): Promise<void> {
    const { code } = await this.authCode(6, uid);
    const r = await this.call(MODERN_TABLE.DELETE_FRIEND, { uid, token: code });
    if (r.result !== 0) throw new ProtocolError(ModernCmd.DELETE_FRIEND, `remove result 0x${r.result.toString(16)}`);
  }

  social(): SocialTransport {
    return {
      framing: 'modern', decode: (b) => b.toString('utf8'), encode: (t) => Buffer.from(t, 'utf8'),
      qun: (req) => this.call(MODERN_TABLE.QUN, req),
      search: (req) => this.call(MODERN_TABLE.SEARCH_USER, req),
      now: () => this.nowSec(),
      messageId: () => this.nextMessageId(),
    };
  }

  logout(): void {
    if (!this.sessionKey) return;
    this.sendSealed(ModernCmd.LOGOUT, M.logoutRequest.encode({}));
    this.sessionKey = undefined;
  }
}

/** A 0x00CE system notice (type 0030). "Logged in elsewhere" is a kick. */
function systemNotice(data: Buffer): PushEvent {
  const { text } = M.systemNotice.decode(data);
  return KICK_TEXT.test(text) ? { kind: 'kicked', text } : { kind: 'ignored' };
}

/** The friend events of modern system broadcast (0x0080) codes. */
const FRIEND_EVENTS: Readonly<Record<string, FriendEvent>> = {
  [M.BroadcastCode.ADDED_ME]: 'added', [M.BroadcastCode.APPROVED]: 'added', [M.BroadcastCode.ADD_REQUEST]: 'request',
  [M.BroadcastCode.REJECTED]: 'refused', [M.BroadcastCode.NOTICE]: 'notice',
};

/** A broadcast's text: a request's note or a refusal's reason follows a header; a notice is all text. */
function broadcastText(b: M.SystemBroadcast): string {
  return (b.code === M.BroadcastCode.NOTICE ? b.data : M.readBroadcastNote(b.data)).toString('utf8');
}
