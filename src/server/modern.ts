import { encodePacket, type Packet } from '../protocol/framing.js';
import { familyOf } from '../protocol/families.js';
import { MODERN_TABLE, ModernCmd } from '../protocol/commands.js';
import { styleBits } from '../protocol/text.js';
import { pushedText } from './cut-text.js';
import * as M from '../protocol/bodies/modern/index.js';
import type { StoredMessage } from '../store/store.js';
import type { FramingHandler } from './context.js';
import { loginRoutes, sessionRoutes } from './dispatch.js';
import { SessionRequests } from './requests.js';
import type { Endpoint, Presence, SenderInfo, Session, SessionOutput } from './session.js';
import { unpackMsgId } from './message-id.js';
import { PendingLogins } from './pending-logins.js';
import { statusBlockOf } from './status-block.js';
import { loginHandlers } from './modern/login.js';
import { listHandlers } from './modern/lists.js';
import { messageHandlers } from './modern/messages.js';
import { presenceHandlers } from './modern/presence.js';
import { modernNotice, modernQunPush } from './social/pushes.js';

/** What the server keeps between 0x00DD and 0x0030 for one endpoint and uid. */
export interface PendingLogin {
  /** The layouts the client's 0x00DD asked in; its later replies follow them. */
  dialect: M.LoginDialect;
  verify: M.VerifyReplyOk;
  info?: M.LoginInfoReply;
}

const LOGIN_ROUTES = loginRoutes<typeof MODERN_TABLE, ModernHandler>(MODERN_TABLE, loginHandlers);
const SESSION_ROUTES = sessionRoutes(MODERN_TABLE, presenceHandlers, listHandlers, messageHandlers);

/**
 * The modern chain (PROTOCOL-MODERN.md): the login chain 0x0091 → 0x00BA → 0x00DD → 0x00E5 (→ 0x0018) → 0x0030,
 * the post-login chain, keep-alive, pushes and 0x00CD/0x00CE messages, answered in 14-byte server headers
 * (7-byte classic ones for QQ2009); each command by its handler in ./modern/.
 */
export class ModernHandler extends SessionRequests implements FramingHandler, SessionOutput {
  /** Logins between 0x00DD and 0x0030, by endpoint and uid. */
  readonly pending = new PendingLogins<PendingLogin>();
  readonly keepAliveCommand = ModernCmd.KEEP_ALIVE;

  encode(session: Session, command: number, seq: number, body: Buffer): Buffer {
    return this.header(session.version, session.uid, command, seq, body);
  }

  /**
   * A server packet in the header of the client's family: modern (14 bytes, naming the uid even before there is a
   * session) or, for QQ2009, classic (7 bytes).
   */
  header(version: number, uid: number, command: number, seq: number, body: Buffer): Buffer {
    return encodePacket({ framing: familyOf(version)?.framing ?? 'modern', direction: 's2c', version, command, seq, uid, body });
  }

  handle(packet: Packet, from: Endpoint): void {
    this.route(packet, from, LOGIN_ROUTES, SESSION_ROUTES);
  }

  // ---- pushes (SessionOutput) ----

  kicked(session: Session, reason?: string): void {
    const data = M.systemNotice.encode({ unknown: 0, type: 1, text: reason ?? `${M.KICKED_TEXT} (your account logged in from another place)` });
    const body = M.receiveIm.encode({ sender: 10000, receiver: session.uid, serverSeq: 0, senderIp: 0, senderPort: 0, imType: M.IM_TYPE_SYSTEM, kind: 'raw', data });
    this.push(session, ModernCmd.RECV_IM, session.nextSeq(), body);
  }

  pushStatus(session: Session, friend: Presence): void {
    const body = M.statusPush.encode(M.makeStatusPush(statusBlockOf(friend), session.uid, Math.floor(this.ctx.clock.now() / 1000)));
    this.push(session, ModernCmd.FRIEND_STATUS, session.nextSeq(), body);
  }

  pushMessage(session: Session, msg: StoredMessage, seq: number, sender: SenderInfo): boolean {
    if (msg.kind === 'system' && msg.qun === undefined) {
      // Neither MyQQ (3.19, 3.30) nor pidgin-libqq acks 0x0080: waiting for an ack would re-send the notice for
      // ever and hold back every later message from the same sender. Sent once, it counts as delivered.
      this.push(session, ModernCmd.SYSTEM_BROADCAST, seq, M.systemBroadcast.encode(modernNotice(msg)));
      return false;
    }
    if (msg.kind) {
      this.push(session, ModernCmd.QUN_MESSAGE, seq, M.receiveIm.encode(modernQunPush(msg, sender)));
      return true;
    }
    const { msgSeq, msgId } = unpackMsgId(msg.msgId);
    const f = msg.font;
    const im = M.makeImText({
      sender: msg.sender, receiver: msg.receiver, imKey: sender.imKey, senderVersion: sender.clientVersion || session.version,
      text: pushedText(msg, 'utf8'), msgSeq, sendTime: msg.sentAt, msgId, fragCount: msg.fragCount, fragIndex: msg.fragIndex,
      replyType: msg.replyType, fontName: f?.name, fontSize: f?.size, color: f ? f.color : 0, fontFlags: f ? styleBits(f) : 0,
    });
    const body = M.receiveIm.encode({
      sender: msg.sender, receiver: msg.receiver, serverSeq: msg.id >>> 0, senderIp: sender.ip, senderPort: sender.port,
      imType: M.IM_TYPE_BUDDY, kind: 'im', im,
    });
    this.push(session, ModernCmd.RECV_IM, seq, body);
    return true;
  }
}
