#!/usr/bin/env node
// Runs every test/**/*.test.ts with node:test through tsx (node --test alone does not expand globs on Node 20), and
// fails what node:test lets pass:
// - a test that makes no progress for OICQ_TEST_TIMEOUT_S seconds (default 120): its file's process is killed, so
//   node:test reports that file as failed and the other files still run (a hung test never stalls CI);
// - a test file that registers no test (node:test reports the file itself as one passing test);
// - a whole-suite run with fewer test cases than MIN_TEST_CASES (a file lost from the walk, or a loop that stopped
//   registering tests). Skipped tests count as cases: a test that skips when ../shared is absent is still a case,
//   so it must register and skip, never vanish.
// `npm test -- <substring>…` runs the matching files only (no floor then).
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, mkdtempSync, mkdirSync, chmodSync, rmSync, existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { tmpdir } from 'node:os';

/**
 * Test cases of the whole suite (skipped ones included) below which the run fails. Raise it when you add tests;
 * lower it only in the commit that removes tests on purpose, saying why.
 */
const MIN_TEST_CASES = 596;
const TIMEOUT_MS = Number(process.env.OICQ_TEST_TIMEOUT_S ?? 120) * 1000;

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2);

function walk(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

let files = walk(join(root, 'test')).sort();
if (only.length) files = files.filter((f) => only.some((o) => relative(root, f).includes(o)));
if (files.length === 0) {
  console.error('run-tests: no test files found under test/ — refusing to report success');
  process.exit(1);
}

const tmp = mkdtempSync(join(tmpdir(), 'oicq-tests-'));
const eventsPath = join(tmp, 'events.jsonl');
// Every temp file the tests make (databases, captures, service data dirs) goes below this run's own folder, which
// is removed at the end: a run leaves nothing behind in /tmp, even when a test fails before its clean-up.
// Traversable (not listable) by others: PostgreSQL's initdb runs as the postgres user below it.
const testTmp = join(tmp, 'tmp');
mkdirSync(testTmp);
for (const d of [tmp, testTmp]) chmodSync(d, 0o711);
const child = spawn(
  process.execPath,
  [
    '--import', 'tsx',
    '--test',
    // A test that timed out may leave sockets open; its file must still end.
    '--test-force-exit',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    `--test-reporter=${join(root, 'scripts/test-events.mjs')}`, `--test-reporter-destination=${eventsPath}`,
    ...files.map((f) => relative(root, f)),
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, TMPDIR: testTmp }, detached: true },
);

// ---- the watchdog: per file, the time of its last test event ------------------------------------------------
const running = new Map(); // file → { last: ms, current: name of the innermost test started and not finished }
const timedOut = [];
let readUpTo = 0;
let pending = '';
const events = [];

function readEvents() {
  if (!existsSync(eventsPath)) return;
  const all = readFileSync(eventsPath);
  if (all.length <= readUpTo) return;
  pending += all.subarray(readUpTo).toString('utf8');
  readUpTo = all.length;
  let i;
  while ((i = pending.indexOf('\n')) >= 0) {
    const line = pending.slice(0, i);
    pending = pending.slice(i + 1);
    if (!line) continue;
    const e = JSON.parse(line);
    events.push(e);
    if (!e.file) continue;
    const isFile = e.name === e.file;
    if (isFile && e.type === 'test:dequeue') running.set(e.file, { last: Date.now(), stack: [] });
    else if (isFile && e.type === 'test:complete') running.delete(e.file);
    else {
      const r = running.get(e.file);
      if (!r) continue;
      r.last = Date.now();
      if (e.type === 'test:dequeue') r.stack.push(e.name);
      else if (e.type === 'test:complete') r.stack.pop();
    }
  }
}

/** The pid of the node:test child process running `file` (Linux /proc), if any. */
function childRunning(file) {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== child.pid) continue;
      const args = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      if (args.some((a) => a && resolve(root, a) === file)) return Number(d);
    } catch {
      // The process ended while we looked.
    }
  }
  return undefined;
}

const watchdog = setInterval(() => {
  readEvents();
  for (const [file, r] of running) {
    if (Date.now() - r.last < TIMEOUT_MS) continue;
    const what = r.stack.length ? `test "${r.stack.at(-1)}"` : 'its top level (before any test started)';
    timedOut.push(`${relative(root, file)}: ${what} made no progress for ${TIMEOUT_MS / 1000} s`);
    running.delete(file);
    const pid = childRunning(file);
    try {
      if (pid) process.kill(pid, 'SIGKILL');
      else process.kill(-child.pid, 'SIGKILL'); // cannot single it out: end the whole run
    } catch {
      // Already gone.
    }
  }
}, 1000);

const status = await new Promise((r) => child.on('exit', (code, signal) => r(code ?? (signal ? 1 : 0))));
clearInterval(watchdog);
readEvents();
rmSync(tmp, { recursive: true, force: true });

// ---- counting ---------------------------------------------------------------------------------------------------
const problems = [...timedOut.map((t) => `timed out: ${t}`)];
const casesByFile = new Map(files.map((f) => [f, 0]));
let pass = 0, fail = 0, skipped = 0, todo = 0;
for (const e of events) {
  if (e.type !== 'test:pass' && e.type !== 'test:fail') continue;
  if (e.suite) {
    if (e.type === 'test:fail') fail++;
    continue;
  }
  const isFile = e.name === e.file;
  if (!isFile && casesByFile.has(e.file)) casesByFile.set(e.file, casesByFile.get(e.file) + 1);
  if (isFile && e.type === 'test:pass') continue; // the file itself, when it registered nothing: judged below
  if (e.type === 'test:fail') fail++;
  else if (e.skip) skipped++;
  else if (e.todo) todo++;
  else pass++;
}
const cases = [...casesByFile.values()].reduce((a, b) => a + b, 0);
for (const [f, n] of casesByFile) if (n === 0) problems.push(`${relative(root, f)} registered no test`);
if (only.length === 0 && cases < MIN_TEST_CASES) {
  problems.push(`${cases} test cases ran, fewer than the floor of ${MIN_TEST_CASES} (scripts/run-tests.mjs): a test file was lost or stopped registering tests`);
}

console.log(`${cases} test cases in ${files.length} files${only.length ? '' : ` (floor ${MIN_TEST_CASES})`}${todo ? `, ${todo} todo` : ''}`);
for (const p of problems) console.error(`run-tests: ${p}`);
// A timed-out file is already one failure in node:test's report (its process was killed).
console.log(`${pass} passed, ${fail + problems.length - timedOut.length} failed, ${skipped} skipped`);
process.exit(problems.length > 0 || fail > 0 || status !== 0 ? 1 : 0);
