import type { MessageFont, NewMessage } from '../store/store.js';
import { fragmentByteLength, type FragmentText } from '../protocol/text.js';
import type { Exchange } from './dispatch.js';
import { fragmentOf, packMsgId, MAX_FRAGMENT_BYTES } from './message-id.js';

/** A text IM as a send request carries it, in either framing (field names of the store). */
export interface TextSubmission {
  /** The sender named in the request's header and in its IM (both must be the session's user). */
  senders: readonly [number, number];
  receiver: number;
  /** Whether the IM is text (other kinds, e.g. file-transfer requests, are answered but not relayed). */
  isText: boolean;
  sentAt: number;
  msgSeq: number;
  msgId: number;
  fragCount: number;
  fragIndex: number;
  replyType: number;
  /** Bytes when the fragment was cut inside a character: stored and relayed as they are. */
  text: FragmentText;
  font: MessageFont | undefined;
}

/** The send replies of both framings: a result byte, 0 = accepted. */
interface SendResult {
  result: number;
}

/** What a refused send is answered (the client stops re-sending and tells its user). */
export const SEND_REFUSED: SendResult = { result: 1 };

/**
 * "Submit a text message", once for both framings: checks the sender and the size limits, hands the fragment to
 * the group commit and only then answers 0 (stored, or acked by its online receiver: HeldSends) or 1 (refused); a
 * non-text IM is answered 0 and not relayed. Nothing a client sends goes unanswered: it would re-send it until it
 * gives up.
 */
export function submitText(x: Exchange<unknown, SendResult>, m: TextSubmission): void {
  const s = x.session;
  if (m.senders[0] !== s.uid || m.senders[1] !== s.uid) {
    x.drop('bad_body');
    return x.reply(SEND_REFUSED);
  }
  if (!m.isText) return x.reply({ result: 0 });
  const frag = fragmentOf(m.fragCount, m.fragIndex);
  if (!frag || fragmentByteLength(m.text) > MAX_FRAGMENT_BYTES) return x.reply(SEND_REFUSED);
  // Keyed as receivers group fragments: MyQQ gives each its own message sequence, LumaQQ its own send time.
  const text = x.ctx.cutTexts.textOf(`${s.uid}:${m.receiver}:${m.msgId}:${frag.fragCount}`, frag.fragIndex, frag.fragCount, m.text);
  const msg: NewMessage = {
    sender: s.uid, receiver: m.receiver, sentAt: m.sentAt, msgId: packMsgId(m.msgSeq, m.msgId),
    fragCount: frag.fragCount, fragIndex: frag.fragIndex, replyType: m.replyType, text, font: m.font,
  };
  if (typeof m.text !== 'string') msg.raw = m.text;
  x.ctx.hub.submit([msg], ([r]) => {
    if (s.closed) return;
    x.reply(r?.ok ? { result: 0 } : SEND_REFUSED);
  });
}
