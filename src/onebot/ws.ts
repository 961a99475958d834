// OneBot v11 over WebSocket. `serveSocket` is one connection, whichever side opened it: lifecycle.connect first,
// then events (Universal and Event roles) and action calls answered with their `echo` (Universal and API roles).
// `startWsServer` is the forward server: `/` Universal, `/api` API, `/event` Event.
import { createServer, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer, WebSocket } from 'ws';
import { runAction, Retcode } from './actions.js';
import { checkToken } from './auth.js';
import type { OneBot } from './bot.js';
import type { OneBotEvent } from './events.js';
import { closeServer, listenOn } from './http.js';

/** What a connection carries: everything, only action calls, or only events. */
export type SocketRole = 'Universal' | 'API' | 'Event';

/** Largest action frame read (bytes). */
export const MAX_FRAME = 1 << 20;

/** Serves one open WebSocket for `bot` until it closes. */
export function serveSocket(bot: OneBot, ws: WebSocket, role: SocketRole): void {
  const sendJson = (v: unknown) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(v));
  };
  // Sent before anything else can be: the first frame of every connection.
  sendJson(bot.connectEvent());
  if (role !== 'API') {
    const onEvent = (ev: OneBotEvent) => sendJson(ev);
    bot.on('event', onEvent);
    ws.once('close', () => bot.off('event', onEvent));
  }
  ws.on('message', (data, isBinary) => {
    if (role === 'Event') return;
    let req: { action?: unknown; params?: unknown; echo?: unknown };
    try {
      req = JSON.parse(isBinary ? Buffer.from(data as Buffer).toString('utf8') : data.toString()) as typeof req;
      if (typeof req !== 'object' || req === null || typeof req.action !== 'string') throw new Error('no action');
    } catch {
      return sendJson({ status: 'failed', retcode: Retcode.BAD_REQUEST, data: null, message: 'a frame must be JSON {"action": …, "params": {…}, "echo": …}', wording: '', echo: null });
    }
    const { action, params, echo } = req as { action: string; params?: unknown; echo?: unknown };
    void runAction(bot, action, params).then((r) => sendJson(echo === undefined ? r : { ...r, echo }));
  });
}

/** A listening forward WebSocket server. */
export interface WsApi {
  /** `host:port` it listens on. */
  address: string;
  close(): Promise<void>;
}

const ROLES: Record<string, SocketRole> = { '/': 'Universal', '/api': 'API', '/event': 'Event' };

function refuse(socket: Socket, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** Starts the forward WebSocket server on `host:port` (port 0: any free port). */
export async function startWsServer(bot: OneBot, host: string, port: number, token?: string): Promise<WsApi> {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME });
  const server = createServer((_req, res) => res.writeHead(426, { 'Content-Type': 'text/plain' }).end('this port speaks OneBot v11 over WebSocket: /, /api or /event\n'));
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const role = ROLES[url.pathname.replace(/(.)\/+$/, '$1')];
    if (!role) return refuse(socket, 404, 'Not Found');
    const auth = checkToken(token, req.headers, url);
    if (auth !== 'ok') return refuse(socket, auth, auth === 401 ? 'Unauthorized' : 'Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(bot, ws, role));
  });
  return {
    address: await listenOn(server, host, port),
    close: async () => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      await closeServer(server);
    },
  };
}
