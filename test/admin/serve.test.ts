// `oicq serve` with its admin listener: printed at start with its token, answering the API; a taken admin port
// is one clear line and a non-zero exit. Signup is closed unless --open-registration, and rate-limited per address.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/udp.js';
import { adminWorld } from './harness.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function serve(args: string[]): { child: ChildProcess; out: Promise<string>; exit: Promise<{ code: number | null; stderr: string }> } {
  const child = spawn(process.execPath, ['bin/oicq.js', 'serve', '--host', '127.0.0.1', '--port', '0', '--db', join(tempDir(), 'oicq.db'), '--log-level', 'warn', ...args], { cwd: ROOT });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  const out = new Promise<string>((done, fail) => {
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d;
      if (stdout.includes('listening on udp')) done(stdout);
    });
    child.on('exit', () => fail(new Error(`serve exited: ${stderr}`)));
  });
  const exit = new Promise<{ code: number | null; stderr: string }>((done) => child.on('exit', (code) => done({ code, stderr })));
  out.catch(() => undefined);
  return { child, out, exit };
}

test('oicq serve prints the admin address and token; the API answers with it; a taken admin port is one line', async () => {
  const s = serve(['--admin', '127.0.0.1:0', '--admin-token', 'serve-test-token']);
  try {
    const out = await s.out;
    const m = /^admin on (http:\/\/127\.0\.0\.1:\d+\/) token serve-test-token$/m.exec(out);
    assert.ok(m, out);
    const url = m[1]!;
    const users = await fetch(new URL('/api/users', url), { headers: { authorization: 'Bearer serve-test-token' } });
    assert.equal(users.status, 200);
    assert.deepEqual(((await users.json()) as { nick: string }[]).map((u) => u.nick), ['Alice', 'Bob']);
    const info = (await (await fetch(new URL('/api/server', url), { headers: { authorization: 'Bearer serve-test-token' } })).json()) as { config: Record<string, unknown> };
    assert.equal(info.config['admin-token'], '***', 'the token is masked in the configuration');
    const page = await fetch(url);
    assert.equal(page.headers.get('content-security-policy')?.startsWith("default-src 'self'"), true);
    assert.match(await page.text(), /<script type="module" src="\/app.js">/);
    assert.equal((await fetch(new URL('/app.js', url))).status, 200);
  } finally {
    s.child.kill('SIGTERM');
    await s.exit;
  }

  const taken = createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
  const port = (taken.address() as { port: number }).port;
  try {
    const busy = serve(['--admin', `127.0.0.1:${port}`]);
    const { code, stderr } = await busy.exit;
    assert.equal(code, 1);
    assert.equal(stderr, `oicq serve: admin port 127.0.0.1:${port} is already in use — pass --admin <host:port> (port 0 picks a free one) or --no-admin\n`);
  } finally {
    taken.close();
  }
});

test('signup: closed without --open-registration; open, it creates accounts and refuses the 4th from one address', async () => {
  const closed = await adminWorld();
  try {
    const r = await closed.call('POST', '/api/signup', { password: 'pw', nick: 'x' }, null);
    assert.equal(r.status, 403);
    assert.equal(closed.store.countUsers(), 2);
  } finally {
    await closed.close();
  }
  const w = await adminWorld({ openRegistration: true });
  try {
    const first = await w.call('POST', '/api/signup', { password: 'pw1', nick: 'Dora' }, null);
    assert.equal(first.status, 200);
    assert.deepEqual(first.body, { uid: 10000, nick: 'Dora' });
    assert.equal((await w.call('POST', '/api/signup', { nick: 'no password' }, null)).status, 400, 'a bad request does not count');
    assert.equal((await w.call('POST', '/api/signup', { password: 'pw', uid: 5 }, null)).status, 200, 'a stranger cannot pick the uid: it is ignored');
    assert.equal((await w.call('POST', '/api/signup', { password: 'pw3' }, null)).status, 200);
    const fourth = await w.call('POST', '/api/signup', { password: 'pw4' }, null);
    assert.equal(fourth.status, 429);
    assert.equal((fourth.body as { error: { code: string } }).error.code, 'rate_limited');
    assert.deepEqual(w.store.listUsers().map((u) => u.uid), [10000, 10001, 10002, 10003, 10004]);
  } finally {
    await w.close();
  }
});
