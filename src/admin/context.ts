// What admin commands run against: always the store; with a running server (the HTTP face inside
// `oicq serve`), also its sessions, login guard, traffic and log. The CLI face runs store commands alone.
import type { Store } from '../store/store.js';
import type { OicqServer } from '../server/server.js';
import type { Traffic } from './traffic.js';
import type { LogRing } from './log-ring.js';
import { AdminError, type ArgsOf, type ParamSpecs } from './params.js';

/** The running server's parts the live commands need. */
export interface LiveServer {
  server: OicqServer;
  traffic: Traffic;
  logs: LogRing;
  /** The effective configuration, secrets already masked. */
  config: Record<string, unknown>;
  /** ms since the epoch. */
  startedAt: number;
  /** `oicq serve --capture` files the inspector may open. */
  captureFiles: string[];
  /** Writes out what the capture writer still buffers (before the inspector reads the file). */
  flushCapture?: () => void;
}

/** The context of one admin command. */
export interface AdminContext {
  store: Store;
  live?: LiveServer;
}

/** The running server, or a not_running error for commands that need one. */
export function liveOf(ctx: AdminContext): LiveServer {
  if (!ctx.live) throw new AdminError('not_running', 'this command needs the running server — run it through the admin API (oicq admin … --url)');
  return ctx.live;
}

/** One admin command: defined once, served by every face (HTTP route, CLI, console). */
export interface AdminCommand<P extends ParamSpecs = ParamSpecs, R = unknown> {
  /** Dotted name, e.g. 'user.add' (also the CLI's `oicq admin user.add`). */
  name: string;
  summary: string;
  method: 'GET' | 'POST' | 'DELETE';
  /** HTTP path; `{name}` segments are parameters taken from the path. */
  path: string;
  params: P;
  /** Needs the running server (sessions, locks, traffic, log). */
  live?: boolean;
  run(ctx: AdminContext, args: ArgsOf<P>): R;
}

/** Declares a command (keeps the parameter types flowing into the handler's arguments). */
export function defineCommand<P extends ParamSpecs, R>(c: AdminCommand<P, R>): AdminCommand<P, R> {
  return c;
}

/** A read-only view of the running server: GET, no parameters, the value `read` returns. */
export function liveView<R>(name: string, path: string, summary: string, read: (live: LiveServer, ctx: AdminContext) => R): AdminCommand<{}, R> {
  return defineCommand({ name, summary, method: 'GET', path, params: {}, live: true, run: (ctx) => read(liveOf(ctx), ctx) });
}
