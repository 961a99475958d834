/** Bytes of one slot: the session key, IM key, password key and file key, 16 each. */
export const KEY_SLOT_BYTES = 64;
/** Slots per chunk (256 KB): chunks are added as sessions grow, never moved. */
const CHUNK_SLOTS = 4096;

/** Where each key sits in a slot. */
export const SlotKey = { SESSION: 0, IM: 16, PASSWORD: 32, FILE: 48 } as const;
export type SlotKey = (typeof SlotKey)[keyof typeof SlotKey];

/**
 * The 16-byte keys of every session in shared chunks, one 64-byte slot per session, instead of four Buffers
 * each: a small Buffer is an object, an ArrayBuffer and a backing store (~250 bytes), or a slice that pins an
 * 8 KB pool chunk for as long as the session lives (docs/DECISIONS.md, "Per-session state").
 */
export class KeySlab {
  private readonly chunks: Buffer[] = [];
  private readonly free: number[] = [];
  private used = 0;

  /** Takes a slot and fills it with the four keys. */
  alloc(sessionKey: Uint8Array, imKey: Uint8Array, passwordKey: Uint8Array, fileKey: Uint8Array): number {
    let slot = this.free.pop();
    if (slot === undefined) {
      slot = this.used++;
      if (slot >= this.chunks.length * CHUNK_SLOTS) this.chunks.push(Buffer.alloc(CHUNK_SLOTS * KEY_SLOT_BYTES));
    }
    const chunk = this.chunk(slot);
    const at = KeySlab.offset(slot);
    chunk.set(sessionKey.subarray(0, 16), at + SlotKey.SESSION);
    chunk.set(imKey.subarray(0, 16), at + SlotKey.IM);
    chunk.set(passwordKey.subarray(0, 16), at + SlotKey.PASSWORD);
    chunk.set(fileKey.subarray(0, 16), at + SlotKey.FILE);
    return slot;
  }

  /** A view of one key of a slot (no copy: valid until the slot is freed). */
  view(slot: number, key: SlotKey): Buffer {
    const at = KeySlab.offset(slot) + key;
    return this.chunk(slot).subarray(at, at + 16);
  }

  /** Copies a slot's 64 bytes out (a closed session keeps its keys this way) and frees it, zeroed, for reuse. */
  release(slot: number): Buffer {
    const chunk = this.chunk(slot);
    const at = KeySlab.offset(slot);
    const copy = Buffer.from(chunk.subarray(at, at + KEY_SLOT_BYTES));
    chunk.fill(0, at, at + KEY_SLOT_BYTES);
    this.free.push(slot);
    return copy;
  }

  /** Slots in use. */
  get size(): number {
    return this.used - this.free.length;
  }

  private chunk(slot: number): Buffer {
    return this.chunks[Math.floor(slot / CHUNK_SLOTS)]!;
  }

  private static offset(slot: number): number {
    return (slot % CHUNK_SLOTS) * KEY_SLOT_BYTES;
  }
}
