// Runs the real `oicq` binary for the CLI tests: accounts through `oicq user add` / `oicq friend add`, a server
// child (`oicq serve --port 0`, ready when it prints its "listening on udp" line), and client commands.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, type IncomingMessage } from '../../src/client/index.js';

/** The project root (where bin/oicq.js is). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The environment for children: no password from the outside. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { OICQ_PASSWORD: _drop, ...base } = process.env;
  return { ...base, ...extra };
}

/** Runs `oicq <args>` to completion (account set-up). Throws on a non-zero exit. */
export function oicqSync(args: string[], env: Record<string, string> = {}): string {
  const r = spawnSync(process.execPath, ['bin/oicq.js', ...args], { cwd: ROOT, env: childEnv(env), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`oicq ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** A finished run of an oicq command. */
export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `oicq <args>` without blocking the event loop (in-process SDK clients keep working meanwhile). */
export function oicq(args: string[], opts: { env?: Record<string, string>; input?: string } = {}): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['bin/oicq.js', ...args], { cwd: ROOT, env: childEnv(opts.env), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

/** A temp directory with a database, accounts made through the CLI, and a server child process. */
export class OicqWorld {
  readonly dir = mkdtempSync(join(tmpdir(), 'oicq-cli-client-'));
  readonly db = join(this.dir, 'oicq.db');
  port = 0;
  private server?: ChildProcess;

  /** `OICQ_PASSWORD=<pw> oicq user add <uid> --nick <nick>`. */
  addUser(uid: number, password: string, nick: string): void {
    oicqSync(['user', 'add', String(uid), '--nick', nick, '--db', this.db], { OICQ_PASSWORD: password });
  }

  /** `oicq friend add <a> <b>`. */
  addFriend(a: number, b: number): void {
    oicqSync(['friend', 'add', String(a), String(b), '--db', this.db]);
  }

  /** Starts `oicq serve --host 127.0.0.1 --port 0 --db <tmp> --no-demo --admin 127.0.0.1:0 [extra]`; resolves when it is listening. */
  async start(extra: string[] = []): Promise<number> {
    const child = spawn(process.execPath, ['bin/oicq.js', 'serve', '--host', '127.0.0.1', '--port', '0', '--db', this.db, '--no-demo', '--log-level', 'warn', '--admin', '127.0.0.1:0', ...extra], {
      cwd: ROOT, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.server = child;
    let out = '';
    this.port = await new Promise<number>((res, rej) => {
      child.stdout!.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const m = /listening on udp [\d.]+:(\d+)/.exec(out);
        if (m) res(Number(m[1]));
      });
      child.on('exit', (code) => rej(new Error(`oicq serve exited ${code}: ${out}`)));
    });
    return this.port;
  }

  /** `--server 127.0.0.1:<port>`. */
  address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Stops the server child (SIGTERM: a clean stop; SIGKILL: a crash). */
  async stopServer(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const s = this.server;
    if (s && s.exitCode === null && s.signalCode === null) {
      await new Promise<void>((r) => {
        s.once('exit', () => r());
        s.kill(signal);
      });
    }
  }

  /** Stops the server and removes the temp directory. */
  async stop(): Promise<void> {
    await this.stopServer();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * The world both CLI suites use: Alice (10001) and Bob (10002), friends, on a real server process, with Bob as an
 * SDK client in the test's own process whose messages go to `inbox`. Registers the before/after hooks.
 */
export function aliceAndBobWorld(hooks: { before: (fn: () => Promise<void>) => void; after: (fn: () => Promise<void>) => void }, inbox: IncomingMessage[]): { world: OicqWorld; bob: () => Client } {
  const world = new OicqWorld();
  let bob: Client | undefined;
  hooks.before(async () => {
    world.addUser(10001, 'alice-pw', 'Alice');
    world.addUser(10002, 'bob-pw', 'Bob');
    world.addFriend(10001, 10002);
    await world.start();
    bob = new Client({ uid: 10002, password: 'bob-pw', server: world.address(), retry: { intervalMs: 200, maxTries: 5 } });
    bob.on('message', (m) => inbox.push(m));
    await bob.login();
  });
  hooks.after(async () => {
    await bob?.logout();
    await world.stop();
  });
  return { world, bob: () => bob! };
}
