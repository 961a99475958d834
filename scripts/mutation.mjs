#!/usr/bin/env node
// `npm run mutation [-- <module>…]`: mutation testing with StrykerJS over the focused test files of each module,
// one Stryker run per module (so a run stays short on a small machine), then the score per module and per file and
// every surviving mutant. Not part of CI: a module takes minutes. OICQ_MUTATION_CONCURRENCY (default 2) sets the
// test processes Stryker runs at once.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);

/** `file:a-b`, the lines from the first holding `from` to the next holding `to` (null: the file's end), for Stryker's mutate. */
function linesOf(file, from, to) {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const a = lines.findIndex((l) => l.includes(from));
  const b = to === null ? lines.length - 1 : lines.findIndex((l, i) => i > a && l.includes(to));
  if (a < 0 || b < 0) throw new Error(`mutation: ${file} no longer holds ${JSON.stringify(a < 0 ? from : to)}; update the range in scripts/mutation.mjs`);
  return `${file}:${a + 1}-${b + 1}`;
}

/** What each module mutates and which test files must kill its mutants. */
const MODULES = {
  'protocol-blocks': {
    about: 'shared blocks: status block, font trailer, bounded reader and writer, body helpers',
    mutate: ['src/protocol/bodies/status-block.ts', 'src/protocol/bodies/common.ts', 'src/protocol/text.ts', 'src/protocol/reader.ts', 'src/protocol/writer.ts'],
    tests: ['test/protocol/layouts.test.ts', 'test/protocol/blocks-errors.test.ts', 'test/protocol/text.test.ts', 'test/protocol/writer.test.ts'],
  },
  'protocol-framing': {
    about: 'envelope and QQ-TEA',
    mutate: ['src/protocol/framing.ts', 'src/protocol/tea.ts'],
    tests: ['test/protocol/framing.test.ts', 'test/protocol/framing-limits.test.ts', 'test/protocol/tea.test.ts'],
  },
  'protocol-classic': {
    about: 'classic body codecs of messages, status and online lists (the IM header, 0x0081, 0x0027)',
    mutate: ['src/protocol/bodies/classic/message.ts', 'src/protocol/bodies/classic/status.ts', 'src/protocol/bodies/classic/online.ts'],
    tests: ['test/protocol/layouts.test.ts', 'test/protocol/classic-fields.test.ts', 'test/protocol/classic-bodies.test.ts'],
  },
  'protocol-classic-session': {
    about: 'classic body codecs of login, user info, friend lists, memo, system messages, keep-alive and keys',
    mutate: ['src/protocol/bodies/classic/login.ts', 'src/protocol/bodies/classic/info.ts', 'src/protocol/bodies/classic/friends.ts', 'src/protocol/bodies/classic/memo.ts', 'src/protocol/bodies/classic/system.ts', 'src/protocol/bodies/classic/keepalive.ts', 'src/protocol/bodies/classic/key.ts'],
    tests: ['test/protocol/classic-session-fields.test.ts', 'test/protocol/layouts.test.ts', 'test/protocol/classic-bodies.test.ts', 'test/protocol/recorded-families.test.ts'],
  },
  // The modern codecs in two runs of under an hour each here: the login chain and its wraps, then the rest.
  'protocol-modern-login': {
    about: 'modern login chain (0x0091 → 0x00BA → 0x00DD → 0x00E5 → 0x0030), its key wraps, keep-alive and keys',
    mutate: ['src/protocol/bodies/modern/login.ts', 'src/protocol/bodies/modern/chain.ts', 'src/protocol/bodies/modern/wrap.ts', 'src/protocol/bodies/modern/keepalive.ts', 'src/protocol/bodies/modern/key.ts'],
    tests: ['test/protocol/modern-fields.test.ts', 'test/protocol/layouts.test.ts', 'test/protocol/modern-bodies.test.ts'],
  },
  'protocol-modern-session': {
    about: 'modern session codecs: messages, lists, status, details, broadcasts, levels, logout and the shared helpers',
    mutate: [
      'src/protocol/bodies/modern/message.ts', 'src/protocol/bodies/modern/lists.ts', 'src/protocol/bodies/modern/status.ts', 'src/protocol/bodies/modern/details.ts',
      'src/protocol/bodies/modern/broadcast.ts', 'src/protocol/bodies/modern/level.ts', 'src/protocol/bodies/modern/logout.ts', 'src/protocol/bodies/modern/common.ts',
      'src/protocol/bodies/modern/index.ts',
    ],
    tests: ['test/protocol/modern-fields.test.ts', 'test/protocol/layouts.test.ts', 'test/protocol/modern-bodies.test.ts'],
  },
  'protocol-classic-ops': {
    about: 'classic 2007/2008 login chain, logout, signature, group names and friend operations (search, add, authorize, remove)',
    mutate: ['src/protocol/bodies/classic/login2007.ts', 'src/protocol/bodies/classic/logout.ts', 'src/protocol/bodies/classic/signature.ts', 'src/protocol/bodies/classic/group-names.ts', 'src/protocol/bodies/classic/buddy-ops.ts'],
    tests: ['test/protocol/classic-ops-fields.test.ts', 'test/protocol/classic-bodies.test.ts', 'test/protocol/recorded-families.test.ts'],
  },
  'protocol-qun': {
    about: 'the Qun command both framings share (requests, replies, their data) and the Qun pushes',
    mutate: ['src/protocol/bodies/qun.ts'],
    tests: ['test/protocol/qun-fields.test.ts'],
  },
  // The QQ2009 (MyQQ 3.19) and pidgin-libqq dialects of the modern login chain: 0x00E3, the pre-login 0x0018, and the
  // dialect code of login.ts (its tables, the 0x00DD seal key and request, 0x00E5 both ways, 0x0030 both ways), found
  // by the text that opens and closes each part so that edits elsewhere in the file do not move them. The rest of
  // login.ts is mutated by protocol-modern-login.
  'protocol-modern-dialects': {
    about: 'QQ2009 and pidgin-libqq dialects of the modern login chain (0x00E3, 0x0018, the dialect code of 0x00DD, 0x00E5, 0x0030)',
    mutate: [
      'src/protocol/bodies/modern/login-e3.ts', 'src/protocol/bodies/modern/login-list.ts',
      ...[
        ['/** 0x00DD sub-command of each dialect. */', 'throw new DecodeError'],
        ['/** The key that seals the verify block', '  return opened;'],
        ['export const verifyRequest: BodyCodec', "return dialect === 'qq2009' ? { dialect, ...v } : v;"],
        ['export const loginInfoRequest: BodyCodec', "r.expectU32(0, 'reserved3');"],
        ['function readLoginInfoReply(', 'loginInfoLarge: p.loginInfoLarge ?? random(64),'],
        ['const TAIL_HEAD: Readonly', null],
      ].map(([from, to]) => linesOf('src/protocol/bodies/modern/login.ts', from, to)),
    ],
    tests: ['test/protocol/modern-dialect-fields.test.ts', 'test/protocol/modern-fields.test.ts', 'test/protocol/modern-bodies.test.ts'],
  },
  delivery: {
    about: 'durable, exactly-once, in-order message delivery',
    mutate: ['src/server/delivery.ts'],
    tests: ['test/server/delivery.test.ts', 'test/server/delivery-policy.test.ts', 'test/server/quiescence.test.ts'],
  },
};

const asked = process.argv.slice(2);
const names = asked.length ? asked : Object.keys(MODULES);
for (const n of names) {
  if (!MODULES[n]) {
    console.error(`mutation: no module '${n}'; modules: ${Object.keys(MODULES).join(', ')}`);
    process.exit(2);
  }
}

// The sandbox lives in .stryker-tmp/<sandbox>; the tests find ../shared/vectors beside the project's root.
function linkShared() {
  const tmp = join(root, '.stryker-tmp');
  mkdirSync(tmp, { recursive: true });
  const link = join(tmp, 'shared');
  if (!existsSync(link) && existsSync(join(root, '../shared'))) symlinkSync(resolve(root, '../shared'), link);
}

const STATUS_KILLED = new Set(['Killed', 'Timeout']);
const STATUS_VALID = new Set(['Killed', 'Timeout', 'Survived', 'NoCoverage']);

const summary = [];
for (const name of names) {
  const m = MODULES[name];
  const report = join(root, 'reports/mutation', `${name}.json`);
  rmSync(report, { force: true });
  linkShared();
  console.log(`\n=== ${name}: ${m.about}`);
  console.log(`mutates ${m.mutate.join(', ')}`);
  const started = Date.now();
  const r = spawnSync(process.execPath, [join(root, 'node_modules/@stryker-mutator/core/bin/stryker.js'), 'run', 'stryker.config.mjs'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, OICQ_MUTATE: m.mutate.join(','), OICQ_MUTATION_TESTS: m.tests.join(','), OICQ_MUTATION_REPORT: report },
  });
  if (r.status !== 0 || !existsSync(report)) {
    console.error(`mutation: Stryker failed on ${name} (exit ${r.status})`);
    summary.push({ name, error: true });
    continue;
  }
  const files = JSON.parse(readFileSync(report, 'utf8')).files;
  let killed = 0, valid = 0;
  const perFile = [];
  const survivors = [];
  for (const [file, f] of Object.entries(files)) {
    let k = 0, v = 0;
    for (const mu of f.mutants) {
      if (!STATUS_VALID.has(mu.status)) continue;
      v++;
      if (STATUS_KILLED.has(mu.status)) k++;
      else survivors.push(`${file}:${mu.location.start.line}:${mu.location.start.column} ${mu.status} ${mu.mutatorName}: ${JSON.stringify(mu.replacement ?? '')}`);
    }
    killed += k;
    valid += v;
    perFile.push(`  ${v ? ((100 * k) / v).toFixed(1).padStart(5) : '  n/a'} %  ${String(k).padStart(4)}/${String(v).padEnd(4)} ${file}`);
  }
  console.log(`\n${name}: ${killed}/${valid} mutants killed in ${Math.round((Date.now() - started) / 1000)} s`);
  for (const l of perFile) console.log(l);
  if (survivors.length) {
    console.log(`surviving mutants (${survivors.length}):`);
    for (const s of survivors) console.log(`  ${s}`);
  }
  summary.push({ name, killed, valid });
}

console.log('\nmutation score per module (killed or timed out / valid mutants):');
for (const s of summary) {
  console.log(s.error ? `  ${s.name}: failed to run` : `  ${s.name.padEnd(18)} ${((100 * s.killed) / Math.max(1, s.valid)).toFixed(1).padStart(5)} %  (${s.killed}/${s.valid})`);
}
process.exit(summary.some((s) => s.error) ? 1 : 0);
