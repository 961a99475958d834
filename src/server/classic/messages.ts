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

  ACK_SYSTEM_MESSAGE: (x) => {
    // The ack names the push by its sequence (system messages are delivered like messages).
    x.ctx.hub.ack(x.session, x.body.seq);
    x.noReply();
  },

  QUN: (x) => handleQunCommand(x),
};
