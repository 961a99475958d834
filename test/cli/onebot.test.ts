// `oicq onebot` as an operator runs it: the real binary against a real `oicq serve` child, password from the
// environment, transports on random ports, the reverse WebSocket's default 3-s retry, clean exit on SIGTERM,
// one-line usage errors. Bob is an SDK client in this process.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { IncomingMessage } from '../../src/client/index.js';
import { until } from '../helpers/udp.js';
import { aliceAndBobWorld, childEnv, oicq, ROOT } from '../client/oicq-process.js';

const atBob: IncomingMessage[] = [];
const { world } = aliceAndBobWorld({ before, after }, atBob);

/** A free loopback port (bound, read, released). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test('oicq onebot: logs in with OICQ_PASSWORD, serves HTTP and WebSocket on the ports asked, connects out again every 3 s, exits 0 on SIGTERM', async () => {
  const reversePort = await freePort();
  const child = spawn(process.execPath, [
    'bin/oicq.js', 'onebot', '--uid', '10001', '--server', world.address(), '--http', '127.0.0.1:0', '--ws', '127.0.0.1:0',
    '--ws-reverse', `ws://127.0.0.1:${reversePort}/ws`, '--access-token', 't0k', '--heartbeat', '0',
  ], { cwd: ROOT, env: childEnv({ OICQ_PASSWORD: 'alice-pw' }), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((r) => child.on('close', r));
  let wss: WebSocketServer | undefined;
  try {
    await until(() => /HTTP API on/.test(out), 15_000, `the ready line (stderr: ${err})`);
    const m = /^onebot 10001 \(Alice\) on 127\.0\.0\.1:\d+: HTTP API on http:\/\/(127\.0\.0\.1:\d+), WebSocket on ws:\/\/(127\.0\.0\.1:\d+), reverse WebSocket to ws:\/\/127\.0\.0\.1:\d+\/ws$/m.exec(out);
    assert.ok(m, out);
    const res = await fetch(`http://${m[1]}/send_private_msg?access_token=t0k`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ user_id: 10002, message: 'from the gateway' }) });
    const body = (await res.json()) as { retcode: number; data: { message_id: number } };
    assert.equal(body.retcode, 0);
    await until(() => atBob.some((x) => x.text === 'from the gateway'), 15_000, 'the message at Bob');
    assert.equal((await fetch(`http://${m[1]}/get_status`)).status, 401);

    // The framework was not there at start: the gateway tried, failed, and comes back by itself.
    wss = new WebSocketServer({ host: '127.0.0.1', port: reversePort });
    const hello = new Promise<{ selfId: string | string[] | undefined; first: string }>((resolve) => {
      wss!.on('connection', (ws, req) => ws.once('message', (d) => resolve({ selfId: req.headers['x-self-id'], first: d.toString() })));
    });
    const { selfId, first } = await hello;
    assert.equal(selfId, '10001');
    assert.match(first, /"meta_event_type":"lifecycle","sub_type":"connect"/);
    assert.match(err, /reverse WebSocket ws:\/\/127\.0\.0\.1:\d+\/ws: connect ECONNREFUSED/);
  } finally {
    child.kill('SIGTERM');
    wss?.close();
  }
  assert.equal(await exited, 0, err);
});

test('oicq onebot: usage errors are one line and exit 2', async () => {
  const run = (args: string[]) => oicq(['onebot', '--uid', '10001', '--server', world.address(), ...args], { env: { OICQ_PASSWORD: 'alice-pw' } });
  const bad = await run(['--http', 'nowhere']);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, "oicq onebot: --http 'nowhere' is not host:port (e.g. 127.0.0.1:5700)\n");
  const url = await run(['--ws-reverse', 'http://x/']);
  assert.equal(url.code, 2);
  assert.match(url.stderr, /^oicq onebot: --ws-reverse 'http:\/\/x\/' must be a ws or wss URL\n$/);
  const fmt = await run(['--message-format', 'xml']);
  assert.equal(fmt.code, 2);
  const nopw = await oicq(['onebot', '--uid', '10001']);
  assert.equal(nopw.code, 2);
  assert.match(nopw.stderr, /no password: set OICQ_PASSWORD/);
});

test('oicq onebot: a wrong password is one line, exit 4', async () => {
  const r = await oicq(['onebot', '--uid', '10001', '--server', world.address(), '--http', '127.0.0.1:0'], { env: { OICQ_PASSWORD: 'nope' } });
  assert.equal(r.code, 4);
  assert.match(r.stderr, /^oicq onebot: wrong password for 10001/);
});
