import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClassicDriver } from '../helpers/classic-driver.js';
import { ALICE, TOKEN, adminWorld } from './harness.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Runs `oicq admin …` (async, so the in-process server keeps answering); resolves with its exit and output. */
function oicqAdmin(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const { OICQ_ADMIN_URL: _u, OICQ_ADMIN_TOKEN: _t, ...env } = process.env;
    const child = spawn(process.execPath, ['bin/oicq.js', 'admin', ...args], { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

test('the CLI and the API give the same results from the table: on the database, and through the API', async () => {
  const w = await adminWorld();
  const alice = await ClassicDriver.open(w.server.address.port, ALICE.uid, ALICE.password);
  try {
    await w.call('POST', '/api/users/10002/ban', { reason: 'testing' });
    await alice.login();
    const api = (await w.call('GET', '/api/users')).body as Record<string, unknown>[];
    const [local, remote, show, groups, sessions] = await Promise.all([
      oicqAdmin(['user.list', '--db', w.dbPath, '--json']),
      oicqAdmin(['user.list', '--url', w.admin.url, '--token', TOKEN, '--json']),
      oicqAdmin(['user.show', '10001', '--db', w.dbPath, '--json']),
      oicqAdmin(['group.list', '--uid', '10001', '--db', w.dbPath, '--json']),
      oicqAdmin(['session.list', '--url', w.admin.url, '--token', TOKEN, '--json']),
    ]);
    for (const r of [local, remote, show, groups, sessions]) assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(remote.stdout), api);
    // On the database alone the live fields are null (no server to ask); everything else is the same.
    const strip = (rows: Record<string, unknown>[]) => rows.map(({ online: _o, ...rest }) => rest);
    assert.deepEqual(strip(JSON.parse(local.stdout)), strip(api));
    assert.deepEqual(JSON.parse(local.stdout).map((u: { online: unknown }) => u.online), [null, null]);
    const apiShow = (await w.call('GET', '/api/users/10001')).body as Record<string, unknown>;
    const cliShow = JSON.parse(show.stdout) as Record<string, unknown>;
    for (const k of ['uid', 'nick', 'friends', 'groups', 'pending', 'ban']) assert.deepEqual(cliShow[k], apiShow[k], k);
    assert.deepEqual(JSON.parse(groups.stdout), (await w.call('GET', '/api/users/10001/groups')).body);
    assert.deepEqual(JSON.parse(sessions.stdout).map((s: { uid: number }) => s.uid), [ALICE.uid]);

    // Errors: one line, the API's message; live commands without --url say how to reach the server.
    const [bad, offline, kick] = await Promise.all([
      oicqAdmin(['user.show', '0', '--db', w.dbPath]),
      oicqAdmin(['session.kick', '10001', '--db', w.dbPath]),
      oicqAdmin(['session.kick', '10001', '--reason', 'bye', '--url', w.admin.url, '--token', TOKEN]),
    ]);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, `oicq admin: parameter 'uid' must be a whole number from 1 to 4294967295, got "0" — run 'oicq admin --help'\n`);
    assert.equal(offline.code, 2);
    assert.match(offline.stderr, /^oicq admin: 'session.kick' needs the running server — pass --url/);
    assert.equal(kick.code, 0, kick.stderr);
    assert.equal(w.server.hub.get(ALICE.uid), undefined);
  } finally {
    alice.close();
    await w.close();
  }
});
