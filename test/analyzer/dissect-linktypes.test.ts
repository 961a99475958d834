// The dissector on hand-built captures (test/helpers/pcap-build.ts): every link type, both pcap flavours
// and byte orders, pcapng with several interfaces, IPv6, truncated and corrupt files. The detail path
// (decodeUdp) and the summary's fast path must see the same packets.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dissectFile, type DissectedPacket } from '../../src/analyzer/dissect.js';
import { LINKTYPE } from '../../src/analyzer/net.js';
import { epb, ethernet, idb, ipv4, ipv6, nullLink, pcapFile, shb, sll, sll2, udp, tsresol, type Endian } from '../helpers/pcap-build.js';
import { hex, lazy, VECTORS } from '../helpers/vectors.js';
import { vectorSessions } from './dissect-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'oicq-dissect-lt-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

describe('link types and file formats around the recorded pidgin session (../shared/vectors)', () => {
  // Read on first use, inside a test.
  const rec = lazy(() => {
    const packets = vectorSessions('classic-sessions.json')[0]!.packets;
    return { packets, expected: packets.map((p) => [p.command, p.seq, p.dir]) };
  });

  /** The IP packet of recorded datagram i (v4 or v6). */
  function ip(i: number, v6 = false): Buffer {
    const p = rec().packets[i]!;
    const c2s = p.dir === 'c2s';
    const u = udp(c2s ? 40000 : 8000, c2s ? 8000 : 40000, hex(p.hex));
    return v6 ? ipv6({ src: c2s ? '2001:db8::2' : '2001:db8::1', dst: c2s ? '2001:db8::1' : '2001:db8::2', payload: u }) : ipv4({ src: c2s ? '10.0.0.2' : '10.0.0.1', dst: c2s ? '10.0.0.1' : '10.0.0.2', payload: u });
  }

  const LINKS: [string, number, (i: number) => Buffer][] = [
    ['ethernet', LINKTYPE.ETHERNET, (i) => ethernet(0x0800, ip(i))],
    ['ethernet+vlan', LINKTYPE.ETHERNET, (i) => ethernet(0x0800, ip(i), { vlans: [{ tpid: 0x8100, vid: 7 }], padTo: 64 })],
    ['ethernet ipv6', LINKTYPE.ETHERNET, (i) => ethernet(0x86dd, ip(i, true))],
    ['linux sll', LINKTYPE.LINUX_SLL, (i) => sll(0x0800, ip(i))],
    ['linux sll2', LINKTYPE.LINUX_SLL2, (i) => sll2(0x0800, ip(i))],
    ['raw', LINKTYPE.RAW, (i) => ip(i)],
    ['ipv4', LINKTYPE.IPV4, (i) => ip(i)],
    ['ipv6', LINKTYPE.IPV6, (i) => ip(i, true)],
    ['null le', LINKTYPE.NULL, (i) => nullLink(2, 'le', ip(i))],
    ['null be v6', LINKTYPE.NULL, (i) => nullLink(30, 'be', ip(i, true))],
    ['loop', LINKTYPE.LOOP, (i) => nullLink(2, 'be', ip(i))],
  ];

  async function both(path: string): Promise<{ detail: DissectedPacket[]; summaryOicq: number; error: string | null }> {
    const detail: DissectedPacket[] = [];
    const r = await dissectFile(path, { detail: true, credentials: [{ uid: 10002, password: 'secret123' }], chunkSize: 97 }, { packet: (p) => detail.push({ ...p }) });
    const s = await dissectFile(path, { chunkSize: 1000 });
    assert.deepEqual(s.summary.rows, r.summary.rows, 'fast and detail paths agree on the summary');
    return { detail, summaryOicq: s.summary.oicq, error: r.error ? `${r.error.reason}@${r.error.offset}` : null };
  }

  for (const [name, linkType, frame] of LINKS) {
    for (const [flavour, endian, nanos] of [['pcap µs le', 'le', false], ['pcap ns be', 'be', true]] as const) {
      test(`${name}, ${flavour}: every packet, its direction and its decrypted body`, VECTORS, async () => {
        const { packets, expected } = rec();
        const path = join(dir, `${name}-${flavour}.pcap`.replace(/\W+/g, '_'));
        writeFileSync(path, pcapFile({ endian, nanos, linkType, records: packets.map((_, i) => ({ sec: 1_700_000_000 + i, frac: nanos ? 123_456_789 : 123_456, data: frame(i) })) }));
        const r = await both(path);
        assert.equal(r.error, null);
        assert.deepEqual(r.detail.map((p) => [p.command, p.seq, p.direction]), expected);
        assert.equal(r.summaryOicq, packets.length);
        assert.ok(r.detail.every((p) => p.session?.opened?.decoded.ok), 'every body decoded');
        assert.equal(r.detail[0]!.tsNsec, 123_456_789 - (nanos ? 0 : 789));
        const v6 = name.includes('v6');
        assert.equal(r.detail[0]!.src, v6 ? '[2001:db8::2]:40000' : '10.0.0.2:40000');
      });
    }
  }

  test('pcapng, both byte orders, interfaces of different link types in one section', VECTORS, async () => {
    const { packets, expected } = rec();
    for (const e of ['le', 'be'] as Endian[]) {
      const blocks = [shb(e), idb(e, { linkType: LINKTYPE.ETHERNET, options: [tsresol(9)] }), idb(e, { linkType: LINKTYPE.RAW })];
      packets.forEach((_, i) => blocks.push(epb(e, { ifId: i % 2, ts: BigInt(1_700_000_000 + i) * 1_000_000_000n, data: i % 2 === 0 ? ethernet(0x0800, ip(i)) : ip(i) })));
      const path = join(dir, `ng-${e}.pcapng`);
      writeFileSync(path, Buffer.concat(blocks));
      const r = await both(path);
      assert.equal(r.error, null);
      assert.deepEqual(r.detail.map((p) => [p.command, p.seq, p.direction]), expected);
      assert.ok(r.detail.some((p) => p.session?.opened?.decoded.ok && JSON.stringify(p.session.opened.decoded.value.value).includes('hello from pidgin')));
    }
  });

  test('truncated and corrupt files: everything before the fault is dissected, the fault names its offset', VECTORS, async () => {
    const { packets } = rec();
    const recs = packets.map((_, i) => ({ sec: 1_700_000_000, frac: i, data: ethernet(0x0800, ip(i)) }));
    const full = pcapFile({ endian: 'le', linkType: LINKTYPE.ETHERNET, records: recs });
    const seven = pcapFile({ endian: 'le', linkType: LINKTYPE.ETHERNET, records: recs.slice(0, 7) });
    const cut = join(dir, 'cut.pcap');
    writeFileSync(cut, full.subarray(0, seven.length + 10));
    const r = await both(cut);
    assert.equal(r.detail.length, 7);
    assert.equal(r.summaryOicq, 7);
    assert.equal(r.error, `truncated@${seven.length}`);
    // A record length that cannot be right.
    const bad = Buffer.from(full);
    bad.writeUInt32LE(0x7fffffff, seven.length + 8);
    const corrupt = join(dir, 'corrupt.pcap');
    writeFileSync(corrupt, bad);
    const c = await both(corrupt);
    assert.equal(c.detail.length, 7);
    assert.equal(c.error, `corrupt@${seven.length}`);
    const junk = join(dir, 'junk.bin');
    writeFileSync(junk, Buffer.from('GIF89a garbage'));
    assert.equal((await both(junk)).error, 'not_capture@0');
    await assert.rejects(dissectFile(join(dir, 'nope.pcap')), /ENOENT/);
  });
});
