import { encodePacket, CLASSIC_SERVER_VERSION, type Packet } from '../protocol/framing.js';
import { CLASSIC_TABLE, ClassicCmd } from '../protocol/commands.js';
import { fontTrailerOf } from '../protocol/text.js';
import { friendStatusPushCodec, IM_TEXT, receiveImPushCodec, RecvType, SystemCode, systemMessageCodec } from '../protocol/bodies/classic/index.js';
import { KICKED_TEXT } from '../protocol/bodies/modern/index.js';
import type { StoredMessage } from '../store/store.js';
import type { FramingHandler } from './context.js';
import { loginRoutes, sessionRoutes } from './dispatch.js';
import { SessionRequests } from './requests.js';
import type { Endpoint, Presence, SenderInfo, Session, SessionOutput } from './session.js';
import { unpackMsgId } from './message-id.js';
import { statusBlockOf } from './status-block.js';
import { loginHandlers } from './classic/login.js';
import { listHandlers } from './classic/lists.js';
import { messageHandlers } from './classic/messages.js';
import { presenceHandlers } from './classic/presence.js';
import { friendHandlers } from './classic/friends.js';
import { classicNotice, classicQunPush } from './social/pushes.js';

/** What a replaced session is told (the Chinese text is what QQ clients recognise). */
const KICKED_NOTICE = `${KICKED_TEXT} (your account logged in from another place)`;

const LOGIN_ROUTES = loginRoutes<typeof CLASSIC_TABLE, ClassicHandler>(CLASSIC_TABLE, loginHandlers);
const SESSION_ROUTES = sessionRoutes(CLASSIC_TABLE, presenceHandlers, listHandlers, messageHandlers, friendHandlers);

/**
 * The classic framing (PROTOCOL.md §5): 2005-style token + login, then the after-login commands pidgin's
 * QQ plugin and LumaQQ-style clients send, each answered by its handler in ./classic/ (by command).
 */
export class ClassicHandler extends SessionRequests implements FramingHandler, SessionOutput {
  encode(_session: Session | undefined, command: number, seq: number, body: Buffer): Buffer {
    return encodePacket({ framing: 'classic', direction: 's2c', version: CLASSIC_SERVER_VERSION, command, seq, body });
  }

  handle(packet: Packet, from: Endpoint): void {
    this.route(packet, from, LOGIN_ROUTES, SESSION_ROUTES);
  }

  // ---- pushes (SessionOutput) ----

  kicked(session: Session, reason?: string): void {
    const body = systemMessageCodec.encode({ code: SystemCode.NOTICE, from: 10000, to: session.uid, text: reason ?? KICKED_NOTICE });
    this.push(session, ClassicCmd.SYSTEM_MESSAGE, session.nextSeq(), body);
  }

  pushStatus(session: Session, friend: Presence): void {
    const body = friendStatusPushCodec.encode({ friend: statusBlockOf(friend), myUid: session.uid, extra: Buffer.alloc(0) });
    this.push(session, ClassicCmd.FRIEND_STATUS, session.nextSeq(), body);
  }

  pushMessage(session: Session, msg: StoredMessage, seq: number, sender: SenderInfo): void {
    if (msg.kind === 'system' && msg.qun === undefined) {
      return this.push(session, ClassicCmd.SYSTEM_MESSAGE, seq, systemMessageCodec.encode(classicNotice(msg)));
    }
    if (msg.kind) return this.push(session, ClassicCmd.RECV_IM, seq, receiveImPushCodec.encode(classicQunPush(msg, sender)));
    const { msgSeq, msgId } = unpackMsgId(msg.msgId);
    const body = receiveImPushCodec.encode({
      sender: msg.sender, receiver: msg.receiver, serverSeq: msg.id >>> 0, senderIp: sender.ip, senderPort: sender.port,
      type: RecvType.FRIEND,
      content: {
        kind: 'im',
        message: {
          senderVersion: sender.clientVersion || session.version, sender: msg.sender, receiver: msg.receiver, imKey: sender.imKey,
          imType: IM_TEXT, msgSeq, sendTime: msg.sentAt, face: 0, fragCount: msg.fragCount, fragIndex: msg.fragIndex, msgId,
          replyType: msg.replyType, text: msg.text, font: msg.font ? fontTrailerOf(msg.font) : undefined,
        },
      },
    });
    this.push(session, ClassicCmd.RECV_IM, seq, body);
  }
}
