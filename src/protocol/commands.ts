import type { BodySpec } from './codec.js';
import { DecodeError, tryDecode, type Result } from './errors.js';
import type { Direction, Framing } from './framing.js';
import { rowsByCode, type CommandRow, type DecodedOf, type ExchangeKind } from './table.js';
import { WIRESHARK_NAMES } from './wireshark.js';
import { usesLogin2007 } from './families.js';
import { CLASSIC_2007_TABLE, CLASSIC_TABLE } from './bodies/classic/index.js';
import { MODERN_TABLE } from './bodies/modern/index.js';

// Lookups over the two command tables (CLASSIC_TABLE, MODERN_TABLE) and Wireshark's names: every view —
// server, client, analyzer — names commands and finds their body codecs here.

export { ClassicCmd, CLASSIC_2007_TABLE, CLASSIC_TABLE } from './bodies/classic/index.js';
export { ModernCmd, MODERN_TABLE } from './bodies/modern/index.js';
export type { CommandRow, ExchangeKind } from './table.js';

const ROWS: Readonly<Record<Framing, ReadonlyMap<number, CommandRow>>> = {
  classic: rowsByCode('classic', CLASSIC_TABLE),
  modern: rowsByCode('modern', MODERN_TABLE),
};

// The 2007/2008 chain's own layouts, read in place of the classic rows of the same codes.
const ROWS_2007 = rowsByCode('classic', CLASSIC_2007_TABLE);

/**
 * The row whose bodies a packet follows: the table's, or for a client tag of the 2007/2008 chain (the one rule
 * in families.ts) its own layout where it has one. `version` is the client's tag (its server's packets say 0x0100).
 */
function bodyRow(framing: Framing, code: number, version: number | undefined): CommandRow | undefined {
  if (framing === 'classic' && version !== undefined && usesLogin2007(version)) return ROWS_2007.get(code) ?? ROWS.classic.get(code);
  return ROWS[framing].get(code);
}

function hex4(code: number): string {
  return '0x' + code.toString(16).toUpperCase().padStart(4, '0');
}

/** The table row of a code in a framing, if known. */
export function commandRow(framing: Framing, code: number): CommandRow | undefined {
  return ROWS[framing].get(code);
}

/** Whether any framing or Wireshark knows the code. */
export function isKnownCommand(code: number): boolean {
  return ROWS.classic.has(code) || ROWS.modern.has(code) || WIRESHARK_NAMES.has(code);
}

/** What a command means in a framing; unknown codes read "unknown (0x00AB)" — never hidden. */
export function commandMeaning(code: number, framing: Framing): string {
  return ROWS[framing].get(code)?.meaning ?? `unknown (${hex4(code)})`;
}

/** Wireshark's label for a code, or undefined where Wireshark has none. */
export function wiresharkName(code: number): string | undefined {
  return WIRESHARK_NAMES.get(code);
}

/** How a command's packets pair up in a framing; an unknown code is taken for a request. */
export function exchangeKind(framing: Framing, code: number): ExchangeKind {
  return ROWS[framing].get(code)?.kind ?? 'request';
}

/** The codes of one exchange kind in a framing. */
export function codesOfKind(framing: Framing, kind: ExchangeKind): number[] {
  return [...ROWS[framing].values()].filter((r) => r.kind === kind).map((r) => r.code);
}

/**
 * The body spec (wrap + codec) of a command in a framing and direction, if the layout is known; with the client's
 * version tag, in that client's family's layout (the 2007/2008 0x0022).
 */
export function bodySpec(framing: Framing, code: number, dir: Direction, version?: number): BodySpec | undefined {
  return bodyRow(framing, code, version)?.[dir];
}

/** A decoded body, keyed by framing, direction and command: narrowing them types `value`. */
export type DecodedBody =
  | DecodedOf<'classic', typeof CLASSIC_TABLE>
  | DecodedOf<'classic', typeof CLASSIC_2007_TABLE>
  | DecodedOf<'modern', typeof MODERN_TABLE>;

/**
 * Decodes a plaintext body with the table's codec (with the client's version tag: its family's layout, see
 * bodySpec); never throws on malformed input.
 */
export function decodeBody(framing: Framing, code: number, dir: Direction, plain: Buffer, version?: number): Result<DecodedBody> {
  const row = bodyRow(framing, code, version);
  const spec = row?.[dir];
  if (!row || !spec) return { ok: false, error: new DecodeError('unknown_command', `no ${framing} ${dir} layout for ${hex4(code)}`) };
  const name = nameOf(framing, code);
  // The row and the codec come from the same table entry, so the value has the type the union gives it.
  return tryDecode(() => ({ framing, direction: dir, command: code, name, codec: spec.codec.name, value: spec.codec.decode(plain) }) as DecodedBody);
}

const NAMES: Readonly<Record<Framing, ReadonlyMap<number, string>>> = {
  classic: new Map(Object.entries(CLASSIC_TABLE).map(([n, r]) => [r.code, n])),
  modern: new Map(Object.entries(MODERN_TABLE).map(([n, r]) => [r.code, n])),
};

/** The constant name of a code in a framing (e.g. `SEND_IM`), if known. */
export function commandName(framing: Framing, code: number): string | undefined {
  return NAMES[framing].get(code);
}

function nameOf(framing: Framing, code: number): string {
  return NAMES[framing].get(code)!;
}
