import type { BodyRegistry } from '../../codec.js';

/** Body layouts of the modern framing, by command and direction. */
export const MODERN_BODIES: BodyRegistry = new Map([]);
