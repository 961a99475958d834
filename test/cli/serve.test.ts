// `oicq serve` as a new user meets it: the first start prints the commands to paste, and a start that cannot bind
// says why in one line and leaves nothing behind. Real processes, a real socket in the way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, type IncomingMessage } from '../../src/client/index.js';
import { until } from '../helpers/udp.js';
import { childEnv, oicq, ROOT } from '../client/oicq-process.js';

const dir = mkdtempSync(join(tmpdir(), 'oicq-serve-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** One stderr line matching re, the exit code, nothing on stdout. */
function failsWith(r: { code: number | null; stdout: string; stderr: string }, code: number, re: RegExp): void {
  assert.equal(r.code, code, r.stderr);
  assert.equal(r.stdout, '');
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `one line expected, got: ${r.stderr}`);
  assert.match(lines[0]!, re);
}

test('a port in use: one line, exit 1, and no database folder created', async () => {
  const blocker = createSocket('udp4');
  const port = await new Promise<number>((r) => blocker.bind(0, '127.0.0.1', () => r(blocker.address().port)));
  try {
    const db = join(dir, 'inuse', 'oicq.db');
    const r = await oicq(['serve', '--host', '127.0.0.1', '--port', String(port), '--db', db]);
    failsWith(r, 1, new RegExp(`^oicq serve: UDP port ${port} on 127\\.0\\.0\\.1 is already in use — stop the other server or pass --port$`));
    assert.equal(existsSync(join(dir, 'inuse')), false, 'nothing created before the bind failed');
  } finally {
    blocker.close();
  }
});

test('--host ::1 says the server is IPv4-only and why; a foreign address and a bad option fail before anything is created', async () => {
  const db = join(dir, 'v6', 'oicq.db');
  failsWith(await oicq(['serve', '--host', '::1', '--port', '0', '--db', db]), 2,
    /^oicq serve: --host ::1: the server is IPv4-only \(OICQ login replies and status blocks carry addresses as 4-byte IPv4 fields\) — use --host 0\.0\.0\.0/);
  failsWith(await oicq(['serve', '--host', '192.0.2.1', '--port', '0', '--db', db]), 1, /^oicq serve: 192\.0\.2\.1 is not an address of this machine — /);
  failsWith(await oicq(['serve', '--port', '0', '--push-rto-min', 'many', '--db', db]), 2, /^oicq serve: --push-rto-min 'many' is not a whole number/);
  failsWith(await oicq(['serve', '--port', '0', '--push-rto-min', '500', '--push-rto-max', '400', '--db', db]), 2, /^oicq serve: --push-rto-max 400 is below --push-rto-min 500; pass a maximum at least the minimum/);
  failsWith(await oicq(['serve', '--port', '0', '--public-ip', '::1', '--db', db]), 2, /^oicq serve: --public-ip '::1' is not an IPv4 address/);
  failsWith(await oicq(['serve', '--port', '0', '--udp', 'fast', '--db', db]), 2, /^oicq serve: --udp 'fast' is not one of auto, native, dgram$/);
  assert.equal(existsSync(join(dir, 'v6')), false);
});

test('first start: database folder 0700, demo accounts, and chat commands that work when pasted', async () => {
  const db = join(dir, 'fresh', 'data', 'oicq.db');
  const server = spawn(process.execPath, ['bin/oicq.js', 'serve', '--host', '127.0.0.1', '--port', '0', '--db', db, '--log-level', 'warn', '--admin', '127.0.0.1:0'], {
    cwd: ROOT, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  server.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((r) => server.on('exit', r));
  let bob: Client | undefined;
  try {
    await until(() => out.includes('listening on udp'), 20_000, 'server listening');
    const port = Number(/listening on udp 127\.0\.0\.1:(\d+)/.exec(out)![1]);
    assert.equal(statSync(join(dir, 'fresh', 'data')).mode & 0o777, 0o700, 'database folder 0700');
    assert.equal(statSync(db).mode & 0o777, 0o600);
    // One ready command per demo user, with the password out of the process list.
    const cmds = [...out.matchAll(/^ {2}(OICQ_PASSWORD=(\S+) npx oicq chat --uid (\d+) --server (\S+))$/gm)];
    assert.equal(cmds.length, 2, out);
    const [alice, bobCmd] = cmds.map((m) => ({ line: m[1]!, password: m[2]!, uid: Number(m[3]), server: m[4]! }));
    assert.deepEqual([alice!.uid, bobCmd!.uid, alice!.server], [10001, 10002, `127.0.0.1:${port}`]);
    assert.match(out, new RegExp(`uid 10001 {2}password ${alice!.password} {2}\\(Alice\\)`));

    // Bob logs in with his printed password; Alice runs her printed command (stdin piped) and writes to him.
    const got: IncomingMessage[] = [];
    bob = new Client({ uid: bobCmd!.uid, password: bobCmd!.password, server: bobCmd!.server });
    bob.on('message', (m) => got.push(m));
    await bob.login();
    // Alice's line exactly as printed, through a shell and npx, in the project folder.
    const chat = spawn('sh', ['-c', alice!.line], { cwd: ROOT, env: childEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let said = '';
    chat.stdout.setEncoding('utf8').on('data', (d: string) => (said += d));
    chat.stderr.setEncoding('utf8').on('data', (d: string) => (said += d));
    chat.stdin.end('/msg Bob hello from the quick start\n');
    const code = await new Promise<number | null>((r) => chat.on('close', r));
    assert.equal(code, 0, said);
    assert.match(said, /^> to Bob: hello from the quick start$/m);
    await until(() => got.length === 1, 10_000, 'message at Bob');
    assert.equal(got[0]!.text, 'hello from the quick start');
  } finally {
    await bob?.logout();
    server.kill('SIGTERM');
    assert.equal(await exited, 0);
  }
});

test('oicq --version (and `oicq version`, for npx) prints the package version', async () => {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  for (const arg of ['--version', '-v', 'version']) {
    const r = await oicq([arg]);
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, `oicq ${version}\n`, ''], arg);
  }
});
