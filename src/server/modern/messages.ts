import * as M from '../../protocol/bodies/modern/index.js';
import type { MODERN_TABLE } from '../../protocol/commands.js';
import { styleOf } from '../../protocol/text.js';
import type { MessageFont } from '../../store/store.js';
import type { SessionHandlers } from '../dispatch.js';
import { submitText, SEND_REFUSED } from '../submit-text.js';
import { handleQunCommand } from '../social/qun-command.js';
import { friendOps } from '../social/handlers.js';
import { ackBySequence } from '../push-acks.js';

/** The store-side font of a modern IM body (its font-flags byte uses the classic style bits, FontStyleBit). */
export function fontOfIm(im: M.ImBody): MessageFont {
  return { name: im.fontName, size: im.fontSize, ...styleOf(im.fontFlags), color: im.color & 0xffffff };
}

/** Modern sends (0x00CD) and the acks of message pushes (0x00CE). */
export const messageHandlers: SessionHandlers<typeof MODERN_TABLE> = {
  SEND_IM: {
    handle: (x) => {
      const { sender, receiver, im } = x.body;
      submitText(x, {
        senders: [sender, im.sender], receiver, isText: im.contentType === M.IM_CONTENT_TEXT, sentAt: im.sendTime,
        msgSeq: im.msgSeq, msgId: im.msgId, fragCount: im.fragCount, fragIndex: im.fragIndex,
        replyType: im.replyType, text: M.imFragmentText(im), font: fontOfIm(im),
      });
    },
    malformed: SEND_REFUSED,
  },

  RECV_IM: ackBySequence,
  // Qun pushes (0x0017) and system broadcasts (0x0080) are acked under their own command and sequence.
  QUN_MESSAGE: ackBySequence,
  SYSTEM_BROADCAST: ackBySequence,

  QUN: (x) => handleQunCommand(x),

  ...friendOps({ decode: (b) => b.toString('utf8'), encode: (t) => Buffer.from(t, 'utf8') }),
};
