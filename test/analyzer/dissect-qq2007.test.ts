// `oicq dissect` on pidgin's qq2007/qq2008 modes (tags 0x111D, 0x115B): the 2007/08 login chain 0x0091 → 0x0062 →
// 0x00BA → 0x00DD → 0x0022, whose 0x0022 has its own layout (login token + TEA(login key), a 139-byte reply). The
// recorded sessions (test/vectors) as a pcap: the layout is picked by the client's tag through the one rule in
// families.ts (also for the server's packets, which say 0x0100), the keys are followed through the chain per client
// endpoint, every body opens and decodes; the inspector shows the same; tshark reads the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspectCapture } from '../../src/analyzer/inspect.js';
import { bodySpec, ClassicCmd, decodeBody } from '../../src/protocol/commands.js';
import { Wrap } from '../../src/protocol/codec.js';
import { hex, loadRepoVectors, type SessionsFile, type VectorSession } from '../helpers/vectors.js';
import { tempDir } from '../helpers/udp.js';
import { jsonLines, oicqBatch, writeSessionsPcap } from './dissect-fixtures.js';

const recorded = loadRepoVectors<SessionsFile>('classic-2007-sessions.json').sessions;
const social = loadRepoVectors<SessionsFile>('by-hand-2007-social-sessions.json').sessions;
const TAGS = [0x111d, 0x115b];
// qq2007 (10001) and qq2008 (10002), then qq2008 (20012) twice at the same endpoint (it logged in again).
const SESSIONS: VectorSession[] = [...recorded.filter((s) => TAGS.includes(Number(s.version_tag))), ...social.filter((s) => s.uid === 20012)];

const TSHARK = existsSync('/usr/bin/tshark') ? '/usr/bin/tshark' : 'tshark';
const probe = spawnSync(TSHARK, ['-v'], { encoding: 'utf8' });
const NO_TSHARK = probe.error || probe.status !== 0 ? 'tshark is not installed (apt-get install tshark): the pcap check with tshark is skipped' : false;

interface Line {
  frame: number;
  direction: 'c2s' | 's2c';
  version: number;
  command: number;
  body?: { key: string; codec?: string; plain: string; value?: Record<string, unknown>; error?: string };
  failure?: string;
  notes?: string[];
  sessions?: { uid: number; sessionKeyFrame: number | null; opened: number; closed: number }[];
}

const loginPackets = (s: VectorSession) => s.packets.filter((p) => p.command === ClassicCmd.LOGIN);

test('the 0x0022 layout follows the client tag: 2007/08 for 0x111D and 0x115B, 2005 for 0x0D55 and without a tag', () => {
  const s = recorded.find((x) => Number(x.version_tag) === 0x111d)!;
  const [req, reply] = loginPackets(s);
  for (const tag of TAGS) {
    const r = decodeBody('classic', ClassicCmd.LOGIN, 's2c', hex(reply!.plain), tag);
    assert.ok(r.ok && r.value.codec === 'login2007Reply', `tag 0x${tag.toString(16)}`);
    const v = r.value.value as { kind: string; sessionKey: Buffer; uid: number };
    assert.deepEqual([v.kind, v.sessionKey.toString('hex'), v.uid], ['success', s.session_key, s.uid]);
    assert.equal(bodySpec('classic', ClassicCmd.LOGIN, 'c2s', tag)?.wrap, Wrap.MAGIC_PREFIXED);
    assert.ok(decodeBody('classic', ClassicCmd.LOGIN, 'c2s', hex(req!.plain), tag).ok);
  }
  // The 2005 layout reads the 139 bytes as a cut-short 160-byte reply (the bug this guards).
  for (const tag of [0x0d55, undefined]) {
    const r = decodeBody('classic', ClassicCmd.LOGIN, 's2c', hex(reply!.plain), tag);
    assert.ok(!r.ok && r.error.reason === 'truncated');
    assert.equal(bodySpec('classic', ClassicCmd.LOGIN, 'c2s', tag)?.wrap, Wrap.KEY_PREFIXED);
  }
  // The rest of the chain has one layout in the classic table, whatever the tag.
  for (const cmd of [ClassicCmd.SELECT_SERVER, ClassicCmd.LOGIN_TOKEN_EX, ClassicCmd.CHECK_PASSWORD]) {
    assert.equal(bodySpec('classic', cmd, 's2c', 0x111d), bodySpec('classic', cmd, 's2c'));
  }
});

test('oicq dissect: qq2007/qq2008 logins decode in the 2007/08 layout, keys followed per endpoint, nothing left closed; tshark reads the pcap', (t) => {
  const dir = tempDir('oicq-qq2007-');
  const pcap = writeSessionsPcap(join(dir, 'qq2007.pcap'), SESSIONS);
  const passwords = [...new Set(SESSIONS.map((s) => `${s.uid}:${s.password}`))].flatMap((c) => ['--password', c]);
  const [run, summary] = oicqBatch([['dissect', pcap, '--json', ...passwords], ['dissect', pcap, '--summary', ...passwords]]);
  assert.equal(run!.code, 0, run!.stderr);
  const pkts = (jsonLines(run!.stdout) as unknown as Line[]).filter((l) => l.frame !== undefined);
  const all = SESSIONS.flatMap((s) => s.packets);
  assert.equal(pkts.length, all.length);

  // Every body opened with the recorded plaintext and decoded: none truncated, none undecryptable.
  pkts.forEach((p, i) => {
    const where = `frame ${p.frame} (0x${p.command.toString(16)} ${p.direction})`;
    assert.equal(p.failure, undefined, where);
    assert.ok(p.body, `${where} opened`);
    assert.equal(p.body.plain, all[i]!.plain, `${where} plaintext`);
    assert.ok(p.body.value, `${where} decoded: ${p.body.error}`);
  });

  let first = 0;
  for (const s of SESSIONS) {
    const mine = pkts.slice(first, first + s.packets.length);
    first += s.packets.length;
    const at = (dir: string, cmd: number) => mine.find((p) => p.direction === dir && p.command === cmd)!;
    assert.equal(at('c2s', ClassicCmd.LOGIN).version, Number(s.version_tag));
    // The chain: request keys in clear, the 0x00DD reply hands out the login key that opens the 0x0022 request.
    for (const cmd of [ClassicCmd.SELECT_SERVER, ClassicCmd.LOGIN_TOKEN_EX, ClassicCmd.CHECK_PASSWORD]) {
      assert.equal(at('c2s', cmd).body!.key, 'request key (in clear)');
      assert.equal(at('s2c', cmd).body!.key, 'request key');
    }
    const check = at('s2c', ClassicCmd.CHECK_PASSWORD).body!.value!;
    const loginKey = (check['success'] as { loginKey: string }).loginKey;
    assert.ok(at('s2c', ClassicCmd.CHECK_PASSWORD).notes?.includes(`login key ${loginKey} learned`));
    const req = at('c2s', ClassicCmd.LOGIN);
    assert.deepEqual([req.body!.key, req.body!.codec], ['login key (after the clear login token)', 'login2007Request']);
    assert.ok(req.notes?.includes(`password proof matches the password given for ${s.uid}`));
    // The login reply's fields, in the 139-byte layout.
    const reply = at('s2c', ClassicCmd.LOGIN);
    assert.deepEqual([reply.body!.key, reply.body!.codec], ['password key', 'login2007Reply']);
    const v = reply.body!.value!;
    assert.deepEqual([v['kind'], v['sessionKey'], v['uid'], v['clientIp']], ['success', s.session_key, s.uid, 0x7f000001]);
    assert.equal(hex(reply.body!.plain).length, 139);
    assert.ok(reply.notes?.includes(`session key learned for ${s.uid}: ${s.session_key}`));
  }

  // One report per login (0x0091 starts one, 0x00BA/0x00DD continue it), each decrypted with nothing closed.
  assert.equal(summary!.code, 0, summary!.stderr);
  const reports = summary!.stdout.split('\n').filter((l) => /^ {2}\d+ \(classic/.test(l));
  assert.deepEqual(reports.map((l) => l.trim().split(' ')[0]), SESSIONS.map((s) => String(s.uid)));
  for (const l of reports) assert.match(l, /: decrypted — session key from frame #\d+; \d+ bodies opened, 0 not$/);

  if (NO_TSHARK) return t.skip(NO_TSHARK);
  const ts = spawnSync(TSHARK, ['-r', pcap, '-d', 'udp.port==8000,oicq', '-T', 'fields', '-e', 'frame.number', '-e', 'oicq.version', '-e', 'oicq.command'], { encoding: 'utf8' });
  assert.equal(ts.status, 0, ts.stderr);
  const rows = ts.stdout.trim().split('\n').map((l) => l.split('\t'));
  assert.equal(rows.length, all.length);
  // Where tshark labels the packet (it leaves 0x0091/0x00BA/0x00DD unlabeled), it reads the same tag and command.
  const logins = rows.filter((r) => Number(r[2]) === ClassicCmd.LOGIN);
  assert.equal(logins.length, SESSIONS.reduce((n, s) => n + loginPackets(s).length, 0));
  for (const [frame, version, command] of rows.filter((r) => r[2] !== undefined && r[2] !== '')) {
    assert.equal(Number(command), all[Number(frame) - 1]!.command, `tshark frame ${frame}`);
    assert.equal(Number(version), pkts[Number(frame) - 1]!.version, `tshark frame ${frame} version`);
  }
});

test('inspector: the qq2007/qq2008 login reply opens in the 2007/08 layout, with its field ranges in the decrypted pane', () => {
  const dir = tempDir('oicq-qq2007-inspect-');
  const bytes = readFileSync(writeSessionsPcap(join(dir, 'qq2007.pcap'), SESSIONS));
  const r = inspectCapture(bytes, { credentials: SESSIONS.map((s) => ({ uid: s.uid, password: s.password })), ports: [8000] });
  assert.equal(r.packets.length, SESSIONS.reduce((n, s) => n + s.packets.length, 0));
  assert.deepEqual(r.packets.filter((p) => p.decrypt !== 'opened' && p.command !== ClassicCmd.REQUEST_LOGIN_TOKEN).map((p) => `${p.frame} ${p.failure}`), []);
  const replies = r.packets.filter((p) => p.command === ClassicCmd.LOGIN && p.direction === 's2c');
  assert.equal(replies.length, SESSIONS.length);
  replies.forEach((p, i) => {
    const field = (name: string) => {
      const f = p.fields.find((x) => x.pane === 'plain' && x.field === name);
      assert.ok(f, `${name} in ${JSON.stringify(p.fields)}`);
      return Buffer.from(p.plain!, 'hex').subarray(f.start, f.end);
    };
    assert.equal(field('sessionKey').toString('hex'), SESSIONS[i]!.session_key);
    assert.equal(field('uid').readUInt32BE(), SESSIONS[i]!.uid);
    assert.equal(field('lastLoginTime').length, 4);
    assert.equal((p.decoded as { sessionKey: string }).sessionKey, SESSIONS[i]!.session_key);
  });
  const req = r.packets.find((p) => p.command === ClassicCmd.LOGIN && p.direction === 'c2s')!;
  const proof = req.fields.find((x) => x.pane === 'plain' && x.field === 'proof')!;
  assert.deepEqual([proof.start, proof.end], [2 + 2 + 32, 2 + 2 + 32 + 16]);
});
