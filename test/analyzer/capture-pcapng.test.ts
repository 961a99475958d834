import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { readCapture, parseCapture, CaptureError, type Frame, type CaptureStats } from '../../src/analyzer/capture/index.js';
import { TsResolution } from '../../src/analyzer/capture/timestamp.js';
import { decodeUdp, LINKTYPE } from '../../src/analyzer/net.js';
import {
  shb,
  idb,
  epb,
  spb,
  pb,
  nrb,
  isb,
  customBlock,
  rawBlock,
  tsresol,
  tsoffset,
  ethernet,
  sll,
  nullLink,
  ipv4,
  ipv6,
  udp,
} from '../helpers/pcap-build.js';

const dir = mkdtempSync(join(tmpdir(), 'oicq-pcapng-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;
function tmpFile(bytes: Buffer): string {
  const p = join(dir, `f${fileNo++}.pcapng`);
  writeFileSync(p, bytes);
  return p;
}

interface Seen {
  index: number;
  tsSec: number;
  tsNsec: number;
  linkType: number;
  interfaceId: number;
  caplen: number;
  origLen: number;
  offset: number;
  udp: string;
}

function describe(f: Frame): Seen {
  const u = decodeUdp(f.linkType, f.data);
  const { data, ...rest } = f;
  void data;
  return { ...rest, udp: u ? `${u.srcIp}:${u.srcPort}>${u.dstIp}:${u.dstPort} ${u.payload.toString()}` : 'none' };
}

async function readAll(path: string, chunkSize?: number): Promise<{ seen: Seen[]; stats?: CaptureStats; error?: CaptureError }> {
  const seen: Seen[] = [];
  try {
    const stats = await readCapture(path, (f) => void seen.push(describe(f)), chunkSize ? { chunkSize } : {});
    return { seen, stats };
  } catch (e) {
    if (!(e instanceof CaptureError)) throw e;
    return { seen, error: e };
  }
}

const v4 = (payload: string, sport: number): Buffer => ipv4({ src: '10.1.1.1', dst: '10.2.2.2', payload: udp(sport, 8000, Buffer.from(payload)) });
const v6 = (payload: string, sport: number): Buffer => ipv6({ src: '2001:db8::1', dst: 'fe80::2', payload: udp(sport, 8000, Buffer.from(payload)) });

/**
 * Two sections, little- then big-endian; five interfaces with different link types and resolutions;
 * every block kind, in an order that interleaves descriptions, packets and blocks to skip.
 */
function mixedFile(): { bytes: Buffer; blockStarts: number[]; frameBlocks: Set<number>; expected: Omit<Seen, 'offset' | 'index' | 'caplen' | 'origLen'>[] } {
  const blocks: { b: Buffer; frame: boolean }[] = [];
  const add = (b: Buffer, frame = false): void => void blocks.push({ b, frame });
  // section 1: little-endian
  add(shb('le', { options: [{ code: 4, value: Buffer.from('oicq test') }] }));
  add(nrb('le', [10, 1, 1, 1], 'client.example'));
  add(idb('le', { linkType: LINKTYPE.ETHERNET, snaplen: 65535 })); // if 0: default µs
  add(customBlock('le', 32473, Buffer.from('private data')));
  add(idb('le', { linkType: LINKTYPE.LINUX_SLL, options: [tsresol(9)] })); // if 1: ns
  add(epb('le', { ifId: 1, ts: 1_700_000_001_987_654_321n, data: sll(0x86dd, v6('sll v6', 1001)) }), true);
  add(isb('le', 0, 5n));
  add(epb('le', { ifId: 0, ts: 1_700_000_000_123_456n, data: ethernet(0x0800, v4('eth µs', 1000)), options: [{ code: 1, value: Buffer.from('comment') }] }), true);
  add(rawBlock('le', 0x12345678, Buffer.from('unknown future block')));
  add(idb('le', { linkType: LINKTYPE.IPV4, options: [tsresol(20, true)] })); // if 2: 2^-20 s
  add(epb('le', { ifId: 2, ts: (1_700_000_002n << 20n) | 524_289n, data: v4('raw v4 pow2', 1002) }), true);
  add(pb('le', { ifId: 0, ts: 1_700_000_003_000_001n, data: ethernet(0x0800, v4('obsolete pb', 1003)) }), true);
  add(spb('le', { data: ethernet(0x0800, v4('simple', 1004)) }), true);
  // section 2: big-endian, interface numbering restarts
  add(shb('be'));
  add(idb('be', { linkType: LINKTYPE.NULL, options: [tsresol(3), tsoffset('be', 1000n)] })); // if 0: ms + 1000 s
  add(customBlock('be', 1, Buffer.alloc(3)));
  add(idb('be', { linkType: LINKTYPE.IPV6, options: [tsresol(12)] })); // if 1: ps
  add(epb('be', { ifId: 1, ts: 12_345_678_901_234_567n, data: v6('raw v6 ps', 1005) }), true);
  add(epb('be', { ifId: 0, ts: 5_250n, data: nullLink(2, 'le', v4('null ms', 1006)) }), true);
  add(idb('be', { linkType: LINKTYPE.ETHERNET, options: [tsresol(0)] })); // if 2: seconds
  add(epb('be', { ifId: 2, ts: 1_700_000_009n, data: ethernet(0x86dd, v6('eth sec', 1007)) }), true);
  add(isb('be', 2, 0n));
  const blockStarts: number[] = [];
  const frameBlocks = new Set<number>();
  let at = 0;
  for (const { b, frame } of blocks) {
    blockStarts.push(at);
    if (frame) frameBlocks.add(at);
    at += b.length;
  }
  blockStarts.push(at);
  const eth4 = (p: string, s: number): string => `10.1.1.1:${s}>10.2.2.2:8000 ${p}`;
  const six = (p: string, s: number): string => `2001:db8::1:${s}>fe80::2:8000 ${p}`;
  return {
    bytes: Buffer.concat(blocks.map((x) => x.b)),
    blockStarts,
    frameBlocks,
    expected: [
      { tsSec: 1_700_000_001, tsNsec: 987_654_321, linkType: 113, interfaceId: 1, udp: six('sll v6', 1001) },
      { tsSec: 1_700_000_000, tsNsec: 123_456_000, linkType: 1, interfaceId: 0, udp: eth4('eth µs', 1000) },
      { tsSec: 1_700_000_002, tsNsec: 500_000_953, linkType: 228, interfaceId: 2, udp: eth4('raw v4 pow2', 1002) },
      { tsSec: 1_700_000_003, tsNsec: 1_000, linkType: 1, interfaceId: 0, udp: eth4('obsolete pb', 1003) },
      { tsSec: 0, tsNsec: 0, linkType: 1, interfaceId: 0, udp: eth4('simple', 1004) },
      { tsSec: 12_345, tsNsec: 678_901_234, linkType: 229, interfaceId: 1, udp: six('raw v6 ps', 1005) },
      { tsSec: 1_005, tsNsec: 250_000_000, linkType: 0, interfaceId: 0, udp: eth4('null ms', 1006) },
      { tsSec: 1_700_000_009, tsNsec: 0, linkType: 1, interfaceId: 2, udp: six('eth sec', 1007) },
    ],
  };
}

test('pcapng: two sections of either byte order, five interfaces, every block kind in odd order', async () => {
  const { bytes, frameBlocks, expected } = mixedFile();
  const got = await readAll(tmpFile(bytes));
  assert.equal(got.error, undefined);
  assert.deepEqual(
    got.seen.map(({ index, offset, caplen, origLen, ...rest }) => {
      assert.ok(frameBlocks.has(offset), `frame ${index} offset ${offset} is a packet block`);
      assert.equal(caplen, origLen);
      return rest;
    }),
    expected,
  );
  assert.deepEqual(got.seen.map((s) => s.index), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(got.stats, { format: 'pcapng', frames: 8, bytes: bytes.length, sections: 2, interfaces: 6, skippedBlocks: 6, stopped: false });
});

test('pcapng: straddling blocks at every small chunk size give identical frames', async () => {
  const { bytes } = mixedFile();
  const path = tmpFile(bytes);
  const reference = await readAll(path);
  for (const chunk of [1, 3, 4, 12, 13, 50, 97]) assert.deepEqual(await readAll(path, chunk), reference, `chunk ${chunk}`);
});

test('pcapng: a skippable block larger than the buffer is passed over without buffering it', async () => {
  const big = customBlock('be', 99, Buffer.alloc(5000, 0x5a));
  const bytes = Buffer.concat([
    shb('be'),
    idb('be', { linkType: LINKTYPE.RAW }),
    epb('be', { ifId: 0, ts: 1n, data: v4('before', 1) }),
    big,
    epb('be', { ifId: 0, ts: 2n, data: v4('after', 2) }),
  ]);
  const got = await readAll(tmpFile(bytes), 64);
  assert.deepEqual(got.seen.map((s) => s.udp), ['10.1.1.1:1>10.2.2.2:8000 before', '10.1.1.1:2>10.2.2.2:8000 after']);
  assert.equal(got.stats?.skippedBlocks, 1);
  // Cut inside the big block: the error names the block's start.
  const bigStart = bytes.indexOf(big);
  const cut = await readAll(tmpFile(bytes.subarray(0, bigStart + 3000)), 64);
  assert.equal(cut.seen.length, 1);
  assert.equal(cut.error?.reason, 'truncated');
  assert.equal(cut.error?.offset, bigStart);
});

test('pcapng: every truncation yields the complete frames, then CaptureError at the cut block', async () => {
  const { bytes, blockStarts, frameBlocks } = mixedFile();
  const check = (cut: number, seen: number, error: CaptureError | undefined, how: string): void => {
    const complete = blockStarts.filter((s) => s <= cut);
    const framesBefore = [...frameBlocks].filter((s) => s < cut && blockStarts[blockStarts.indexOf(s) + 1]! <= cut).length;
    assert.equal(seen, framesBefore, `${how}: frames before cut ${cut}`);
    if (blockStarts.includes(cut) && cut > 0) {
      assert.equal(error, undefined, `${how}: cut ${cut} is a clean end`);
      return;
    }
    assert.ok(error, `${how}: cut ${cut} must fail`);
    assert.equal(error.offset, cut === 0 ? 0 : complete.at(-1), `${how}: offset for cut ${cut}`);
    assert.equal(error.reason, cut === 0 ? 'not_capture' : 'truncated', `${how}: reason for cut ${cut}`);
    assert.equal(error.frames, seen);
  };
  for (let cut = 0; cut < bytes.length; cut++) {
    let n = 0;
    let error: CaptureError | undefined;
    try {
      parseCapture(bytes.subarray(0, cut), () => void n++);
    } catch (e) {
      if (!(e instanceof CaptureError)) throw e;
      error = e;
    }
    check(cut, n, error, 'in memory');
  }
  // Through the file reader with a chunk smaller than most blocks (so big skippable blocks are skipped in pieces).
  for (let cut = 1; cut < bytes.length; cut += 37) {
    const got = await readAll(tmpFile(bytes.subarray(0, cut)), 16);
    check(cut, got.seen.length, got.error, 'file, 16-byte chunks');
  }
});

/** The mixed file with one block replaced through `edit(buffer, blockStart)`; returns the block's offset. */
function corrupted(blockNo: number, edit: (b: Buffer, at: number) => void): { bytes: Buffer; at: number } {
  const { bytes, blockStarts } = mixedFile();
  const at = blockStarts[blockNo]!;
  edit(bytes, at);
  return { bytes, at };
}

test('pcapng: corrupt blocks stop with a typed error at the block, after the frames before it', () => {
  const cases: { name: string; block: number; edit: (b: Buffer, at: number) => void; reason: string; frames: number; message: RegExp }[] = [
    { name: 'trailing length differs', block: 7, edit: (b, at) => b.writeUInt32LE(b.readUInt32LE(at + 4) + 4, at + b.readUInt32LE(at + 4) - 4), reason: 'corrupt', frames: 1, message: /does not match its trailing length/ },
    { name: 'length not a multiple of 4', block: 6, edit: (b, at) => b.writeUInt32LE(30, at + 4), reason: 'corrupt', frames: 1, message: /bad length 30/ },
    { name: 'length below 12', block: 6, edit: (b, at) => b.writeUInt32LE(8, at + 4), reason: 'corrupt', frames: 1, message: /bad length 8/ },
    { name: 'undefined interface', block: 7, edit: (b, at) => b.writeUInt32LE(7, at + 8), reason: 'corrupt', frames: 1, message: /undefined interface 7/ },
    { name: 'captured length beyond the block', block: 5, edit: (b, at) => b.writeUInt32LE(5000, at + 20), reason: 'corrupt', frames: 0, message: /claims 5000 captured bytes/ },
    { name: 'second section with bad byte-order magic', block: 13, edit: (b, at) => b.writeUInt32BE(0xdeadbeef, at + 8), reason: 'corrupt', frames: 5, message: /bad byte-order magic 0xdeadbeef/ },
    { name: 'section version 2', block: 13, edit: (b, at) => b.writeUInt16BE(2, at + 12), reason: 'unsupported', frames: 5, message: /pcapng version 2\.0/ },
  ];
  for (const c of cases) {
    const { bytes, at } = corrupted(c.block, c.edit);
    let n = 0;
    assert.throws(
      () => parseCapture(bytes, () => void n++),
      (e: unknown) => e instanceof CaptureError && e.reason === c.reason && e.offset === at && e.frames === c.frames && c.message.test(e.message) && e.message.endsWith(`at offset ${at}`),
      c.name,
    );
    assert.equal(n, c.frames, c.name);
  }
});

test('pcapng: packets before any interface, or an SPB without interface 0, are corrupt', () => {
  const noIf = Buffer.concat([shb('le'), epb('le', { ifId: 0, ts: 0n, data: Buffer.alloc(4) })]);
  assert.throws(() => parseCapture(noIf, () => {}), (e: unknown) => e instanceof CaptureError && e.offset === 28 && /undefined interface 0/.test(e.message));
  const noIf0 = Buffer.concat([shb('be'), spb('be', { data: Buffer.alloc(4) })]);
  assert.throws(() => parseCapture(noIf0, () => {}), (e: unknown) => e instanceof CaptureError && e.offset === 28 && /before any interface/.test(e.message));
});

test('pcapng: SPB captured length is bounded by the interface snaplen', () => {
  const frame = ethernet(0x0800, v4('a longer payload than the snaplen', 7));
  const bytes = Buffer.concat([shb('le'), idb('le', { linkType: 1, snaplen: 40 }), spb('le', { data: frame.subarray(0, 40), origLen: frame.length })]);
  const seen: Frame[] = [];
  parseCapture(bytes, (f) => void seen.push({ ...f, data: Buffer.from(f.data) }));
  assert.equal(seen.length, 1);
  assert.equal(seen[0]!.caplen, 40);
  assert.equal(seen[0]!.origLen, frame.length);
  assert.deepEqual(seen[0]!.data, frame.subarray(0, 40));
});

test('timestamp conversion matches exact bigint arithmetic for every resolution', () => {
  const reference = (units: bigint, resol: number): [number, number] => {
    const per = resol & 0x80 ? 1n << BigInt(resol & 0x7f) : 10n ** BigInt(resol);
    return [Number(units / per), Number(((units % per) * 1_000_000_000n) / per)];
  };
  fc.assert(
    fc.property(
      fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
      fc.oneof(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0x80, max: 0x80 + 40 })),
      (units, resol) => {
        const ts = new TsResolution(resol);
        ts.convert(Number(units >> 32n), Number(units & 0xffffffffn));
        const [sec, nsec] = reference(units, resol);
        // Seconds beyond 2^53 cannot be exact doubles; compare through Number() on both sides.
        assert.equal(ts.sec, sec);
        assert.equal(ts.nsec, nsec);
      },
    ),
    { numRuns: 3000 },
  );
  // The usual resolutions near today's dates, plus 2^53 edges of the fast path.
  for (const units of [1_700_000_000_123_456n, 1_700_000_000_123_456_789n, (1n << 53n) - 1n, 1n << 53n, (1n << 64n) - 1n]) {
    for (const resol of [6, 9, 3]) {
      const ts = new TsResolution(resol);
      ts.convert(Number(units >> 32n), Number(units & 0xffffffffn));
      assert.deepEqual([ts.sec, ts.nsec], reference(units, resol), `${units} @ ${resol}`);
    }
  }
});

test('tshark reads the builder\'s mixed pcapng the same way (validates the test builder too)', { skip: !hasTshark() && !process.env.CI ? 'tshark is not installed (install Wireshark\'s command-line tools to run this check)' : false }, async () => {
  const { bytes } = mixedFile();
  const path = tmpFile(bytes);
  const out = execFileSync('tshark', ['-r', path, '-T', 'fields', '-e', 'frame.interface_id', '-e', 'frame.time_epoch', '-e', 'frame.cap_len', '-e', 'udp.srcport'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  // tshark also lists custom blocks as records (no interface id): only packets are compared. Times:
  // an SPB has none (tshark prints nothing, we say 0), and tshark 4.0 gets picosecond interfaces wrong
  // (12345.678901234567 s prints as 12345.014818447: remainder × 10^9 wraps at 2^64), so the
  // picosecond frame's time is left out.
  const theirs = out
    .replace(/\n$/, '') // not trim(): a line may start with empty fields
    .split('\n')
    .map((l) => l.split('\t'))
    .filter((f) => f[0] !== '')
    .map(([ifId, time, cap, port]) => ({ ifId: Number(ifId), time: time === '' ? '0.000000000' : time!, cap: Number(cap), port: Number(port) }));
  const ours = (await readAll(path)).seen.map((s) => ({
    ifId: s.interfaceId,
    time: `${s.tsSec}.${String(s.tsNsec).padStart(9, '0')}`,
    cap: s.caplen,
    port: Number(/:(\d+)>/.exec(s.udp)![1]),
  }));
  assert.equal(theirs.length, 8);
  const pico = 5;
  assert.equal(ours[pico]!.time, '12345.678901234');
  theirs[pico]!.time = ours[pico]!.time;
  assert.deepEqual(theirs, ours);
});

function hasTshark(): boolean {
  return spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;
}
