import type { Exchange } from './dispatch.js';

/**
 * The handler of an ack that names its push by the datagram's own sequence (classic 0x0017; modern 0x00CE,
 * 0x0017, 0x0080): delivery ends that push; nothing is answered, and a repeat has no second effect.
 */
export function ackBySequence(x: Exchange<unknown, unknown>): void {
  x.ctx.hub.ack(x.session, x.packet.seq);
  x.noReply();
}
