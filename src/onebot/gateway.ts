// The OneBot v11 gateway of one bot account: the transports asked for, around one OneBot (one SDK session).
import type { OneBot } from './bot.js';
import { startHttpApi, type HttpApi } from './http.js';
import { EventPoster } from './post.js';
import { ReverseWs } from './reverse-ws.js';
import { startWsServer, type WsApi } from './ws.js';

/** A listening address. */
export interface HostPort {
  host: string;
  port: number;
}

/** Which transports to run. */
export interface GatewayOptions {
  http?: HostPort;
  ws?: HostPort;
  wsReverse?: string[];
  post?: string[];
  /** Required of every HTTP and WebSocket request, and sent on reverse connections. */
  accessToken?: string;
  /** Signs event pushes (X-Signature). */
  secret?: string;
  /** Reverse WebSocket reconnect interval (ms, default 3000). */
  reconnectMs?: number;
  log?: (line: string) => void;
}

/** The running transports. */
export interface Gateway {
  http?: HttpApi;
  ws?: WsApi;
  reverse: ReverseWs[];
  posters: EventPoster[];
  close(): Promise<void>;
}

/** Starts the transports for `bot` (already started); a listener that cannot bind rejects, closing the others. */
export async function startGateway(bot: OneBot, o: GatewayOptions): Promise<Gateway> {
  const g: Gateway = {
    reverse: [],
    posters: [],
    close: async () => {
      for (const r of g.reverse) r.stop();
      await Promise.all([g.http?.close(), g.ws?.close(), ...g.posters.map((p) => p.stop())]);
    },
  };
  try {
    if (o.http) g.http = await startHttpApi(bot, o.http.host, o.http.port, o.accessToken);
    if (o.ws) g.ws = await startWsServer(bot, o.ws.host, o.ws.port, o.accessToken);
  } catch (e) {
    await g.close();
    throw e;
  }
  for (const url of o.post ?? []) {
    const p = new EventPoster(bot, url, { secret: o.secret, log: o.log });
    p.start();
    g.posters.push(p);
  }
  for (const url of o.wsReverse ?? []) {
    const r = new ReverseWs(bot, url, { token: o.accessToken, reconnectMs: o.reconnectMs, log: o.log });
    r.start();
    g.reverse.push(r);
  }
  return g;
}
