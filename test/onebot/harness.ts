// Set-up of the OneBot gateway tests: a real server on loopback (random port), the bot account's SDK session behind
// a OneBot with its transports on random ports, other users as SDK clients, and small HTTP / WebSocket clients.
import { WebSocket } from 'ws';
import type { Client } from '../../src/client/index.js';
import { OneBot, type BotOptions } from '../../src/onebot/bot.js';
import { startGateway, type Gateway, type GatewayOptions } from '../../src/onebot/gateway.js';
import { Clients, serverWith, type TestUser } from '../client/fixtures.js';

export const TOKEN = 'bot-token';

/** A running world: server, bot (its client logged in and started), gateway. */
export interface World {
  port: number;
  store: Awaited<ReturnType<typeof serverWith>>['store'];
  clients: Clients;
  bot: OneBot;
  botClient: Client;
  gateway: Gateway;
  close(): Promise<void>;
}

/** Starts a server with `users`, logs `botUser` in behind a OneBot gateway with HTTP and forward WebSocket (token TOKEN). */
export async function startWorld(users: TestUser[], friends: [number, number][], botUser: TestUser, opts: { bot?: BotOptions; gateway?: Partial<GatewayOptions> } = {}): Promise<World> {
  const h = await serverWith(users, friends);
  const clients = new Clients();
  const botClient = clients.make(botUser, h.port);
  const bot = new OneBot(botClient, { heartbeatMs: 0, rateLimitMs: 20, ...opts.bot });
  await botClient.login();
  await bot.start();
  const gateway = await startGateway(bot, { http: { host: '127.0.0.1', port: 0 }, ws: { host: '127.0.0.1', port: 0 }, accessToken: TOKEN, ...opts.gateway });
  return {
    port: h.port, store: h.store, clients, bot, botClient, gateway,
    close: async () => {
      bot.stop();
      await gateway.close();
      await clients.closeAll();
      await h.server.close();
    },
  };
}

/** An HTTP answer: status and parsed JSON body. */
export interface HttpAnswer {
  status: number;
  body: { status: string; retcode: number; data: unknown; message?: string };
}

/** Calls the HTTP API. */
export async function httpCall(w: World, path: string, init: RequestInit & { token?: string | null } = {}): Promise<HttpAnswer> {
  const headers = new Headers(init.headers);
  const token = init.token === undefined ? TOKEN : init.token;
  if (token !== null) headers.set('Authorization', `Bearer ${token}`);
  const res = await fetch(`http://${w.gateway.http!.address}${path}`, { ...init, headers });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as HttpAnswer['body']) : ({} as HttpAnswer['body']) };
}

/** POSTs JSON params to /<action> and returns the body (asserting HTTP 200 is the caller's job). */
export async function post(w: World, action: string, params: Record<string, unknown> = {}): Promise<HttpAnswer> {
  return httpCall(w, `/${action}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(params) });
}

/** A WebSocket peer that keeps every frame it got. */
export class WsPeer {
  readonly frames: Record<string, unknown>[] = [];
  private waiters: { pred: (f: Record<string, unknown>) => boolean; resolve: (f: Record<string, unknown>) => void }[] = [];
  closed: Promise<number>;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      const f = JSON.parse(d.toString()) as Record<string, unknown>;
      this.frames.push(f);
      this.waiters = this.waiters.filter((w) => (w.pred(f) ? (w.resolve(f), false) : true));
    });
    this.closed = new Promise((r) => ws.on('close', (code) => r(code)));
  }

  /** Opens a connection to the gateway's forward server. */
  static async open(w: World, path: string, token: string | null = TOKEN): Promise<WsPeer> {
    const ws = new WebSocket(`ws://${w.gateway.ws!.address}${path}`, token === null ? {} : { headers: { Authorization: `Bearer ${token}` } });
    const peer = new WsPeer(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return peer;
  }

  /** The first frame (seen or to come) that satisfies `pred`. */
  next(pred: (f: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    const seen = this.frames.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ pred, resolve }));
  }

  /** Sends an action and waits for the answer carrying `echo`. */
  call(action: string, params: Record<string, unknown>, echo: unknown): Promise<Record<string, unknown>> {
    this.ws.send(JSON.stringify({ action, params, echo }));
    return this.next((f) => JSON.stringify(f.echo) === JSON.stringify(echo));
  }

  close(): void {
    this.ws.close();
  }
}

/** A frame that is an event of `postType` (and, if given, `detail` = its *_type field). */
export const isEvent = (postType: string, detail?: [string, string]) => (f: Record<string, unknown>) =>
  f.post_type === postType && (detail === undefined || f[detail[0]] === detail[1]);
