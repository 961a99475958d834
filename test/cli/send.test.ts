// `oicq send`: exit 0 only when the server acked; one-line errors with distinct exit codes otherwise.
// Runs the real binary against a real `oicq serve` child; the receiver is an SDK client in this process.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from '../../src/client/index.js';
import { until } from '../helpers/udp.js';
import { aliceAndBobWorld, oicq } from '../client/oicq-process.js';

const got: IncomingMessage[] = [];
const { world, bob } = aliceAndBobWorld({ before, after }, got);

const alice = (...more: string[]) => ['send', '--uid', '10001', '--server', world.address(), ...more];

test('send by uid and by nickname, both framings: exit 0, the friend receives the text', async () => {
  const r1 = await oicq(alice('--password', 'alice-pw', '--to', '10002', 'héllo Bob, 你好'));
  assert.equal(r1.code, 0, r1.stderr);
  assert.match(r1.stdout, /^sent to 10002 \(message id \d+\)\n$/);
  const r2 = await oicq(alice('--to', 'bob', '--framing', 'classic', 'second', 'from', 'classic'), { env: { OICQ_PASSWORD: 'alice-pw' } });
  assert.equal(r2.code, 0, r2.stderr);
  await until(() => got.length === 2, 5000, 'two messages');
  assert.deepEqual(got.map((m) => [m.from, m.text]), [[10001, 'héllo Bob, 你好'], [10001, 'second from classic']]);
});

test('errors are one line with distinct exit codes', async () => {
  const cases: [string[], number, RegExp, string?][] = [
    [alice('--to', '10002', 'x'), 4, /^oicq send: wrong password for 10001 — check OICQ_PASSWORD, --password-file or --password\n$/, 'nope'],
    [['send', '--uid', '10009', '--server', world.address(), '--to', '10002', 'x'], 4, /^oicq send: no account 10009 on /, 'x'],
    [alice('--to', 'Zed', 'x'), 5, /^oicq send: unknown friend 'Zed' — /, 'alice-pw'],
    [alice('--to', '99999', 'x'), 5, /^oicq send: the server did not accept the message to 99999 — /, 'alice-pw'],
    [['send', '--uid', '10001', '--server', '127.0.0.1:9', '--retry', '40', '--to', '10002', 'x'], 3,
      /^oicq send: no answer from 127\.0\.0\.1:9 — is 'oicq serve' running\? check --server\n$/, 'a'],
    [alice('--to', '10002', 'x'), 2, /^oicq send: no password: set OICQ_PASSWORD, pass --password-file <path>, or run on a terminal to be asked/],
    [alice('x'), 2, /^oicq send: missing --to <uid\|nick>/, 'p'],
  ];
  // One after the other: a second login of the same number kicks the first (as QQ servers do).
  const runs = [];
  for (const [args, , , pw] of cases) runs.push(await oicq(args, pw === undefined ? {} : { env: { OICQ_PASSWORD: pw } }));
  runs.forEach((r, i) => {
    const [args, code, msg] = cases[i]!;
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, msg);
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
    assert.equal(r.stdout, '');
  });
  // A refused send logged out: Alice is not left online.
  assert.deepEqual(await bob().getOnlineFriends(), []);
});
