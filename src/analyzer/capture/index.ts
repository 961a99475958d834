// The capture-file layer: streaming pcap / pcapng reading. Link → IP → UDP lives in ../net.ts.
export { readCapture, readCaptureSync, parseCapture, captureFrames, DEFAULT_CHUNK } from './read.js';
export { CaptureDecoder } from './decoder.js';
export { CaptureError, type CaptureErrorReason } from './errors.js';
export { frameTimeNs, frameTimeMs, type Frame, type FrameHandler, type CaptureStats, type CaptureFormat, type ReadOptions } from './types.js';
export { MAX_RECORD } from './parser.js';
