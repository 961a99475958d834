// `oicq send`: exit 0 only when the server acked; one-line errors with distinct exit codes otherwise.
// Runs the real binary against a real `oicq serve` child; the receiver is an SDK client in this process.
import { test, before, after } from 'node:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import type { IncomingMessage } from '../../src/client/index.js';
import { until } from '../helpers/udp.js';
import { aliceAndBobWorld, oicq, oicqSync } from '../client/oicq-process.js';

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
    [['send', '--uid', '10009', '--server', world.address(), '--to', '10002', 'x'], 4, /^oicq send: no account 10009 on 127\.0\.0\.1:\d+ — create it with 'oicq user add 10009'\n$/, 'x'],
    // The classic framing's failure reply is worded the same way, and so is the user's line.
    [['send', '--uid', '10009', '--framing', 'classic', '--server', world.address(), '--to', '10002', 'x'], 4, /^oicq send: no account 10009 on 127\.0\.0\.1:\d+ — create it with 'oicq user add 10009'\n$/, 'x'],
    [alice('--to', 'Zed', 'x'), 5, /^oicq send: unknown friend 'Zed' — /, 'alice-pw'],
    [alice('--to', '99999', 'x'), 5, /^oicq send: the server refused the message to 99999, who is not your friend — they take messages from friends only, have too many waiting from strangers, or do not exist; /, 'alice-pw'],
    [alice('--to', '10002', 'x'), 2, /^oicq send: no password: set OICQ_PASSWORD, pass --password-file <path>, or run on a terminal to be asked/],
    [alice('x'), 2, /^oicq send: missing --to <uid\|nick>/, 'p'],
    [alice('--to', '10002'), 2, /^oicq send: missing the message text — usage: oicq send --uid <n> --to <uid\|nick> <text>\n$/, 'p'],
    [alice('--to', '10002', ''), 2, /^oicq send: the message text is empty — /, 'p'],
    [alice('--to', '10002', ' ', ' '), 2, /^oicq send: the message text is empty — /, 'p'],
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

test('a server that does not answer: each retry is announced while it happens, then the error', async () => {
  const r = await oicq(['send', '--uid', '10001', '--server', '127.0.0.1:9', '--retry', '40', '--to', '10002', 'x'], { env: { OICQ_PASSWORD: 'a' } });
  assert.equal(r.code, 3);
  assert.deepEqual(r.stderr.trimEnd().split('\n'), [
    ...[2, 3, 4, 5].map((n) => `oicq send: no answer from 127.0.0.1:9 yet — try ${n} of 5`),
    "oicq send: no answer from 127.0.0.1:9 — is 'oicq serve' running? check --server",
  ]);
});

test('password forms: --password-file is quiet, --password works with a one-line warning', async () => {
  const file = join(world.dir, 'alice.pw');
  writeFileSync(file, 'alice-pw\n', { mode: 0o600 });
  const quiet = await oicq(alice('--password-file', file, '--to', 'Bob', 'from a file'));
  assert.deepEqual([quiet.code, quiet.stderr], [0, '']);
  const loud = await oicq(alice('--password', 'alice-pw', '--to', 'Bob', 'from the command line'));
  assert.equal(loud.code, 0);
  assert.equal(loud.stderr, 'oicq send: warning: --password is visible to other users in the process list — use OICQ_PASSWORD, --password-file or the prompt\n');
});

test('to someone who is not a friend: the receiver\'s privacy setting decides, and the output says what happened', async () => {
  world.addUser(10004, 'carol-pw', 'Carol');
  const pw = { env: { OICQ_PASSWORD: 'alice-pw' } };
  const r = await oicq(alice('--to', '10004', 'hello stranger'), pw);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^sent to 10004 \(message id \d+\) — 10004 is not your friend; their privacy setting lets messages from strangers in\n$/);
  // Carol takes messages from friends only now: the server refuses, the user is told why in one line.
  oicqSync(['user', 'set', '10004', '--strangers', 'friends-only', '--db', world.db]);
  const refused = await oicq(alice('--to', '10004', 'hello again'), pw);
  assert.equal(refused.code, 5, refused.stderr);
  assert.equal(refused.stdout, '');
  assert.match(refused.stderr, /^oicq send: the server refused the message to 10004, who is not your friend — they take messages from friends only, have too many waiting from strangers, or do not exist; ask them to add you as a friend\n$/);
  // A friend is never refused by that setting.
  oicqSync(['user', 'set', '10002', '--strangers', 'friends-only', '--db', world.db]);
  const friend = await oicq(alice('--to', 'Bob', 'friends still get through'), pw);
  assert.equal(friend.code, 0, friend.stderr);
  assert.match(friend.stdout, /^sent to 10002 \(message id \d+\)\n$/);
  // And oneself is not a receiver at all.
  const self = await oicq(alice('--to', '10001', 'me'), pw);
  assert.deepEqual([self.code, self.stderr], [2, 'oicq send: that is your own number: messages go to someone else\n']);
});
