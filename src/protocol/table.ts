import { Wrap, type BodyCodec, type BodyRegistry, type BodySpec, type LoginKey } from './codec.js';
import type { Direction, Framing } from './framing.js';

// The shape of a framing's command table (STYLE.md practice 1): one row per command holds its code, our
// name for it, how its exchange goes and its typed bodies; every other view (constants, the server's
// handler maps, the analyzer's pairing and key tracking) is derived from the rows.

/**
 * How a command's packets relate (the analyzer pairs them by this; the server answers by it):
 * - `request`: the client asks, the server answers with the same command and sequence.
 * - `push`: the server sends it unasked; nothing answers it under this command.
 * - `ack`: client packets only acknowledge a push (of this command with the same sequence, or another
 *   command's); server packets of this command are pushes that wait for that ack.
 * - `oneWay`: the client expects nothing back (logout).
 */
export type ExchangeKind = 'request' | 'push' | 'ack' | 'oneWay';

/** One command in one framing. `C`/`S` are the client→server and server→client body types (never: no layout). */
export interface CommandRow<Code extends number = number, C = unknown, S = unknown> {
  readonly code: Code;
  /** Our name for what the command does in this framing. */
  readonly meaning: string;
  readonly kind: ExchangeKind;
  readonly c2s?: BodySpec<C>;
  readonly s2c?: BodySpec<S>;
}

/** A framing's table: rows by constant name (UPPER_SNAKE), in code order. */
export type CommandTable = Readonly<Record<string, CommandRow>>;

/** The client→server body type of a row (never: no layout). */
export type C2sOf<R> = R extends { readonly c2s: BodySpec<infer C> } ? C : never;
/** The server→client body type of a row (never: no layout). */
export type S2cOf<R> = R extends { readonly s2c: BodySpec<infer S> } ? S : never;

/** A row as row() builds it: a direction's body is present in the type exactly when it is in the row. */
export type TypedRow<Code extends number, C, S> = Omit<CommandRow<Code>, 'c2s' | 's2c'> &
  ([C] extends [never] ? unknown : { readonly c2s: BodySpec<C> }) &
  ([S] extends [never] ? unknown : { readonly s2c: BodySpec<S> });

/** The command constants of a table: name → code, with literal types. */
export type CommandCodes<T extends CommandTable> = { readonly [K in keyof T]: T[K]['code'] };

/** A body that travels in `wrap` (keys: which login keys open it; see LoginKey). */
export function spec<T>(codec: BodyCodec<T>, wrap: Wrap = Wrap.SESSION, keys?: readonly LoginKey[]): BodySpec<T> {
  return keys ? { wrap, codec, keys } : { wrap, codec };
}

/**
 * A table row; leave out a body whose layout is not known (or that never travels that way). The return type
 * takes no inference (NoInfer): the table's `satisfies CommandTable` would otherwise type an absent body `unknown`.
 */
export function row<Code extends number, C = never, S = never>(
  code: Code,
  meaning: string,
  kind: ExchangeKind,
  c2s?: BodySpec<C>,
  s2c?: BodySpec<S>,
): TypedRow<Code, NoInfer<C>, NoInfer<S>> {
  return { code, meaning, kind, ...(c2s ? { c2s } : {}), ...(s2c ? { s2c } : {}) } as TypedRow<Code, C, S>;
}

/** The request and reply codecs of a request row, typed by the row (what a client sends and reads). */
export function requestCodecs<R extends CommandRow>(r: R): { request: BodyCodec<C2sOf<R>>; reply: BodyCodec<S2cOf<R>> } {
  if (!r.c2s || !r.s2c) throw new Error(`command 0x${r.code.toString(16)} has no request and reply layout`);
  // The row's specs are BodySpec<C2sOf<R>> and BodySpec<S2cOf<R>> by construction (see row()).
  return { request: r.c2s.codec as BodyCodec<C2sOf<R>>, reply: r.s2c.codec as BodyCodec<S2cOf<R>> };
}

/** The name → code constants of a table. */
export function codesOf<T extends CommandTable>(table: T): CommandCodes<T> {
  return Object.freeze(Object.fromEntries(Object.entries(table).map(([name, r]) => [name, r.code]))) as CommandCodes<T>;
}

/** A table's rows by code; throws at load time if two rows share a code (no constant may alias two meanings). */
export function rowsByCode(framing: Framing, table: CommandTable): ReadonlyMap<number, CommandRow> {
  const out = new Map<number, CommandRow>();
  for (const [name, r] of Object.entries(table)) {
    if (out.has(r.code)) throw new Error(`${framing} command table: ${name} reuses code 0x${r.code.toString(16)}`);
    out.set(r.code, r);
  }
  return out;
}

/** The rows that have a body layout, by code and direction (what decoders look up). */
export function bodiesOf(framing: Framing, table: CommandTable): BodyRegistry {
  const out = new Map<number, Partial<Record<Direction, BodySpec>>>();
  for (const r of rowsByCode(framing, table).values()) {
    if (r.c2s || r.s2c) out.set(r.code, { ...(r.c2s ? { c2s: r.c2s } : {}), ...(r.s2c ? { s2c: r.s2c } : {}) });
  }
  return out;
}

/** One decoded body of a table, keyed by command: narrowing `command` (and `direction`) types `value`. */
export type DecodedOf<F extends Framing, T extends CommandTable> = {
  [K in keyof T & string]: DecodedIn<F, 'c2s', T[K]['code'], K, C2sOf<T[K]>> | DecodedIn<F, 's2c', T[K]['code'], K, S2cOf<T[K]>>;
}[keyof T & string];

/** One member of DecodedOf (none when the direction has no layout). */
type DecodedIn<F extends Framing, D extends Direction, Code extends number, Name extends string, V> = [V] extends [never]
  ? never
  : { framing: F; direction: D; command: Code; name: Name; codec: string; value: V };
