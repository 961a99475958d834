// The account commands. A few runs spawn the real `oicq` binary (exit code, stdout, one-line stderr);
// the rest call the same main() in-process, capturing its output, to keep the suite quick.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { passwordMd5 } from '../../src/protocol/keys.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dir = mkdtempSync(join(tmpdir(), 'oicq-cli-'));
const db = join(dir, 'sub', 'oicq.db');
test.after(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Spawns `node bin/oicq.js <args> --db <temp db>` from the project root. */
function spawnOicq(args: string[], env: Record<string, string> = {}): Run {
  const { OICQ_PASSWORD: _drop, ...base } = process.env;
  const r = spawnSync(process.execPath, ['bin/oicq.js', ...args, '--db', db], { cwd: ROOT, env: { ...base, ...env }, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Runs several commands through main() in ONE child process (one tsx start-up instead of one per command),
// capturing each command's output there; the child prints the results as JSON on its real stdout.
const DRIVER = `
import { main } from './src/cli/main.ts';
const results = [];
const write = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
for (const c of JSON.parse(process.env.OICQ_TEST_BATCH)) {
  let stdout = '', stderr = '';
  process.stdout.write = (s) => { stdout += String(s); return true; };
  process.stderr.write = (s) => { stderr += String(s); return true; };
  delete process.env.OICQ_PASSWORD;
  if (c.password !== undefined) process.env.OICQ_PASSWORD = c.password;
  let code;
  try { code = await main(c.args); } catch (e) { stderr += 'THREW ' + String(e); code = -1; }
  process.stdout.write = write.out;
  process.stderr.write = write.err;
  results.push({ code, stdout, stderr });
}
write.out(JSON.stringify(results));
`;

/** A command for batch(): its argv (without --db) and an optional OICQ_PASSWORD. */
interface Cmd {
  args: string[];
  password?: string;
}

/** Runs the commands in order against the temp db, in one child process; returns each one's result. */
function batch(cmds: Cmd[]): Run[] {
  const withDb = cmds.map((c) => ({ ...c, args: [...c.args, '--db', db] }));
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', DRIVER], {
    cwd: ROOT,
    env: { ...process.env, OICQ_TEST_BATCH: JSON.stringify(withDb) },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const results = JSON.parse(r.stdout) as Run[];
  assert.equal(results.length, cmds.length);
  return results;
}

/** Asserts a user error: exit code, nothing on stdout, exactly one stderr line matching re. */
function fails(r: Run, code: number, re: RegExp): void {
  assert.equal(r.code, code, r.stderr);
  assert.equal(r.stdout, '');
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `one line expected, got: ${r.stderr}`);
  assert.match(lines[0]!, re);
}

/** Splits table output into cells (columns are separated by two or more spaces). */
const cells = (stdout: string) => stdout.trimEnd().split('\n').map((l) => l.split(/\s{2,}/));

test('spawned: user add prints the uid, creates a 0600 file; a bad option prints one line and exits 2', () => {
  fails(spawnOicq(['user', 'list']), 1, /^oicq user: no database at '.*oicq\.db' — add an account first with 'oicq user add'/);

  const r = spawnOicq(['user', 'add', '--nick', 'Alice'], { OICQ_PASSWORD: 'secret' });
  assert.deepEqual([r.code, r.stdout, r.stderr], [0, '10000\n', '']);
  assert.equal(statSync(db).mode & 0o777, 0o600);
  assert.equal(statSync(dirname(db)).mode & 0o777, 0o700);

  fails(spawnOicq(['user', 'add', '--bogus']), 2, /^oicq user: unknown option '--bogus' — run 'oicq user --help'$/);
});

const WARNING = "oicq user: warning: --password is visible to other users in the process list — use OICQ_PASSWORD, --password-file or the prompt\n";

test('user add / passwd: password from the environment, a file, or --password with a warning; duplicates, unknown users, usage errors', () => {
  const pwFile = join(dir, 'pw.txt');
  writeFileSync(pwFile, 'from-a-file\nsecond line ignored\n', { mode: 0o600 });
  writeFileSync(join(dir, 'empty.txt'), '\n');
  const [bob, next, dup, nopw, zero, novalue, nouser, wrongopt, nosub, passwd, help, fromFile, nofile, emptyFile, both] = batch([
    { args: ['user', 'add', '20000', '--nick', 'Bob'], password: 'bobpw' },
    { args: ['user', 'add', '--password', 'x'] },
    { args: ['user', 'add', '20000'], password: 'x' },
    { args: ['user', 'add', '--nick', 'x'] },
    { args: ['user', 'add', '0'], password: 'x' },
    { args: ['user', 'add', '--password'] },
    { args: ['user', 'passwd', '12345'], password: 'x' },
    { args: ['user', 'passwd', '10000', '--nick', 'x'], password: 'y' },
    { args: ['user'] },
    { args: ['user', 'passwd', '10000'], password: 'changed' },
    { args: ['user', '--help'] },
    { args: ['user', 'add', '30000', '--password-file', pwFile] },
    { args: ['user', 'add', '30001', '--password-file', join(dir, 'nope.txt')] },
    { args: ['user', 'add', '30001', '--password-file', join(dir, 'empty.txt')] },
    { args: ['user', 'add', '30001', '--password-file', pwFile, '--password', 'x'] },
  ]);
  assert.deepEqual(bob, { code: 0, stdout: '20000\n', stderr: '' });
  assert.deepEqual(next, { code: 0, stdout: '10001\n', stderr: WARNING }, 'next free uid from 10000; --password works, with one warning line');
  fails(dup!, 1, /^oicq user: user 20000 already exists — pick another uid/);
  fails(nopw!, 2, /^oicq user: no password: set OICQ_PASSWORD, pass --password-file <path>, or run on a terminal to be asked/);
  fails(zero!, 2, /^oicq user: uid '0' is not a whole number from 1 to 4294967295$/);
  fails(novalue!, 2, /^oicq user: option --password needs a value/);
  fails(nouser!, 1, /^oicq user: user 12345 does not exist — add it with 'oicq user add 12345'$/);
  fails(wrongopt!, 2, /^oicq user: option --nick does not apply to 'oicq user passwd'/);
  fails(nosub!, 2, /^oicq user: missing subcommand: add \| list \| passwd \| set \| delete — run 'oicq user --help'$/);
  assert.deepEqual(passwd, { code: 0, stdout: 'password of user 10000 changed\n', stderr: '' });
  assert.equal(help!.code, 0);
  assert.match(help!.stdout, /^usage: oicq user <add \| list \| passwd \| set \| delete>/);
  assert.deepEqual(fromFile, { code: 0, stdout: '30000\n', stderr: '' });
  fails(nofile!, 2, /^oicq user: cannot read --password-file '.*nope\.txt': no such file/);
  fails(emptyFile!, 2, /^oicq user: --password-file '.*empty\.txt' is empty: its first line must be the password$/);
  fails(both!, 2, /^oicq user: give either --password-file or --password, not both/);

  const s = openSqliteStore(db);
  assert.equal(s.getUser(10000)!.passwordMd5.toString('hex'), passwordMd5('changed').toString('hex'));
  assert.equal(s.getUser(20000)!.passwordMd5.toString('hex'), passwordMd5('bobpw').toString('hex'));
  assert.equal(s.getUser(30000)!.passwordMd5.toString('hex'), passwordMd5('from-a-file').toString('hex'));
  assert.deepEqual(s.listUsers().map((u) => [u.uid, u.nick]), [[10000, 'Alice'], [10001, '10001'], [20000, 'Bob'], [30000, '30000']]);
  s.close();
});

test('friend and group commands', () => {
  const r = batch([
    { args: ['friend', 'add', '10000', '20000', '--group', 'Work'] },
    { args: ['friend', 'add', '10000', '10000'] },
    { args: ['friend', 'add', '10000', '55555', '--group', 'Ghosts'] },
    { args: ['friend', 'add', '10000', 'abc'] },
    { args: ['friend', 'add', '10000'] },
    { args: ['friend', 'list', '20000'] },
    { args: ['group', 'add', '10000', 'Old', 'Classmates'] },
    { args: ['group', 'move', '10000', '20000', 'Old Classmates'] },
    { args: ['group', 'move', '10000', '20000', 'Nope'] },
    { args: ['group', 'rename', '10000', '1', 'Job'] },
    { args: ['group', 'rename', '10000', '0', 'Mine'] },
    { args: ['group', 'remove', '10000', '64'] },
    { args: ['group', 'remove', '10000', '2'] },
    { args: ['group', 'frob'] },
    { args: ['group', 'list', '10000'] },
  ]);
  let i = 0;
  const next = () => r[i++]!;
  assert.deepEqual(next(), { code: 0, stdout: `10000 and 20000 are now friends; 20000 is in 10000's group "Work"\n`, stderr: '' });
  fails(next(), 1, /^oicq friend: user 10000 cannot be their own friend — give two different uids$/);
  fails(next(), 1, /^oicq friend: user 55555 does not exist — add it/);
  fails(next(), 2, /^oicq friend: friend uid 'abc' is not a whole number from 1 to 4294967295$/);
  fails(next(), 2, /^oicq friend: missing <friend> — usage: oicq friend add <uid> <friend>/);
  let x = next();
  assert.equal(x.code, 0);
  assert.deepEqual(cells(x.stdout), [['uid', 'nick', 'group'], ['10000', 'Alice', '0 My Friends']]);
  assert.deepEqual(next(), { code: 0, stdout: 'added group 2 "Old Classmates" for user 10000\n', stderr: '' }, 'the failed add created no "Ghosts" group');
  assert.deepEqual(next(), { code: 0, stdout: `20000 is now in 10000's group 2 "Old Classmates"\n`, stderr: '' });
  fails(next(), 1, /^oicq group: user 10000 has no friend group named "Nope" — create it with 'oicq group add 10000 Nope'$/);
  assert.deepEqual(next(), { code: 0, stdout: 'renamed group 1 of user 10000 from "Work" to "Job"\n', stderr: '' });
  fails(next(), 2, /^oicq group: group 0 "My Friends" is built in and cannot be renamed$/);
  fails(next(), 2, /^oicq group: group index '64' is not a whole number from 0 to 63 — see the indexes with 'oicq group list 10000'$/);
  assert.deepEqual(next(), { code: 0, stdout: 'removed group 2 "Old Classmates" of user 10000; 1 friend moved to "My Friends"\n', stderr: '' });
  fails(next(), 2, /^oicq group: unknown subcommand 'frob': use add \| list \| rename \| remove \| move/);
  x = next();
  assert.equal(x.code, 0);
  assert.deepEqual(cells(x.stdout), [['index', 'name', 'friends'], ['0', 'My Friends', '1'], ['1', 'Job', '0']]);
});

test('spawned: list commands show the tables; friend remove ends both sides', () => {
  let r = spawnOicq(['user', 'list']);
  assert.equal(r.code, 0, r.stderr);
  const rows = cells(r.stdout);
  assert.deepEqual(rows[0], ['uid', 'nick', 'friends', 'created (UTC)', 'banned']);
  assert.deepEqual(rows.slice(1).map((c) => c.slice(0, 3)), [['10000', 'Alice', '1'], ['10001', '10001', '0'], ['20000', 'Bob', '1'], ['30000', '30000', '0']]);
  assert.match(rows[1]![3]!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

  r = spawnOicq(['friend', 'remove', '20000', '10000']);
  assert.deepEqual([r.code, r.stdout, r.stderr], [0, '20000 and 10000 are no longer friends\n', '']);
  r = spawnOicq(['friend', 'list', '10000']);
  assert.deepEqual([r.code, r.stdout], [0, `user 10000 has no friends yet — add one with 'oicq friend add 10000 <uid>'\n`]);
});

test('user delete: friendships end on both sides, groups and every message to or from the user go; the uid is free again', () => {
  const s = openSqliteStore(db);
  s.addUser(40000, passwordMd5('x'), 'Doomed');
  s.addFriend(40000, 10000);
  s.addFriend(40000, 20000, s.addGroup(40000, 'Pals'));
  const msg = (sender: number, receiver: number, msgId: number) => ({ sender, receiver, sentAt: 1_700_000_000, msgId, fragCount: 1, fragIndex: 0, replyType: 1, text: 'hi' });
  const [toDoomed, fromDoomed, other] = s.storeMessages([msg(10000, 40000, 1), msg(40000, 20000, 2), msg(10000, 20000, 3)]);
  s.markDelivered(fromDoomed!.id);
  s.close();

  const [deleted, again, usage] = batch([
    { args: ['user', 'delete', '40000'] },
    { args: ['user', 'delete', '40000'] },
    { args: ['user', 'delete'] },
  ]);
  assert.deepEqual(deleted, { code: 0, stdout: 'deleted user 40000: 2 friendships ended, 2 messages deleted (1 not yet delivered)\n', stderr: '' });
  fails(again!, 1, /^oicq user: user 40000 does not exist/);
  fails(usage!, 2, /^oicq user: missing <uid> — usage: oicq user delete <uid>$/);

  const t = openSqliteStore(db);
  assert.equal(t.getUser(40000), undefined);
  assert.ok(!t.friendsOf(10000).some((f) => f.uid === 40000) && !t.friendsOf(20000).some((f) => f.uid === 40000), 'gone from the friends\' lists');
  assert.equal(t.getMessage(toDoomed!.id), undefined);
  assert.equal(t.getMessage(fromDoomed!.id), undefined);
  assert.equal(t.getMessage(other!.id)?.text, 'hi', 'messages between others stay');
  // A new account under the same uid starts empty: no friends, no mailbox, no groups.
  t.addUser(40000, passwordMd5('y'), 'New');
  assert.deepEqual([t.friendsOf(40000), t.pendingFor(40000), t.groupsOf(40000).length], [[], [], 1]);
  t.deleteUser(40000);
  t.close();
});

test('concurrent user add without a uid: every process gets its own next free uid', async () => {
  const fresh = join(dir, 'concurrent', 'oicq.db');
  const { OICQ_PASSWORD: _drop, ...base } = process.env;
  const one = () => new Promise<Run>((res) => {
    const child = spawn(process.execPath, ['bin/oicq.js', 'user', 'add', '--db', fresh], { cwd: ROOT, env: { ...base, OICQ_PASSWORD: 'pw' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code) => res({ code, stdout, stderr }));
  });
  const runs = await Promise.all(Array.from({ length: 6 }, one));
  for (const r of runs) assert.deepEqual([r.code, r.stderr], [0, ''], r.stderr);
  assert.deepEqual(runs.map((r) => Number(r.stdout)).sort(), [10000, 10001, 10002, 10003, 10004, 10005]);
});

test('group move: a number that is both an index and a group name is refused; --index and --name say which', () => {
  const s = openSqliteStore(db);
  s.addUser(50000, passwordMd5('x'), 'Owner');
  s.addUser(50001, passwordMd5('x'), 'Pal');
  s.addFriend(50000, 50001);
  assert.deepEqual([s.addGroup(50000, 'Work'), s.addGroup(50000, '3'), s.addGroup(50000, 'Misc')], [1, 2, 3]);
  s.close();
  const [ambiguous, byIndex, byName, plainIndex, plainName, both, stray, noneThere] = batch([
    { args: ['group', 'move', '50000', '50001', '3'] },
    { args: ['group', 'move', '50000', '50001', '--index', '3'] },
    { args: ['group', 'move', '50000', '50001', '--name', '3'] },
    { args: ['group', 'move', '50000', '50001', '1'] },
    { args: ['group', 'move', '50000', '50001', 'Misc'] },
    { args: ['group', 'move', '50000', '50001', '--index', '1', '--name', 'Work'] },
    { args: ['group', 'list', '50000', '--index', '1'] },
    { args: ['group', 'move', '50000', '50001', '--name', 'Nope'] },
  ]);
  fails(ambiguous!, 2, /^oicq group: '3' is ambiguous: group 3 "Misc", or the group named "3" \(index 2\) — pass --index 3 or --name 3$/);
  assert.deepEqual(byIndex, { code: 0, stdout: `50001 is now in 50000's group 3 "Misc"\n`, stderr: '' });
  assert.deepEqual(byName, { code: 0, stdout: `50001 is now in 50000's group 2 "3"\n`, stderr: '' });
  assert.deepEqual(plainIndex, { code: 0, stdout: `50001 is now in 50000's group 1 "Work"\n`, stderr: '' });
  assert.deepEqual(plainName, { code: 0, stdout: `50001 is now in 50000's group 3 "Misc"\n`, stderr: '' });
  fails(both!, 2, /^oicq group: give --index or --name, not both/);
  fails(stray!, 2, /^oicq group: option --index does not apply to 'oicq group list'/);
  fails(noneThere!, 1, /^oicq group: user 50000 has no friend group named "Nope"/);
});
