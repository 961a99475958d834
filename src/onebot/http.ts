// The OneBot v11 HTTP API: `GET /<action>?…` or `POST /<action>` with a JSON or form body; the answer is the action
// table's JSON. HTTP statuses as the v11 spec has them: 401/403 for the token, 404 for an unknown action (its body
// still says 1404), 400 for a body that does not parse, 406 for a body type other than JSON or form, else 200.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runAction, Retcode, type ActionResponse } from './actions.js';
import { checkToken } from './auth.js';
import type { OneBot } from './bot.js';

/** Largest request body read (bytes). */
export const MAX_BODY = 1 << 20;

/** A listening HTTP API. */
export interface HttpApi {
  server: Server;
  /** `host:port` it listens on. */
  address: string;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: ActionResponse | { status: 'failed'; retcode: number; message: string }): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        resolve(undefined);
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The parameters of a request: the query, overlaid by a JSON or form body; a string says why it cannot be read. */
async function paramsOf(req: IncomingMessage, url: URL): Promise<{ params: Record<string, unknown> } | { status: number; message: string }> {
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  delete params.access_token;
  if (req.method !== 'POST') return { params };
  const body = await readBody(req);
  if (body === undefined) return { status: 413, message: `the body is larger than ${MAX_BODY} bytes` };
  if (body.trim() === '') return { params };
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json' || type === '') {
    try {
      const parsed: unknown = JSON.parse(body);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { status: 400, message: 'the JSON body must be an object of parameters' };
      return { params: { ...params, ...(parsed as Record<string, unknown>) } };
    } catch {
      return { status: 400, message: 'the body is not valid JSON' };
    }
  }
  if (type === 'application/x-www-form-urlencoded') return { params: { ...params, ...Object.fromEntries(new URLSearchParams(body)) } };
  return { status: 406, message: `Content-Type '${type}' is not supported: send application/json or application/x-www-form-urlencoded` };
}

async function handle(bot: OneBot, token: string | undefined, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const auth = checkToken(token, req.headers, url);
  if (auth !== 'ok') {
    const retcode = auth === 401 ? Retcode.UNAUTHORIZED : Retcode.FORBIDDEN;
    return send(res, auth, { status: 'failed', retcode, message: auth === 401 ? 'no access token: send Authorization: Bearer <token> or ?access_token=' : 'wrong access token' });
  }
  if (req.method !== 'GET' && req.method !== 'POST') {
    res.writeHead(405, { Allow: 'GET, POST' }).end();
    return;
  }
  const name = url.pathname.replace(/^\/+|\/+$/g, '');
  const p = await paramsOf(req, url);
  if ('status' in p) return send(res, p.status, { status: 'failed', retcode: Retcode.BAD_REQUEST, message: p.message });
  const r = await runAction(bot, name, p.params);
  send(res, r.retcode === Retcode.NOT_FOUND ? 404 : 200, r);
}

/** Starts the HTTP API on `host:port` (port 0: any free port). */
export async function startHttpApi(bot: OneBot, host: string, port: number, token?: string): Promise<HttpApi> {
  const server = createServer((req, res) => {
    handle(bot, token, req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, { status: 'failed', retcode: Retcode.FAILED, message: e instanceof Error ? e.message : String(e) });
      else res.destroy();
    });
  });
  return { server, address: await listenOn(server, host, port), close: () => closeServer(server) };
}

/** Listens on `host:port`; resolves with the `host:port` bound (the real port when 0 was asked). */
export async function listenOn(server: Server, host: string, port: number): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const a = server.address() as AddressInfo;
  return `${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
}

/** Closes a server and every connection it still has. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
