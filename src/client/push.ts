import { DecodeError } from '../protocol/errors.js';
import type { CommandTable, S2cOf } from '../protocol/table.js';
import type { PushEvent } from './session.js';

// The client side of the tables' pushes: each framing maps a pushed command to a reader of its decoded body,
// the way the server maps requests to handlers.

/** A notice that says "logged in from another place" (real servers' Chinese text, or this server's English gloss). */
export const KICK_TEXT = /另一地点登录|logged in (from )?(another|elsewhere)/i;

/** Reads one decoded push (and sends its ack, if it has one); `seq` is the push's sequence. */
export type PushReader<T> = (push: T, seq: number) => PushEvent;

/** Push readers of a table, by constant name (only rows with a server→client layout). */
export type PushReaders<T extends CommandTable> = {
  readonly [K in keyof T as [S2cOf<T[K]>] extends [never] ? never : K]?: PushReader<S2cOf<T[K]>>;
};

/** Reads an opened push body of one command. */
export type PushRoute = (plain: Buffer, seq: number) => PushEvent;

/** A framing's push readers by code, each decoding with its row's server→client codec. */
export function pushRoutes<T extends CommandTable>(table: T, readers: PushReaders<T>): ReadonlyMap<number, PushRoute> {
  const out = new Map<number, PushRoute>();
  for (const [name, read] of Object.entries(readers) as [keyof T & string, unknown][]) {
    const row = table[name]!;
    if (typeof read !== 'function' || !row.s2c) continue;
    const codec = row.s2c.codec;
    // The reader is typed by this row, and decodes what this row's codec returns.
    const reader = read as PushReader<unknown>;
    out.set(row.code, (plain, seq) => reader(codec.decode(plain), seq));
  }
  return out;
}

/** Reads an opened push: a command without a reader, or a body that does not decode, is ignored. */
export function readPushWith(routes: ReadonlyMap<number, PushRoute>, command: number, plain: Buffer, seq: number): PushEvent {
  const read = routes.get(command);
  if (!read) return { kind: 'ignored' };
  try {
    return read(plain, seq);
  } catch (e) {
    if (e instanceof DecodeError) return { kind: 'ignored' };
    throw e;
  }
}
