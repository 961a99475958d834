// A running server with its admin surface on loopback, and a small JSON client for the API.
import pino from 'pino';
import { startServer, seedAccounts } from '../helpers/udp.js';
import { LogRing } from '../../src/admin/log-ring.js';
import { startAdmin, type AdminService, type AdminServiceOptions } from '../../src/admin/service.js';
import type { OicqServer } from '../../src/server/server.js';
import type { Store } from '../../src/store/store.js';
import type { PcapDatagram } from '../../src/capture/pcap-writer.js';

export const TOKEN = 'test-token-0123456789';
export const ALICE = { uid: 10001, password: 'alice-pw', nick: 'Alice' };
export const BOB = { uid: 10002, password: 'bob-pw', nick: 'Bob' };

/** The answer of one API call. */
export interface Answer {
  status: number;
  body: unknown;
  text: string;
  headers: Headers;
}

/** A server with Alice and Bob (friends), the admin surface on a random loopback port. */
export interface AdminWorld {
  server: OicqServer;
  store: Store;
  admin: AdminService;
  logs: LogRing;
  dbPath: string;
  call(method: string, path: string, body?: unknown, token?: string | null): Promise<Answer>;
  close(): Promise<void>;
}

export async function adminWorld(opts: Partial<AdminServiceOptions> = {}, serverOpts: Parameters<typeof startServer>[0] = {}): Promise<AdminWorld> {
  const logs = new LogRing();
  const log = pino({ level: 'info', base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, logs);
  const { server, store, dbPath } = await startServer({ log, guard: { maxFailures: 3, maxAddressFailures: 3 }, ...serverOpts });
  seedAccounts(store, [ALICE, BOB], [[ALICE.uid, BOB.uid]]);
  const admin = await startAdmin({ server, store, logs, host: '127.0.0.1', port: 0, token: TOKEN, ...opts });
  return {
    server, store, admin, logs, dbPath,
    async call(method, path, body, token = TOKEN) {
      const headers: Record<string, string> = {};
      if (token !== null) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(new URL(path, admin.url), { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* not JSON (metrics, the console) */
      }
      return { status: res.status, body: parsed, text, headers: res.headers };
    },
    async close() {
      await admin.close();
      await server.close();
      store.close();
    },
  };
}

/** Every datagram the server receives and sends from now on, as pcap records (for captures in tests). */
export function recordWire(server: OicqServer): PcapDatagram[] {
  const wire: PcapDatagram[] = [];
  server.onWire((e) => {
    const [src, dst] = e.direction === 'in' ? [e.peer, e.local] : [e.local, e.peer];
    wire.push({ srcIp: src.address, srcPort: src.port, dstIp: dst.address, dstPort: dst.port, payload: Buffer.from(e.bytes) });
  });
  return wire;
}
