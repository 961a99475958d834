import { test } from 'node:test';
import assert from 'node:assert/strict';
import parsePrometheus from 'parse-prometheus-text-format';
import { ADMIN_COMMANDS } from '../../src/admin/table.js';
import { ClassicCmd } from '../../src/protocol/commands.js';
import { systemMessageCodec } from '../../src/protocol/bodies/classic/index.js';
import { ClassicDriver } from '../helpers/classic-driver.js';
import { until } from '../helpers/udp.js';
import { ALICE, BOB, adminWorld, type AdminWorld } from './harness.js';
import { nativeUdp } from '../../src/transport/udp-socket.js';

/** A concrete path for a command (path parameters filled with Alice's uid and group 0). */
function samplePath(path: string): string {
  return path.replace('{uid}', String(ALICE.uid)).replace('{friend}', String(BOB.uid)).replace('{index}', '0');
}

async function withWorld(fn: (w: AdminWorld) => Promise<void>): Promise<void> {
  const w = await adminWorld();
  try {
    await fn(w);
  } finally {
    await w.close();
  }
}

test('every admin route and /metrics refuse a missing or wrong token with 401 and a JSON error', () =>
  withWorld(async (w) => {
    for (const c of ADMIN_COMMANDS) {
      for (const token of [null, 'wrong-token-xxxxxxxxx']) {
        const r = await w.call(c.method, samplePath(c.path), c.method === 'POST' ? {} : undefined, token);
        assert.equal(r.status, 401, `${c.name} with token ${token}`);
        assert.deepEqual(Object.keys(r.body as object), ['error']);
        assert.equal((r.body as { error: { code: string } }).error.code, 'unauthorized');
      }
    }
    assert.equal((await w.call('GET', '/metrics', undefined, null)).status, 401);
    // Nothing was changed by the refused calls.
    assert.equal(w.store.banOf(ALICE.uid), undefined);
    assert.equal(w.store.countUsers(), 2);
  }));

test('unknown routes, methods and parameters: 404 and 400 with a message', () =>
  withWorld(async (w) => {
    const nope = await w.call('GET', '/api/nope');
    assert.equal(nope.status, 404);
    assert.match((nope.body as { error: { message: string } }).error.message, /no API route GET \/api\/nope/);
    assert.equal((await w.call('DELETE', '/api/sessions')).status, 404);
    const extra = await w.call('GET', '/api/users?color=red');
    assert.equal(extra.status, 400);
    assert.deepEqual(extra.body, { error: { code: 'bad_param', message: "unknown parameter 'color' (this command takes none)" } });
    const badUid = await w.call('GET', '/api/users/0');
    assert.equal(badUid.status, 400);
    assert.match((badUid.body as { error: { message: string } }).error.message, /parameter 'uid' must be a whole number from 1 to 4294967295, got "0"/);
    const missing = await w.call('POST', '/api/users', { nick: 'x' });
    assert.equal(missing.status, 400);
    assert.match((missing.body as { error: { message: string } }).error.message, /missing parameter 'password'/);
    assert.equal((await w.call('POST', '/api/users', '{not json')).status, 400);
    assert.equal((await w.call('GET', '/api/users/424242')).status, 404);
    assert.equal((await w.call('POST', '/api/users', { uid: ALICE.uid, password: 'x' })).status, 409);
    assert.equal((await w.call('GET', '/api/logs?level=loud')).status, 400);
    assert.equal((await w.call('POST', '/api/locks/unlock', {})).status, 400);
    assert.equal((await w.call('POST', '/api/sessions/10001/kick', {})).status, 404, 'Alice is not online');
  }));

test('account, friend and group commands over HTTP change the store and report what they did', () =>
  withWorld(async (w) => {
    const added = await w.call('POST', '/api/users', { password: 'carol-pw', nick: '小红' });
    assert.deepEqual(added.body, { uid: 10000, nick: '小红' });
    assert.equal((await w.call('POST', '/api/users', { uid: 20000, password: 'pw' })).status, 200);
    assert.deepEqual(((await w.call('GET', '/api/users')).body as { uid: number }[]).map((u) => u.uid), [10000, 10001, 10002, 20000]);
    assert.deepEqual(await w.call('POST', '/api/users/20000/password', { password: 'new' }).then((r) => r.body), { uid: 20000 });

    assert.deepEqual((await w.call('POST', '/api/users/10001/friends', { friend: 10000, group: 'Family' })).body, {
      uid: 10001, friend: 10000, already: false, group: { index: 1, name: 'Family' },
    });
    assert.deepEqual((await w.call('GET', '/api/users/10001/friends')).body, [
      { uid: 10002, nick: 'Bob', group: 0, groupName: 'My Friends' },
      { uid: 10000, nick: '小红', group: 1, groupName: 'Family' },
    ]);
    assert.deepEqual((await w.call('GET', '/api/users/10001/groups')).body, [
      { index: 0, name: 'My Friends', friends: 1 },
      { index: 1, name: 'Family', friends: 1 },
    ]);
    assert.deepEqual((await w.call('POST', '/api/users/10001/groups', { name: 'Work' })).body, { uid: 10001, index: 2, name: 'Work', added: true });
    assert.deepEqual((await w.call('POST', '/api/users/10001/groups/2', { name: 'Office' })).body, { uid: 10001, index: 2, from: 'Work', to: 'Office' });
    assert.deepEqual((await w.call('POST', '/api/users/10001/friends/10002/group', { group: 'Office' })).body, { uid: 10001, friend: 10002, index: 2, name: 'Office' });
    assert.deepEqual((await w.call('DELETE', '/api/users/10001/groups/2')).body, { uid: 10001, index: 2, name: 'Office', moved: 1 });
    assert.equal(w.store.friendsOf(10001).find((f) => f.uid === 10002)?.group, 0);
    assert.deepEqual((await w.call('DELETE', '/api/users/10001/friends/10000')).body, { uid: 10001, friend: 10000, removed: true });
    assert.equal(w.store.areFriends(10001, 10000), false);

    const show = (await w.call('GET', '/api/users/10001')).body as Record<string, unknown>;
    assert.equal(show.nick, 'Alice');
    // Becoming friends told 10001 (a system message from 10000, queued while it is offline).
    const pending = show.pending as { count: number; messages: { kind: string; sender: number }[] };
    assert.equal(pending.count, 1);
    assert.deepEqual(pending.messages.map((m) => [m.kind, m.sender]), [['system', 10000]]);
    assert.deepEqual(show.session, null);
  }));

test('ban refuses the login over UDP with the reason; unban lets it in; pending messages are listed', () =>
  withWorld(async (w) => {
    const port = w.server.address.port;
    assert.deepEqual((await w.call('POST', '/api/users/10001/ban', { reason: 'spamming' })).body, { uid: 10001, reason: 'spamming', kicked: false });
    const alice = await ClassicDriver.open(port, ALICE.uid, ALICE.password);
    try {
      const reply = await alice.login();
      assert.equal(reply.kind, 'failure');
      assert.match(JSON.stringify(reply), /banned: spamming/);
      assert.equal(((await w.call('GET', '/api/users')).body as { banned: string | null }[])[0]!.banned, 'spamming');
      assert.deepEqual((await w.call('DELETE', '/api/users/10001/ban')).body, { uid: 10001, wasBanned: true });
      assert.equal((await alice.login()).kind, 'success');

      const bob = await ClassicDriver.open(port, BOB.uid, BOB.password);
      await bob.login();
      w.server.hub.kick(ALICE.uid); // Alice goes away; Bob's message waits for her
      assert.equal(await bob.send(ALICE.uid, 'are you there?'), 0);
      bob.close();
      const pending = (await w.call('GET', '/api/users/10001/pending')).body as { count: number; messages: { sender: number; text: string }[] };
      assert.equal(pending.count, 1);
      assert.deepEqual(pending.messages.map((m) => [m.sender, m.text]), [[BOB.uid, 'are you there?']]);
    } finally {
      alice.close();
    }
  }));

test('sessions list a raw client with its traffic; kick sends the reason as a system notice and ends the session', () =>
  withWorld(async (w) => {
    const alice = await ClassicDriver.open(w.server.address.port, ALICE.uid, ALICE.password);
    try {
      await alice.login();
      const list = (await w.call('GET', '/api/sessions')).body as Record<string, unknown>[];
      assert.equal(list.length, 1);
      const row = list[0]!;
      assert.equal(row.uid, ALICE.uid);
      assert.equal(row.nick, 'Alice');
      assert.equal(row.framing, 'classic');
      assert.equal(row.clientTag, '0x0d55');
      assert.equal(row.status, 'online');
      assert.equal(row.address, `127.0.0.1:${alice.peer.port}`);
      // The login request came before the session existed; its reply is the session's first datagram out.
      assert.equal(row.packetsOut, 1, JSON.stringify(row));
      assert.ok((row.bytesOut as number) > 0);
      // A request and its reply, then a push (Bob comes online): each counted once, on Alice's session.
      await alice.keepAlive();
      const online = alice.push(ClassicCmd.FRIEND_STATUS);
      const bob = await ClassicDriver.open(w.server.address.port, BOB.uid, BOB.password);
      try {
        await bob.login();
        await online;
      } finally {
        bob.close();
      }
      const after = ((await w.call('GET', '/api/sessions')).body as Record<string, unknown>[]).find((r) => r.uid === ALICE.uid)!;
      assert.deepEqual([after.packetsIn, after.packetsOut], [1, 3], JSON.stringify(after));

      const notice = alice.push(ClassicCmd.SYSTEM_MESSAGE);
      assert.deepEqual((await w.call('POST', '/api/sessions/10001/kick', { reason: 'maintenance at noon' })).body, { uid: 10001, kicked: true });
      const msg = systemMessageCodec.decode((await notice).plain);
      assert.equal(msg.text, 'maintenance at noon');
      assert.equal(w.server.hub.get(ALICE.uid), undefined);
      assert.deepEqual(((await w.call('GET', '/api/sessions')).body as { uid: number }[]).filter((r) => r.uid === ALICE.uid), []);
      const history = ((await w.call('GET', '/api/users/10001')).body as { logins: { event: string }[] }).logins;
      assert.deepEqual(history.map((h) => h.event), ['logout', 'login']);
    } finally {
      alice.close();
    }
  }));

test('login locks are listed and unlocked without a restart', () =>
  withWorld(async (w) => {
    const wrong = await ClassicDriver.open(w.server.address.port, ALICE.uid, 'not-her-password');
    try {
      for (let i = 0; i < 3; i++) assert.equal((await wrong.login()).kind, 'failure');
      const locks = (await w.call('GET', '/api/locks')).body as { kind: string; uid?: number; address?: string }[];
      assert.deepEqual(locks.map((l) => l.kind).sort(), ['address', 'pair', 'uid']);
      assert.equal(locks.find((l) => l.kind === 'uid')!.uid, ALICE.uid);
      const right = await ClassicDriver.open(w.server.address.port, ALICE.uid, ALICE.password);
      try {
        assert.equal((await right.login()).kind, 'failure', 'locked out');
        assert.deepEqual((await w.call('POST', '/api/locks/unlock', { uid: ALICE.uid })).body, { uid: ALICE.uid, address: null, unlocked: true });
        assert.deepEqual((await w.call('POST', '/api/locks/unlock', { address: '127.0.0.1' })).body, { uid: null, address: '127.0.0.1', unlocked: true });
        assert.deepEqual((await w.call('GET', '/api/locks')).body, []);
        assert.equal((await right.login()).kind, 'success');
      } finally {
        right.close();
      }
    } finally {
      wrong.close();
    }
  }));

test('drops keep their last datagrams in hex; server info masks nothing it should not show; log tail filters', () =>
  withWorld(async (w) => {
    const alice = await ClassicDriver.open(w.server.address.port, ALICE.uid, ALICE.password);
    try {
      alice.peer.send(Buffer.from('02abcd', 'hex'));
      alice.peer.send(Buffer.from('ff00ff00ff00ff00ff00ff00', 'hex'));
      await until(() => w.server.metrics.droppedTotal === 2);
      const drops = (await w.call('GET', '/api/drops')).body as { reason: string; count: number; last: { hex: string }[] }[];
      assert.deepEqual(drops.find((d) => d.reason === 'too_short'), { reason: 'too_short', count: 1, last: [drops.find((d) => d.reason === 'too_short')!.last[0]] });
      assert.equal(drops.find((d) => d.reason === 'too_short')!.last[0]!.hex, '02abcd');
      assert.equal(drops.find((d) => d.reason === 'bad_tag')!.last[0]!.hex, 'ff00ff00ff00ff00ff00ff00');

      await alice.login();
      const info = (await w.call('GET', '/api/server')).body as { online: number; users: number; udp: string; udpSocket: string };
      assert.equal(info.online, 1);
      assert.equal(info.users, 2);
      assert.equal(info.udp, `127.0.0.1:${w.server.address.port}`);
      assert.equal(info.udpSocket, nativeUdp().binding ? 'native' : 'dgram', 'which UDP socket serves');
      const logs = (await w.call('GET', `/api/logs?uid=${ALICE.uid}`)).body as { msg: string; uid: number; seq: number }[];
      assert.deepEqual(logs.map((l) => l.msg), ['login']);
      assert.deepEqual((await w.call('GET', `/api/logs?level=warn&uid=${ALICE.uid}`)).body, []);
      assert.deepEqual((await w.call('GET', `/api/logs?uid=${ALICE.uid}&after=${logs[0]!.seq}`)).body, []);
      const counts = (await w.call('GET', '/api/traffic/commands')).body as { direction: string; command: string; count: number }[];
      assert.ok(counts.some((c) => c.direction === 'in' && c.command === 'login' && c.count === 1), JSON.stringify(counts));
      w.admin.traffic.sample(Date.now());
      const rates = (await w.call('GET', '/api/rates')).body as { online: number }[];
      assert.equal(rates.at(-1)!.online, 1);
    } finally {
      alice.close();
    }
  }));

test('/metrics is valid Prometheus text with the server families, fed by real traffic', () =>
  withWorld(async (w) => {
    const alice = await ClassicDriver.open(w.server.address.port, ALICE.uid, ALICE.password);
    const bob = await ClassicDriver.open(w.server.address.port, BOB.uid, BOB.password);
    try {
      await alice.login();
      await bob.login();
      const got = alice.receive();
      assert.equal(await bob.send(ALICE.uid, 'hi'), 0);
      await got;
      await until(() => w.server.metrics.messagesDelivered === 1);
      alice.peer.send(Buffer.from('0203', 'hex'));
      await until(() => w.server.metrics.droppedTotal === 1);
      const r = await w.call('GET', '/metrics');
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type') ?? '', /^text\/plain/);
      const families = new Map(parsePrometheus(r.text).map((f) => [f.name, f]));
      const value = (name: string, labels: Record<string, string> = {}) =>
        Number(families.get(name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value);
      assert.equal(value('oicq_logins_total', { result: 'ok' }), 2);
      assert.equal(value('oicq_dropped_datagrams_total', { reason: 'too_short' }), 1);
      assert.equal(value('oicq_datagrams_total', { direction: 'in', framing: 'classic', command: 'login' }), 2);
      assert.equal(value('oicq_sessions', { framing: 'classic', client_tag: '0x0d55' }), 2);
      assert.equal(value('oicq_messages_stored_total'), 1);
      assert.equal(value('oicq_messages_delivered_total'), 1);
      const latency = families.get('oicq_message_delivery_seconds')!;
      assert.equal(latency.type, 'HISTOGRAM');
      assert.equal(Number((latency.metrics[0] as { count: string }).count), 1);
      assert.ok(Number((families.get('oicq_store_commit_seconds')!.metrics[0] as { count: string }).count) >= 1);
      assert.ok(families.has('nodejs_eventloop_lag_seconds'));
      assert.ok(families.has('oicq_push_retransmits_total'));
    } finally {
      alice.close();
      bob.close();
    }
  }));

test('the OpenAPI document lists every command of the table, without a token', () =>
  withWorld(async (w) => {
    const r = await w.call('GET', '/api/openapi.json', undefined, null);
    assert.equal(r.status, 200);
    const doc = r.body as { openapi: string; paths: Record<string, Record<string, { operationId: string }>> };
    assert.equal(doc.openapi, '3.1.0');
    const ids = Object.values(doc.paths).flatMap((p) => Object.values(p).map((op) => op.operationId)).sort();
    assert.deepEqual(ids, ADMIN_COMMANDS.map((c) => c.name).sort());
    assert.equal(doc.paths['/api/users']!.post!.operationId, 'user.add');
  }));
