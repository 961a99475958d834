import type { BodyCodec } from '../protocol/codec.js';
import type { Packet } from '../protocol/framing.js';
import type { C2sOf, CommandTable, S2cOf } from '../protocol/table.js';
import type { ServerContext } from './context.js';
import type { DropReason } from './metrics.js';
import type { Endpoint, Session } from './session.js';

// The server side of the command tables: each framing maps command → handler (one small function per
// command, in files by concern); the framing decodes the request with the row's client→server codec and
// the handler answers with the row's server→client codec.

/** What an exchange answers through: the framing's session-request path (see SessionRequests). */
export interface Responder {
  readonly ctx: ServerContext;
  /** Replies to `to`: the endpoint object the request came from (the session's address, as open checked). */
  reply(session: Session, packet: Packet, plain: Buffer, to: Endpoint): void;
  noReply(session: Session, packet: Packet): void;
}

/** One after-login request: its session and packet, its decoded body, and the ways to answer it. */
export class Exchange<Req = unknown, Rep = unknown> {
  constructor(
    private readonly io: Responder,
    readonly session: Session,
    readonly packet: Packet,
    readonly body: Req,
    private readonly replyCodec: BodyCodec<Rep> | undefined,
    /** Where the request came from: the session's endpoint, as another object that this datagram's handling already reads. */
    readonly from: Endpoint,
  ) {}

  /** The server's context (hub, store, clock …). */
  get ctx(): ServerContext {
    return this.io.ctx;
  }

  /** Sends the reply, encoded by the row's server→client codec, and remembers it for duplicates. */
  reply(value: Rep): void {
    this.io.reply(this.session, this.packet, this.replyCodec!.encode(value), this.from);
  }

  /** Answers nothing but remembers the request, so a repeat has no second effect (acks, logout). */
  noReply(): void {
    this.io.noReply(this.session, this.packet);
  }

  /** Counts the request as dropped (bad input); it gets no answer. */
  drop(reason: DropReason): void {
    this.io.ctx.drop(reason, this.from, this.packet);
  }
}

/** Handles one command after login. */
export type Handler<Req, Rep> = (x: Exchange<Req, Rep>) => void;

/**
 * A handler for a request the client re-sends until it is answered (a send): a body that does not decode
 * gets `malformed` as its reply, so the client learns it failed and stops, instead of silence.
 */
export interface AnsweredHandler<Req, Rep> {
  handle: Handler<Req, Rep>;
  malformed: Rep;
}

/** Handlers of a table's after-login commands, by constant name (a file by concern exports one of these). */
export type SessionHandlers<T extends CommandTable> = {
  readonly [K in keyof T as [C2sOf<T[K]>] extends [never] ? never : K]?: Handler<C2sOf<T[K]>, S2cOf<T[K]>> | AnsweredHandler<C2sOf<T[K]>, S2cOf<T[K]>>;
};

/** Handles one command of a login exchange (before there is a session); `f` is the framing. */
export type LoginHandler<F> = (f: F, packet: Packet, from: Endpoint) => void;

/** Login handlers of a table, by constant name. */
export type LoginHandlers<T extends CommandTable, F> = { readonly [K in keyof T]?: LoginHandler<F> };

/** A command's handler with the codecs of its row. */
export interface Route {
  readonly request: BodyCodec<unknown>;
  readonly reply: BodyCodec<unknown> | undefined;
  readonly handler: Handler<unknown, unknown>;
  /** The reply to a body that does not decode (absent: such a request is dropped unanswered). */
  readonly malformed?: unknown;
}

/** The routes of after-login handlers, by code; throws at start-up for a handler whose row has no request layout. */
export function sessionRoutes<T extends CommandTable>(table: T, ...groups: SessionHandlers<T>[]): ReadonlyMap<number, Route> {
  const out = new Map<number, Route>();
  for (const group of groups) {
    for (const [name, handler] of Object.entries(group) as [keyof T & string, unknown][]) {
      const row = table[name]!;
      const answered = typeof handler === 'object' && handler !== null ? (handler as AnsweredHandler<unknown, unknown>) : undefined;
      if (typeof handler !== 'function' && !answered) continue;
      if (!row.c2s) throw new Error(`handler for ${name}: the table has no client→server layout`);
      if (out.has(row.code)) throw new Error(`two handlers for ${name}`);
      if (answered && !row.s2c) throw new Error(`handler for ${name}: a malformed reply needs a server→client layout`);
      // Each handler is typed by its own row, and the route pairs it with that row's codecs.
      out.set(row.code, answered
        ? { request: row.c2s.codec, reply: row.s2c?.codec, handler: answered.handle, malformed: answered.malformed }
        : { request: row.c2s.codec, reply: row.s2c?.codec, handler: handler as Handler<unknown, unknown> });
    }
  }
  return out;
}

/** The login handlers of a framing, by code. */
export function loginRoutes<T extends CommandTable, F>(table: T, handlers: LoginHandlers<T, F>): ReadonlyMap<number, LoginHandler<F>> {
  const out = new Map<number, LoginHandler<F>>();
  for (const [name, handler] of Object.entries(handlers) as [keyof T & string, LoginHandler<F> | undefined][]) {
    if (handler) out.set(table[name]!.code, handler);
  }
  return out;
}
