// Private PostgreSQL and Redis servers for tests and `npm run cluster`: Debian's binaries, a fresh data directory,
// a random loopback port each, stopped (and their files removed) by the caller. When the binaries are absent the
// finders return undefined and callers skip with one line saying what to install.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/** The directory of PostgreSQL's server binaries (initdb, pg_ctl), newest version first; undefined when not installed. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(root, versions[0]!, 'bin') : undefined;
}

/** The redis-server binary, or undefined. */
export function redisServerBin(): string | undefined {
  for (const p of ['/usr/bin/redis-server', '/usr/local/bin/redis-server']) if (existsSync(p)) return p;
  return undefined;
}

/** Why cluster tests skip on this machine (one line), or undefined when both services can be started. */
export function servicesMissing(): string | undefined {
  const missing: string[] = [];
  if (!postgresBinDir()) missing.push('postgresql');
  if (!redisServerBin()) missing.push('redis-server');
  return missing.length ? `skipped: ${missing.join(' and ')} not installed (apt-get install ${missing.join(' ')}; .ci/run does)` : undefined;
}

/** A free TCP port on loopback (the kernel's pick; closed again before it is returned). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, host, r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** PostgreSQL refuses to run as root: as root its commands run as the `postgres` user. */
function asPostgres(cmd: string, args: string[]): [string, string[]] {
  return userInfo().uid === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

function run(cmd: string, args: string[]): void {
  const [c, a] = asPostgres(cmd, args);
  const r = spawnSync(c, a, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr || r.stdout || r.error?.message}`);
}

/** A private PostgreSQL server. */
export class PgServer {
  private constructor(readonly dir: string, readonly port: number, private readonly bin: string, private readonly durable: boolean) {}

  /** The connection string of its database `oicq`. */
  get url(): string {
    return `postgres://oicq@127.0.0.1:${this.port}/oicq`;
  }

  /** initdb in a fresh directory, start on a random port, create the database `oicq`. */
  static async start(opts: { durable?: boolean } = {}): Promise<PgServer> {
    const bin = postgresBinDir();
    if (!bin) throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
    const dir = mkdtempSync(join(tmpdir(), 'oicq-pg-'));
    if (userInfo().uid === 0) {
      const pw = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
      const uid = Number(pw.stdout.trim());
      const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
      chownSync(dir, uid, gid);
    }
    run(join(bin, 'initdb'), ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'oicq', '-E', 'UTF8', '--locale', 'C', '--no-sync']);
    const s = new PgServer(dir, await freePort(), bin, opts.durable ?? false);
    s.resume();
    run(join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(s.port), '-U', 'oicq', 'oicq']);
    return s;
  }

  /** Starts the (stopped) server again on its port, waiting until it accepts connections. */
  resume(): void {
    // fsync off for tests: their durability is not what is tested, and the machine is shared. Benchmarks keep it on.
    const fast = this.durable ? '' : ' -c fsync=off -c synchronous_commit=off -c full_page_writes=off';
    const opts = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1${fast}`;
    run(join(this.bin, 'pg_ctl'), ['-D', join(this.dir, 'data'), '-o', opts, '-l', join(this.dir, 'log'), '-w', 'start']);
  }

  /** Stops the server (fast: connections are closed), keeping its data for resume(). */
  pause(): void {
    run(join(this.bin, 'pg_ctl'), ['-D', join(this.dir, 'data'), '-m', 'fast', '-w', 'stop']);
  }

  /** Stops the server and removes its files. */
  stop(): void {
    try {
      run(join(this.bin, 'pg_ctl'), ['-D', join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop']);
    } catch {
      // already stopped
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A private Redis server (no persistence). */
export class RedisServer {
  private child?: ChildProcess;

  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts redis-server on a random port and waits until it answers. */
  static async start(): Promise<RedisServer> {
    const s = new RedisServer(await freePort());
    await s.resume();
    return s;
  }

  /** Starts it (again) on its port. */
  async resume(): Promise<void> {
    const bin = redisServerBin();
    if (!bin) throw new Error('redis-server is not installed (apt-get install redis-server)');
    const child = spawn(bin, ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('Ready to accept connections')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out.slice(-400)}`)));
    });
    child.stdout!.resume();
  }

  /** Stops it (SIGKILL: what is in it may be lost, by design). */
  async stop(): Promise<void> {
    const c = this.child;
    this.child = undefined;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((r) => {
      c.once('exit', () => r());
      c.kill('SIGKILL');
    });
  }
}
