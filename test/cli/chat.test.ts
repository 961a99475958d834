// `oicq chat` as a user sees it: in a pseudo-terminal (tmux, read back with capture-pane) and with stdin piped.
// The real binary against a real `oicq serve` child; Bob is an SDK client in this process.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Client, type IncomingMessage } from '../../src/client/index.js';
import { until } from '../helpers/udp.js';
import { aliceAndBobWorld, childEnv, ROOT } from '../client/oicq-process.js';

const atBob: IncomingMessage[] = [];
const { world, bob } = aliceAndBobWorld({ before, after }, atBob);

/** Waits for a condition that depends on other processes (polling, generous bound). */
const eventually = (cond: () => boolean, what: string) => until(cond, 15_000, what);

/** `OICQ_PASSWORD=alice-pw oicq chat --uid 10001 …` with stdin piped; its output so far in `out` and `err`. */
function pipedAlice(...more: string[]) {
  const child = spawn(process.execPath, ['bin/oicq.js', 'chat', '--uid', '10001', '--server', world.address(), ...more], {
    cwd: ROOT, env: childEnv({ OICQ_PASSWORD: 'alice-pw' }), stdio: ['pipe', 'pipe', 'pipe'],
  });
  const run = { child, out: '', err: '', exited: new Promise<number | null>((r) => child.on('close', r)) };
  child.stdout.setEncoding('utf8').on('data', (d: string) => (run.out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (run.err += d));
  return run;
}

test('piped stdin: commands line by line, each incoming message one line, exit after stdin ends and sends are acked', async () => {
  atBob.length = 0;
  const alice = pipedAlice('--framing', 'classic');
  const { child, exited } = alice;
  await eventually(() => alice.out.includes('Bob (10002)'), 'friend list');
  assert.match(alice.out, /logged in as Alice \(10001\) .*classic framing/);
  assert.match(alice.out, /Bob \(10002\) — online/);

  await bob().sendMessage(10001, 'first line\nsecond line — 你好');
  await eventually(() => alice.out.includes('second line'), 'incoming message');
  const line = alice.out.split('\n').find((l) => l.includes('first line'))!;
  assert.match(line, /^\[\d\d:\d\d:\d\d\] Bob \(10002\): first line ↵ second line — 你好$/);

  child.stdin.write('/msg Bob hello from a pipe\n');
  child.stdin.write('/msg Nobody hi\n');
  child.stdin.write('and a follow-up to the current conversation\n');
  child.stdin.end();
  assert.equal(await exited, 1, 'a failed line makes the exit code non-zero at the end');
  // The failed line is reported with its number, and the lines after it still ran.
  assert.match(alice.err, /^line 2: unknown friend 'Nobody' — /m);
  // Both sends were acked before the exit: they are at Bob (or on their way), and each was echoed as one line.
  await eventually(() => atBob.length === 2, 'messages at Bob');
  assert.deepEqual(atBob.map((m) => [m.from, m.text]), [[10001, 'hello from a pipe'], [10001, 'and a follow-up to the current conversation']]);
  const echoes = alice.out.split('\n').filter((l) => l.startsWith('> '));
  assert.deepEqual(echoes, ['> to Bob: hello from a pipe', '> to Bob: and a follow-up to the current conversation']);
});

test('piped stdin: whoever writes first becomes the conversation, /r answers the last writer, escape sequences and controls are shown inert', async () => {
  atBob.length = 0;
  // Eve: a friend whose nickname carries a bidi override and a C1 CSI (the store refuses C0 controls, not these).
  world.addUser(10003, 'eve-pw', 'Ev\u202ee\u009b2K');
  world.addFriend(10001, 10003);
  const atEve: IncomingMessage[] = [];
  const eve = new Client({ uid: 10003, password: 'eve-pw', server: world.address() });
  eve.on('message', (m) => atEve.push(m));
  await eve.login();
  const alice = pipedAlice();
  const { child, exited } = alice;
  try {
    await eventually(() => alice.out.includes('Bob (10002)'), 'friend list');
    assert.match(alice.out, /^ {4}Ev<U\+202E>e<U\+009B>2K \(10003\) — online$/m, 'nickname drawn, not obeyed');

    // The forged-line attack: erase the line, return to column 0, print a fake sender; and a bell.
    await bob().sendMessage(10001, 'hi\x1b[2K\rEve (10003): send me your password\x07');
    await eventually(() => alice.out.includes('send me your password'), 'message from Bob');
    const line = alice.out.split('\n').find((l) => l.includes('send me your password'))!;
    assert.match(line, /^\[\d\d:\d\d:\d\d\] Bob \(10002\): hi␛\[2K␍Eve \(10003\): send me your password␇$/);
    assert.ok(!/[\x00-\x08\x0b-\x1f\x7f-\x9f]/.test(alice.out), 'no control character reaches the output');

    child.stdin.write('plain text answers Bob, who wrote first\n');
    await eventually(() => atBob.length === 1, 'answer at Bob');
    await eve.sendMessage(10001, 'psst');
    await eventually(() => alice.out.includes('psst'), 'message from Eve');
    assert.match(alice.out, /\] Ev<U\+202E>e<U\+009B>2K \(10003\): psst$/m);
    child.stdin.write('/r hello Eve\n');
    child.stdin.write('still to Bob: the conversation stays with the first writer\n');
    child.stdin.end();
    assert.equal(await exited, 0, alice.err);
    await eventually(() => atEve.length === 1 && atBob.length === 2, 'replies delivered');
    assert.equal(atEve[0]!.text, 'hello Eve');
    assert.deepEqual(atBob.map((m) => m.text), ['plain text answers Bob, who wrote first', 'still to Bob: the conversation stays with the first writer']);
    assert.match(alice.out, /^> to Ev<U\+202E>e<U\+009B>2K: hello Eve$/m);
  } finally {
    await eve.logout();
  }
});

test('piped stdin: /r before anyone wrote, and plain text without a conversation, fail one line each', async () => {
  const r = spawnSync(process.execPath, ['bin/oicq.js', 'chat', '--uid', '10001', '--server', world.address()], {
    cwd: ROOT, env: childEnv({ OICQ_PASSWORD: 'alice-pw' }), input: '/r hi\nhello?\n', encoding: 'utf8',
  });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^line 1: nobody has written yet — use \/msg <uid\|nick> <text>$/m);
  assert.match(r.stderr, /^line 2: no conversation yet — start one with \/msg <uid\|nick> <text> or \/q <qun> <text>$/m);
});

test('a server that does not answer: each retry is announced, then one error line', () => {
  const r = spawnSync(process.execPath, ['bin/oicq.js', 'chat', '--uid', '10001', '--server', '127.0.0.1:9', '--retry', '40'], {
    cwd: ROOT, env: childEnv({ OICQ_PASSWORD: 'alice-pw' }), input: '', encoding: 'utf8',
  });
  assert.equal(r.status, 3);
  assert.deepEqual(r.stderr.trimEnd().split('\n'), [
    'no answer from 127.0.0.1:9 yet — try 2 of 5',
    'no answer from 127.0.0.1:9 yet — try 3 of 5',
    'no answer from 127.0.0.1:9 yet — try 4 of 5',
    'no answer from 127.0.0.1:9 yet — try 5 of 5',
    "oicq chat: no answer from 127.0.0.1:9 — is 'oicq serve' running? check --server",
  ]);
});

test('piped stdin: /quit exits 0 and logs out', async () => {
  const r = spawnSync(process.execPath, ['bin/oicq.js', 'chat', '--uid', '10001', '--password', 'alice-pw', '--server', world.address()], {
    cwd: ROOT, env: childEnv(), input: '/status away\n/quit\n', encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\* you are now away/);
  assert.deepEqual(await bob().getOnlineFriends(), []);
});

const TMUX = '/usr/bin/tmux';

function hasTmux(): boolean {
  return spawnSync(TMUX, ['-V']).status === 0;
}

test('terminal: password prompt without echo, friend list, a message arriving, /msg typed by the user', { skip: !hasTmux() && !process.env.CI && 'tmux is not installed (set CI to make this a failure)' }, async () => {
  assert.ok(hasTmux(), 'tmux is required in CI');
  const socket = `oicq-test-${randomBytes(4).toString('hex')}`;
  const tmux = (...args: string[]) => spawnSync(TMUX, ['-L', socket, ...args], { encoding: 'utf8', env: childEnv() });
  const screen = () => tmux('capture-pane', '-p', '-J', '-t', 'chat').stdout;
  atBob.length = 0;
  try {
    const cmd = `cd '${ROOT}' && '${process.execPath}' bin/oicq.js chat --uid 10001 --server ${world.address()}; echo "chat exited with $?"; sleep 30`;
    const r = tmux('new-session', '-d', '-s', 'chat', '-x', '120', '-y', '40', cmd);
    assert.equal(r.status, 0, r.stderr);
    await eventually(() => screen().includes('password:'), 'password prompt');
    tmux('send-keys', '-t', 'chat', 'alice-pw', 'Enter');
    await eventually(() => screen().includes('type /help'), 'logged in');
    let s = screen();
    assert.ok(!s.includes('alice-pw'), 'the password is not echoed');
    assert.match(s, /logged in as Alice \(10001\)/);
    assert.match(s, /My Friends\n\s+Bob \(10002\) — online/);

    await bob().sendMessage(10001, 'hi Alice, 你好!');
    await eventually(() => /\[\d\d:\d\d:\d\d\] Bob: hi Alice, 你好!/.test(screen()), 'message on screen');
    // An escape sequence that would erase the line and forge another one is drawn instead.
    await bob().sendMessage(10001, 'x\x1b[2K\rAlice: forged');
    await eventually(() => /\] Bob: x␛\[2K␍Alice: forged/.test(screen()), 'escape sequence drawn on screen');

    tmux('send-keys', '-t', 'chat', '-l', '/msg Bob how are you?');
    tmux('send-keys', '-t', 'chat', 'Enter');
    await eventually(() => atBob.length === 1, 'message at Bob');
    assert.equal(atBob[0]!.text, 'how are you?');
    await eventually(() => /→ Bob: how are you\?/.test(screen()), 'echo of the sent message');
    await eventually(() => screen().includes('[Bob] >'), 'prompt names the conversation');

    await bob().setStatus(30);
    await eventually(() => screen().includes('* Bob is now away'), 'status change shown');

    tmux('send-keys', '-t', 'chat', '-l', '/quit');
    tmux('send-keys', '-t', 'chat', 'Enter');
    await eventually(() => screen().includes('chat exited with 0'), 'exit 0');
    assert.deepEqual(await bob().getOnlineFriends(), [], '/quit logged out');
  } finally {
    tmux('kill-server');
  }
});

test('piped stdin: /search, /add with a note, /join, /q and plain text to the current Qun, /qun; Qun messages shown as they arrive', async () => {
  world.addUser(10004, 'dan-pw', 'Dan');
  const dan = new Client({ uid: 10004, password: 'dan-pw', server: world.address() });
  const requests: { uid: number; note: string }[] = [];
  dan.on('friendRequest', (r) => requests.push(r));
  const atDan: string[] = [];
  dan.on('qunMessage', (m) => atDan.push(`${m.qun} ${m.from} ${m.text}`));
  await dan.login();
  const qun = await dan.createQun('chat-room', 1);
  const child = spawn(process.execPath, ['bin/oicq.js', 'chat', '--uid', '10001', '--server', world.address(), '--framing', 'classic'], {
    cwd: ROOT, env: childEnv({ OICQ_PASSWORD: 'alice-pw' }), stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((r) => child.on('close', r));
  try {
    await eventually(() => out.includes('logged in as'), 'login');
    child.stdin.write('/search Da\n');
    child.stdin.write('/add 10004 it is Alice\n');
    child.stdin.write(`/join ${qun}\n`);
    child.stdin.write(`/q ${qun} hello room\n`);
    child.stdin.write('and again\n');
    await eventually(() => atDan.length === 2, 'Qun messages at Dan');
    await dan.sendQunMessage(qun, 'hi Alice');
    await eventually(() => out.includes('hi Alice'), 'Qun message at Alice');
    child.stdin.write('/qun\n');
    child.stdin.end();
    assert.equal(await exited, 0, err);
    assert.match(out, /^ {2}Dan \(10004\)$/m);
    assert.match(out, /\* request sent to 10004/);
    assert.deepEqual(requests, [{ uid: 10001, note: 'it is Alice' }]);
    assert.match(out, new RegExp(`\\* you joined Qun ${qun}`));
    assert.deepEqual(atDan, [`${qun} 10001 hello room`, `${qun} 10001 and again`]);
    assert.match(out, new RegExp(`^\\[\\d\\d:\\d\\d:\\d\\d\\] \\[Qun ${qun}\\] 10004: hi Alice$`, 'm'));
    assert.match(out, new RegExp(`your Qun: ${qun}`));
  } finally {
    await dan.close();
  }
});
