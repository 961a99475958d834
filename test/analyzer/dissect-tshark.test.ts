// Agreement with Wireshark: for every packet tshark labels OICQ, `oicq dissect --json` reports the same flag,
// version, command, sequence and QQ number (except on classic server→client packets, where tshark reads body
// bytes as the number); packets tshark leaves unlabeled (commands missing from its table, the modern login
// chain, 0x00CD/0x00CE…) are still dissected here. Skipped without tshark, unless CI is set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPcap } from '../../src/capture/pcap-writer.js';
import { encodePacket } from '../../src/protocol/framing.js';
import { jsonLines, oicqBatch, sessionDatagrams, T0, vectorSessions } from './dissect-fixtures.js';
import { VECTORS_SKIP } from '../helpers/vectors.js';

const TSHARK = existsSync('/usr/bin/tshark') ? '/usr/bin/tshark' : 'tshark';
const probe = spawnSync(TSHARK, ['-v'], { encoding: 'utf8' });
const haveTshark = !probe.error && probe.status === 0;
// The capture is built from the recorded sessions, so the vectors are needed too.
const skip = !haveTshark ? 'tshark is not installed (apt-get install tshark); the agreement test needs it' : VECTORS_SKIP;

if (!haveTshark && process.env.CI) {
  test('tshark must be installed in CI', () => assert.fail('tshark not found but CI is set: install it (apt-get install tshark)'));
}

interface TsharkRow {
  frame: number;
  flag: number;
  version: number;
  command: number;
  seq: number;
  qqid: number | null;
}

function tshark(path: string, port: number): TsharkRow[] {
  const args = ['-r', path, '-Y', 'oicq', '-T', 'fields', '-e', 'frame.number', '-e', 'oicq.flag', '-e', 'oicq.version', '-e', 'oicq.command', '-e', 'oicq.seq', '-e', 'oicq.qqid'];
  if (port !== 8000) args.push('-d', `udp.port==${port},oicq`);
  const r = spawnSync(TSHARK, args, { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [frame, flag, version, command, seq, qqid] = l.split('\t');
      return { frame: Number(frame), flag: parseInt(flag!, 16), version: parseInt(version!, 16), command: Number(command), seq: Number(seq), qqid: qqid ? Number(qqid) : null };
    });
}

test('dissect --json agrees with tshark on every packet tshark labels, and shows those it does not', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'oicq-dissect-tshark-'));
  try {
    const classic = vectorSessions('classic-sessions.json');
    const modern = vectorSessions('modern-session.json');
    const srv = { srcIp: '10.9.0.2', srcPort: 40002, dstIp: '10.9.0.1', dstPort: 8000 };
    const files: [string, number][] = [
      [join(dir, 'classic.pcap'), 8000],
      [join(dir, 'modern.pcap'), 8000],
      [join(dir, 'mixed-4000.pcap'), 4000],
    ];
    writeFileSync(files[0]![0], buildPcap(sessionDatagrams(classic)));
    writeFileSync(files[1]![0], buildPcap(sessionDatagrams(modern)));
    writeFileSync(
      files[2]![0],
      buildPcap([
        ...sessionDatagrams(classic, 40000, 4000),
        ...sessionDatagrams(modern, 40001, 4000),
        // Unknown commands both framings, and a bad tail (tshark labels it; it is malformed here).
        { ...srv, dstPort: 4000, payload: encodePacket({ direction: 'c2s', version: 0x0d55, command: 0x0bad, seq: 1, uid: 5, body: Buffer.alloc(4) }), time: T0 },
        { ...srv, dstPort: 4000, payload: encodePacket({ direction: 'c2s', version: 0x3639, command: 0x0200, seq: 2, uid: 6, body: Buffer.alloc(9) }), time: T0 },
        { ...srv, dstPort: 4000, payload: Buffer.from('020d550002000300000005aabbccff', 'hex'), time: T0 },
      ]),
    );
    const runs = oicqBatch(files.map(([p, port]) => ['dissect', p, '--json', '--port', String(port)]));
    let labeled = 0;
    let unlabeled = 0;
    files.forEach(([path, port], i) => {
      const ours = jsonLines(runs[i]!.stdout).filter((l) => !('summary' in l));
      const byFrame = new Map(ours.map((l) => [l.frame as number, l]));
      const theirs = tshark(path, port);
      assert.ok(theirs.length > 0, `tshark labels some packets of ${path}`);
      for (const t of theirs) {
        const o = byFrame.get(t.frame);
        assert.ok(o, `frame ${t.frame} of ${path} is ours too`);
        if ('malformed' in o) {
          assert.equal(o.malformed, 'bad_tail', `frame ${t.frame}: tshark does not check the tail`);
          continue;
        }
        assert.deepEqual([o.flag, o.version, o.command, o.seq], [t.flag, t.version, t.command, t.seq], `frame ${t.frame} of ${path}`);
        if (!(o.framing === 'classic' && o.direction === 's2c')) assert.equal(o.uid, t.qqid, `frame ${t.frame} QQ number`);
        labeled++;
      }
      // Every frame of these files is OICQ: what tshark leaves out, we still show.
      const seen = new Set(theirs.map((t) => t.frame));
      const missing = ours.filter((o) => !seen.has(o.frame as number));
      unlabeled += missing.length;
      for (const o of missing) assert.ok('command' in o, `frame ${o.frame} dissected`);
      if (i === 1) {
        const cmds = new Set(missing.map((o) => o.command as number));
        for (const c of [0x0091, 0x00ba, 0x00dd, 0x00e5, 0x00cd, 0x00ce, 0x0126]) assert.ok(cmds.has(c), `0x${c.toString(16)} unlabeled by tshark, shown by us`);
      }
    });
    assert.ok(labeled > 50 && unlabeled > 30, `labeled ${labeled}, unlabeled ${unlabeled}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
