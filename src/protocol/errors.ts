/** Why a datagram or body could not be decoded; counted by the server and shown by the analyzer. */
export type DecodeReason =
  | 'too_short'
  | 'bad_tag'
  | 'bad_tail'
  | 'oversize'
  | 'truncated'
  | 'bad_value'
  | 'trailing_bytes'
  | 'undecryptable'
  | 'unknown_command';

/** A decoding failure with where and why (STYLE.md practice 6). Thrown only inside codecs; returned at the edge. */
export class DecodeError extends Error {
  constructor(
    readonly reason: DecodeReason,
    readonly detail: string,
    readonly field?: string,
    readonly offset?: number,
  ) {
    super(`${reason}: ${detail}${field ? ` (field ${field}` + (offset !== undefined ? ` at offset ${offset})` : ')') : ''}`);
    this.name = 'DecodeError';
  }
}

/** An encoding failure: a field out of range or a value the layout cannot hold. */
export class EncodeError extends Error {
  constructor(readonly field: string, detail: string) {
    super(`cannot encode ${field}: ${detail}`);
    this.name = 'EncodeError';
  }
}

/** A value or a typed decode error: what crosses the datagram boundary instead of an exception. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: DecodeError };

/**
 * Runs a codec that may throw DecodeError and returns a Result. Anything else — a RangeError from a raw Buffer
 * read past the end included — is a bug in the codec, not bad input, and propagates: every read of input goes
 * through the bounded Reader (or checks the length itself), so truncation is always a DecodeError.
 */
export function tryDecode<T>(fn: () => T): Result<T> {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    if (e instanceof DecodeError) return { ok: false, error: e };
    throw e;
  }
}
