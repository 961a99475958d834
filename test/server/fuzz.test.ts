import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodePacket } from '../../src/protocol/framing.js';
import { decodeBody } from '../../src/protocol/commands.js';
import { DecodeError } from '../../src/protocol/errors.js';
import { seededRandom } from '../../src/protocol/random.js';
import { teaEncrypt } from '../../src/protocol/tea.js';
import { ClassicCmd } from '../../src/protocol/commands.js';
import { keepAliveRequestCodec, keepAliveReplyCodec } from '../../src/protocol/bodies/classic/index.js';
import { ClassicDriver } from '../helpers/classic-driver.js';
import { datagramFuzzer, seedDatagrams } from '../helpers/fuzz-gen.js';
import { startServer, seedAccounts, until } from '../helpers/udp.js';

test('property: random and mutated datagrams never make the decoders throw', () => {
  const seeds = seedDatagrams();
  fc.assert(fc.property(fc.integer(), fc.constantFrom<'c2s' | 's2c'>('c2s', 's2c'), (seed, dir) => {
    const next = datagramFuzzer(seededRandom(seed), seeds);
    for (let i = 0; i < 20; i++) {
      const r = decodePacket(next(), dir);
      if (!r.ok) continue;
      // Bodies are opaque ciphertext here; decoding them as plaintext must still only ever give a value or an error.
      const b = decodeBody(r.value.framing, r.value.command, dir, r.value.body);
      if (!b.ok) assert.ok(b.error instanceof DecodeError);
    }
  }), { numRuns: 500 });
});

test('a live server survives hostile datagrams (outside and inside a session), counts every one, and keeps serving', async () => {
  const { server, store } = await startServer({ guard: { preLoginPerSecond: 1_000_000, maxFailures: 1_000_000 } });
  seedAccounts(store, [{ uid: 10001, password: 'pw' }, { uid: 10002, password: 'pw2' }], [[10001, 10002]]);
  const victim = await ClassicDriver.open(server.address.port, 10001, 'pw');
  const attacker = await ClassicDriver.open(server.address.port, 10002, 'pw2');
  try {
    await victim.login();
    await attacker.login();
    const next = datagramFuzzer(seededRandom(42));
    const random = seededRandom(7);
    const N = 3000;
    for (let i = 0; i < N; i++) {
      if (i % 3 === 0) {
        // Inside a real session: valid encryption, hostile plaintext, any command.
        const plain = random(random(1)[0]! % 120);
        const cmd = [0x0002, 0x0006, 0x000d, 0x0016, 0x0017, 0x001d, 0x0026, 0x0027, 0x0058, 0x005c, 0x0001, 0x1234][random(1)[0]! % 12]!;
        attacker.peer.send(attacker.packet(cmd, teaEncrypt(plain, attacker.sessionKey)));
      } else attacker.peer.send(next());
      if (i % 200 === 0) await new Promise((r) => setImmediate(r));
    }
    await until(() => server.metrics.received >= N + 4, 10_000, 'all datagrams received');
    assert.equal(server.metrics.dropped.unexpected, 0, 'no handler threw');
    assert.ok(server.metrics.droppedTotal > N / 2, `dropped ${server.metrics.droppedTotal}`);
    // The victim's session still works.
    const ka = keepAliveReplyCodec.decode(await victim.request(ClassicCmd.KEEP_ALIVE, keepAliveRequestCodec.encode({ uid: 10001, form: 'u32' })));
    assert.ok(ka.form === 'text' && ka.onlineUsers >= 1);
    assert.equal(await victim.send(10002, 'still here'), 0);
  } finally {
    victim.close();
    attacker.close();
    await server.close();
  }
});
