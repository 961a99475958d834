import { IM_TEXT } from '../../protocol/bodies/classic/index.js';
import type { CLASSIC_TABLE } from '../../protocol/commands.js';
import { messageFontOf } from '../../protocol/text.js';
import type { SessionHandlers } from '../dispatch.js';
import { submitText, SEND_REFUSED } from '../submit-text.js';
import { handleQunCommand } from '../social/qun-command.js';
import { ackBySequence } from '../push-acks.js';

/** Classic sends and the acks of pushes. */
export const messageHandlers: SessionHandlers<typeof CLASSIC_TABLE> = {
  SEND_IM: {
    handle: (x) => {
      const req = x.body;
      const m = req.message;
      submitText(x, {
        senders: [req.sender, m.sender], receiver: req.receiver, isText: m.imType === IM_TEXT, sentAt: m.sendTime,
        msgSeq: m.msgSeq, msgId: m.msgId, fragCount: m.fragCount, fragIndex: m.fragIndex, replyType: m.replyType,
        text: m.text, font: m.font ? messageFontOf(m.font) : undefined,
      });
    },
    malformed: SEND_REFUSED,
  },

  RECV_IM: ackBySequence,

  // The ack names the push by the sequence in its body (system messages are delivered like messages). pidgin
  // sends every such ack with header sequence 0, so it is not remembered as answered: a second ack under that
  // sequence would be taken for a repeat of the first and dropped. A repeated ack changes nothing anyway.
  ACK_SYSTEM_MESSAGE: (x) => {
    x.ctx.hub.ack(x.session, x.body.seq);
  },

  QUN: (x) => handleQunCommand(x),
};
