import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../../src/client/index.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { seedAccounts } from '../helpers/udp.js';
import { startServerProcess, tempDb, type ServerProcess } from '../../scripts/lib/server-process.js';
import { quiescence, storeProbe } from '../helpers/quiescence.js';

const A = { uid: 81001, password: 'crash-a' };
const B = { uid: 81002, password: 'crash-b' };

test('SIGKILL in the middle of a message stream: after restart on the same database every acked message arrives exactly once', async () => {
  const db = tempDb();
  const store = openSqliteStore(db);
  seedAccounts(store, [A, B], [[A.uid, B.uid]]);
  store.close();

  let server: ServerProcess = await startServerProcess(db, ['--push-rto-min', '50', '--push-rto-max', '200']);
  const port = server.port;
  const opts = { server: `127.0.0.1:${port}`, retry: { intervalMs: 60, maxTries: 4 }, keepAliveMs: 200, reconnect: { initialDelayMs: 50, maxDelayMs: 200, maxAttempts: 100 } };
  const a = new Client({ ...A, ...opts });
  const b = new Client({ ...B, ...opts, framing: 'classic' });
  const got: string[] = [];
  b.on('message', (m) => got.push(m.text));
  try {
    await a.login();
    await b.login();
    const acked: number[] = [];
    const failed: number[] = [];
    let killed = false;
    // The killer runs beside the stream: once 80 sends are acked it kills the server without warning, while the
    // next send and its push are in flight, then starts it again on the same database and port.
    const killer = (async () => {
      while (acked.length < 80) await new Promise((r) => setImmediate(r));
      server.child.kill('SIGKILL');
      await new Promise((r) => server.child.once('exit', r));
      killed = true;
      server = await startServerProcess(db, ['--port', String(port), '--push-rto-min', '50', '--push-rto-max', '200']);
    })();
    for (let i = 0; i < 200; i++) {
      while (a.state !== 'online') await new Promise((r) => setTimeout(r, 20));
      try {
        await a.sendMessage(B.uid, `m${i}`);
        acked.push(i);
      } catch {
        failed.push(i);
      }
    }
    await killer;
    assert.ok(killed);
    // Every push the restarted server owes B acked (its delivery marks committed), then B's reads caught up.
    await quiescence(storeProbe(db, [B.uid]), { deadlineMs: 15_000, pollMs: 20, what: 'pushes to B after the restart' });

    const missing = acked.filter((i) => !got.includes(`m${i}`));
    assert.deepEqual(missing, [], 'every acked message arrived');
    assert.equal(new Set(got).size, got.length, `no duplicates (${got.length} shown)`);
    const order = got.map((t) => Number(t.slice(1)));
    assert.deepEqual(order, [...order].sort((x, y) => x - y), 'in the sender\'s order');
    assert.ok(acked.length >= 150, `${acked.length} acked, ${failed.length} failed around the crash`);
    // Whatever arrived beyond the acked ones was a send the client was told failed (it can tell by the id).
    for (const i of order) assert.ok(acked.includes(i) || failed.includes(i));
  } finally {
    await a.close();
    await b.close();
    await server.stop();
  }
});
