// The summary's zero-allocation UDP locator must agree with net.ts's decodeUdp wherever it answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeUdp, LINKTYPE } from '../../src/analyzer/net.js';
import { locateUdp4, newUdpLocation } from '../../src/analyzer/udp-fast.js';
import { ethernet, ipv4, ipv6, nullLink, sll, sll2, udp } from '../helpers/pcap-build.js';

function agree(linkType: number, frame: Buffer): boolean {
  const at = newUdpLocation();
  const fast = locateUdp4(linkType, frame, at);
  const ref = decodeUdp(linkType, frame);
  if (!fast) return false;
  assert.ok(ref, 'decodeUdp finds the datagram the fast path found');
  assert.equal(ref.ipVersion, 4);
  assert.deepEqual(
    [at.srcPort, at.dstPort, at.truncated, frame.subarray(at.start, at.end).toString('hex')],
    [ref.srcPort, ref.dstPort, ref.truncated, ref.payload.toString('hex')],
  );
  const ip = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  assert.deepEqual([ip(at.src), ip(at.dst)], [ref.srcIp, ref.dstIp]);
  return true;
}

const oicq = Buffer.from('020d55001647680000271203', 'hex');
const dgram = (opts: Parameters<typeof ipv4>[0]): Buffer => ipv4(opts);

test('every IPv4 link type the fast path knows gives what decodeUdp gives', () => {
  const ip = dgram({ src: '10.0.0.2', dst: '192.168.1.1', payload: udp(40000, 8000, oicq) });
  const cases: [number, Buffer][] = [
    [LINKTYPE.ETHERNET, ethernet(0x0800, ip)],
    [LINKTYPE.ETHERNET, ethernet(0x0800, ip, { vlans: [{ tpid: 0x8100, vid: 5 }, { tpid: 0x88a8, vid: 6 }], padTo: 120 })],
    [LINKTYPE.LINUX_SLL, sll(0x0800, ip)],
    [LINKTYPE.LINUX_SLL2, sll2(0x0800, ip)],
    [LINKTYPE.RAW, ip],
    [LINKTYPE.RAW_12, ip],
    [LINKTYPE.RAW_14, ip],
    [LINKTYPE.IPV4, ip],
    [LINKTYPE.NULL, nullLink(2, 'le', ip)],
    [LINKTYPE.NULL, nullLink(2, 'be', ip)],
    [LINKTYPE.LOOP, nullLink(2, 'be', ip)],
    [LINKTYPE.ETHERNET, ethernet(0x0800, dgram({ src: '1.2.3.4', dst: '5.6.7.8', payload: udp(1, 2, oicq), options: Buffer.alloc(8, 1) }))],
    [LINKTYPE.ETHERNET, ethernet(0x0800, dgram({ src: '1.2.3.4', dst: '5.6.7.8', payload: udp(1, 2, oicq, { length: 100 }) }))], // cut short
    [LINKTYPE.ETHERNET, ethernet(0x0800, dgram({ src: '1.2.3.4', dst: '5.6.7.8', payload: udp(1, 2, oicq), totalLength: 0 }))],
  ];
  for (const [lt, f] of cases) assert.ok(agree(lt, f), `link type ${lt} located`);
});

test('what the fast path declines (IPv6, fragments, not UDP, short) is left to decodeUdp', () => {
  const at = newUdpLocation();
  const v6 = ipv6({ src: '::1', dst: '::2', payload: udp(1, 8000, oicq) });
  assert.equal(locateUdp4(LINKTYPE.ETHERNET, ethernet(0x86dd, v6), at), false);
  assert.ok(decodeUdp(LINKTYPE.ETHERNET, ethernet(0x86dd, v6)));
  assert.equal(locateUdp4(LINKTYPE.ETHERNET, ethernet(0x0800, dgram({ src: '1.1.1.1', dst: '2.2.2.2', payload: udp(1, 2, oicq), fragOffset: 10 })), at), false);
  assert.equal(locateUdp4(LINKTYPE.ETHERNET, ethernet(0x0800, dgram({ src: '1.1.1.1', dst: '2.2.2.2', payload: udp(1, 2, oicq), proto: 6 })), at), false);
  assert.equal(locateUdp4(LINKTYPE.ETHERNET, Buffer.alloc(10), at), false);
  assert.equal(locateUdp4(999, Buffer.alloc(100), at), false);
});

test('property: on arbitrary bytes behind a valid-looking prefix the fast path never disagrees with decodeUdp', () => {
  const linkTypes = [LINKTYPE.ETHERNET, LINKTYPE.LINUX_SLL, LINKTYPE.LINUX_SLL2, LINKTYPE.RAW, LINKTYPE.IPV4, LINKTYPE.NULL, LINKTYPE.LOOP];
  // Runs and answers per link type: a fast path that always declined would agree vacuously, so it must answer too.
  const runs = new Map<number, number>();
  const located = new Map<number, number>();
  fc.assert(
    fc.property(fc.constantFrom(...linkTypes), fc.uint8Array({ maxLength: 80 }), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }), (lt, tail, total, udpLen) => {
      // Mostly-valid headers with random lengths and trailing bytes, so every branch is reached.
      const ipHead = Buffer.from('45000000000000004011000001020304050607080001000200000000', 'hex');
      ipHead.writeUInt16BE(total % 120, 2);
      ipHead.writeUInt16BE(udpLen % 120, 24);
      const ip = Buffer.concat([ipHead, Buffer.from(tail)]);
      const frame =
        lt === LINKTYPE.ETHERNET ? ethernet(0x0800, ip) : lt === LINKTYPE.LINUX_SLL ? sll(0x0800, ip) : lt === LINKTYPE.LINUX_SLL2 ? sll2(0x0800, ip) : lt === LINKTYPE.NULL || lt === LINKTYPE.LOOP ? nullLink(2, 'be', ip) : ip;
      const at = newUdpLocation();
      runs.set(lt, (runs.get(lt) ?? 0) + 1);
      if (locateUdp4(lt, frame, at) && agree(lt, frame)) located.set(lt, (located.get(lt) ?? 0) + 1);
    }),
    { numRuns: 2000 },
  );
  for (const lt of linkTypes) {
    const n = runs.get(lt) ?? 0;
    const yes = located.get(lt) ?? 0;
    assert.ok(n >= 100 && yes >= n / 4, `link type ${lt}: the fast path answered ${yes} of ${n} runs`);
  }
});
