import { CLASSIC_TABLE, ClassicCmd } from '../protocol/commands.js';
import { LoginFailure } from '../protocol/login-failure.js';
import { imKey } from '../protocol/keys.js';
import { teaDecrypt } from '../protocol/tea.js';
import { DEFAULT_FONT, encodeGb, splitText } from '../protocol/text.js';
import { u32ToIp } from '../protocol/bodies/status-block.js';
import * as C from '../protocol/bodies/classic/index.js';
import {
  decodeReply,
  LoginRefusedError, ProtocolError, RedirectRefusedError, SendFailedError, UnknownUserError, WrongPasswordError,
} from './errors.js';
import { KICK_TEXT, pushRoutes } from './push.js';
import type { FramingSession, Friend, FriendList, LoginInfo, OnlineFriend, UserInfo } from './session.js';
import { TableSession, type SessionContext } from './table-session.js';
import { friendNotice, readQunPush, type AddFriendResult, type FriendEvent, type SocialTransport } from './social.js';
import { decodeGb as gbText } from '../protocol/text.js';

// The classic framing's client (PROTOCOL.md §5): 2005-style login (0x0062 token, 0x0022 login), then session
// requests TEA(session key) both ways; text is GB18030.

/** GB18030 bytes of text per message fragment. */
export const CLASSIC_FRAGMENT_BYTES = 700;
const MAX_PAGES = 1000;

/** Splits text into pieces of at most `maxBytes` GB18030 bytes, never inside a character ('' → ['']). */
export function splitGbText(text: string, maxBytes: number = CLASSIC_FRAGMENT_BYTES): string[] {
  return splitText(text, maxBytes, (ch) => encodeGb(ch).length);
}

/** The client side of the classic framing. */
export class ClassicSession extends TableSession implements FramingSession {
  private msgSeq: number;

  constructor(ctx: SessionContext) {
    super(ctx);
    this.msgSeq = ctx.random(2).readUInt16BE(0);
  }

  async login(status: number): Promise<LoginInfo> {
    this.ctx.link.home();
    return this.loginHere(status, false);
  }

  /** The 2005 chain at the link's server; a redirect (01 reply) is followed once, a second one refused. */
  private async loginHere(status: number, redirected: boolean): Promise<LoginInfo> {
    const { link, random, uid, passwordKey } = this.ctx;
    this.sessionKey = undefined;
    const tp = await link.request(ClassicCmd.REQUEST_LOGIN_TOKEN, C.tokenRequestCodec.encode({ sub: 0 }));
    const tok = decodeReply(tp.command, C.tokenReplyCodec, tp.body);
    if (tok.result !== 0) throw new LoginRefusedError(uid, `token result 0x${tok.result.toString(16)}`, tok.result);

    const initialKey = random(16);
    const lp = await link.request(ClassicCmd.LOGIN, C.buildLoginBody({ initialKey, passwordKey, token: tok.token, status, random }));
    // Success comes under the password key; a failure under the initial key (the server cannot prove the password).
    const plain = teaDecrypt(lp.body, passwordKey) ?? teaDecrypt(lp.body, initialKey);
    if (!plain) throw new ProtocolError(ClassicCmd.LOGIN, 'login reply opens with neither the password key nor the initial key');
    const reply = decodeReply(ClassicCmd.LOGIN, C.loginReplyCodec, plain);
    if (reply.kind === 'redirect') {
      if (redirected) throw new RedirectRefusedError(uid, `${u32ToIp(reply.ip)}:${reply.port}`);
      link.redirect(u32ToIp(reply.ip), reply.port);
      return this.loginHere(status, true);
    }
    if (reply.kind === 'failure') {
      // Classic failures carry only a text reason: the server's LoginFailure texts tell which.
      if (reply.reason === LoginFailure.WRONG_PASSWORD) throw new WrongPasswordError(uid, reply.reason);
      if (reply.reason === LoginFailure.UNKNOWN_UID) throw new UnknownUserError(uid, reply.reason);
      throw new LoginRefusedError(uid, reply.reason || `code 0x${reply.code.toString(16)}`, reply.code);
    }
    this.sessionKey = reply.sessionKey;
    return { uid, sessionKey: reply.sessionKey, clientIp: u32ToIp(reply.clientIp), clientPort: reply.clientPort, loginTime: new Date(reply.loginTime * 1000) };
  }

  async keepAlive(): Promise<void> {
    await this.call(CLASSIC_TABLE.KEEP_ALIVE, { uid: this.ctx.uid, form: 'u32' });
  }

  async getFriends(): Promise<FriendList> {
    const friends: Friend[] = [];
    for (let start = 0, n = 0; n < MAX_PAGES; n++) {
      const r = await this.call(CLASSIC_TABLE.GET_FRIEND_LIST, { start, extra: Buffer.alloc(1) });
      for (const e of r.entries) friends.push({ uid: e.uid, nick: e.nick, face: e.face, age: e.age, gender: e.gender, group: 0 });
      if (r.next === C.FRIEND_LIST_END || r.next <= start) break;
      start = r.next;
    }
    const groupOf = new Map<number, number>();
    const quns: number[] = [];
    for (let startUid = 0, n = 0; n < MAX_PAGES; n++) {
      const r = await this.call(CLASSIC_TABLE.DOWNLOAD_GROUPS, { op: 1, sub: 2, reserved: 0, startUid });
      for (const e of r.entries) {
        if (e.type === C.GroupEntryType.FRIEND) groupOf.set(e.uid, e.group);
        else if (e.type === C.GroupEntryType.QUN) quns.push(e.uid);
      }
      if (r.nextUid === 0 || r.nextUid <= startUid) break;
      startUid = r.nextUid;
    }
    for (const f of friends) f.group = groupOf.get(f.uid) ?? 0;
    // The classic protocol has no group names in these replies: number them.
    const indexes = [...new Set([0, ...friends.map((f) => f.group)])].sort((a, b) => a - b);
    return { groups: indexes.map((index) => ({ index, name: index === 0 ? 'My Friends' : `Group ${index}` })), friends, quns };
  }

  async getOnlineFriends(): Promise<OnlineFriend[]> {
    const out = new Map<number, OnlineFriend>();
    for (let position = 0, n = 0; n < MAX_PAGES; n++) {
      const r = await this.call(CLASSIC_TABLE.GET_ONLINE_FRIENDS, { sub: C.ONLINE_SUB, position, extra: Buffer.alloc(3) });
      for (const { block: b } of r.entries) out.set(b.uid, { uid: b.uid, status: b.status, ip: u32ToIp(b.ip), port: b.port, clientVersion: b.clientVersion });
      if (r.next === C.ONLINE_END || r.next <= position) break;
      position = r.next;
    }
    return [...out.values()].sort((a, b) => a.uid - b.uid);
  }

  async getUserInfo(uid: number): Promise<UserInfo> {
    const r = await this.call(CLASSIC_TABLE.GET_USER_INFO, { uid });
    return { uid, nick: r.info.nick, face: r.info.face, age: r.info.age, gender: r.info.gender };
  }

  async setStatus(status: number): Promise<void> {
    const r = await this.call(CLASSIC_TABLE.CHANGE_STATUS, { status, misc: 0, extra: Buffer.alloc(0) });
    if (r.result !== C.CHANGE_STATUS_OK) throw new ProtocolError(ClassicCmd.CHANGE_STATUS, `change status result 0x${r.result.toString(16)}`);
  }

  async requestKey(sub: number): Promise<Buffer> {
    const r = await this.call(CLASSIC_TABLE.REQUEST_KEY, { sub, extra: Buffer.alloc(0) });
    if (r.result !== 0) throw new ProtocolError(ClassicCmd.REQUEST_KEY, `request key result 0x${r.result.toString(16)}`);
    return r.key;
  }

  async sendMessage(to: number, text: string): Promise<number> {
    const { uid, version } = this.ctx;
    const sk = this.key();
    const msgId = this.nextMessageId();
    this.msgSeq = (this.msgSeq + 1) & 0xffff;
    const parts = splitGbText(text);
    const time = this.nowSec();
    for (let i = 0; i < parts.length; i++) {
      const message: C.ImMessage = {
        senderVersion: version, sender: uid, receiver: to, imKey: imKey(uid, sk), imType: C.IM_TEXT, msgSeq: this.msgSeq, sendTime: time,
        face: 0, fragCount: parts.length, fragIndex: i, msgId, replyType: C.ReplyType.NORMAL, text: parts[i]!, font: DEFAULT_FONT,
      };
      const r = await this.call(CLASSIC_TABLE.SEND_IM, { sender: uid, receiver: to, message });
      if (r.result !== 0) throw new SendFailedError(to, r.result, i);
    }
    return msgId;
  }

  async addFriend(uid: number, note?: string): Promise<AddFriendResult> {
    const r = await this.call(CLASSIC_TABLE.ADD_FRIEND, { uid });
    if (r.outcome === C.AddOutcome.ADDED) return 'accepted';
    if (r.outcome !== C.AddOutcome.NEEDS_AUTH) return 'refused';
    if (note !== undefined) {
      const a = await this.call(CLASSIC_TABLE.ADD_FRIEND_AUTH, { uid, action: C.AuthAction.REQUEST, text: encodeGb(note) });
      if (!a.ok) return 'refused';
    }
    return 'needs-authorization';
  }

  async answerFriend(uid: number, accept: boolean, reason = ''): Promise<void> {
    const action = accept ? C.AuthAction.APPROVE : C.AuthAction.REJECT;
    const r = await this.call(CLASSIC_TABLE.ADD_FRIEND_AUTH, { uid, action, ...(accept ? {} : { text: encodeGb(reason) }) });
    if (!r.ok) throw new ProtocolError(ClassicCmd.ADD_FRIEND_AUTH, `no friend request from ${uid} to answer`);
  }

  async removeFriend(uid: number): Promise<void> {
    const r = await this.call(CLASSIC_TABLE.DELETE_FRIEND, { uid });
    if (r.result !== 0) throw new ProtocolError(ClassicCmd.DELETE_FRIEND, `remove result 0x${r.result.toString(16)}`);
  }

  social(): SocialTransport {
    return {
      framing: 'classic', decode: (b) => gbText(b), encode: (t) => encodeGb(t),
      qun: (req) => this.call(CLASSIC_TABLE.QUN, req),
      search: (req) => this.call(CLASSIC_TABLE.SEARCH_USER, req),
      now: () => this.nowSec(),
      messageId: () => this.nextMessageId(),
    };
  }

  protected readonly pushes = pushRoutes(CLASSIC_TABLE, {
    FRIEND_STATUS: (push) => ({ kind: 'status', uid: push.friend.uid, status: push.friend.status }),
    RECV_IM: (push, seq) => {
      this.sendSealed(ClassicCmd.RECV_IM, C.receiveImAckCodec.encode(C.receiveImAckFor(push)), seq);
      if (push.receiver !== this.ctx.uid) return { kind: 'ignored' };
      if (push.content.kind !== 'im') {
        const q = readQunPush('classic', { sender: push.sender, serverSeq: push.serverSeq, type: push.type }, push.content.bytes, gbText);
        if (!q) return { kind: 'ignored' };
        return 'fragment' in q ? { kind: 'qun', qun: q } : { kind: 'notice', notice: q };
      }
      const m = push.content.message;
      if (m.imType !== C.IM_TEXT) return { kind: 'ignored' };
      return {
        kind: 'message',
        fragment: { sender: push.sender, serverSeq: push.serverSeq, sendTime: m.sendTime, msgSeq: m.msgSeq, msgId: m.msgId, fragCount: Math.max(1, m.fragCount), fragIndex: m.fragIndex, text: m.text },
      };
    },
    SYSTEM_MESSAGE: (msg, seq) => {
      // Acked like pidgin does: 0x0012 with the code, the sender and the push's seq.
      const ack = C.systemMessageAckCodec.encode({ code: msg.code, from: msg.from, seq });
      this.sendSealed(ClassicCmd.ACK_SYSTEM_MESSAGE, ack);
      if (msg.to !== this.ctx.uid) return { kind: 'ignored' };
      const notice = friendNotice(FRIEND_EVENTS[msg.code], msg.from, () => msg.text);
      if (notice) return { kind: 'notice', notice };
      return KICK_TEXT.test(msg.text) ? { kind: 'kicked', text: msg.text } : { kind: 'ignored' };
    },
  });

  logout(): void {
    if (!this.sessionKey) return;
    // TEA(session key, password key), up to 4 times: there is no reply to tell it arrived.
    this.sendSealed(ClassicCmd.LOGOUT, C.logoutCodec.encode({ passwordKey: this.ctx.passwordKey }), undefined, 4);
    this.sessionKey = undefined;
  }
}

/** The friend events of classic system message (0x0080) codes. */
const FRIEND_EVENTS: Readonly<Record<number, FriendEvent>> = {
  [C.SystemCode.BEING_ADDED]: 'added', [C.SystemCode.ADD_APPROVED]: 'added', [C.SystemCode.ADD_REQUEST]: 'request',
  [C.SystemCode.ADD_REJECTED]: 'refused', [C.SystemCode.NOTICE]: 'notice',
};
