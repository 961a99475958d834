import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OicqServer, type ServerOptions } from '../../src/server/server.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { passwordMd5 } from '../../src/protocol/keys.js';
import type { TokenSource } from '../../src/server/login-token.js';

/** A raw UDP peer on 127.0.0.1 that records what it receives. */
export class UdpPeer {
  readonly socket: Socket;
  private queue: Buffer[] = [];
  private waiters: { pred: (b: Buffer) => boolean; resolve: (b: Buffer) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }[] = [];

  private constructor(readonly serverPort: number, readonly serverHost = '127.0.0.1') {
    this.socket = createSocket('udp4');
    this.socket.on('message', (b) => {
      const i = this.waiters.findIndex((w) => w.pred(b));
      if (i >= 0) {
        const [w] = this.waiters.splice(i, 1);
        clearTimeout(w!.timer);
        w!.resolve(b);
      } else this.queue.push(b);
    });
  }

  /** Opens a peer bound to `host` (default 127.0.0.1; any 127.0.0.0/8 address is another source) on a random port. */
  static async open(serverPort: number, host = '127.0.0.1', serverHost = '127.0.0.1'): Promise<UdpPeer> {
    const p = new UdpPeer(serverPort, serverHost);
    await new Promise<void>((r) => p.socket.bind(0, host, r));
    return p;
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(bytes: Buffer): void {
    this.socket.send(bytes, this.serverPort, this.serverHost);
  }

  /** The next datagram matching `pred` (already received or arriving within `ms`). */
  next(pred: (b: Buffer) => boolean = () => true, ms = 3000): Promise<Buffer> {
    const i = this.queue.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.queue.splice(i, 1)[0]!);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.timer !== timer);
        reject(new Error(`no matching datagram within ${ms} ms`));
      }, ms);
      this.waiters.push({ pred, resolve, reject, timer });
    });
  }

  /** Datagrams received and not yet taken, left in place. */
  peek(): readonly Buffer[] {
    return this.queue;
  }

  /** Datagrams received and not yet taken. */
  drain(): Buffer[] {
    const q = this.queue;
    this.queue = [];
    return q;
  }

  close(): void {
    for (const w of this.waiters) clearTimeout(w.timer);
    this.socket.close();
  }
}

/** A fresh temp directory for a test's database and captures. */
export function tempDir(prefix = 'oicq-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Adds accounts (uid → password, nick) and makes every pair in `friends` friends. */
export function seedAccounts(store: Store, users: { uid: number; password: string; nick?: string }[], friends: [number, number][] = []): void {
  for (const u of users) store.addUser(u.uid, passwordMd5(u.password), u.nick ?? `user${u.uid}`);
  for (const [a, b] of friends) store.addFriend(a, b);
}

/** Starts an in-process server on 127.0.0.1, random port, over a SQLite file (or the given store). */
export async function startServer(opts: Partial<ServerOptions> & { dbPath?: string } = {}): Promise<{ server: OicqServer; store: Store; port: number; dbPath: string }> {
  const dbPath = opts.dbPath ?? join(tempDir(), 'oicq.db');
  const store = opts.store ?? openSqliteStore(dbPath, { synchronous: 'normal' });
  const server = new OicqServer({ ...opts, store, host: '127.0.0.1', port: 0 });
  const addr = await server.listen();
  return { server, store, port: addr.port, dbPath };
}

/** Waits until `cond` holds, polling (for effects that arrive over UDP). */
export async function until(cond: () => boolean, ms = 3000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A token source that hands out and accepts the recorded tokens, by kind (replaying a recorded login chain). */
export function recordedTokens(byKind: Readonly<Record<string, Buffer>>): TokenSource {
  return {
    issue: (_e, _now, kind) => byKind[kind]!,
    check: (_e, token, _now, kind) => Buffer.from(token).equals(byKind[kind]!),
  };
}
