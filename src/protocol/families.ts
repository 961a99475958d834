import type { LoginDialect } from './bodies/modern/common.js';
import { FIRST_MODERN_VERSION, type Framing } from './framing.js';

// Client families: which login chain and session dialect a client speaks. The header layout (framing) follows
// from the version tag, but the chain does not: QQ2009 clients (MyQQ 3.19, tag 0x1663) run the modern chain inside
// the 11-byte classic header (the server routes by chain, and answers them in 7-byte classic headers). A classic
// 0x0091 is "select server" for pidgin's qq2007/qq2008 modes and a touch for QQ2009 (see touchShape).

/** A login chain (and the session dialect that goes with it). */
export type LoginChain = 'qq2005' | 'qq2007' | 'qq2008' | 'qq2009' | 'modern';

/** What a version tag says about a client. */
export interface ClientFamily {
  chain: LoginChain;
  /** The header layout its datagrams use. */
  framing: Framing;
}

/** Version-tag ranges [from, to) of each family; tags outside every range are not served. */
const RANGES: readonly (readonly [number, number, ClientFamily])[] = [
  [0x0600, 0x1105, { chain: 'qq2005', framing: 'classic' }], // QQ2003–QQ2006 (0x0D55 pidgin qq2005, 0x0E1B LumaQQ)
  [0x1105, 0x115b, { chain: 'qq2007', framing: 'classic' }], // 0x111D pidgin qq2007
  [0x115b, 0x1663, { chain: 'qq2008', framing: 'classic' }], // 0x115B pidgin qq2008, 0x1205 …
  [0x1663, 0x1e0d, { chain: 'qq2009', framing: 'classic' }], // 0x1663 MyQQ 3.19 (modern chain, classic header)
  [0x1e0d, 0x4000, { chain: 'modern', framing: 'modern' }], // 0x1E0D, 0x2227 MyQQ 3.30 / pidgin-libqq, 0x3639 capture
];

/** The family of a version tag, or undefined for a tag the server does not serve. */
export function familyOf(version: number): ClientFamily | undefined {
  for (const [from, to, f] of RANGES) if (version >= from && version < to) return f;
  return undefined;
}

/**
 * The command table a tag's bodies follow: the modern one for the modern chain, whichever header carries it (QQ2009's
 * is classic); else the header's own (also for tags of no family, which are read as their header says).
 */
export function commandTableOf(version: number): Framing {
  const c = familyOf(version)?.chain;
  if (c === undefined) return version >= FIRST_MODERN_VERSION ? 'modern' : 'classic';
  return c === 'modern' || c === 'qq2009' ? 'modern' : 'classic';
}

/** Whether a tag's family answers 0x0022 with the 2007/2008 login layout (login token + login key). */
export function usesLogin2007(version: number): boolean {
  const c = familyOf(version)?.chain;
  return c === 'qq2007' || c === 'qq2008';
}

/** The modern-chain layouts a tag's session reads (QQ2009's friend list entries are shorter). */
export function loginDialectOf(version: number): LoginDialect {
  return familyOf(version)?.chain === 'qq2009' ? 'qq2009' : 'qq2011';
}

/** Length of the "redirect" block a 2007/2008 client sends in 0x0091 (15 zero bytes on the first try). */
export const SELECT_SERVER_BLOCK = 15;

/**
 * What a classic-header 0x0091 plaintext is: the 2007/2008 select-server block (15 bytes) or anything else,
 * which the QQ2009 family sends as a modern touch.
 */
export function touchShape(plain: Buffer): 'select_server' | 'touch' {
  return plain.length === SELECT_SERVER_BLOCK ? 'select_server' : 'touch';
}

/** First tag of the QQ2006-era 2005-chain clients (LumaQQ's 0x0E1B): the flagged 42-byte 0x0081 push, no 0x0080 acks. */
const FIRST_QQ2006_VERSION = 0x0e1b;

/** A 2005-chain client of the QQ2006 era (LumaQQ's 0x0E1B and later tags of that chain). */
function qq2006Era(version: number): boolean {
  return familyOf(version)?.chain === 'qq2005' && version >= FIRST_QQ2006_VERSION;
}

/**
 * Whether a classic receiver acks a 0x0080 system message (0x0012): pidgin does in every mode; the QQ2006-era
 * clients never do (LumaQQ has the command but no packet for it), so theirs count as delivered once sent.
 */
export function acksSystemMessages(version: number): boolean {
  return !qq2006Era(version);
}

/**
 * Which classic 0x0081 layout a receiver reads: `flagged` (42 bytes, user flag before my uid) for 2005-chain
 * tags from 0x0E1B on, `short` (35 bytes, my uid at offset 31) for everyone else — pidgin in all its modes reads
 * 35 and ignores the rest.
 */
export function statusPushLayout(version: number): 'short' | 'flagged' {
  return qq2006Era(version) ? 'flagged' : 'short';
}

