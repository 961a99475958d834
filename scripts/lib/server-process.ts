import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's root (where bin/oicq.js is). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Runs `oicq <args>` synchronously (account setup); throws with its stderr on failure. */
export function oicq(args: string[]): string {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/oicq.js'), ...args], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`oicq ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** A server child process (`oicq serve`) on 127.0.0.1 and a random port. */
export interface ServerProcess {
  child: ChildProcess;
  port: number;
  db: string | undefined;
  /** Log lines (JSON) the server printed so far. */
  logs: string[];
  /** The admin API's URL and token, when `extra` turned it on with `--admin`. */
  admin?: { url: string; token: string };
  /** The inspector's WebSocket URL, when OICQ_SERVER_NODE_ARGS or `moreNodeArgs` turned it on with `--inspect`. */
  inspector?: string;
  /** Resident set size in kB, from /proc. */
  rssKb(): number;
  /** CPU time (user + system) used so far, in ms, from /proc. */
  cpuMs(): number;
  /** SIGTERM, then resolves with the metrics the server logged when it stopped. */
  stop(): Promise<Record<string, unknown> | undefined>;
}

/** CPU time (user + system, all threads) a process has used so far, in ms, from /proc (0 once it is gone). */
export function cpuMsOf(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime + stime in clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

/** A fresh temporary database path. */
export function tempDb(): string {
  return join(mkdtempSync(join(tmpdir(), 'oicq-run-')), 'oicq.db');
}

/**
 * Starts `oicq serve` and resolves when it listens. `db` undefined: no --db (a cluster node passes --store);
 * `extra` may name its own --host; `env` is added to the environment; `moreNodeArgs` go to node (e.g. --inspect).
 */
export async function startServerProcess(db: string | undefined, extra: string[] = [], env: NodeJS.ProcessEnv = {}, moreNodeArgs: string[] = []): Promise<ServerProcess> {
  // OICQ_SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the server of a bench run.
  const nodeArgs = [...(process.env.OICQ_SERVER_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? []), ...moreNodeArgs];
  const admin = extra.includes('--admin') ? [] : ['--no-admin'];
  const host = extra.includes('--host') ? [] : ['--host', '127.0.0.1'];
  const store = db === undefined ? [] : ['--db', db];
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'bin/oicq.js'), 'serve', ...host, '--port', '0', ...store, '--no-demo', ...admin, ...extra], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env },
  });
  const logs: string[] = [];
  let adminAt: ServerProcess['admin'];
  let inspector: string | undefined;
  let buf = '';
  const port = await new Promise<number>((resolvePort, reject) => {
    const onData = (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const m = /^listening on udp [\d.]+:(\d+)$/.exec(line);
        const a = /^admin on (\S+) token (\S+)/.exec(line);
        if (m) resolvePort(Number(m[1]));
        else if (a) adminAt = { url: a[1]!, token: a[2]! };
        else if (line.startsWith('{')) logs.push(line);
        // OICQ_SERVER_STDOUT=1 shows the server's other output (e.g. V8's --trace-gc lines from OICQ_SERVER_NODE_ARGS).
        else if (process.env.OICQ_SERVER_STDOUT) process.stderr.write(`[server] ${line}\n`);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => {
      const m = /Debugger listening on (ws:\/\/\S+)/.exec(d.toString());
      if (m) inspector = m[1];
      else if (!/^(For help, see|Debugger attached)/.test(d.toString())) process.stderr.write(d);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before listening`)));
  });
  return {
    child, port, db, logs, admin: adminAt, inspector,
    rssKb: () => {
      try {
        const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        return m ? Number(m[1]) : 0;
      } catch {
        return 0;
      }
    },
    cpuMs: () => cpuMsOf(child.pid!),
    stop: () => new Promise((resolveStop) => {
      if (child.exitCode !== null) return resolveStop(undefined);
      child.once('exit', () => {
        for (const l of logs.reverse()) {
          try {
            const o = JSON.parse(l) as { msg?: string; metrics?: Record<string, unknown> };
            if (o.msg === 'stopped') return resolveStop(o.metrics);
          } catch { /* not JSON */ }
        }
        resolveStop(undefined);
      });
      child.kill('SIGTERM');
    }),
  };
}

/**
 * Ends a server child whatever its state: SIGCONT (it may be stopped), SIGTERM, and SIGKILL when it has not exited
 * after `graceMs`, so a failing test never leaves a process behind. Resolves when it is gone.
 */
export async function stopOrKill(p: ServerProcess, graceMs = 5000): Promise<void> {
  const c = p.child;
  if (c.exitCode !== null || c.signalCode !== null) return;
  const gone = new Promise<void>((r) => c.once('exit', () => r()));
  c.kill('SIGCONT');
  void p.stop();
  let timer: NodeJS.Timeout | undefined;
  const late = await Promise.race([gone.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), graceMs)))]);
  clearTimeout(timer);
  if (late) {
    c.kill('SIGKILL');
    await gone;
  }
}
