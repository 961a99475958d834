import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  readCapture,
  readCaptureSync,
  parseCapture,
  captureFrames,
  CaptureError,
  frameTimeNs,
  frameTimeMs,
  type Frame,
  type CaptureStats,
} from '../../src/analyzer/capture/index.js';
import { decodeUdp, LINKTYPE } from '../../src/analyzer/net.js';
import { pcapFile, ethernet, sll, sll2, nullLink, ipv4, ipv6, udp, type Endian, type PcapRecord } from '../helpers/pcap-build.js';

const dir = mkdtempSync(join(tmpdir(), 'oicq-pcap-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;
function tmpFile(bytes: Buffer): string {
  const p = join(dir, `f${fileNo++}.cap`);
  writeFileSync(p, bytes);
  return p;
}

interface Got {
  frames: (Omit<Frame, 'data'> & { hex: string })[];
  stats?: CaptureStats;
  error?: CaptureError;
}

/** Reads a file with readCapture, copying each frame; catches the CaptureError. */
async function readAll(path: string, chunkSize?: number): Promise<Got> {
  const got: Got = { frames: [] };
  try {
    const onFrame = ({ data, ...rest }: Frame): void => void got.frames.push({ ...rest, hex: data.toString('hex') });
    got.stats = await readCapture(path, onFrame, chunkSize ? { chunkSize } : {});
  } catch (e) {
    if (!(e instanceof CaptureError)) throw e;
    got.error = e;
  }
  return got;
}

function udpFrame(i: number): Buffer {
  const payload = Buffer.from(`payload number ${i} `.repeat(1 + (i % 4)));
  return ethernet(0x0800, ipv4({ src: '10.0.0.1', dst: `192.168.1.${i % 250}`, payload: udp(4000 + i, 8000, payload) }));
}

function sampleRecords(n: number): PcapRecord[] {
  return Array.from({ length: n }, (_, i) => ({ sec: 1_700_000_000 + i, frac: i * 1000 + 7, data: udpFrame(i), origLen: udpFrame(i).length + (i === 2 ? 100 : 0) }));
}

for (const endian of ['le', 'be'] as Endian[]) {
  for (const nanos of [false, true]) {
    test(`pcap ${endian} ${nanos ? 'ns' : 'µs'}: frames, timestamps and UDP fields`, async () => {
      const records = sampleRecords(5);
      const path = tmpFile(pcapFile({ endian, nanos, linkType: LINKTYPE.ETHERNET, records }));
      const got = await readAll(path);
      assert.equal(got.error, undefined);
      assert.deepEqual(got.stats, { format: 'pcap', frames: 5, bytes: 24 + records.reduce((s, r) => s + 16 + r.data.length, 0), sections: 1, interfaces: 1, skippedBlocks: 0, stopped: false });
      let offset = 24;
      got.frames.forEach((f, i) => {
        const r = records[i]!;
        assert.equal(f.index, i + 1);
        assert.equal(f.tsSec, r.sec);
        assert.equal(f.tsNsec, nanos ? r.frac : r.frac * 1000);
        assert.equal(f.linkType, 1);
        assert.equal(f.caplen, r.data.length);
        assert.equal(f.origLen, r.origLen);
        assert.equal(f.interfaceId, 0);
        assert.equal(f.offset, offset);
        assert.equal(f.hex, r.data.toString('hex'));
        offset += 16 + r.data.length;
        const u = decodeUdp(f.linkType, Buffer.from(f.hex, 'hex'));
        assert.ok(u);
        assert.equal(u.srcIp, '10.0.0.1');
        assert.equal(u.dstIp, `192.168.1.${i}`);
        assert.equal(u.srcPort, 4000 + i);
        assert.equal(u.dstPort, 8000);
        assert.equal(u.payload.toString(), `payload number ${i} `.repeat(1 + (i % 4)));
      });
    });
  }
}

test('timestamp helpers: ns as bigint and ms as number', () => {
  const f = { tsSec: 1_700_000_000, tsNsec: 123_456_789 };
  assert.equal(frameTimeNs(f), 1_700_000_000_123_456_789n);
  assert.equal(frameTimeMs(f), 1_700_000_000_123.456789);
});

test('link type field: FCS bits above the low 16 are ignored', () => {
  const b = pcapFile({ endian: 'le', linkType: 0x10000000 | LINKTYPE.RAW, records: [{ sec: 1, frac: 2, data: Buffer.from([0x45]) }] });
  const seen: number[] = [];
  parseCapture(b, (f) => void seen.push(f.linkType));
  assert.deepEqual(seen, [101]);
});

test('every pcap truncation yields the complete frames, then CaptureError at the cut record', () => {
  const records = sampleRecords(4);
  const file = pcapFile({ endian: 'be', linkType: 1, records });
  const starts = [24];
  for (const r of records) starts.push(starts.at(-1)! + 16 + r.data.length);
  for (let cut = 0; cut < file.length; cut++) {
    const frames: number[] = [];
    let error: unknown;
    try {
      parseCapture(file.subarray(0, cut), (f) => void frames.push(f.index));
    } catch (e) {
      error = e;
    }
    if (starts.includes(cut)) {
      assert.equal(error, undefined, `cut ${cut} is a clean end`);
      assert.equal(frames.length, starts.indexOf(cut));
      continue;
    }
    assert.ok(error instanceof CaptureError, `cut at ${cut}`);
    const complete = starts.filter((s) => s <= cut).length - 1;
    const expectOffset = cut < 24 ? 0 : starts[complete]!;
    assert.equal(frames.length, Math.max(complete, 0), `frames before cut ${cut}`);
    assert.equal(error.offset, expectOffset, `offset for cut ${cut}`);
    assert.equal(error.frames, frames.length);
    assert.equal(error.reason, cut === 0 ? 'not_capture' : 'truncated', `reason for cut ${cut}`);
    assert.match(error.message, new RegExp(`at offset ${expectOffset}$`));
  }
});

test('truncation through the file reader, with small chunks, reports the same offset', async () => {
  const records = sampleRecords(6);
  const file = pcapFile({ endian: 'le', nanos: true, linkType: 1, records });
  const cut = file.length - 10;
  for (const chunk of [1, 7, 64, 1 << 20]) {
    const got = await readAll(tmpFile(file.subarray(0, cut)), chunk);
    assert.equal(got.frames.length, 5);
    assert.ok(got.error);
    assert.equal(got.error.reason, 'truncated');
    assert.equal(got.error.offset, file.length - 16 - records[5]!.data.length);
  }
});

test('garbage is rejected at offset 0 naming the magic', async () => {
  const got = await readAll(tmpFile(Buffer.from('GIF89a this is not a capture file')));
  assert.equal(got.frames.length, 0);
  assert.ok(got.error);
  assert.equal(got.error.reason, 'not_capture');
  assert.equal(got.error.offset, 0);
  assert.equal(got.error.message, 'not a pcap or pcapng file (magic 47494638) at offset 0');
  const empty = await readAll(tmpFile(Buffer.alloc(0)));
  assert.equal(empty.error?.reason, 'not_capture');
  assert.equal(empty.error?.offset, 0);
  const short = await readAll(tmpFile(Buffer.from([0x12, 0x34])));
  assert.equal(short.error?.reason, 'not_capture');
  const magicOnly = await readAll(tmpFile(Buffer.from([0xd4, 0xc3])));
  assert.equal(magicOnly.error?.reason, 'truncated');
});

test('unsupported pcap version and absurd record length are typed errors with offsets', () => {
  const v = pcapFile({ endian: 'le', linkType: 1, records: [] });
  v.writeUInt16LE(3, 4);
  assert.throws(() => parseCapture(v, () => {}), (e: unknown) => e instanceof CaptureError && e.reason === 'unsupported' && e.offset === 0);
  const records = sampleRecords(3);
  const b = pcapFile({ endian: 'le', linkType: 1, records });
  const third = 24 + 16 + records[0]!.data.length + 16 + records[1]!.data.length;
  b.writeUInt32LE(0x7fffffff, third + 8);
  const seen: number[] = [];
  assert.throws(
    () => parseCapture(b, (f) => void seen.push(f.index)),
    (e: unknown) => e instanceof CaptureError && e.reason === 'corrupt' && e.offset === third && e.frames === 2,
  );
  assert.deepEqual(seen, [1, 2]);
});

test('records straddling chunk boundaries: every chunk size gives identical frames', async () => {
  const records = sampleRecords(20);
  const path = tmpFile(pcapFile({ endian: 'le', linkType: 1, records }));
  const reference = await readAll(path);
  assert.equal(reference.frames.length, 20);
  for (const chunk of [1, 2, 3, 5, 16, 17, 23, 100, 333]) {
    const got = await readAll(path, chunk);
    assert.deepEqual(got, reference, `chunk ${chunk}`);
  }
});

test('readCaptureSync, parseCapture and captureFrames agree with readCapture', async () => {
  const records = sampleRecords(9);
  const bytes = pcapFile({ endian: 'be', linkType: 1, records });
  const path = tmpFile(bytes);
  const viaCb: string[] = [];
  await readCapture(path, (f) => void viaCb.push(`${f.index}:${f.tsSec}.${f.tsNsec}:${f.data.toString('hex')}`), { chunkSize: 50 });
  const viaSync: string[] = [];
  readCaptureSync(path, (f) => void viaSync.push(`${f.index}:${f.tsSec}.${f.tsNsec}:${f.data.toString('hex')}`), { chunkSize: 50 });
  const viaMem: string[] = [];
  parseCapture(bytes, (f) => void viaMem.push(`${f.index}:${f.tsSec}.${f.tsNsec}:${f.data.toString('hex')}`));
  const viaIter: string[] = [];
  const it = captureFrames(path, { chunkSize: 50 });
  for await (const f of it) viaIter.push(`${f.index}:${f.tsSec}.${f.tsNsec}:${f.data.toString('hex')}`);
  assert.equal(viaCb.length, 9);
  assert.deepEqual(viaSync, viaCb);
  assert.deepEqual(viaMem, viaCb);
  assert.deepEqual(viaIter, viaCb);
});

test('captureFrames yields the good frames, then throws the CaptureError', async () => {
  const records = sampleRecords(3);
  const bytes = pcapFile({ endian: 'le', linkType: 1, records });
  const path = tmpFile(bytes.subarray(0, bytes.length - 1));
  const seen: number[] = [];
  await assert.rejects(
    (async () => {
      for await (const f of captureFrames(path, { chunkSize: 4096 })) seen.push(f.index);
    })(),
    (e: unknown) => e instanceof CaptureError && e.reason === 'truncated' && e.offset === bytes.length - 16 - records[2]!.data.length,
  );
  assert.deepEqual(seen, [1, 2]);
});

test('returning false from the handler stops early without error', async () => {
  const path = tmpFile(pcapFile({ endian: 'le', linkType: 1, records: sampleRecords(10) }));
  const seen: number[] = [];
  const stats = await readCapture(path, (f) => {
    seen.push(f.index);
    return f.index < 4;
  }, { chunkSize: 30 });
  assert.deepEqual(seen, [1, 2, 3, 4]);
  assert.equal(stats.stopped, true);
  assert.equal(stats.frames, 4);
});

test('a missing file rejects with the fs error, not a CaptureError', async () => {
  await assert.rejects(readCapture(join(dir, 'does-not-exist.pcap'), () => {}), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
});

test('each link type in a classic pcap reads back to the same UDP datagram', async () => {
  const v4 = ipv4({ src: '203.0.113.5', dst: '198.51.100.7', payload: udp(40000, 8000, Buffer.from('over v4')) });
  const v6 = ipv6({ src: '2001:db8::5', dst: '2001:db8::7', payload: udp(40000, 8000, Buffer.from('over v6')) });
  const cases: [number, Buffer, Buffer][] = [
    [LINKTYPE.ETHERNET, ethernet(0x0800, v4, { vlans: [{ tpid: 0x8100, vid: 5 }] }), ethernet(0x86dd, v6)],
    [LINKTYPE.LINUX_SLL, sll(0x0800, v4), sll(0x86dd, v6)],
    [LINKTYPE.LINUX_SLL2, sll2(0x0800, v4), sll2(0x86dd, v6)],
    [LINKTYPE.RAW, v4, v6],
    [12, v4, v6],
    [14, v4, v6],
    [LINKTYPE.NULL, nullLink(2, 'le', v4), nullLink(30, 'le', v6)],
    [LINKTYPE.LOOP, nullLink(2, 'be', v4), nullLink(24, 'be', v6)],
  ];
  for (const [linkType, a, b] of cases) {
    for (const endian of ['le', 'be'] as Endian[]) {
      const path = tmpFile(pcapFile({ endian, linkType, records: [{ sec: 10, frac: 20, data: a }, { sec: 11, frac: 21, data: b }] }));
      const seen: string[] = [];
      await readCapture(path, (f) => {
        const u = decodeUdp(f.linkType, f.data);
        seen.push(`${f.linkType} ${f.tsSec}.${f.tsNsec} v${u?.ipVersion} ${u?.srcIp}:${u?.srcPort}>${u?.dstIp}:${u?.dstPort} ${u?.payload.toString()}`);
      });
      assert.deepEqual(seen, [
        `${linkType} 10.20000 v4 203.0.113.5:40000>198.51.100.7:8000 over v4`,
        `${linkType} 11.21000 v6 2001:db8::5:40000>2001:db8::7:8000 over v6`,
      ], `link type ${linkType} ${endian}`);
    }
  }
  const v4only: [number, Buffer][] = [[LINKTYPE.IPV4, v4], [LINKTYPE.IPV6, v6]];
  for (const [linkType, data] of v4only) {
    const seen: (string | undefined)[] = [];
    parseCapture(pcapFile({ endian: 'le', linkType, records: [{ sec: 1, frac: 0, data }] }), (f) => void seen.push(decodeUdp(f.linkType, f.data)?.srcIp));
    assert.deepEqual(seen, [linkType === LINKTYPE.IPV4 ? '203.0.113.5' : '2001:db8::5']);
  }
});

test('breaking out of captureFrames early closes the file without error', async () => {
  const path = tmpFile(pcapFile({ endian: 'le', linkType: 1, records: sampleRecords(10) }));
  const seen: number[] = [];
  for await (const f of captureFrames(path, { chunkSize: 40 })) {
    seen.push(f.index);
    if (f.index === 3) break;
  }
  assert.deepEqual(seen, [1, 2, 3]);
});
