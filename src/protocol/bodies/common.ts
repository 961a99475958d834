import { Reader } from '../reader.js';
import { Writer } from '../writer.js';

// The body helpers both framings' codecs share (fixed values are Reader.expectU8/U16/U32).

/** Reads a whole body with `read` and fails with trailing_bytes if anything is left over. */
export function readWhole<T>(body: Buffer, read: (r: Reader) => T): T {
  const r = new Reader(body);
  const value = read(r);
  r.end();
  return value;
}

/** Runs an encoder into a fresh Writer and returns the bytes. */
export function encodeWith(write: (w: Writer) => void): Buffer {
  const w = new Writer();
  write(w);
  return w.finish();
}
