// The key tracker (src/analyzer/sessions.ts) on the recorded sessions: every body opens with the key the
// recording names, decodes to the recorded plaintext, and the learned session key is the recorded one.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePacket } from '../../src/protocol/framing.js';
import { parseCredential, SessionTracker, type SessionResult } from '../../src/analyzer/sessions.js';
import { hex, VECTORS, type VectorSession } from '../helpers/vectors.js';
import { vectorSessions } from './dissect-fixtures.js';

function feed(tracker: SessionTracker, s: VectorSession, client = '127.0.0.1:40000'): SessionResult[] {
  return s.packets.map((p) => {
    const r = decodePacket(hex(p.hex), p.dir);
    assert.ok(r.ok, `packet ${p.command} decodes`);
    const v = r.value;
    return tracker.open({ framing: v.framing, direction: v.direction, command: v.command, seq: v.seq, ...(v.uid === undefined ? {} : { uid: v.uid }), client, body: v.body });
  });
}

const texts = (rs: SessionResult[]): string => JSON.stringify(rs.map((r) => (r.opened?.decoded.ok ? r.opened.decoded.value.value : null)));

test('parseCredential: uid:password, colons allowed in the password, clear errors that never quote the password', () => {
  assert.deepEqual(parseCredential('10002:secret123'), { uid: 10002, password: 'secret123' });
  assert.deepEqual(parseCredential('1:a:b'), { uid: 1, password: 'a:b' });
  assert.throws(() => parseCredential('hunter2'), (e: Error) => /no ':'/.test(e.message) && !e.message.includes('hunter2'));
  assert.throws(() => parseCredential('abc:pw'), /'abc' before the ':' is not a uid/);
  assert.throws(() => parseCredential('0:pw'), /not a uid/);
  assert.throws(() => parseCredential('4294967296:pw'), /not a uid/);
  assert.throws(() => parseCredential('5:'), /password after '5:' is empty/);
});

describe('key tracking on the recorded sessions (../shared/vectors)', () => {
  test('classic: with the password every body opens with the recorded key and decodes to the recorded plaintext', VECTORS, () => {
    const [s] = vectorSessions('classic-sessions.json');
    const rs = feed(new SessionTracker([{ uid: s!.uid, password: s!.password }]), s!);
    const expectKey: Record<string, string> = { none: 'clear', pwd_key: 'password key', session_key: 'session key' };
    rs.forEach((r, i) => {
      const p = s!.packets[i]!;
      assert.ok(r.opened, `packet ${i} (0x${p.command.toString(16)} ${p.dir}) opened: ${r.failure}`);
      assert.equal(r.opened.plain.toString('hex'), p.plain, `packet ${i} plaintext`);
      assert.ok(r.opened.decoded.ok, `packet ${i} decodes: ${r.opened.decoded.ok ? '' : r.opened.decoded.error.message}`);
      assert.equal(r.opened.key, p.key.startsWith('init_key') ? 'initial key (in clear)' : expectKey[p.key]);
    });
    const all = rs.flatMap((r) => r.notes).join('\n');
    assert.match(all, new RegExp(`session key learned for ${s!.uid}: ${s!.session_key}`));
    assert.match(all, /password proof matches/);
    assert.match(texts(rs), /hello from pidgin/);
    assert.match(texts(rs), /hi from mock server/);
  });

  test('classic: a wrong password is noticed at the proof; the reply and the session stay closed', VECTORS, () => {
    const [s] = vectorSessions('classic-sessions.json');
    const rs = feed(new SessionTracker([{ uid: s!.uid, password: 'not-it' }]), s!);
    assert.match(rs.flatMap((r) => r.notes).join('\n'), /password proof does NOT match/);
    // Said once, at the login request; the reply and the session bodies stay closed without repeating why.
    assert.match(rs.flatMap((r) => r.notes).join('\n'), /the password given for 10002: it does not open this login exchange, so the bodies after it stay closed/);
    const loginReply = rs[3]!;
    assert.equal(loginReply.opened, undefined);
    assert.equal(loginReply.failure, undefined);
    assert.deepEqual(rs.slice(3).filter((r) => r.failure !== undefined), []);
    // Clear bodies still decode; session bodies do not.
    assert.ok(rs[0]!.opened?.decoded.ok);
    assert.equal(rs[4]!.opened, undefined);
  });

  test('classic: without a password only clear and key-prefixed bodies open, and nothing is reported missing', VECTORS, () => {
    const [s] = vectorSessions('classic-sessions.json');
    const rs = feed(new SessionTracker([]), s!);
    assert.deepEqual(
      rs.map((r) => r.opened?.key ?? r.failure ?? '-'),
      s!.packets.map((p) => (p.key === 'none' ? 'clear' : p.key.startsWith('init_key') ? 'initial key (in clear)' : '-')),
    );
  });

  test('classic: sessions are told apart by client endpoint (server packets carry no uid)', VECTORS, () => {
    const [s] = vectorSessions('classic-sessions.json');
    const tracker = new SessionTracker([{ uid: s!.uid, password: s!.password }]);
    const first = feed(tracker, { ...s!, packets: s!.packets.slice(0, 4) });
    assert.ok(first[3]!.opened);
    // A session packet to another endpoint is not this user's session.
    const other = feed(tracker, { ...s!, packets: s!.packets.slice(5, 6) }, '127.0.0.1:40001');
    assert.equal(other[0]!.opened, undefined);
    assert.equal(other[0]!.failure, undefined);
    const same = feed(tracker, { ...s!, packets: s!.packets.slice(5, 6) });
    assert.equal(same[0]!.opened?.key, 'session key');
  });

  test('modern: the login chain is followed key by key and every body of session 1 opens and decodes', VECTORS, () => {
    const [s1] = vectorSessions('modern-session.json');
    const rs = feed(new SessionTracker([{ uid: s1!.uid, password: s1!.password }]), s1!);
    rs.forEach((r, i) => {
      const p = s1!.packets[i]!;
      assert.ok(r.opened, `packet ${i} (0x${p.command.toString(16)} ${p.dir}) opened: ${r.failure}`);
      assert.equal(r.opened.plain.toString('hex'), p.plain, `packet ${i} plaintext`);
      assert.ok(r.opened.decoded.ok, `packet ${i} decodes: ${r.opened.decoded.ok ? '' : r.opened.decoded.error.message}`);
      // The recorded key name starts with ours (touch_key… ↔ "touch key", login_info_key1… ↔ "login_info_key1").
      const recorded = p.key.replace(/\(.*$/, '').replace(/^(touch|request|verify)_key$/, '$1 key').replace('session_key', 'session key');
      assert.ok(r.opened.key.startsWith(recorded), `packet ${i}: ${r.opened.key} vs ${p.key}`);
    });
    const notes = rs.flatMap((r) => r.notes).join('\n');
    assert.match(notes, /verify block opens with the password given for 100001: uid 100001, MD5\(password\) matches/);
    assert.match(notes, new RegExp(`login_info_key1 ${s1!.keys!['login_info_key1(from 0x00DD reply)']}`));
    assert.match(notes, new RegExp(`login_info_key2 ${s1!.keys!['login_info_key2(from 0x00E5 reply)']}`));
    assert.match(notes, new RegExp(`session key learned for 100001: ${s1!.session_key}`));
    assert.match(texts(rs), /hello from myqq/);
    assert.match(texts(rs), /hi from the stand-in server/);
  });

  test('modern: a wrong password in the capture (session 2) leaves the verify block closed and shows the 0x34 reply', VECTORS, () => {
    const [, s2] = vectorSessions('modern-session.json');
    const rs = feed(new SessionTracker([{ uid: 100001, password: 'secret123' }]), s2!);
    const notes = rs.flatMap((r) => r.notes).join('\n');
    assert.match(notes, /verify block does not open with the password given for 100001/);
    assert.match(notes, /password verify failed: code 0x34/);
    const reply = rs[5]!;
    assert.equal(reply.opened?.key, 'verify key');
    // The request key, touch key and verify key are in clear: all six bodies open anyway.
    assert.equal(rs.filter((r) => r.opened?.decoded.ok).length, 6);
  });

  test('modern: without the login in the capture, session packets of a known user say why they stay closed', VECTORS, () => {
    const [s1] = vectorSessions('modern-session.json');
    const rs = feed(new SessionTracker([{ uid: 100001, password: 'secret123' }]), { ...s1!, packets: s1!.packets.slice(10) });
    assert.equal(rs.length, 39);
    for (const r of rs) {
      assert.equal(r.opened, undefined);
      assert.equal(r.failure, 'does not open with the password key; the session key of this session is not known (the exchange that hands it out is not in the capture)');
    }
  });
});
