// How the server identifies a message across framings and restarts.

/** Packs a message's sequence and id (both u16 on the wire) into the store's u32 message id. */
export function packMsgId(msgSeq: number, msgId: number): number {
  return ((msgSeq & 0xffff) * 0x10000 + (msgId & 0xffff)) >>> 0;
}

/** Splits the store's u32 message id back into (sequence, id). */
export function unpackMsgId(stored: number): { msgSeq: number; msgId: number } {
  return { msgSeq: Math.floor(stored / 0x10000) & 0xffff, msgId: stored & 0xffff };
}

/** Most fragments one message may have; a send claiming more is refused (failure reply). */
export const MAX_FRAGMENTS = 32;
/**
 * Most bytes of text in one fragment, as UTF-8 (how the store keeps it): pidgin's 700 GB18030 bytes of Chinese
 * are 1 050. A message is thus at most 32 × 2 048 bytes; a fragment beyond it is refused (failure reply).
 */
export const MAX_FRAGMENT_BYTES = 2048;

/**
 * A sender's fragment numbering as the store keeps it. Clients that do not fragment send count 0 (pidgin's
 * qq2005 sends 0/0/0); that is one fragment. An index beyond the count, or a count above MAX_FRAGMENTS, is
 * refused (undefined).
 */
export function fragmentOf(count: number, index: number): { fragCount: number; fragIndex: number } | undefined {
  if (count > MAX_FRAGMENTS) return undefined;
  if (count === 0) return index === 0 ? { fragCount: 1, fragIndex: 0 } : undefined;
  return index < count ? { fragCount: count, fragIndex: index } : undefined;
}
