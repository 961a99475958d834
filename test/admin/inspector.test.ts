import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClassicDriver } from '../helpers/classic-driver.js';
import { buildPcap } from '../../src/capture/pcap-writer.js';
import { ClassicCmd } from '../../src/protocol/commands.js';
import type { InspectPacket, InspectResult } from '../../src/analyzer/inspect.js';
import { ALICE, BOB, TOKEN, adminWorld, recordWire } from './harness.js';

const bytesOf = (p: InspectPacket, pane: 'wire' | 'plain', field: string, nth = 0) => {
  const f = p.fields.filter((x) => x.pane === pane && x.field === field)[nth];
  assert.ok(f, `${p.name} has no ${pane} field ${field}: ${JSON.stringify(p.fields)}`);
  return Buffer.from(pane === 'wire' ? p.wire : p.plain!, 'hex').subarray(f.start, f.end);
};

test('inspector: live ring and upload dissect with field byte ranges in the wire and decrypted panes; passwords decrypt; size cap', async () => {
  const w = await adminWorld({ maxUpload: 4096 });
  const wire = recordWire(w.server);
  const alice = await ClassicDriver.open(w.server.address.port, ALICE.uid, ALICE.password);
  const bob = await ClassicDriver.open(w.server.address.port, BOB.uid, BOB.password);
  try {
    await alice.login();
    await bob.login();
    const got = alice.receive();
    assert.equal(await bob.send(ALICE.uid, 'hello inspector'), 0);
    await got;

    const live = (await w.call('POST', '/api/inspect/live', { uid: BOB.uid, passwords: [{ uid: BOB.uid, password: BOB.password }] })).body as InspectResult;
    assert.ok(live.packets.length >= 4, JSON.stringify(live.packets.map((p) => p.name)));
    assert.ok(live.packets.every((p) => p.uid === undefined || p.uid === BOB.uid));
    const send = live.packets.find((p) => p.command === ClassicCmd.SEND_IM && p.direction === 'c2s')!;
    assert.equal(send.decrypt, 'opened');
    assert.equal(send.key, 'session key');
    // Header ranges point at the header's bytes; body ranges at the decrypted body's.
    assert.equal(bytesOf(send, 'wire', 'tag').toString('hex'), '02');
    assert.equal(bytesOf(send, 'wire', 'command').readUInt16BE(), ClassicCmd.SEND_IM);
    assert.equal(bytesOf(send, 'wire', 'uid').readUInt32BE(), BOB.uid);
    assert.equal(bytesOf(send, 'wire', 'tail').toString('hex'), '03');
    assert.equal(bytesOf(send, 'plain', 'receiver').readUInt32BE(), ALICE.uid);
    assert.equal(bytesOf(send, 'plain', 'text').toString(), 'hello inspector');
    assert.equal((send.decoded as { receiver: number }).receiver, ALICE.uid);
    const reply = live.packets.find((p) => p.peerFrame === send.frame && p.role === 'reply');
    assert.ok(reply && reply.replyMs !== undefined, 'the reply is paired with its request');
    assert.ok(live.sizes.some((r) => r.command === ClassicCmd.SEND_IM && r.direction === 'c2s' && r.count === 1));

    // Without the password the body stays one encrypted range.
    const plain = (await w.call('POST', '/api/inspect/live', { uid: BOB.uid })).body as InspectResult;
    const enc = plain.packets.find((p) => p.frame === send.frame)!;
    assert.equal(enc.decrypt, 'encrypted');
    assert.equal(enc.plain, undefined);
    assert.equal(bytesOf(enc, 'wire', 'body (encrypted)').length, enc.length - 11 - 1);

    // Upload: the same capture as a pcap file, the password in the header.
    const pcap = buildPcap(wire.slice(0, 6));
    const headers = { authorization: `Bearer ${TOKEN}`, 'x-oicq-passwords': Buffer.from(JSON.stringify([{ uid: ALICE.uid, password: ALICE.password }])).toString('base64') };
    const up = await fetch(new URL('/api/inspect/upload', w.admin.url), { method: 'POST', headers, body: pcap });
    assert.equal(up.status, 200);
    const uploaded = (await up.json()) as InspectResult;
    assert.equal(uploaded.packets.length, 6);
    const aliceLogin = uploaded.packets.find((p) => p.command === ClassicCmd.LOGIN && p.direction === 's2c' && p.client.endsWith(`:${alice.peer.port}`))!;
    assert.equal(aliceLogin.decrypt, 'opened');
    assert.equal(bytesOf(aliceLogin, 'plain', 'sessionKey').toString('hex'), alice.sessionKey.toString('hex'));

    const big = await fetch(new URL('/api/inspect/upload', w.admin.url), { method: 'POST', headers, body: Buffer.alloc(5000) });
    assert.equal(big.status, 413);
    const notCapture = await w.call('POST', '/api/inspect/upload', 'not a capture at all');
    assert.equal(notCapture.status, 200);
    assert.match((notCapture.body as InspectResult).error ?? '', /./);
    assert.equal((await w.call('POST', '/api/inspect/live', { uid: 'x' })).status, 400);
    assert.equal((await w.call('POST', '/api/inspect/live', {}, null)).status, 401);
    assert.equal((await w.call('POST', '/api/inspect/file', { name: '../etc/passwd' })).status, 404);
  } finally {
    alice.close();
    bob.close();
    await w.close();
  }
});

test('inspector: a qq2007 (0x111D) login from the live ring opens in its 2007/08 layout, 0x00DD to 0x0022', async () => {
  const w = await adminWorld();
  const alice = await ClassicDriver.open(w.server.address.port, ALICE.uid, ALICE.password, undefined, 0x111d);
  try {
    const { login } = await alice.login2007();
    assert.equal(login?.kind, 'success');
    // By address: the server's packets before the session carry no uid to filter by.
    const address = `127.0.0.1:${alice.peer.port}`;
    const live = (await w.call('POST', '/api/inspect/live', { address, passwords: [{ uid: ALICE.uid, password: ALICE.password }] })).body as InspectResult;
    const at = (cmd: number, dir: string) => live.packets.find((p) => p.command === cmd && p.direction === dir)!;
    for (const cmd of [ClassicCmd.SELECT_SERVER, ClassicCmd.LOGIN_TOKEN_EX, ClassicCmd.CHECK_PASSWORD, ClassicCmd.LOGIN]) {
      for (const dir of ['c2s', 's2c']) assert.equal(at(cmd, dir)?.decrypt, 'opened', `0x${cmd.toString(16)} ${dir}: ${at(cmd, dir)?.failure}`);
    }
    const reply = at(ClassicCmd.LOGIN, 's2c');
    assert.equal(reply.key, 'password key');
    assert.equal(bytesOf(reply, 'plain', 'sessionKey').toString('hex'), alice.sessionKey.toString('hex'));
    assert.equal(bytesOf(reply, 'plain', 'uid').readUInt32BE(), ALICE.uid);
    assert.equal(at(ClassicCmd.LOGIN, 'c2s').key, 'login key (after the clear login token)');
  } finally {
    alice.close();
    await w.close();
  }
});
