// The packet inspector's routes: a capture uploaded (size-capped), the server's own live ring of recent
// datagrams (of one uid or address), or one of the `--capture` files — each run through the analyzer's
// inspectCapture. Passwords for decryption come with the request and are used for it only: never stored,
// logged or echoed.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { buildPcap } from '../capture/pcap-writer.js';
import { inspectCapture, type InspectResult } from '../analyzer/inspect.js';
import type { Credential } from '../analyzer/sessions.js';
import { liveOf, type AdminContext } from './context.js';
import type { ExtraRoute } from './http.js';
import { AdminError, checkArgs } from './params.js';

/** Largest capture accepted by upload (bytes). */
export const MAX_UPLOAD = 32 * 1024 * 1024;

/** Credentials from a JSON list `[{uid, password}]`; bad entries are a bad_param error. */
function credentialsOf(v: unknown): Credential[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new AdminError('bad_param', "'passwords' must be a list of {uid, password}");
  return v.map((c: unknown, i) => {
    const { uid, password } = (c ?? {}) as Record<string, unknown>;
    const a = checkArgs({ uid: { type: 'uid', doc: 'whose password' }, password: { type: 'string', doc: 'the password' } }, { uid, password });
    if (a.password === '') throw new AdminError('bad_param', `password ${i + 1} is empty`);
    return a;
  });
}

function jsonBody(body: Buffer): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(body.toString('utf8') || '{}');
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    /* fall through */
  }
  throw new AdminError('bad_param', 'the request body must be a JSON object');
}

/** The inspector's routes over a running server; uploads larger than `maxUpload` bytes are refused (413). */
export function inspectorRoutes(ctx: AdminContext, maxUpload = MAX_UPLOAD): ExtraRoute[] {
  return [
    {
      method: 'POST',
      path: '/api/inspect/upload',
      maxBody: maxUpload,
      handle({ body, headers }) {
        if (body.length === 0) throw new AdminError('bad_param', 'send the pcap or pcapng file as the request body');
        // Passwords ride in a header (base64 of a JSON list) because the body is the capture itself.
        const h = headers['x-oicq-passwords'];
        let list: unknown = [];
        if (typeof h === 'string' && h !== '') {
          try {
            list = JSON.parse(Buffer.from(h, 'base64').toString('utf8'));
          } catch {
            throw new AdminError('bad_param', 'the x-oicq-passwords header must be base64 of a JSON list of {uid, password}');
          }
        }
        const server = ctx.live?.server.address.port;
        return inspectCapture(body, { credentials: credentialsOf(list), anyPort: true, ports: server ? [8000, server] : [8000] });
      },
    },
    {
      method: 'POST',
      path: '/api/inspect/live',
      handle({ body }) {
        const live = liveOf(ctx);
        const o = jsonBody(body);
        const f = checkArgs(
          { uid: { type: 'uid', doc: 'only this user', required: false }, address: { type: 'string', doc: 'only this peer (ip or ip:port)', required: false } },
          { uid: o.uid, address: o.address },
        );
        const local = live.server.address;
        const serverIp = local.address === '0.0.0.0' ? '127.0.0.1' : local.address;
        const datagrams = live.traffic.recent(f).map((d) => {
          const [src, dst] = d.direction === 'in' ? [d.peer, { address: serverIp, port: local.port }] : [{ address: serverIp, port: local.port }, d.peer];
          return { srcIp: src.address, srcPort: src.port, dstIp: dst.address, dstPort: dst.port, payload: d.bytes, time: d.at };
        });
        return inspectCapture(buildPcap(datagrams), { credentials: credentialsOf(o.passwords), ports: [local.port] });
      },
    },
    {
      method: 'GET',
      path: '/api/inspect/files',
      handle: () => liveOf(ctx).captureFiles.map((p) => basename(p)),
    },
    {
      method: 'POST',
      path: '/api/inspect/file',
      async handle({ body }): Promise<InspectResult> {
        const live = liveOf(ctx);
        const o = jsonBody(body);
        // Only the server's own --capture files, by name: the API reads no other path.
        const path = live.captureFiles.find((p) => basename(p) === o.name);
        if (!path) throw new AdminError('not_found', `no capture file named ${JSON.stringify(o.name)} (files: ${live.captureFiles.map((p) => basename(p)).join(', ') || 'none; start oicq serve with --capture'})`);
        live.flushCapture?.();
        const bytes = await readFile(path);
        return inspectCapture(bytes, { credentials: credentialsOf(o.passwords), ports: [live.server.address.port] });
      },
    },
  ];
}
