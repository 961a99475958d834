// The status push on the wire, read by a raw client at its offsets: what the server fills into the block (the
// friend's address, port, status, version) must sit where the spec puts it, not only round-trip through the codec.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClassicDriver } from '../helpers/classic-driver.js';
import { seedAccounts, startServer } from '../helpers/udp.js';
import { ClassicCmd } from '../../src/protocol/commands.js';

const A = { uid: 93001, password: 'sp-a' };
const B = { uid: 93002, password: 'sp-b' };

test('classic 0x0081: the friend\'s uid, 01, its IP and port, status, version and key at their offsets, then my uid', async () => {
  const { server, store } = await startServer();
  seedAccounts(store, [A, B], [[A.uid, B.uid]]);
  const a = await ClassicDriver.open(server.address.port, A.uid, A.password);
  const b = await ClassicDriver.open(server.address.port, B.uid, B.password);
  try {
    assert.equal((await a.login()).kind, 'success');
    assert.equal((await b.login(30)).kind, 'success');
    const { plain: p } = await a.push(ClassicCmd.FRIEND_STATUS);
    const key = server.hub.get(B.uid)!.fileKey;
    assert.equal(p.length, 35);
    assert.equal(p.readUInt32BE(0), B.uid, 'uid at 0');
    assert.equal(p[4], 0x01, 'flag at 4');
    assert.equal(p.subarray(5, 9).join('.'), '127.0.0.1', 'ip at 5');
    assert.equal(p.readUInt16BE(9), b.peer.port, 'port at 9');
    assert.equal(p[11], 0, 'unknown at 11');
    assert.equal(p[12], 30, 'status at 12 (away)');
    assert.equal(p.readUInt16BE(13), 0x0d55, 'client version at 13');
    assert.deepEqual(p.subarray(15, 31), key, 'key at 15');
    assert.equal(p.readUInt32BE(31), A.uid, 'my uid at 31');
  } finally {
    a.close();
    b.close();
    await server.close();
  }
});
