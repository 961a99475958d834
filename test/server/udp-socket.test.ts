// The server's UDP socket (src/transport/udp-socket.ts): the native one (native/udp.c, recvmmsg into a shared slab)
// must hand over exactly what node:dgram would: every datagram, its bytes in a buffer of its own, its sender's
// address and port; and bind errors with node's codes. Checked at the wire against plain node:dgram peers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { bindServerSocket, nativeUdp, NativeServerSocket, type ServerSocket, type UdpEndpoint } from '../../src/transport/udp-socket.js';
import { keepAliveReplyCodec } from '../../src/protocol/bodies/classic/index.js';
import { ClassicDriver } from '../helpers/classic-driver.js';
import { seedAccounts, startServer } from '../helpers/udp.js';

const native = nativeUdp();
const NO_NATIVE = native.reason ? `skipped: ${native.reason}` : false;

test('the native UDP socket is built where CI runs (Linux): npm install builds it', { skip: process.platform !== 'linux' || !process.env.CI ? 'skipped: only CI on Linux must have it' : false }, () => {
  assert.equal(native.reason, undefined);
  assert.equal(native.binding!.SLOTS, 32);
});

async function peer(address: string): Promise<{ socket: Socket; got: Buffer[] }> {
  // Room for a whole burst of replies (150, one of 64 KiB), which the server sends before this process reads any.
  const socket = createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
  const got: Buffer[] = [];
  socket.on('message', (b) => got.push(b));
  await new Promise<void>((r) => socket.bind(0, address, r));
  return { socket, got };
}

async function waitFor(cond: () => boolean, what: () => string): Promise<void> {
  const end = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

for (const mode of ['native', 'dgram'] as const) {
  test(`${mode} socket: every datagram of bursts longer than a batch, exact bytes in buffers of their own, senders by address and port, replies at the wire`, { skip: mode === 'native' && NO_NATIVE }, async () => {
    const s: ServerSocket = await bindServerSocket('127.0.0.1', 0, mode);
    assert.equal(s.kind, mode);
    const got: { bytes: Buffer; from: UdpEndpoint }[] = [];
    s.start((bytes, from) => {
      got.push({ bytes, from });
      s.send(Buffer.concat([Buffer.from('re:'), bytes]), from.port, from.address);
    }, (err) => assert.fail(err));
    const peers = await Promise.all(['127.0.0.1', '127.0.0.2', '127.0.0.3'].map(peer));
    try {
      const port = s.address().port;
      assert.equal(s.address().address, '127.0.0.1');
      // 150 per peer sent in one turn: the native reader takes 32 per call and 4 calls per wake-up, so it must come
      // back for the rest. Sizes vary; one datagram is empty and one is the largest IPv4 allows.
      const sizeOf = (i: number): number => (i === 7 ? 0 : i === 100 ? 65_507 - 3 : 1 + ((i * 37) % 900));
      const payload = (p: number, i: number): Buffer => {
        const b = Buffer.alloc(sizeOf(i));
        for (let k = 0; k < b.length; k++) b[k] = (p * 31 + i * 7 + k) & 0xff;
        return b;
      };
      for (let i = 0; i < 150; i++) for (const [p, x] of peers.entries()) x.socket.send(payload(p, i), port, '127.0.0.1');
      await waitFor(() => got.length === 450 && peers.every((x) => x.got.length === 150), () => `every datagram and every reply (${got.length} in, ${peers.map((x) => x.got.length).join('/')} back)`);
      for (const [p, x] of peers.entries()) {
        const mine = got.filter((g) => g.from.address === `127.0.0.${p + 1}`);
        assert.equal(mine.length, 150);
        for (const g of mine) assert.equal(g.from.port, x.socket.address().port);
        // Kept buffers still hold their own bytes after every later batch (none is a view into a reused slab).
        assert.deepEqual(mine.map((g) => g.bytes), Array.from({ length: 150 }, (_, i) => payload(p, i)), `peer ${p}: bytes in order`);
        assert.deepEqual(x.got, Array.from({ length: 150 }, (_, i) => Buffer.concat([Buffer.from('re:'), payload(p, i)])), `peer ${p}: replies`);
      }
    } finally {
      for (const x of peers) x.socket.close();
      await s.close();
    }
  });

  test(`${mode} socket: bind errors carry node's codes; a closed socket's port is free at once`, { skip: mode === 'native' && NO_NATIVE }, async () => {
    const s = await bindServerSocket('127.0.0.1', 0, mode);
    const port = s.address().port;
    await assert.rejects(bindServerSocket('127.0.0.1', port, mode), (e: NodeJS.ErrnoException) => e.code === 'EADDRINUSE' && e.syscall === 'bind');
    await assert.rejects(bindServerSocket('192.0.2.1', 0, mode), (e: NodeJS.ErrnoException) => e.code === 'EADDRNOTAVAIL');
    await s.close();
    const again = await bindServerSocket('127.0.0.1', port, mode);
    assert.equal(again.address().port, port);
    await again.close();
  });
}

test('native socket: sends wait in order while the send buffer is full, go when it has room; other errors are reported', { skip: NO_NATIVE }, () => {
  const b = native.binding!;
  const sent: number[] = [];
  let full = true;
  const writable: boolean[] = [];
  let onWritable = (): void => {};
  const fake = {
    SLOTS: b.SLOTS, SLOT_BYTES: b.SLOT_BYTES,
    open: () => b.open(0x7f000001, 0, 0, 0),
    address: (h: never) => b.address(h),
    start: (_h: never, _s: Buffer, _m: Int32Array, _b: unknown, w: () => void) => ((onWritable = w), 0),
    send: (_h: never, bytes: Buffer) => (full ? -11 : bytes[0] === 0xee ? -90 : (sent.push(bytes[0]!), bytes.length)),
    writable: (_h: never, on: boolean) => (writable.push(on), 0),
    close: (h: never) => b.close(h),
  };
  const s = NativeServerSocket.bind(fake as unknown as typeof b, '127.0.0.1', 0);
  const errors: string[] = [];
  s.start(() => {}, (e) => errors.push((e as NodeJS.ErrnoException).code ?? e.message));
  s.send(Buffer.from([1]), 9, '127.0.0.9');
  s.send(Buffer.from([2]), 9, '127.0.0.9');
  assert.deepEqual(sent, [], 'the buffer is full: both wait');
  assert.deepEqual(writable, [true], 'asked once to be told when there is room');
  full = false;
  s.send(Buffer.from([3]), 9, '127.0.0.9');
  assert.deepEqual(sent, [], 'a send behind waiting ones waits too (order)');
  onWritable();
  assert.deepEqual(sent, [1, 2, 3]);
  assert.deepEqual(writable, [true, false], 'and stops asking once the queue is empty');
  s.send(Buffer.from([0xee]), 9, '127.0.0.9');
  s.send(Buffer.from([4]), 9, 'example.org');
  assert.deepEqual(errors, ['EMSGSIZE', 'send: example.org is not a dotted IPv4 address']);
  s.send(Buffer.from([5]), 9, '127.0.0.9');
  assert.deepEqual(sent, [1, 2, 3, 5]);
  void s.close();
  s.send(Buffer.from([6]), 9, '127.0.0.9');
  assert.deepEqual(sent, [1, 2, 3, 5], 'nothing is sent after close');
});

test('the server on node:dgram (--udp dgram) logs in and keeps alive as on the native socket', async () => {
  const { server, store } = await startServer({ udp: 'dgram' });
  seedAccounts(store, [{ uid: 93101, password: 'dgram-a' }]);
  const a = await ClassicDriver.open(server.address.port, 93101, 'dgram-a');
  try {
    assert.equal((server as unknown as { socket: ServerSocket }).socket.kind, 'dgram');
    assert.equal((await a.login()).kind, 'success');
    const ka = keepAliveReplyCodec.decode(await a.keepAlive());
    assert.equal(ka.form, 'text');
    if (ka.form === 'text') assert.deepEqual([ka.clientIp, ka.clientPort], ['127.0.0.1', a.peer.port], 'the endpoint the socket reported');
  } finally {
    a.peer.socket.close();
    await server.close();
  }
});
