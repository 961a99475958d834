import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeUdp, newUdpDatagram, ipv6String, LINKTYPE, type UdpDatagram } from '../../src/analyzer/net.js';
import { ethernet, sll, sll2, nullLink, ipv4, ipv6, ip6, udp, Bytes } from '../helpers/pcap-build.js';

const PAYLOAD = Buffer.from('hello oicq');
const dgram4 = (opts: Partial<Parameters<typeof ipv4>[0]> = {}): Buffer =>
  ipv4({ src: '192.0.2.10', dst: '198.51.100.20', payload: udp(4000, 8000, PAYLOAD), ...opts });
const dgram6 = (opts: Partial<Parameters<typeof ipv6>[0]> = {}): Buffer =>
  ipv6({ src: '2001:db8::10', dst: '2001:db8:0:1::20', payload: udp(4000, 8000, PAYLOAD), ...opts });

function expect4(u: UdpDatagram | null, frame: Buffer, what: string): void {
  assert.ok(u, what);
  assert.deepEqual(
    { ...u, payload: u.payload.toString() },
    { srcIp: '192.0.2.10', dstIp: '198.51.100.20', srcPort: 4000, dstPort: 8000, ipVersion: 4, payload: 'hello oicq', udpLength: 18, frameLength: frame.length, truncated: false },
    what,
  );
}
function expect6(u: UdpDatagram | null, frame: Buffer, what: string): void {
  assert.ok(u, what);
  assert.deepEqual(
    { ...u, payload: u.payload.toString() },
    { srcIp: '2001:db8::10', dstIp: '2001:db8:0:1::20', srcPort: 4000, dstPort: 8000, ipVersion: 6, payload: 'hello oicq', udpLength: 18, frameLength: frame.length, truncated: false },
    what,
  );
}

test('every link type carries IPv4 and IPv6 UDP', () => {
  const cases: [string, number, (ip: Buffer, v: 4 | 6) => Buffer][] = [
    ['ethernet', LINKTYPE.ETHERNET, (ip, v) => ethernet(v === 4 ? 0x0800 : 0x86dd, ip)],
    ['ethernet 802.1Q', LINKTYPE.ETHERNET, (ip, v) => ethernet(v === 4 ? 0x0800 : 0x86dd, ip, { vlans: [{ tpid: 0x8100, vid: 10 }] })],
    ['ethernet QinQ 88a8+8100', LINKTYPE.ETHERNET, (ip, v) => ethernet(v === 4 ? 0x0800 : 0x86dd, ip, { vlans: [{ tpid: 0x88a8, vid: 100 }, { tpid: 0x8100, vid: 10 }] })],
    ['ethernet QinQ 9100+8100', LINKTYPE.ETHERNET, (ip, v) => ethernet(v === 4 ? 0x0800 : 0x86dd, ip, { vlans: [{ tpid: 0x9100, vid: 100 }, { tpid: 0x8100, vid: 10 }] })],
    ['ethernet padded to 60', LINKTYPE.ETHERNET, (ip, v) => ethernet(v === 4 ? 0x0800 : 0x86dd, ip, { padTo: 100 })],
    ['linux sll', LINKTYPE.LINUX_SLL, (ip, v) => sll(v === 4 ? 0x0800 : 0x86dd, ip)],
    ['linux sll2', LINKTYPE.LINUX_SLL2, (ip, v) => sll2(v === 4 ? 0x0800 : 0x86dd, ip)],
    ['raw 101', LINKTYPE.RAW, (ip) => ip],
    ['raw 12', 12, (ip) => ip],
    ['raw 14', 14, (ip) => ip],
    ['null LE', LINKTYPE.NULL, (ip, v) => nullLink(v === 4 ? 2 : 30, 'le', ip)],
    ['null BE', LINKTYPE.NULL, (ip, v) => nullLink(v === 4 ? 2 : 24, 'be', ip)],
    ['null LE FreeBSD v6', LINKTYPE.NULL, (ip, v) => nullLink(v === 4 ? 2 : 28, 'le', ip)],
    ['loop', LINKTYPE.LOOP, (ip, v) => nullLink(v === 4 ? 2 : 28, 'be', ip)],
  ];
  for (const [name, lt, wrap] of cases) {
    const f4 = wrap(dgram4(), 4);
    expect4(decodeUdp(lt, f4), f4, `${name} v4`);
    const f6 = wrap(dgram6(), 6);
    expect6(decodeUdp(lt, f6), f6, `${name} v6`);
  }
  const f4 = dgram4();
  expect4(decodeUdp(LINKTYPE.IPV4, f4), f4, 'ipv4 228');
  assert.equal(decodeUdp(LINKTYPE.IPV4, dgram6()), null, 'v6 packet on the v4 link type');
  const f6 = dgram6();
  expect6(decodeUdp(LINKTYPE.IPV6, f6), f6, 'ipv6 229');
  assert.equal(decodeUdp(LINKTYPE.IPV6, dgram4()), null, 'v4 packet on the v6 link type');
});

test('non-IP, non-UDP and unknown link types decode to null', () => {
  assert.equal(decodeUdp(LINKTYPE.ETHERNET, ethernet(0x0806, Buffer.alloc(28))), null, 'ARP');
  assert.equal(decodeUdp(LINKTYPE.ETHERNET, ethernet(0x0800, dgram4({ proto: 6 }))), null, 'TCP');
  assert.equal(decodeUdp(LINKTYPE.ETHERNET, ethernet(0x86dd, dgram6({ next: 58 }))), null, 'ICMPv6');
  assert.equal(decodeUdp(LINKTYPE.ETHERNET, ethernet(0x05dc, dgram4())), null, '802.3 length field');
  assert.equal(decodeUdp(LINKTYPE.NULL, nullLink(7, 'le', dgram4())), null, 'unknown family');
  assert.equal(decodeUdp(147, dgram4()), null, 'user link type');
  assert.equal(decodeUdp(LINKTYPE.RAW, Buffer.from([0x20, 0, 0, 0])), null, 'IP version 2');
  assert.equal(decodeUdp(LINKTYPE.ETHERNET, ethernet(0x0800, dgram6())), null, 'ethertype and version disagree');
});

test('IPv4: IHL with options, total length trims padding, fragments', () => {
  const opts = Buffer.from([0x94, 0x04, 0, 0, 1, 1, 1, 0]); // router alert + NOPs + EOL: 8 bytes
  const withOpts = dgram4({ options: opts });
  expect4(decodeUdp(LINKTYPE.RAW, withOpts), withOpts, 'IHL 7');
  const padded = Buffer.concat([dgram4(), Buffer.alloc(9, 0xee)]);
  expect4(decodeUdp(LINKTYPE.RAW, padded), padded, 'trailing bytes after total length');
  assert.equal(decodeUdp(LINKTYPE.RAW, dgram4({ fragOffset: 185 })), null, 'non-first fragment');
  const first = dgram4({ moreFragments: true, payload: udp(4000, 8000, PAYLOAD, { length: 1480 }) });
  const u = decodeUdp(LINKTYPE.RAW, first);
  assert.ok(u);
  assert.equal(u.udpLength, 1480);
  assert.equal(u.truncated, true);
  assert.equal(u.payload.toString(), 'hello oicq');
  const tso = dgram4({ totalLength: 0 });
  expect4(decodeUdp(LINKTYPE.RAW, tso), tso, 'total length 0 (offload)');
  assert.equal(decodeUdp(LINKTYPE.RAW, dgram4({ totalLength: 12 })), null, 'total length below the header');
  const badIhl = dgram4();
  badIhl[0] = 0x44;
  assert.equal(decodeUdp(LINKTYPE.RAW, badIhl), null, 'IHL below 5');
});

test('IPv6: extension headers are walked; non-first fragments are skipped', () => {
  const chain = dgram6({ ext: [{ type: 0 }, { type: 43 }, { type: 44 }, { type: 60 }, { type: 51 }] });
  expect6(decodeUdp(LINKTYPE.RAW, chain), chain, 'hop-by-hop, routing, fragment 0, destination options, AH');
  assert.equal(decodeUdp(LINKTYPE.RAW, dgram6({ ext: [{ type: 44, fragOffset: 100 }] })), null, 'non-first fragment');
  assert.equal(decodeUdp(LINKTYPE.RAW, dgram6({ ext: [{ type: 0 }], next: 6 })), null, 'TCP after hop-by-hop');
  const padded = Buffer.concat([dgram6(), Buffer.alloc(5)]);
  expect6(decodeUdp(LINKTYPE.RAW, padded), padded, 'bytes after the payload length');
  const jumbo = dgram6({ payloadLength: 0 });
  expect6(decodeUdp(LINKTYPE.RAW, jumbo), jumbo, 'payload length 0');
});

test('UDP length versus the captured length', () => {
  const long = dgram4({ payload: udp(1, 2, Buffer.alloc(100, 0x61)) });
  const snapped = long.subarray(0, 20 + 8 + 30);
  const u = decodeUdp(LINKTYPE.RAW, snapped);
  assert.ok(u);
  assert.equal(u.udpLength, 108);
  assert.equal(u.payload.length, 30);
  assert.equal(u.truncated, true);
  const shortLen = dgram4({ payload: udp(1, 2, Buffer.from('abcdef'), { length: 11 }) });
  assert.equal(decodeUdp(LINKTYPE.RAW, shortLen)?.payload.toString(), 'abc', 'UDP length shorter than the IP payload wins');
  assert.equal(decodeUdp(LINKTYPE.RAW, dgram4({ payload: udp(1, 2, Buffer.alloc(4), { length: 7 }) })), null, 'UDP length below 8');
  const empty = decodeUdp(LINKTYPE.RAW, dgram4({ payload: udp(1, 2, Buffer.alloc(0)) }));
  assert.equal(empty?.payload.length, 0);
  assert.equal(empty?.udpLength, 8);
});

test('payload is a view into the frame, and `out` is reused', () => {
  const frame = ethernet(0x0800, dgram4());
  const out = newUdpDatagram();
  const r = decodeUdp(LINKTYPE.ETHERNET, frame, out);
  assert.equal(r, out);
  assert.equal(r.payload.buffer, frame.buffer);
  assert.equal(r.payload.byteOffset, frame.byteOffset + 14 + 20 + 8);
  const r2 = decodeUdp(LINKTYPE.RAW, dgram6(), out);
  assert.equal(r2, out);
  assert.equal(out.ipVersion, 6);
  assert.equal(decodeUdp(LINKTYPE.RAW, Buffer.alloc(3), out), null);
});

test('every prefix of a valid frame decodes to null or to a bounded datagram, never throws', () => {
  const frames: [number, Buffer][] = [
    [LINKTYPE.ETHERNET, ethernet(0x86dd, dgram6({ ext: [{ type: 0 }, { type: 44 }] }), { vlans: [{ tpid: 0x88a8, vid: 1 }, { tpid: 0x8100, vid: 2 }] })],
    [LINKTYPE.LINUX_SLL2, sll2(0x0800, dgram4({ options: Buffer.alloc(12, 1) }))],
    [LINKTYPE.LINUX_SLL, sll(0x8100, Buffer.concat([Buffer.from([0, 5, 0x08, 0]), dgram4()]))],
    [LINKTYPE.NULL, nullLink(2, 'le', dgram4())],
  ];
  for (const [lt, f] of frames) {
    const full = decodeUdp(lt, f);
    assert.ok(full, `link ${lt} full frame`);
    for (let n = 0; n < f.length; n++) {
      const u = decodeUdp(lt, f.subarray(0, n));
      if (u) {
        assert.ok(u.payload.length < full.payload.length, `link ${lt} prefix ${n}`);
        assert.equal(u.truncated, true);
      }
    }
  }
});

test('random bytes on every link type never throw', () => {
  const types = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 9999];
  fc.assert(
    fc.property(fc.constantFrom(...types), fc.uint8Array({ maxLength: 120 }), fc.constantFrom(0x45, 0x46, 0x60, 0x00), (lt, bytes, first) => {
      const b = Buffer.from(bytes);
      if (b.length > 0) b[0] = first; // bias raw IP toward plausible headers
      const u = decodeUdp(lt, b);
      if (u) assert.ok(u.payload.length <= b.length);
    }),
    { numRuns: 5000 },
  );
});

test('IPv6 addresses print in RFC 5952 form', () => {
  const cases: [string, string][] = [
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['fe80:0:0:0:0:0:0:0', 'fe80::'],
    ['0:0:0:0:0:ffff:c000:201', '::ffff:192.0.2.1'],
    ['abcd:ef01:2345:6789:abcd:ef01:2345:6789', 'abcd:ef01:2345:6789:abcd:ef01:2345:6789'],
  ];
  for (const [full, want] of cases) assert.equal(ipv6String(ip6(full), 0), want, full);
  // ip6 of a zero-compressed form must read back the same.
  assert.equal(ipv6String(new Bytes().bytes(ip6('2001:db8::1')).done(), 0), '2001:db8::1');
});
