import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PcapWriter, buildPcap, writePcapFile, pcapFileHeader, pcapRecordLength, PCAP_FILE_HEADER_LENGTH, type PcapDatagram } from '../../src/capture/pcap-writer.js';
import { readCapture, parseCapture, type Frame } from '../../src/analyzer/capture/index.js';
import { decodeUdp } from '../../src/analyzer/net.js';
import { EncodeError } from '../../src/protocol/errors.js';
import { inetChecksum, ip6 } from '../helpers/pcap-build.js';

const dir = mkdtempSync(join(tmpdir(), 'oicq-writer-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;
const tmpPath = (ext = 'pcap'): string => join(dir, `w${fileNo++}.${ext}`);

/** A varied set of datagrams: odd and even payload lengths, empty, both IP versions, mapped addresses. */
function sample(): PcapDatagram[] {
  const out: PcapDatagram[] = [];
  for (let i = 0; i < 40; i++) {
    out.push({
      srcIp: `10.0.${i}.1`,
      srcPort: 1024 + i * 37,
      dstIp: '172.16.254.3',
      dstPort: 8000,
      payload: Buffer.from(Array.from({ length: i * 7 }, (_, k) => (k * 31 + i) & 0xff)),
      time: 1_700_000_000_000 + i * 1000.25,
    });
  }
  out.push({ srcIp: '::1', srcPort: 45000, dstIp: '::1', dstPort: 8000, payload: Buffer.from('loopback six'), time: 1_700_000_100_000 });
  out.push({ srcIp: '2001:db8::7', srcPort: 45001, dstIp: 'fe80::1%eth0', dstPort: 8000, payload: Buffer.from('odd'), time: 1_700_000_100_001 });
  out.push({ srcIp: '::ffff:127.0.0.1', srcPort: 45002, dstIp: '::ffff:127.0.0.2', dstPort: 8000, payload: Buffer.from('mapped'), time: 1_700_000_100_002 });
  return out;
}

/** Independent header checks: Ethernet type, IP header checksum, UDP checksum with its pseudo-header. */
function verifyFrame(data: Buffer, d: PcapDatagram): void {
  const etherType = data.readUInt16BE(12);
  const ip = data.subarray(14);
  const v6 = etherType === 0x86dd;
  assert.equal(etherType, v6 ? 0x86dd : 0x0800);
  const udpLen = 8 + d.payload.length;
  let pseudo: Buffer;
  let seg: Buffer;
  if (v6) {
    assert.equal(ip[0]! >> 4, 6);
    assert.equal(ip.readUInt16BE(4), udpLen);
    assert.equal(ip[6], 17);
    seg = ip.subarray(40);
    const len = Buffer.alloc(8);
    len.writeUInt32BE(udpLen, 0);
    len[7] = 17;
    pseudo = Buffer.concat([ip.subarray(8, 40), len]);
  } else {
    assert.equal(ip[0], 0x45);
    assert.equal(ip.readUInt16BE(2), 20 + udpLen);
    assert.equal(ip[9], 17);
    assert.equal(inetChecksum(ip.subarray(0, 20)), 0, 'IPv4 header checksum verifies');
    assert.notEqual(ip.readUInt16BE(10), 0);
    seg = ip.subarray(20);
    pseudo = Buffer.concat([ip.subarray(12, 20), Buffer.from([0, 17, udpLen >> 8, udpLen & 0xff])]);
  }
  assert.equal(seg.length, udpLen);
  assert.equal(seg.readUInt16BE(4), udpLen);
  assert.notEqual(seg.readUInt16BE(6), 0, 'UDP checksum present');
  assert.equal(inetChecksum(pseudo, seg), 0, 'UDP checksum verifies');
}

test('PcapWriter output re-reads through the reader with correct headers and checksums', async () => {
  const list = sample();
  const path = tmpPath();
  const w = new PcapWriter(path, { bufferSize: 4096 }); // small buffer: several flushes
  for (const d of list) w.writeDatagram(d);
  w.close();
  assert.equal(w.frames, list.length);
  assert.equal(w.bytesWritten, statSync(path).size);
  assert.deepEqual(readFileSync(path).subarray(0, 24), pcapFileHeader());
  const frames: Frame[] = [];
  const stats = await readCapture(path, (f) => void frames.push({ ...f, data: Buffer.from(f.data) }));
  assert.equal(stats.frames, list.length);
  frames.forEach((f, i) => {
    const d = list[i]!;
    assert.equal(f.linkType, 1);
    assert.equal(f.caplen, f.origLen);
    assert.equal(f.caplen + 16, pcapRecordLength(d));
    assert.equal(f.tsSec, Math.floor(d.time! / 1000), `frame ${i + 1} seconds`);
    assert.equal(f.tsNsec, Math.round((d.time! % 1000) * 1000) * 1000, `frame ${i + 1} nanoseconds`);
    const u = decodeUdp(f.linkType, f.data);
    assert.ok(u);
    const mapped = d.srcIp.startsWith('::ffff:');
    assert.equal(u.srcIp, mapped ? d.srcIp.slice(7) : d.srcIp);
    assert.equal(u.dstIp, mapped ? d.dstIp.slice(7) : d.dstIp.replace(/%.*/, ''));
    assert.equal(u.ipVersion, d.srcIp.includes(':') && !mapped ? 6 : 4);
    assert.equal(u.srcPort, d.srcPort);
    assert.equal(u.dstPort, d.dstPort);
    assert.equal(u.udpLength, 8 + d.payload.length);
    assert.deepEqual(u.payload, Buffer.from(d.payload));
    verifyFrame(f.data, d);
  });
});

test('buildPcap produces the same bytes as PcapWriter, and accepts any iterable', () => {
  const list = sample();
  const path = tmpPath();
  const w = new PcapWriter(path);
  for (const d of list) w.writeDatagram(d);
  w.close();
  const fromArray = buildPcap(list);
  assert.deepEqual(fromArray, readFileSync(path));
  assert.equal(fromArray.length, PCAP_FILE_HEADER_LENGTH + list.reduce((s, d) => s + pcapRecordLength(d), 0));
  function* gen(): Generator<PcapDatagram> {
    yield* list;
  }
  assert.deepEqual(buildPcap(gen()), fromArray);
  let n = 0;
  parseCapture(fromArray, () => void n++);
  assert.equal(n, list.length);
});

test('a UDP checksum that computes to 0 is sent as 0xffff', () => {
  const base: PcapDatagram = { srcIp: '10.9.8.7', srcPort: 1111, dstIp: '10.6.5.4', dstPort: 2222, payload: Buffer.alloc(4), time: 0 };
  const first = buildPcap([base]);
  const c = first.readUInt16BE(24 + 16 + 14 + 20 + 6);
  // Putting the checksum itself into an aligned payload word makes the true sum 0xffff, i.e. checksum 0.
  const payload = Buffer.alloc(4);
  payload.writeUInt16BE(c, 2);
  const d = { ...base, payload };
  const b = buildPcap([d]);
  const frame = b.subarray(24 + 16);
  assert.equal(frame.readUInt16BE(14 + 20 + 6), 0xffff);
  verifyFrame(frame, d);
});

test('writer errors: bad address, mixed versions, bad port, oversized payload, closed writer', () => {
  const ok: PcapDatagram = { srcIp: '1.2.3.4', srcPort: 1, dstIp: '5.6.7.8', dstPort: 2, payload: Buffer.alloc(1) };
  const isEncode = (field: string) => (e: unknown) => e instanceof EncodeError && e.field === field;
  assert.throws(() => buildPcap([{ ...ok, srcIp: 'example.com' }]), isEncode('srcIp'));
  assert.throws(() => buildPcap([{ ...ok, dstIp: '::2' }]), isEncode('dstIp'));
  assert.throws(() => buildPcap([{ ...ok, srcPort: 70000 }]), isEncode('srcPort'));
  assert.throws(() => buildPcap([{ ...ok, dstPort: -1 }]), isEncode('dstPort'));
  assert.throws(() => buildPcap([{ ...ok, payload: Buffer.alloc(65508) }]), isEncode('payload'));
  assert.equal(buildPcap([{ ...ok, payload: Buffer.alloc(65507) }]).length, 24 + 16 + 14 + 20 + 8 + 65507);
  const w = new PcapWriter(tmpPath(), { bufferSize: 4096 });
  w.writeDatagram({ ...ok, payload: Buffer.alloc(20000), time: 5 }); // bigger than the buffer
  w.close();
  w.close();
  assert.throws(() => w.writeDatagram(ok), /closed/);
  assert.equal(statSync(w.path).size, 24 + 16 + 14 + 20 + 8 + 20000);
});

test('IPv6 address text forms map to the right bytes', () => {
  const f = buildPcap([{ srcIp: '2001:db8:0:0:1::5', srcPort: 1, dstIp: '64:ff9b::192.0.2.33', dstPort: 2, payload: Buffer.alloc(0), time: 0 }]).subarray(40 + 14);
  assert.deepEqual(f.subarray(8, 24), ip6('2001:db8::1:0:0:5'));
  assert.deepEqual(f.subarray(24, 40), ip6('64:ff9b::c000:221'));
});

test('writePcapFile streams a generator to disk with the same bytes as buildPcap', () => {
  const list = sample();
  const path = tmpPath();
  function* gen(): Generator<PcapDatagram> {
    yield* list;
  }
  assert.equal(writePcapFile(path, gen()), list.length);
  assert.deepEqual(readFileSync(path), buildPcap(list));
});

// ---------------------------------------------------------------- cross-checks with Wireshark's tools

function hasTool(name: string): boolean {
  return spawnSync(name, ['--version'], { stdio: 'ignore' }).status === 0;
}
const tshark = hasTool('tshark');
const editcap = hasTool('editcap');
/** Skip with a reason when the tool is missing, except in CI where a missing tool is a failure. */
function toolSkip(present: boolean, name: string): string | false {
  if (present || process.env.CI) return false;
  return `${name} is not installed (install Wireshark's command-line tools to run this check)`;
}

test('tshark agrees on ports, lengths and checksums of PcapWriter output', { skip: toolSkip(tshark, 'tshark') }, () => {
  assert.ok(tshark, 'tshark is required when CI is set');
  const list = sample();
  const path = tmpPath();
  const w = new PcapWriter(path);
  for (const d of list) w.writeDatagram(d);
  w.close();
  const args = ['-r', path, '-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE'];
  const out = execFileSync('tshark', [...args, '-T', 'fields', '-e', 'udp.srcport', '-e', 'udp.dstport', '-e', 'udp.length', '-e', 'ip.checksum.status', '-e', 'udp.checksum.status'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const rows = out.trim().split('\n').map((l) => l.split('\t'));
  assert.equal(rows.length, list.length);
  rows.forEach(([sp, dp, len, ipStatus, udpStatus], i) => {
    const d = list[i]!;
    assert.equal(Number(sp), d.srcPort);
    assert.equal(Number(dp), d.dstPort);
    assert.equal(Number(len), 8 + d.payload.length);
    const v6 = d.srcIp.includes(':') && !d.srcIp.startsWith('::ffff:');
    // Wireshark's checksum status: 1 is "Good" (printed by name in the verbose view below).
    assert.equal(ipStatus, v6 ? '' : '1', `frame ${i + 1} IPv4 checksum status`);
    assert.equal(udpStatus, '1', `frame ${i + 1} UDP checksum status`);
  });
  const verbose = execFileSync('tshark', [...args, '-V'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
  const v4Count = list.filter((d) => !d.srcIp.includes(':') || d.srcIp.startsWith('::ffff:')).length;
  assert.equal(verbose.match(/\[Header checksum status: Good\]/g)?.length, v4Count);
  assert.equal(verbose.match(/\[Checksum Status: Good\]/g)?.length, list.length);
  // (Upper-layer "Malformed" notes depend on which dissector claims a port, so only checksums are judged.)
  assert.doesNotMatch(verbose, /status: Bad|Status: Bad|\[incorrect/);
});

test('the reader reads a pcapng written by editcap from PcapWriter output', { skip: toolSkip(tshark && editcap, 'editcap') }, async () => {
  assert.ok(editcap, 'editcap is required when CI is set');
  const list = sample();
  const pcap = tmpPath();
  const w = new PcapWriter(pcap);
  for (const d of list) w.writeDatagram(d);
  w.close();
  const ng = tmpPath('pcapng');
  execFileSync('editcap', ['-F', 'pcapng', pcap, ng], { stdio: 'ignore' });
  const fromPcap: string[] = [];
  const describe = (f: Frame): string => {
    const u = decodeUdp(f.linkType, f.data);
    return `${f.index} ${f.tsSec}.${f.tsNsec} ${f.linkType} ${f.caplen}/${f.origLen} ${u?.srcIp}:${u?.srcPort}>${u?.dstIp}:${u?.dstPort} ${u?.payload.toString('hex')}`;
  };
  await readCapture(pcap, (f) => void fromPcap.push(describe(f)));
  const fromNg: string[] = [];
  const stats = await readCapture(ng, (f) => void fromNg.push(describe(f)), { chunkSize: 333 });
  assert.equal(stats.format, 'pcapng');
  assert.equal(stats.frames, list.length);
  assert.deepEqual(fromNg, fromPcap);
});
