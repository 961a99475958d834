// `oicq dissect` on QQ2009 (MyQQ 3.19, tag 0x1663): the modern login chain in classic headers. The recorded sessions
// (test/vectors/qq2009-sessions.json) as a pcap: every packet is named and decoded from the modern command table,
// as the server reads it (commandTableOf), with the keys followed through the chain; tshark still reads the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ModernCmd } from '../../src/protocol/commands.js';
import { commandTableOf } from '../../src/protocol/families.js';
import { loadRepoVectors, type SessionsFile } from '../helpers/vectors.js';
import { tempDir } from '../helpers/udp.js';
import { jsonLines, oicqBatch, writeSessionsPcap } from './dissect-fixtures.js';

const file = loadRepoVectors<SessionsFile>('qq2009-sessions.json');

interface Line {
  frame: number;
  framing: string;
  table: string;
  direction: string;
  version: number;
  command: number;
  commandName: string;
  body?: { key: string; codec?: string; plain: string; value?: Record<string, unknown>; error?: string };
  notes?: string[];
  summary?: { rows: { framing: string; command: number; name: string; count: number }[] };
}

test('the server and the analyzer read a tag with the same table: 0x1663 modern, 0x0D55 classic, 0x2227 modern', () => {
  assert.deepEqual([0x0d55, 0x0e1b, 0x115b, 0x1663, 0x1e0d, 0x2227].map(commandTableOf), ['classic', 'classic', 'classic', 'modern', 'modern', 'modern']);
});

test('oicq dissect: QQ2009 datagrams named and decoded from the modern table, keys followed through the chain, tshark reads the pcap', () => {
  const s = file.sessions[0]!;
  const dir = tempDir('oicq-qq2009-');
  const pcap = writeSessionsPcap(join(dir, 'qq2009.pcap'), [s]);
  const [run] = oicqBatch([['dissect', pcap, '--port', '8000', '--json', '--password', `${s.uid}:${s.password}`]]);
  assert.equal(run!.code, 0, run!.stderr);
  const lines = jsonLines(run!.stdout) as unknown as Line[];
  const pkts = lines.filter((l) => l.frame !== undefined);
  assert.equal(pkts.length, s.packets.length);
  assert.ok(pkts.every((p) => p.framing === 'classic' && p.table === 'modern' && p.version === 0x1663));

  const at = (dir: string, cmd: number) => pkts.find((p) => p.direction === dir && p.command === cmd)!;
  // The chain's names are the modern table's (the classic table calls 0x0091 "select server" and has no 0x00E5).
  assert.deepEqual(pkts.filter((p) => p.direction === 'c2s').slice(0, 6).map((p) => p.commandName), [
    'touch', 'login request', 'password verify', 'get login info', 'pre-login buddy list (QQ2009)', 'send login info',
  ]);
  assert.equal(at('c2s', ModernCmd.SEND_IM).commandName, 'send message');
  // Every body opened, with the recorded plaintext, and decoded.
  pkts.forEach((p, i) => {
    assert.ok(p.body, `frame ${p.frame} (0x${p.command.toString(16)} ${p.direction}) opened`);
    assert.equal(p.body.plain, s.packets[i]!.plain, `frame ${p.frame} plaintext`);
    assert.ok(p.body.value, `frame ${p.frame} decoded: ${p.body.error}`);
  });
  // Decoded fields: the verify block opens with MyQQ 3.19's key, the 0x00E5 reply's nickname, the session key.
  assert.equal(at('c2s', ModernCmd.VERIFY).body!.value!['dialect'], 'qq2009');
  assert.ok(at('c2s', ModernCmd.VERIFY).notes?.some((n) => n.startsWith(`verify block opens with the password given for ${s.uid}`)));
  assert.equal(at('s2c', ModernCmd.GET_LOGIN_INFO).body!.value!['nickname'], 'MyQQ319用户');
  assert.equal(at('s2c', ModernCmd.SEND_LOGIN_INFO).body!.value!['sessionKey'], s.session_key);
  assert.equal(at('s2c', ModernCmd.FRIEND_LIST).body!.value!['dialect'], 'qq2009');
  const im = at('s2c', ModernCmd.RECV_IM).body!.value! as { kind: string; sender: number; im: { segments: { kind: string; text: unknown }[] } };
  assert.deepEqual([im.kind, im.sender, im.im.segments[0]!.kind], ['im', 10002, 'text']);
  // The summary counts them in the modern rows.
  const summary = lines.find((l) => l.summary)!.summary!;
  assert.ok(summary.rows.some((r) => r.framing === 'modern' && r.command === ModernCmd.SEND_IM && r.name === pkts.find((p) => p.command === ModernCmd.SEND_IM)!.commandName));
  assert.ok(!summary.rows.some((r) => r.framing === 'classic'));

  const ts = spawnSync('tshark', ['-r', pcap, '-d', 'udp.port==8000,oicq', '-T', 'fields', '-e', 'frame.number', '-e', 'oicq.command'], { encoding: 'utf8' });
  if (ts.error) return; // no tshark here (the other dissect tests say so); the pcap itself was read above
  assert.equal(ts.status, 0, ts.stderr);
  const rows = ts.stdout.trim().split('\n').map((l) => l.split('\t'));
  assert.equal(rows.length, s.packets.length);
  // Where tshark labels the command (its table lacks the modern chain's), it reads the same one.
  const labelled = rows.filter((r) => r[1] !== undefined && r[1] !== '');
  assert.ok(labelled.length > 0);
  for (const [frame, command] of labelled) assert.equal(Number(command), s.packets[Number(frame) - 1]!.command, `tshark frame ${frame}`);
});
