#!/usr/bin/env node
// Runs every test/**/*.test.ts with node:test through tsx, and fails when no test ran
// (node --test alone neither expands globs nor treats "0 tests" as a failure).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tmpdir } from 'node:os';

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
const tap = join(tmp, 'report.tap');
const r = spawnSync(
  process.execPath,
  [
    '--import', 'tsx',
    '--test',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`,
    ...files.map((f) => relative(root, f)),
  ],
  { cwd: root, stdio: 'inherit', env: process.env },
);
let summary = '';
try { summary = readFileSync(tap, 'utf8'); } catch { /* no report: the runner failed early */ }
rmSync(tmp, { recursive: true, force: true });
const count = (k) => Number(/^# (\w+) (\d+)$/m.test(summary) ? (summary.match(new RegExp(`^# ${k} (\\d+)$`, 'm'))?.[1] ?? 0) : 0);
const tests = count('tests'), pass = count('pass'), fail = count('fail'), skipped = count('skipped');
console.log(`${pass} passed, ${fail} failed, ${skipped} skipped`);
if (tests === 0) {
  console.error('run-tests: zero tests executed — failing');
  process.exit(1);
}
process.exit(r.status ?? 1);
