/** Which container a capture file uses. */
export type CaptureFormat = 'pcap' | 'pcapng';

/**
 * One captured frame.
 *
 * Time is `tsSec` (whole seconds since the Unix epoch) plus `tsNsec` (0 … 999 999 999 nanoseconds),
 * two plain numbers rather than a bigint so the hot path stays allocation-light; `frameTimeNs` and
 * `frameTimeMs` convert. Simple Packet Blocks (pcapng) carry no time: they report 0 / 0.
 *
 * `data` is a view into the reader's reusable buffer: valid only during the callback (or, with the
 * async iterator, until the next step). Copy it (`Buffer.from(frame.data)`) to keep it longer.
 */
export interface Frame {
  /** 1-based position of the frame in the file (non-frame blocks are not counted). */
  index: number;
  /** Whole seconds since the Unix epoch. */
  tsSec: number;
  /** Nanoseconds within the second. */
  tsNsec: number;
  /** LINKTYPE_* of the frame's interface (pcap: the file's). */
  linkType: number;
  /** Bytes captured (= data.length). */
  caplen: number;
  /** Bytes on the wire. */
  origLen: number;
  /** pcapng interface id within its section (0 for classic pcap). */
  interfaceId: number;
  /** Byte offset of the frame's record (pcap record header / pcapng block) in the file. */
  offset: number;
  /** The captured bytes, starting at the link-layer header; a view valid only during the callback. */
  data: Buffer;
}

/** Called for each frame in file order; return `false` to stop reading early (no error). */
export type FrameHandler = (frame: Frame) => void | boolean;

/** What a completed (or stopped) read saw. */
export interface CaptureStats {
  format: CaptureFormat;
  /** Frames delivered. */
  frames: number;
  /** File bytes consumed up to the end of the last complete record. */
  bytes: number;
  /** Sections (pcapng SHBs; 1 for classic pcap). */
  sections: number;
  /** Interfaces described across all sections (1 for classic pcap). */
  interfaces: number;
  /** pcapng blocks skipped as not carrying frames (NRB, ISB, custom, unknown, …). */
  skippedBlocks: number;
  /** True when the handler returned `false` before the end of the file. */
  stopped: boolean;
}

/** Options for the file readers. */
export interface ReadOptions {
  /** Bytes per read and the initial buffer size (default 1 MiB); tiny values are for tests. */
  chunkSize?: number;
}

/** The frame's time as integer nanoseconds since the epoch. */
export function frameTimeNs(f: Pick<Frame, 'tsSec' | 'tsNsec'>): bigint {
  return BigInt(f.tsSec) * 1_000_000_000n + BigInt(f.tsNsec);
}

/** The frame's time as (fractional) milliseconds since the epoch, like Date.now(). */
export function frameTimeMs(f: Pick<Frame, 'tsSec' | 'tsNsec'>): number {
  return f.tsSec * 1000 + f.tsNsec / 1e6;
}
