// Shared set-up of the client tests: an in-process server on loopback with accounts, and clients with
// short retry intervals (tests never wait seconds for a retransmission).
import type { Framing } from '../../src/protocol/framing.js';
import { Client, type ClientOptions } from '../../src/client/index.js';
import { seedAccounts, startServer } from '../helpers/udp.js';
import type { ServerOptions } from '../../src/server/server.js';

/** A test account. */
export interface TestUser {
  uid: number;
  password: string;
  nick: string;
}

export const ALICE: TestUser = { uid: 10001, password: 'alice-pw', nick: 'Alice' };
export const BOB: TestUser = { uid: 10002, password: 'bob-pw', nick: 'Bob' };
export const CAROL: TestUser = { uid: 10003, password: 'carol-pw', nick: '小红' };

/** Fast retransmission for loopback tests. */
export const FAST_RETRY = { intervalMs: 100, maxTries: 5 };

/** Starts a server with `users` (friends as given) and a generous pre-login rate (many logins from 127.0.0.1). */
export async function serverWith(users: TestUser[], friends: [number, number][], opts: Partial<ServerOptions> & { dbPath?: string } = {}) {
  const h = await startServer({ ...opts, guard: { preLoginPerSecond: 100_000, ...opts.guard } });
  seedAccounts(h.store, users, friends);
  return h;
}

/** Tracks clients so a test can close them all in `finally`. */
export class Clients {
  readonly all: Client[] = [];

  /** A client for `u` on `port` with test-friendly timers. */
  make(u: Pick<TestUser, 'uid' | 'password'>, port: number, framing: Framing = 'modern', extra: Partial<ClientOptions> = {}): Client {
    const c = new Client({ uid: u.uid, password: u.password, server: `127.0.0.1:${port}`, framing, retry: FAST_RETRY, keepAliveMs: 60_000, ...extra });
    this.all.push(c);
    return c;
  }

  /** A logged-in client. */
  async online(u: Pick<TestUser, 'uid' | 'password'>, port: number, framing: Framing = 'modern', extra: Partial<ClientOptions> = {}): Promise<Client> {
    const c = this.make(u, port, framing, extra);
    await c.login();
    return c;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.all.map((c) => c.close()));
  }
}
