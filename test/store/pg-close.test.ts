// Closing a PostgreSQL connection must survive a garbage collection before the event loop's close phase: libpq's
// finish() leaves its socket watcher to libuv until the end of the loop turn (the abort in uv__finish_close seen when
// the cluster test ran under load). A child process closes connections, collects garbage at once, and must exit 0.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ROOT } from '../../scripts/lib/server-process.js';
import { PgServer, servicesMissing } from '../helpers/services.js';

const skip = servicesMissing();
let pg: PgServer | undefined;

before(async () => {
  if (!skip) pg = await PgServer.start();
});

after(() => pg?.stop());

// Each connection is opened, used, closed and dropped in one turn; then full collections and allocation over the
// freed memory, all before the loop reaches its close phase. The child counts collected connections to prove the
// collections did reclaim them afterwards (the guard holds them only for two loop turns).
const CHILD = `
  import { PgConnection } from './src/store/pg-sync.ts';
  let collected = 0;
  const registry = new FinalizationRegistry(() => { collected++; });
  function one() {
    const c = new PgConnection(process.env.PG_URL);
    c.query('SELECT 1');
    registry.register(c, 0);
    c.close();
  }
  for (let i = 0; i < 40; i++) one();
  for (let k = 0; k < 3; k++) { globalThis.gc(); const junk = []; for (let i = 0; i < 1e5; i++) junk.push({ i, s: 'x' + i }); }
  setTimeout(() => { globalThis.gc(); setTimeout(() => console.log('closed 40, collected ' + collected), 20); }, 20);
`;

test('PostgreSQL: connections closed and collected before the loop turn ends do not abort the process', { skip }, () => {
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', CHILD], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, PG_URL: pg!.url },
  });
  assert.equal(r.signal, null, `the child died of ${r.signal}: ${r.stderr.slice(0, 300)}`);
  assert.equal(r.status, 0, r.stderr);
  const m = /closed 40, collected (\d+)/.exec(r.stdout);
  assert.ok(m, r.stdout);
  assert.ok(Number(m[1]) > 0, 'the closed connections were garbage collected (the guard releases them)');
});
