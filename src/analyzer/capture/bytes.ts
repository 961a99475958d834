// Plain byte arithmetic: measurably faster than Buffer#readUInt* on the per-frame path, and callers
// have already checked bounds.

/** Little-endian u16 at b[p]. */
export function u16le(b: Buffer, p: number): number {
  return b[p]! | (b[p + 1]! << 8);
}
/** Big-endian u16 at b[p]. */
export function u16be(b: Buffer, p: number): number {
  return (b[p]! << 8) | b[p + 1]!;
}
/** Little-endian u32 at b[p]. */
export function u32le(b: Buffer, p: number): number {
  return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16)) + b[p + 3]! * 0x1000000;
}
/** Big-endian u32 at b[p]. */
export function u32be(b: Buffer, p: number): number {
  return b[p]! * 0x1000000 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
}
