// `oicq dissect` end to end on captures the test builds: the recorded sessions decrypted with --password,
// JSON lines for jq, the summary, port selection and the --any-port heuristic, malformed datagrams, and
// clear errors for truncated, foreign and missing files. All commands run in one child process.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPcap, PCAP_FILE_HEADER_LENGTH } from '../../src/capture/pcap-writer.js';
import { encodePacket } from '../../src/protocol/framing.js';
import { jsonLines, oicqBatch, sessionDatagrams, T0, vectorSessions, writeSessionsPcap, type Run } from './dissect-fixtures.js';
import { lazy, VECTORS } from '../helpers/vectors.js';

const dir = mkdtempSync(join(tmpdir(), 'oicq-dissect-cli-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

describe('oicq dissect on the recorded sessions (../shared/vectors)', () => {
  // Built and run once, on first use inside a test (all commands in one child process).
  const setup = lazy(() => {
    const classic = vectorSessions('classic-sessions.json');
    const modern = vectorSessions('modern-session.json');
    const f = {
      classic: writeSessionsPcap(join(dir, 'classic.pcap'), classic, 51234),
      modern1: writeSessionsPcap(join(dir, 'modern1.pcap'), modern.slice(0, 1)),
      modern2: writeSessionsPcap(join(dir, 'modern2.pcap'), modern.slice(1, 2)),
      modernBoth: writeSessionsPcap(join(dir, 'modern.pcap'), modern),
      port4000: writeSessionsPcap(join(dir, 'port4000.pcap'), classic, 51234, 4000),
      anyPort: join(dir, 'any.pcap'),
      truncated: join(dir, 'truncated.pcap'),
      garbage: join(dir, 'garbage.bin'),
      odd: join(dir, 'odd.pcap'),
    };
    // --any-port: classic on 4000 and modern on 5555 (the client's port lower than the server's), plus noise.
    writeFileSync(
      f.anyPort,
      buildPcap([
        ...sessionDatagrams(classic, 51234, 4000),
        ...sessionDatagrams(modern.slice(0, 1), 1025, 5555),
        { srcIp: '10.0.0.1', srcPort: 53, dstIp: '10.0.0.2', dstPort: 5353, payload: Buffer.from('not oicq at all'), time: T0 },
      ]),
    );
    // Cut the classic capture inside its 6th record.
    const whole = readFileSync(f.classic);
    const recordEnds: number[] = [];
    for (let o = PCAP_FILE_HEADER_LENGTH; o < whole.length; o += 16 + whole.readUInt32LE(o + 8)) recordEnds.push(o + 16 + whole.readUInt32LE(o + 8));
    writeFileSync(f.truncated, whole.subarray(0, recordEnds[4]! + 30));
    writeFileSync(f.garbage, Buffer.from('this is not a capture file at all\n'));
    // Malformed datagrams and an unknown command on port 8000.
    const srv = { dstIp: '10.1.1.1', dstPort: 8000, srcIp: '10.1.1.2', srcPort: 40001 };
    writeFileSync(
      f.odd,
      buildPcap([
        { ...srv, payload: Buffer.from('0100'.repeat(6), 'hex'), time: T0 }, // bad tag
        { ...srv, payload: Buffer.from('020d550002000100002712ff', 'hex'), time: T0 + 1 }, // bad tail
        { ...srv, payload: Buffer.from('020d5503', 'hex'), time: T0 + 2 }, // too short
        { ...srv, payload: encodePacket({ direction: 'c2s', version: 0x0d55, command: 0x1234, seq: 9, uid: 777, body: Buffer.from('abcd', 'hex') }), time: T0 + 3 },
      ]),
    );

    const runs = oicqBatch([
      ['dissect', f.classic, '--password', '10002:secret123'], // 0
      ['dissect', f.classic, '--json', '--password', '10002:secret123'], // 1
      ['dissect', f.modern1, '--password', '100001:secret123'], // 2
      ['dissect', f.modern2, '--password', '100001:secret123'], // 3
      ['dissect', f.modernBoth, '--summary'], // 4
      ['dissect', f.modernBoth, '--summary', '--json'], // 5
      ['dissect', f.truncated], // 6
      ['dissect', f.truncated, '--summary'], // 7
      ['dissect', f.garbage], // 8
      ['dissect', join(dir, 'missing.pcap')], // 9
      ['dissect', f.classic, '--password', 'secret123'], // 10
      ['dissect', f.classic, '--limit', '3', '--json'], // 11
      ['dissect', f.port4000, '--json'], // 12
      ['dissect', f.port4000, '--port', '9000,4000', '--json'], // 13
      ['dissect', f.port4000, '--port', 'abc'], // 14
      ['dissect', f.anyPort, '--any-port', '--json'], // 15
      ['dissect', f.odd], // 16
      ['dissect', f.odd, '--json'], // 17
      ['dissect', '--help'], // 18
      ['dissect'], // 19
      ['dissect', f.modernBoth, '--json', '--password', '100001:secret123'], // 20
    ]);
    return { classic, modern, f, runs, recordEnds };
  });

  /** One stderr line matching re, the given exit code. */
  function failsWith(r: Run, code: number, re: RegExp): void {
    assert.equal(r.code, code, r.stderr);
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, re);
  }

  test('classic session with --password: every body opened and decoded, both message texts shown', VECTORS, () => {
    const { classic, modern, f, runs, recordEnds } = setup();
    const r = runs[0]!;
    assert.equal(r.code, 0, r.stderr);
    const blocks = r.stdout.split(/\n(?=#\d+ )/).filter((b) => b.startsWith('#'));
    assert.equal(blocks.length, 20);
    for (const b of blocks) assert.match(b, /body: (opened with the .+|sent in clear) → \w+ \(\d+ bytes\)/, b);
    assert.doesNotMatch(r.stdout, /not opened|not decoded/);
    assert.match(r.stdout, /message\.text: "hello from pidgin"/);
    assert.match(r.stdout, /message\.text: "hi from mock server"/);
    assert.match(r.stdout, /session key learned for 10002: 9f0296c357ef25dbbe318e76d055d72c/);
    // The notation of the hand analysis, and classic server packets without a uid line.
    assert.match(blocks[4]!, /\[1\] Flag: 0x02\n {4}\[2\] Version: 0x0D55\n {4}\[2\] Command: send message \(22\) · Wireshark: Send message\n {4}\[2\] Sequence: 18280\n {4}\[4\] Data\(OICQ Number\): 10002\n {4}\[96\] Data\n {4}UDP data: 02 0d 55 00 16 47 68 00 00 27 12/);
    assert.match(blocks[4]!, /classic client→server\n {4}lengths: frame 150, UDP 116, OICQ 108 · request/);
    assert.doesNotMatch(blocks[5]!, /OICQ Number/);
    assert.match(blocks[5]!, /server→client\n {4}lengths: frame 66, UDP 32, OICQ 24 · reply to #5 after 10\.000 ms/);
    assert.match(r.stdout, /20 frames, 20 UDP datagrams, 20 OICQ packets, 0 malformed/);
  });

  test('--json: one object per packet with the header fields and the decoded body, then the summary', VECTORS, () => {
    const { classic, modern, f, runs, recordEnds } = setup();
    const lines = jsonLines(runs[1]!.stdout);
    assert.equal(lines.length, 21);
    const packets = lines.slice(0, 20);
    for (const [i, p] of packets.entries()) {
      for (const k of ['command', 'seq', 'uid', 'version', 'framing', 'direction', 'length', 'frame', 'time', 'src', 'dst', 'flag', 'commandName', 'wireshark']) assert.ok(k in p, `${k} in packet ${i}`);
      assert.equal(p.frame, i + 1);
      assert.equal(p.framing, 'classic');
      assert.equal(p.flag, 2);
      const body = p.body as { codec: string; plain: string };
      assert.ok(body, `packet ${i} has a body`);
      assert.equal(body.plain, classic[0]!.packets[i]!.plain);
    }
    const send = packets[4]!;
    assert.deepEqual([send.command, send.seq, send.uid, send.version, send.direction, send.src, send.dst, send.length, send.commandName, send.wireshark], [22, 18280, 10002, 0x0d55, 'c2s', '127.0.0.1:51234', '127.0.0.1:8000', 108, 'send message', 'Send message']);
    assert.equal(packets[5]!.uid, null);
    assert.equal(packets[5]!.replyMs, 10);
    assert.equal((send.body as { value: { message: { text: string; imKey: string } } }).value.message.text, 'hello from pidgin');
    assert.match((send.body as { value: { message: { imKey: string } } }).value.message.imKey, /^[0-9a-f]{32}$/);
    const summary = lines[20]!.summary as { oicq: number; pairing: { requests: number; answered: number } };
    assert.equal(summary.oicq, 20);
    assert.equal(summary.pairing.requests, 9);
    assert.equal(summary.pairing.answered, 9);
  });

  test('modern session 1 with --password: all 49 bodies open, "hello from myqq" shown; session 2 shows the closed verify block', VECTORS, () => {
    const { classic, modern, f, runs, recordEnds } = setup();
    const r = runs[2]!;
    assert.equal(r.code, 0, r.stderr);
    assert.equal((r.stdout.match(/\n {4}body: opened with the /g) ?? []).length, 49);
    assert.doesNotMatch(r.stdout, /not opened|not decoded/);
    assert.match(r.stdout, /im\.segments\[0\]\.text: "hello from myqq"/);
    assert.match(r.stdout, /\[11\] Header extra: 02 00 00 00 01 01 01 00 00 64 70/);
    assert.match(r.stdout, /Command: touch \(145\) · Wireshark: not in its table/);
    const r2 = runs[3]!;
    assert.equal(r2.code, 0, r2.stderr);
    assert.match(r2.stdout, /note: verify block does not open with the password given for 100001/);
    assert.match(r2.stdout, /note: password verify failed: code 0x34/);
    assert.match(r2.stdout, /6 OICQ packets, 0 malformed/);
    // JSON of both sessions: every packet of session 1 has a decoded body.
    const lines = jsonLines(runs[20]!.stdout).slice(0, 55);
    assert.equal(lines.filter((l) => (l.body as { codec?: string } | undefined)?.codec).length, 55);
  });

  test('--summary: per command and direction, counts and lengths, pairing; --json gives one summary object', VECTORS, () => {
    const { classic, modern, f, runs, recordEnds } = setup();
    const r = runs[4]!;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /summary: 55 frames, 55 UDP, 55 OICQ packets, 0 malformed/);
    assert.match(r.stdout, /pairing: 25 requests: 25 answered, 0 unanswered, 0 retransmitted/);
    assert.match(r.stdout, /medians: exact up to 1024 values/);
    assert.match(r.stdout, /modern +c→s +0x00CD send message \(205\) +- +1 +201\/201\/201 +167\/167\/167 +159\/159\/159 +1 req: 1 answered, 0 unanswered; reply ms 10\/10\/10/);
    assert.match(r.stdout, /modern +s→c +0x00CE receive message \(206\) +- +2 .* 2 push: 2 acked, 0 unacked/);
    assert.match(r.stdout, /modern +c→s +0x00CE receive message \(206\) .* 2 ack/);
    assert.match(r.stdout, /modern +s→c +0x0081 friend status changed \(129\) +Get status of friend +1 .* 1 push$/m);
    const lines = jsonLines(runs[5]!.stdout);
    assert.equal(lines.length, 1);
    const s = lines[0]!.summary as { rows: { command: number; direction: string; count: number; oicq: { min: number } }[] };
    const keepAlive = s.rows.find((x) => x.command === 0x58 && x.direction === 'c2s')!;
    assert.deepEqual([keepAlive.count, keepAlive.oicq.min], [1, 39]);
  });

  test('a truncated file: what was read is printed first, then one error line naming the offset, exit 1', VECTORS, () => {
    const { classic, modern, f, runs, recordEnds } = setup();
    const r = runs[6]!;
    assert.equal(r.code, 1);
    assert.equal((r.stdout.match(/^#\d+ /gm) ?? []).length, 5);
    assert.match(r.stdout, /5 frames, 5 UDP datagrams, 5 OICQ packets/);
    failsWith(r, 1, new RegExp(`truncated\\.pcap: truncated: .* at offset ${recordEnds[4]} \\(after 5 complete frames, shown above\\)`));
    const s = runs[7]!;
    assert.match(s.stdout, /summary: 5 frames/);
    failsWith(s, 1, /at offset \d+/);
  });

  test('garbage, a missing file, bad options: one clear line each', VECTORS, () => {
    const { classic, modern, f, runs, recordEnds } = setup();
    failsWith(runs[8]!, 1, /garbage\.bin: not a pcap or pcapng file \(magic 74686973\)/);
    assert.equal(runs[8]!.stdout, '');
    failsWith(runs[9]!, 1, /cannot open .*missing\.pcap: no such file/);
    failsWith(runs[10]!, 2, /^oicq dissect: bad --password: expected <uid>:<password> and found no ':' — run 'oicq dissect --help'$/);
    assert.doesNotMatch(runs[10]!.stderr, /secret123/);
    failsWith(runs[14]!, 2, /bad --port: 'abc' is not a port/);
    failsWith(runs[19]!, 2, /missing <file>/);
    assert.equal(runs[18]!.code, 0);
    assert.match(runs[18]!.stdout, /usage: oicq dissect <file> \[options\][\s\S]*--any-port[\s\S]*--password <uid>:<pw>/);
  });

  test('--limit stops after n packets', VECTORS, () => {
    const { classic, modern, f, runs, recordEnds } = setup();
    const lines = jsonLines(runs[11]!.stdout);
    assert.equal(lines.length, 4);
    assert.deepEqual(lines.slice(0, 3).map((l) => l.frame), [1, 2, 3]);
    assert.equal((lines[3]!.summary as { oicq: number }).oicq, 3);
  });

  test('ports: 8000 by default, --port as a comma list; --any-port finds OICQ elsewhere and guesses the direction', VECTORS, () => {
    const { classic, modern, f, runs, recordEnds } = setup();
    assert.equal(jsonLines(runs[12]!.stdout).length, 1); // only the summary: nothing on 8000
    const on4000 = jsonLines(runs[13]!.stdout);
    assert.equal(on4000.length, 21);
    assert.deepEqual(on4000.slice(0, 20).map((l) => l.direction), classic[0]!.packets.map((p) => p.dir));
    const any = jsonLines(runs[15]!.stdout);
    const packets = any.filter((l) => 'command' in l);
    assert.equal(packets.length, 20 + 49);
    assert.deepEqual(packets.map((l) => l.direction), [...classic[0]!.packets, ...modern[0]!.packets].map((p) => p.dir));
    assert.deepEqual(packets.slice(20).map((l) => l.dst).slice(0, 2), ['127.0.0.1:5555', '127.0.0.1:1025']);
  });

  test('malformed datagrams on the OICQ port are shown, and unknown commands are dissected, not hidden', VECTORS, () => {
    const { classic, modern, f, runs, recordEnds } = setup();
    const r = runs[16]!;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /#1 +10\.1\.1\.2:40001 → 10\.1\.1\.1:8000 +malformed: bad_tag \(first byte 0x01\), 12 bytes: 01 00 01 00/);
    assert.match(r.stdout, /#2 .*malformed: bad_tail \(last byte 0xff\)/);
    assert.match(r.stdout, /#3 .*malformed: too_short \(4 bytes\)/);
    assert.match(r.stdout, /#4 .*\n.*\n.*\n.*\n {4}\[2\] Command: unknown \(0x1234\) \(4660\) · Wireshark: not in its table/);
    assert.match(r.stdout, /1 OICQ packets, 3 malformed/);
    const lines = jsonLines(runs[17]!.stdout);
    assert.deepEqual(lines.slice(0, 3).map((l) => [l.frame, l.malformed]), [[1, 'bad_tag'], [2, 'bad_tail'], [3, 'too_short']]);
    assert.equal(lines[3]!.command, 0x1234);
    assert.equal(lines[3]!.commandName, 'unknown (0x1234)');
    assert.equal(lines[3]!.data, 'abcd');
    assert.deepEqual((lines[4]!.summary as { malformedReasons: Record<string, number> }).malformedReasons, { bad_tag: 1, bad_tail: 1, too_short: 1 });
  });
});
