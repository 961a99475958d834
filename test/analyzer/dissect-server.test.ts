// A capture written by the real server (`oicq serve --capture`) while two classic clients log in and chat,
// dissected with both passwords: every packet of both sessions decrypts, the messages show, pairing adds up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { startServerProcess } from '../../scripts/lib/server-process.js';
import { ClassicDriver } from '../helpers/classic-driver.js';
import type { ReceiveImPush } from '../../src/protocol/bodies/classic/index.js';
import { jsonLines, oicqBatch } from './dissect-fixtures.js';
import { quiescence, storeProbe } from '../helpers/quiescence.js';

const textOf = (p: ReceiveImPush): string => (p.content.kind === 'im' ? p.content.message.text : '');

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
