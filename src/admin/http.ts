// The admin listener: the JSON API (one route per admin command), /metrics, the OpenAPI document, the web
// console's files and the optional signup page. Token auth on everything but the console's files, the
// OpenAPI document and signup; errors are JSON `{ error: { code, message } }`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { Registry } from 'prom-client';
import { ADMIN_COMMANDS, invoke } from './table.js';
import { AdminError } from './params.js';
import type { AdminCommand, AdminContext } from './context.js';
import { openApi } from './openapi.js';

/** A file of the web console, served as is. */
export interface Asset {
  type: string;
  body: Buffer | string;
}

/** An extra route (signup, the inspector): gets the parsed body, returns a JSON-able result or throws AdminError. */
export interface ExtraRoute {
  method: 'GET' | 'POST';
  path: string;
  /** Public routes need no token. */
  public?: boolean;
  /** Largest request body accepted (default 64 KiB). */
  maxBody?: number;
  /** `body` is the raw request body; `query` the URL's parameters. */
  handle(req: { body: Buffer; query: Record<string, string>; address: string; headers: IncomingMessage['headers'] }): unknown | Promise<unknown>;
}

/** What the admin listener serves. */
export interface AdminHttpOptions {
  ctx: AdminContext;
  token: string;
  registry?: Registry;
  /** The console's files by URL path ('/' is the page). */
  assets?: ReadonlyMap<string, Asset>;
  routes?: readonly ExtraRoute[];
  version?: string;
}

const CSP = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
const JSON_LIMIT = 64 * 1024;

interface Route {
  command: AdminCommand;
  method: string;
  pattern: RegExp;
  names: string[];
}

function compile(c: AdminCommand): Route {
  const names: string[] = [];
  const src = c.path.replace(/\{(\w+)\}/g, (_, n: string) => {
    names.push(n);
    return '([^/]+)';
  });
  return { command: c, method: c.method, pattern: new RegExp(`^${src}$`), names };
}

/** The admin HTTP server (not yet listening). */
export function createAdminServer(o: AdminHttpOptions): Server {
  const routes = ADMIN_COMMANDS.map(compile);
  const doc = JSON.stringify(openApi(ADMIN_COMMANDS, o.version ?? '0'));
  const want = Buffer.from(o.token);
  const authorized = (req: IncomingMessage) => {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    const got = Buffer.from(m?.[1] ?? '');
    return got.length === want.length && timingSafeEqual(got, want);
  };

  return createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (e instanceof AdminError) return sendError(res, e);
      // A bug: answer 500 without details and keep serving.
      sendJson(res, 500, { error: { code: 'internal', message: 'internal error — see the server log' } });
      process.emitWarning(`admin API: ${e instanceof Error ? e.stack : String(e)}`);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://admin');
    const path = url.pathname;
    const query = Object.fromEntries(url.searchParams);
    const method = req.method ?? 'GET';
    const address = req.socket.remoteAddress ?? '';

    if (method === 'GET' && path === '/api/openapi.json') return sendBody(res, 200, 'application/json', doc);
    if (method === 'GET' && path === '/favicon.ico') return void res.writeHead(204).end();
    const extra = o.routes?.find((r) => r.path === path && r.method === method);
    if (extra) {
      if (!extra.public && !authorized(req)) throw unauthorized();
      const body = await readBody(req, extra.maxBody ?? JSON_LIMIT);
      return sendJson(res, 200, await extra.handle({ body, query, address, headers: req.headers }));
    }
    if (path === '/metrics' && method === 'GET') {
      if (!authorized(req)) throw unauthorized();
      if (!o.registry) throw new AdminError('not_found', 'no metrics here');
      return sendBody(res, 200, o.registry.contentType, await o.registry.metrics());
    }
    if (path.startsWith('/api/')) {
      if (!authorized(req)) throw unauthorized();
      const same = routes.filter((r) => r.pattern.test(path));
      const route = same.find((r) => r.method === method);
      if (!route) {
        if (same.length) throw new AdminError('not_found', `${method} is not allowed on ${path} (use ${same.map((r) => r.method).join(' or ')})`);
        throw new AdminError('not_found', `no API route ${method} ${path} — see /api/openapi.json`);
      }
      const m = route.pattern.exec(path)!;
      const raw: Record<string, unknown> = method === 'POST' ? parseJson(await readBody(req, JSON_LIMIT)) : { ...query };
      route.names.forEach((n, i) => (raw[n] = decodeURIComponent(m[i + 1]!)));
      return sendJson(res, 200, invoke(o.ctx, route.command, raw));
    }
    const asset = method === 'GET' ? o.assets?.get(path) ?? (path.includes('.') ? undefined : o.assets?.get('/')) : undefined;
    if (asset) return sendBody(res, 200, asset.type, asset.body);
    throw new AdminError('not_found', `nothing at ${path}`);
  }
}

function unauthorized(): AdminError {
  return new AdminError('unauthorized', "missing or wrong token — send 'Authorization: Bearer <token>' (printed by oicq serve at start)");
}

function parseJson(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let v: unknown;
  try {
    v = JSON.parse(body.toString('utf8'));
  } catch {
    throw new AdminError('bad_param', 'the request body is not valid JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new AdminError('bad_param', 'the request body must be a JSON object');
  return v as Record<string, unknown>;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new AdminError('too_large', `the request body is larger than ${limit} bytes`));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function headers(type: string): Record<string, string> {
  return { 'content-type': type, 'content-security-policy': CSP, 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' };
}

function sendBody(res: ServerResponse, status: number, type: string, body: Buffer | string): void {
  res.writeHead(status, headers(type));
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  sendBody(res, status, 'application/json; charset=utf-8', JSON.stringify(value ?? null));
}

function sendError(res: ServerResponse, e: AdminError): void {
  if (res.headersSent) return void res.end();
  sendJson(res, e.status, { error: { code: e.code, message: e.message } });
}
