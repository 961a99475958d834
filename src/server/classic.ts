import { encodePacket, CLASSIC_SERVER_VERSION, type Packet } from '../protocol/framing.js';
import { CLASSIC_TABLE, ClassicCmd } from '../protocol/commands.js';
import { fontTrailerOf } from '../protocol/text.js';
import { pushedText } from './cut-text.js';
import { acksSystemMessages, statusPushLayout } from '../protocol/families.js';
import { friendStatusPushCodec, IM_TEXT, receiveImPushCodec, RecvType, SystemCode, systemMessageCodec } from '../protocol/bodies/classic/index.js';
import { KICKED_TEXT } from '../protocol/bodies/modern/index.js';
import type { StoredMessage } from '../store/store.js';
import type { FramingHandler } from './context.js';
import { loginRoutes, sessionRoutes } from './dispatch.js';
import { SessionRequests } from './requests.js';
import type { Endpoint, Presence, SenderInfo, Session, SessionOutput } from './session.js';
import { unpackMsgId } from './message-id.js';
import { statusBlockOf } from './status-block.js';
import { Status } from '../protocol/bodies/status-block.js';
import { PendingLogins } from './pending-logins.js';
import type { Login2007State } from './classic/login2007.js';
import { loginHandlers } from './classic/login.js';
import { listHandlers } from './classic/lists.js';
import { messageHandlers } from './classic/messages.js';
import { presenceHandlers } from './classic/presence.js';
import { friendHandlers } from './classic/friends.js';
import { profileHandlers } from './classic/profile.js';
import { classicNotice, classicQunPush } from './social/pushes.js';
import { qunRequestCodec, QunSub } from '../protocol/bodies/qun.js';
import { tryDecode } from '../protocol/errors.js';

/** Statuses a classic login may ask for; anything else logs in online. */
const LOGIN_STATUSES: ReadonlySet<number> = new Set([Status.ONLINE, Status.AWAY, Status.INVISIBLE, Status.BUSY]);

/** What a replaced session is told (the Chinese text is what QQ clients recognise). */
const KICKED_NOTICE = `${KICKED_TEXT} (your account logged in from another place)`;

const LOGIN_ROUTES = loginRoutes<typeof CLASSIC_TABLE, ClassicHandler>(CLASSIC_TABLE, loginHandlers);
const SESSION_ROUTES = sessionRoutes(CLASSIC_TABLE, presenceHandlers, listHandlers, messageHandlers, friendHandlers, profileHandlers);

/**
 * The classic framing (PROTOCOL.md §5): 2005-style token + login, then the after-login commands pidgin's
 * QQ plugin and LumaQQ-style clients send, each answered by its handler in ./classic/ (by command).
 */
export class ClassicHandler extends SessionRequests implements FramingHandler, SessionOutput {
  /** 2007/2008 logins between 0x00DD and 0x0022, by endpoint and uid. */
  readonly pending = new PendingLogins<Login2007State>();
  readonly keepAliveCommand = ClassicCmd.KEEP_ALIVE;

  encode(_session: Session | undefined, command: number, seq: number, body: Buffer): Buffer {
    return encodePacket({ framing: 'classic', direction: 's2c', version: CLASSIC_SERVER_VERSION, command, seq, body });
  }

  handle(packet: Packet, from: Endpoint): void {
    this.route(packet, from, LOGIN_ROUTES, SESSION_ROUTES);
  }

  /** Opens the session of a classic login that passed (a status the login may not ask for logs in online). */
  openSession(p: Packet, from: Endpoint, sessionKey: Buffer, passwordKey: Buffer, status: number): Session {
    return this.ctx.hub.open({
      uid: p.uid!, framing: 'classic', version: p.version, endpoint: from, sessionKey, passwordKey,
      status: LOGIN_STATUSES.has(status) ? status : Status.ONLINE, output: this,
    });
  }

  /**
   * Sends a login reply (already sealed), remembers it for a repeated login datagram, and holds the queued
   * messages until the client's first request: before that it has no session key to open them with.
   */
  sendLoginReply(session: Session, p: Packet, sealed: Buffer): void {
    const bytes = this.encode(session, p.command, p.seq, sealed);
    session.rememberLogin(p.command, p.seq, bytes);
    this.ctx.send(bytes, session.endpoint, session);
    session.releasePendingOnRequest = true;
    const quns = this.ctx.store.qunIdsOf(session.uid);
    if (quns.length) session.qunInfoWait = new Set(quns);
    this.ctx.hub.holdPending(session);
  }

  /**
   * A member of Qun lets its queued messages go once it has asked for the info of each of its Qun (pidgin does
   * right after its login chain), or when the hold ends (holdPending); anyone else at its first request.
   */
  protected override releasesPending(session: Session, packet: Packet, plain: Buffer): boolean {
    const wait = session.qunInfoWait;
    if (!wait) return true;
    if (packet.command === ClassicCmd.QUN) {
      const r = tryDecode(() => qunRequestCodec.decode(plain));
      if (r.ok && r.value.sub === QunSub.GET_INFO) wait.delete(r.value.qun);
    }
    return wait.size === 0;
  }

  // ---- pushes (SessionOutput) ----

  kicked(session: Session, reason?: string): void {
    const body = systemMessageCodec.encode({ code: SystemCode.NOTICE, from: 10000, to: session.uid, text: reason ?? KICKED_NOTICE });
    this.push(session, ClassicCmd.SYSTEM_MESSAGE, session.nextSeq(), body);
  }

  pushStatus(session: Session, friend: Presence): void {
    const flagged = statusPushLayout(session.version) === 'flagged';
    const body = friendStatusPushCodec.encode(flagged
      ? { friend: statusBlockOf(friend), userFlag: 0, myUid: session.uid, extra: Buffer.alloc(3) }
      : { friend: statusBlockOf(friend), myUid: session.uid, extra: Buffer.alloc(0) });
    this.push(session, ClassicCmd.FRIEND_STATUS, session.nextSeq(), body);
  }

  pushMessage(session: Session, msg: StoredMessage, seq: number, sender: SenderInfo): boolean {
    // Classic clients ack 0x0080 with 0x0012 (those that do) and 0x0017 under its own command.
    if (msg.kind === 'system' && msg.qun === undefined) {
      this.push(session, ClassicCmd.SYSTEM_MESSAGE, seq, systemMessageCodec.encode(classicNotice(msg)));
      // A client that never acks it (LumaQQ) would get it again for ever, every later message of its sender behind it.
      return acksSystemMessages(session.version);
    }
    if (msg.kind) {
      this.push(session, ClassicCmd.RECV_IM, seq, receiveImPushCodec.encode(classicQunPush(msg, sender)));
      return true;
    }
    const { msgSeq, msgId } = unpackMsgId(msg.msgId);
    const body = receiveImPushCodec.encode({
      sender: msg.sender, receiver: msg.receiver, serverSeq: msg.id >>> 0, senderIp: sender.ip, senderPort: sender.port,
      type: RecvType.FRIEND,
      content: {
        kind: 'im',
        message: {
          senderVersion: sender.clientVersion || session.version, sender: msg.sender, receiver: msg.receiver, imKey: sender.imKey,
          imType: IM_TEXT, msgSeq, sendTime: msg.sentAt, face: 0, fragCount: msg.fragCount, fragIndex: msg.fragIndex, msgId,
          replyType: msg.replyType, text: pushedText(msg, 'gb18030'), font: msg.font ? fontTrailerOf(msg.font) : undefined,
        },
      },
    });
    this.push(session, ClassicCmd.RECV_IM, seq, body);
    return true;
  }
}
