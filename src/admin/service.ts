// Starts the admin surface of a running server: traffic watch, metrics, the HTTP listener with the API,
// the console and (optionally) signup. `oicq serve` calls this; tests do too.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Store } from '../store/store.js';
import type { OicqServer } from '../server/server.js';
import { Traffic } from './traffic.js';
import { LogRing } from './log-ring.js';
import { serverRegistry } from './metrics.js';
import { createAdminServer } from './http.js';
import { consoleAssets } from './console.js';
import { signupRoute } from './signup.js';
import { inspectorRoutes } from './inspector.js';
import type { AdminContext } from './context.js';

/** Settings of the admin surface. */
export interface AdminServiceOptions {
  server: OicqServer;
  store: Store;
  /** The ring the server's logger also writes to (see LogRing). */
  logs: LogRing;
  host: string;
  port: number;
  /** Default: 24 random bytes, base64url. */
  token?: string;
  config?: Record<string, unknown>;
  captureFiles?: string[];
  flushCapture?: () => void;
  /** Largest capture the inspector accepts by upload (default 32 MiB). */
  maxUpload?: number;
  openRegistration?: boolean;
  /** Serve the web console (default true; built with esbuild on first start). */
  console?: boolean;
}

/** A started admin surface. */
export interface AdminService {
  url: string;
  token: string;
  ctx: AdminContext;
  traffic: Traffic;
  close(): Promise<void>;
}

/** A fresh admin token. */
export function newAdminToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Starts watching the server and listening for admin requests; rejects if the address cannot be bound. */
export async function startAdmin(o: AdminServiceOptions): Promise<AdminService> {
  const token = o.token ?? newAdminToken();
  const traffic = new Traffic(o.server);
  const ctx: AdminContext = {
    store: o.store,
    live: { server: o.server, traffic, logs: o.logs, config: o.config ?? {}, startedAt: Date.now(), captureFiles: o.captureFiles ?? [], flushCapture: o.flushCapture },
  };
  const registry = serverRegistry(o.server, traffic);
  const routes = [signupRoute(ctx, o.openRegistration ?? false, Date.now), ...inspectorRoutes(ctx, o.maxUpload)];
  const assets = o.console === false ? undefined : await consoleAssets();
  const http = createAdminServer({ ctx, token, registry, assets, routes, version: '0.1.0' });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(o.port, o.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  traffic.start();
  const a = http.address() as AddressInfo;
  const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return {
    url: `http://${host}:${a.port}/`,
    token,
    ctx,
    traffic,
    async close() {
      traffic.stop();
      o.server.metrics.timings = undefined;
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
