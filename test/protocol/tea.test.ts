import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { teaEncrypt, teaDecrypt, teaEncryptBlock, teaDecryptBlock, teaCipherLength } from '../../src/protocol/tea.js';
import { replayRandom, cryptoRandom } from '../../src/protocol/random.js';
import { passwordKey, passwordMd5, imKey, md5 } from '../../src/protocol/keys.js';
import { lazy, loadVectors, hex, VECTORS } from '../helpers/vectors.js';

interface TeaVectors {
  block: { key: string; plain: string; cipher: string }[];
  encrypt: { name: string; key: string; random: string; plain: string; cipher: string }[];
  reject: { why: string; key: string; cipher: string }[];
  keys: Record<string, string>[];
}
describe('TEA vectors (../shared/vectors/tea.json)', () => {
  const tea = lazy(() => loadVectors<TeaVectors>('tea.json'));

  test('block vectors: 16-round TEA both ways', VECTORS, () => {
    const v = tea();
    assert.ok(v.block.length > 0);
    for (const b of v.block) {
      assert.equal(teaEncryptBlock(hex(b.plain), hex(b.key)).toString('hex'), b.cipher);
      assert.equal(teaDecryptBlock(hex(b.cipher), hex(b.key)).toString('hex'), b.plain);
    }
  });

  test('encryption vectors reproduce byte for byte with the spelled-out random bytes', VECTORS, () => {
    const v = tea();
    assert.ok(v.encrypt.length >= 10);
    for (const e of v.encrypt) {
      const c = teaEncrypt(hex(e.plain), hex(e.key), replayRandom(hex(e.random)));
      assert.equal(c.toString('hex'), e.cipher, e.name);
      assert.equal(c.length, teaCipherLength(e.plain.length / 2), e.name);
      const p = teaDecrypt(hex(e.cipher), hex(e.key));
      assert.ok(p, `${e.name} decrypts`);
      assert.equal(p.toString('hex'), e.plain, e.name);
    }
  });

  test('every reject vector is rejected', VECTORS, () => {
    const v = tea();
    assert.ok(v.reject.length > 0);
    for (const r of v.reject) assert.equal(teaDecrypt(hex(r.cipher), hex(r.key)), null, r.why);
  });

  test('key derivations: password key = MD5(MD5(pw)), IM key = MD5(uid ‖ session key)', VECTORS, () => {
    const v = tea();
    let checked = 0;
    for (const k of v.keys) {
      if (k.password !== undefined) {
        if (k.md5) assert.equal(passwordMd5(k.password).toString('hex'), k.md5);
        if (k.pwd_key) assert.equal(passwordKey(k.password).toString('hex'), k.pwd_key);
        checked++;
      }
      if (k.uid !== undefined && k.session_key && k.im_key) {
        assert.equal(imKey(Number(k.uid), hex(k.session_key)).toString('hex'), k.im_key);
        checked++;
      }
    }
    assert.equal(checked, v.keys.length, 'every keys entry was recognised and checked');
  });
});

test('property: decrypt(encrypt(x)) = x for any data and key', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), fc.uint8Array({ minLength: 16, maxLength: 16 }), (data, key) => {
      const c = teaEncrypt(data, key);
      assert.equal(c.length % 8, 0);
      assert.ok(c.length >= 16);
      assert.deepEqual(teaDecrypt(c, key), Buffer.from(data));
    }),
  );
});

test('property: a key given as its four words, signed or not, is the same key (a server session holds its session key so)', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ minLength: 16, maxLength: 16 }), (data, key) => {
    const b = Buffer.from(key);
    const signed = { k0: b.readInt32BE(0), k1: b.readInt32BE(4), k2: b.readInt32BE(8), k3: b.readInt32BE(12) };
    const unsigned = { k0: b.readUInt32BE(0), k1: b.readUInt32BE(4), k2: b.readUInt32BE(8), k3: b.readUInt32BE(12) };
    const sevens = (n: number) => Buffer.alloc(n, 7);
    const c = teaEncrypt(data, signed, sevens);
    assert.deepEqual(c, teaEncrypt(data, key, sevens));
    assert.deepEqual(teaEncrypt(data, unsigned, sevens), c);
    assert.deepEqual(teaDecrypt(c, signed), Buffer.from(data));
    assert.deepEqual(teaDecrypt(c, unsigned), Buffer.from(data));
  }));
  assert.throws(() => teaDecrypt(Buffer.alloc(16), new Uint8Array(32)), /QQ-TEA key must be 16 bytes, got 32/);
});

test('property: a wrong key is almost never accepted, and never throws', () => {
  const key = md5(Buffer.from('a'));
  const wrong = md5(Buffer.from('b'));
  let accepted = 0;
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (data) => {
      if (teaDecrypt(teaEncrypt(data, key), wrong) !== null) accepted++;
    }),
    { numRuns: 300 },
  );
  assert.ok(accepted <= 1, `wrong key accepted ${accepted} times`);
});

test('property: arbitrary bytes never throw', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (junk) => {
    const r = teaDecrypt(junk, Buffer.alloc(16));
    assert.ok(r === null || Buffer.isBuffer(r));
  }));
});

test('the default random source gives fresh, initialised bytes', () => {
  const a = cryptoRandom(32), b = cryptoRandom(32);
  assert.equal(a.length, 32);
  assert.notDeepEqual(a, b);
  const big = cryptoRandom(10000);
  assert.equal(big.length, 10000);
  assert.ok(big.some((x) => x !== 0));
});
