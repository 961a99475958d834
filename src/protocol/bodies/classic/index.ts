import type { BodyRegistry } from '../../codec.js';

/** Body layouts of the classic framing, by command and direction. */
export const CLASSIC_BODIES: BodyRegistry = new Map([]);
