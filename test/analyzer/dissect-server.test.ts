// A capture written by the real server (`oicq serve --capture`) while two classic clients log in and chat,
// dissected with both passwords: every packet of both sessions decrypts, the messages show, pairing adds up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { startServerProcess } from '../../scripts/lib/server-process.js';
import { ClassicDriver } from '../helpers/classic-driver.js';
import type { ReceiveImPush } from '../../src/protocol/bodies/classic/index.js';
import { jsonLines, oicqBatch } from './dissect-fixtures.js';
import { quiescence, storeProbe } from '../helpers/quiescence.js';
import { fragmentString } from '../../src/protocol/text.js';

const textOf = (p: ReceiveImPush): string => (p.content.kind === 'im' ? fragmentString(p.content.message.text) : '');

const A = { uid: 10001, password: 'alice-pw' };
const B = { uid: 10002, password: 'bob-pw' };

test('a server capture of two classic clients chatting dissects and decrypts completely', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oicq-dissect-srv-'));
  const db = join(dir, 'oicq.db');
  const cap = join(dir, 'c.pcap');
  try {
    const setup = oicqBatch([
      ['user', 'add', String(A.uid), '--password', A.password, '--db', db],
      ['user', 'add', String(B.uid), '--password', B.password, '--db', db],
      ['friend', 'add', String(A.uid), String(B.uid), '--db', db],
    ]);
    for (const r of setup) assert.equal(r.code, 0, r.stderr);
    const server = await startServerProcess(db, ['--capture', cap]);
    let a: ClassicDriver | undefined;
    let b: ClassicDriver | undefined;
    try {
      a = await ClassicDriver.open(server.port, A.uid, A.password);
      b = await ClassicDriver.open(server.port, B.uid, B.password);
      assert.equal((await a.login()).kind, 'success');
      assert.equal((await b.login()).kind, 'success');
      // 'oicq friend add' told both (a system message each): acked as pidgin does, before the chat.
      assert.equal((await a.system()).from, B.uid);
      assert.equal((await b.system()).from, A.uid);
      assert.equal(await a.send(B.uid, 'hello bob, from the capture test'), 0);
      assert.equal(textOf((await b.receive()).push), 'hello bob, from the capture test');
      assert.equal(await b.send(A.uid, 'hi alice 你好'), 0);
      assert.equal(textOf((await a.receive()).push), 'hi alice 你好');
      // The acks reach the server (their delivery marks are committed) before it stops.
      await quiescence(storeProbe(db, [A.uid, B.uid]), { pollMs: 20 });
    } finally {
      a?.close();
      b?.close();
      await server.stop();
    }
    assert.ok(existsSync(cap) && statSync(cap).size > 24, 'the server wrote its capture');

    const port = String(server.port);
    const [text, json, summary] = oicqBatch([
      ['dissect', cap, '--port', port, '--password', `${A.uid}:${A.password}`, '--password', `${B.uid}:${B.password}`],
      ['dissect', cap, '--port', port, '--json', '--password', `${A.uid}:${A.password}`, '--password', `${B.uid}:${B.password}`],
      ['dissect', cap, '--port', port, '--summary', '--json'],
    ]);
    assert.equal(text!.code, 0, text!.stderr);
    assert.match(text!.stdout, /message\.text: "hello bob, from the capture test"/);
    assert.match(text!.stdout, /message\.text: "hi alice 你好"/);
    assert.match(text!.stdout, /session key learned for 10001/);
    assert.match(text!.stdout, /session key learned for 10002/);

    const packets = jsonLines(json!.stdout).filter((l) => 'command' in l);
    assert.ok(packets.length >= 14, `${packets.length} packets`);
    for (const p of packets) {
      assert.ok(p.body, `frame ${p.frame} (0x${(p.command as number).toString(16)} ${p.direction}) has a decoded body: ${String(p.bodyError)}`);
    }
    const s = jsonLines(summary!.stdout)[0]!.summary as { oicq: number; malformed: number; pairing: { requests: number; answered: number; unanswered: number; pushes: number; acks: number } };
    assert.equal(s.oicq, packets.length);
    assert.equal(s.malformed, 0);
    assert.equal(s.pairing.unanswered, 0);
    assert.equal(s.pairing.answered, s.pairing.requests);
    assert.ok(s.pairing.acks >= 2 && s.pairing.pushes >= 2);

    // A wrong password is said once, at the login it does not open; nothing claims the login is missing.
    const overlong = join(dir, 'overlong.pcap');
    const bytes = readFileSync(cap);
    // The first record's original length made smaller than its captured length (an inconsistent capture).
    bytes.writeUInt32LE(bytes.readUInt32LE(24 + 8) - 10, 24 + 12);
    writeFileSync(overlong, bytes);
    const [wrong, sessions, sessionsJson, noPort, noPortJson, bad] = oicqBatch([
      ['dissect', cap, '--port', port, '--password', `${A.uid}:not-her-password`],
      ['dissect', cap, '--port', port, '--summary', '--password', `${A.uid}:${A.password}`, '--password', `${B.uid}:nope`],
      ['dissect', cap, '--port', port, '--summary', '--json', '--password', `${A.uid}:${A.password}`, '--password', `${B.uid}:nope`],
      ['dissect', cap],
      ['dissect', cap, '--summary', '--json'],
      ['dissect', overlong, '--port', port, '--summary'],
    ]);
    assert.equal(wrong!.code, 0, wrong!.stderr);
    const said = wrong!.stdout.split('\n').filter((l) => l.includes('does not open this login exchange'));
    assert.equal(said.length, 1, wrong!.stdout);
    assert.match(said[0]!, /note: password proof does NOT match the password given for 10001: it does not open this login exchange \(frame #\d+\), so the bodies after it stay closed/);
    assert.doesNotMatch(wrong!.stdout, /not in the capture|body: not opened/);
    assert.match(wrong!.stdout, /^ {2}10001 \(classic, 127\.0\.0\.1:\d+\): NOT decrypted — the password given does not open its login exchange \(frame #\d+\); \d+ bodies opened, \d+ not$/m);

    assert.equal(sessions!.code, 0, sessions!.stderr);
    assert.match(sessions!.stdout, /^sessions of the users given with --password:\n {2}10001 \(classic, 127\.0\.0\.1:\d+\): decrypted — session key from frame #\d+; \d+ bodies opened, 0 not\n {2}10002 \(classic, 127\.0\.0\.1:\d+\): NOT decrypted — the password given does not open its login exchange \(frame #\d+\);/m);
    const js = jsonLines(sessionsJson!.stdout)[0]!.summary as { sessions: { uid: number; decrypted: boolean }[] };
    assert.deepEqual(js.sessions.map((x) => [x.uid, x.decrypted]), [[10001, true], [10002, false]]);

    // The capture is on the server's random port: without --port nothing is OICQ, and the output says where it is.
    assert.equal(noPort!.code, 0, noPort!.stderr);
    assert.match(noPort!.stdout, new RegExp(`^\\d+ frames, \\d+ UDP datagrams, 0 OICQ packets, 0 malformed — .*\\n${packets.length} UDP datagrams off the selected port\\(s\\) look like OICQ \\(port ${port}: ${packets.length}\\) — try --port ${port}, or --any-port\\n$`));
    const nj = jsonLines(noPortJson!.stdout)[0]!.summary as { oicq: number; elsewhere: { port: number; count: number }[] };
    assert.deepEqual([nj.oicq, nj.elsewhere], [0, [{ port: server.port, count: packets.length }]]);

    // Captured length above the original length: counted and reported, the frames still dissected.
    assert.equal(bad!.code, 0, bad!.stderr);
    assert.match(bad!.stdout, /^1 frame\(s\) claim more captured bytes than their original length \(first: frame #1\) — the capture file is inconsistent; they were dissected as captured$/m);
    assert.match(bad!.stdout, new RegExp(`^summary: \\d+ frames, \\d+ UDP, ${packets.length} OICQ packets`, 'm'));

    // Wireshark agrees on the header fields of what it labels (when it is installed).
    const ts = spawnSync('tshark', ['-r', cap, '-d', `udp.port==${port},oicq`, '-Y', 'oicq', '-T', 'fields', '-e', 'frame.number', '-e', 'oicq.command', '-e', 'oicq.seq'], { encoding: 'utf8' });
    if (!ts.error && ts.status === 0) {
      const byFrame = new Map(packets.map((p) => [p.frame as number, p]));
      const rows = ts.stdout.split('\n').filter((l) => l !== '');
      assert.ok(rows.length > 0);
      for (const l of rows) {
        const [frame, command, seq] = l.split('\t').map(Number) as [number, number, number];
        assert.deepEqual([byFrame.get(frame)?.command, byFrame.get(frame)?.seq], [command, seq], `frame ${frame}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
