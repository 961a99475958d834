import * as M from '../../protocol/bodies/modern/index.js';
import type { MODERN_TABLE } from '../../protocol/commands.js';
import { styleOf } from '../../protocol/text.js';
import type { MessageFont } from '../../store/store.js';
import type { SessionHandlers } from '../dispatch.js';
import { submitText } from '../submit-text.js';

/** The store-side font of a modern IM body (its font-flags byte uses the classic style bits, FontStyleBit). */
export function fontOfIm(im: M.ImBody): MessageFont {
  return { name: im.fontName, size: im.fontSize, ...styleOf(im.fontFlags), color: im.color & 0xffffff };
}

/** Modern sends (0x00CD) and the acks of message pushes (0x00CE). */
export const messageHandlers: SessionHandlers<typeof MODERN_TABLE> = {
  SEND_IM: (x) => {
    const { sender, receiver, im } = x.body;
    submitText(x, {
      senders: [sender, im.sender], receiver, isText: im.contentType === M.IM_CONTENT_TEXT, sentAt: im.sendTime,
      msgSeq: im.msgSeq, msgId: im.msgId, fragCount: im.fragCount, fragIndex: im.fragIndex,
      replyType: im.replyType, text: M.imText(im), font: fontOfIm(im),
    });
  },

  RECV_IM: (x) => {
    x.ctx.hub.ack(x.session, x.packet.seq);
    x.noReply();
  },
};
