// StrykerJS settings for `npm run mutation` (scripts/mutation.mjs sets OICQ_MUTATE and OICQ_MUTATION_TESTS per
// module; run that script, not stryker directly). The tap runner runs each focused test file through tsx and
// records coverage per file, so a mutant runs only the files that reach it.
const list = (v, fallback) => (v ? v.split(',').filter(Boolean) : fallback);

export default {
  testRunner: 'tap',
  tap: {
    testFiles: list(process.env.OICQ_MUTATION_TESTS, ['test/protocol/*.test.ts']),
    nodeArgs: ['--test-reporter=tap', '-r', '{{hookFile}}', '--import', 'tsx', '{{testFile}}'],
    forceBail: true,
  },
  mutate: list(process.env.OICQ_MUTATE, ['src/protocol/**/*.ts']),
  coverageAnalysis: 'perTest',
  // A file is a test here: a mutant in module-level code (a table, a constant) is reached by every file's import,
  // which per-file coverage cannot tell apart; those run against all files instead of being ignored.
  ignoreStatic: false,
  concurrency: Number(process.env.OICQ_MUTATION_CONCURRENCY ?? 2),
  timeoutMS: 20_000,
  timeoutFactor: 2,
  reporters: ['json', 'clear-text', 'progress-append-only'],
  jsonReporter: { fileName: process.env.OICQ_MUTATION_REPORT ?? 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true, reportMutants: false },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  // The sandbox copies only what the tests read.
  ignorePatterns: ['/*', '!/src', '!/test', '!/scripts', '!/bin', '!/package.json', '!/tsconfig.json'],
  disableTypeChecks: 'src/**/*.ts',
  checkers: [],
};
