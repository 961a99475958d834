/** Why a capture file could not be read to its end. */
export type CaptureErrorReason =
  | 'not_capture' // the magic number is neither pcap nor pcapng
  | 'truncated' // the file ends inside a header, record or block
  | 'corrupt' // a length or field that cannot be right
  | 'unsupported'; // a version this reader does not know

/**
 * A capture file that stops being readable at `offset` (a byte offset in the file: the start of the
 * record or block that failed). Every complete frame before it has already been delivered; `frames`
 * says how many.
 */
export class CaptureError extends Error {
  constructor(
    readonly reason: CaptureErrorReason,
    readonly offset: number,
    readonly detail: string,
    readonly frames = 0,
  ) {
    super(`${detail} at offset ${offset}`);
    this.name = 'CaptureError';
  }
}
