// Typed login errors, timeouts, redirects, and the link's sequence numbers and retransmission.
import { test } from 'node:test';
import { createSocket } from 'node:dgram';
import assert from 'node:assert/strict';
import {
  Client, LoginRefusedError, RedirectRefusedError, TimeoutError, UnknownUserError, WrongPasswordError, parseServer,
} from '../../src/client/index.js';
import { Link } from '../../src/client/link.js';
import { ManualClock } from '../../src/transport/clock.js';
import { cryptoRandom, type RandomSource } from '../../src/protocol/random.js';
import { decodePacket, encodePacket } from '../../src/protocol/framing.js';
import { teaEncrypt } from '../../src/protocol/tea.js';
import { ModernCmd } from '../../src/protocol/commands.js';
import * as M from '../../src/protocol/bodies/modern/index.js';
import { UdpPeer } from '../helpers/udp.js';
import { ALICE, Clients, FAST_RETRY, serverWith } from './fixtures.js';

/** A random source whose first bytes are given, then the CSPRNG. */
function startingWith(first: Buffer): RandomSource {
  let left = Buffer.from(first);
  return (n) => {
    if (left.length >= n) {
      const out = left.subarray(0, n);
      left = left.subarray(n);
      return Buffer.from(out);
    }
    return cryptoRandom(n);
  };
}

for (const framing of ['modern', 'classic'] as const) {
  test(`${framing}: wrong password, unknown user and cool-down are typed errors; a failed login leaves no socket`, async () => {
    const { server, port } = await serverWith([ALICE], [], { guard: { maxFailures: 3, cooldownMs: 60_000 } });
    const cs = new Clients();
    try {
      const unknown = cs.make({ uid: 99999, password: 'x' }, port, framing);
      await assert.rejects(unknown.login(), (e: unknown) => e instanceof UnknownUserError && e.uid === 99999);
      assert.equal(unknown.state, 'idle');
      assert.equal(unknown.localPort, 0);

      const wrong = cs.make({ uid: ALICE.uid, password: 'not-it' }, port, framing);
      await assert.rejects(wrong.login(), WrongPasswordError);
      assert.equal(wrong.localPort, 0);
      await assert.rejects(wrong.login(), WrongPasswordError, 'login() may be tried again');
      await assert.rejects(wrong.login(), WrongPasswordError);
      // Third failure for this uid from this address starts a slow-down: now even the right password is refused
      // from here (the address never logged in as this uid).
      const right = cs.make(ALICE, port, framing);
      await assert.rejects(right.login(), LoginRefusedError);
      assert.equal(server.hub.get(ALICE.uid), undefined);
    } finally {
      await cs.closeAll();
      await server.close();
    }
  });
}

test('no server: retransmits the same datagram, then TimeoutError naming the server; nothing left open', async () => {
  const silent = await UdpPeer.open(0);
  const c = new Client({ uid: ALICE.uid, password: 'pw', server: `127.0.0.1:${silent.port}`, retry: { intervalMs: 20, maxTries: 3 } });
  try {
    await assert.rejects(c.login(), (e: unknown) => {
      assert.ok(e instanceof TimeoutError);
      assert.equal(e.server, `127.0.0.1:${silent.port}`);
      assert.equal(e.command, ModernCmd.TOUCH);
      assert.equal(e.tries, 3);
      assert.match(e.message, new RegExp(`no answer from 127\\.0\\.0\\.1:${silent.port}`));
      return true;
    });
    const got = silent.drain();
    assert.equal(got.length, 3);
    assert.ok(got.every((b) => b.equals(got[0]!)), 'a retransmission is the same datagram (same seq)');
    assert.equal(c.localPort, 0);
  } finally {
    await c.close();
    silent.close();
  }
});

test('a touch redirect is followed once (same port, the redirect blob in the next touch); a second is refused', async () => {
  const seed = await UdpPeer.open(0);
  // The node the seed names: another loopback address, the seed's port (a touch redirect carries an IP only).
  const node = createSocket('udp4');
  await new Promise<void>((r) => node.bind(seed.socket.address().port, '127.0.0.2', r));
  const atNode: Buffer[] = [];
  const nodeGot = new Promise<Buffer>((resolve) => node.on('message', (b) => { atNode.push(b); resolve(b); }));
  const c = new Client({ uid: ALICE.uid, password: 'pw', server: `127.0.0.1:${seed.port}`, retry: FAST_RETRY });
  const redirectTo = (bytes: Buffer, ip: number, send: (b: Buffer) => void) => {
    const p = decodePacket(bytes, 'c2s');
    assert.ok(p.ok && p.value.command === ModernCmd.TOUCH && p.value.uid === ALICE.uid);
    const opened = M.unwrapKeyPrefixed(p.value.body);
    assert.ok(opened.ok);
    const reply = M.touchReply.encode({
      ok: true, serverTime: 1_700_000_000, serverIp: 0x7f000001, loginToken: Buffer.alloc(24, 1),
      redirect: { flag: 1, count: 1, ispId: 0, unknown: 0, serverIp: ip },
    });
    send(encodePacket({ direction: 's2c', version: p.value.version, command: ModernCmd.TOUCH, seq: p.value.seq, uid: ALICE.uid, body: teaEncrypt(reply, opened.value.key) }));
    return M.touchRequest.decode(opened.value.plain);
  };
  try {
    const login = c.login();
    const first = redirectTo(await seed.next(), 0x7f000002, (b) => seed.socket.send(b, c.localPort, '127.0.0.1'));
    assert.deepEqual(first.serverBlob, Buffer.alloc(15), 'the first touch has a zero server blob');
    const second = redirectTo(await nodeGot, 0x0a000001, (b) => node.send(b, c.localPort, '127.0.0.1'));
    assert.equal(second.serverBlob.toString('hex'), '0101' + '00000000' + '00000000' + '7f000002' + '00', 'the redirect echoed in the blob');
    await assert.rejects(login, (e: unknown) => e instanceof RedirectRefusedError && e.target === '10.0.0.1');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(atNode.length, 1, 'no login request after the second redirect');
    assert.equal(seed.drain().length, 0, 'nothing more to the seed');
  } finally {
    await c.close();
    seed.close();
    node.close();
  }
});

test('sequence numbers are u16, increment per request, wrap and skip 0; retries reuse the seq on the clock', async () => {
  const peer = await UdpPeer.open(0);
  const clock = new ManualClock();
  const link = new Link({
    host: '127.0.0.1', port: peer.port, framing: 'modern', version: 0x3639, uid: ALICE.uid, clock,
    random: startingWith(Buffer.from('fffd', 'hex')), retry: { intervalMs: 3000, maxTries: 5 },
  });
  try {
    await link.open();
    assert.deepEqual([link.nextSeq(), link.nextSeq(), link.nextSeq()], [0xfffe, 0xffff, 1]);
    const req = link.request(ModernCmd.KEEP_ALIVE, Buffer.alloc(16));
    const seqs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const b = await peer.next();
      const p = decodePacket(b, 'c2s');
      assert.ok(p.ok);
      seqs.push(p.value.seq);
      clock.advance(3000);
    }
    assert.deepEqual(seqs, [2, 2, 2, 2, 2]);
    await assert.rejects(req, (e: unknown) => e instanceof TimeoutError && e.tries === 5 && e.seq === 2);
    assert.equal(clock.pending, 0);
    assert.equal(link.nextSeq(), 3);
  } finally {
    await link.close();
    peer.close();
  }
});

test('options: framing from the version tag, defaults, and bad input', () => {
  assert.deepEqual(parseServer('example.org'), { host: 'example.org', port: 8000 });
  assert.deepEqual(parseServer('127.0.0.1:9000'), { host: '127.0.0.1', port: 9000 });
  assert.throws(() => parseServer('a:b:c'), RangeError);
  const m = new Client({ uid: 1, password: 'p' });
  assert.deepEqual([m.framing, m.version, m.server], ['modern', 0x3639, '127.0.0.1:8000']);
  const c = new Client({ uid: 1, password: 'p', framing: 'classic' });
  assert.deepEqual([c.framing, c.version], ['classic', 0x0d55]);
  assert.equal(new Client({ uid: 1, password: 'p', version: 0x0e1b }).framing, 'classic');
  assert.throws(() => new Client({ uid: 1, password: 'p', framing: 'classic', version: 0x3639 }), RangeError);
  assert.throws(() => new Client({ uid: 0, password: 'p' }), RangeError);
});

