// The command tables are the one source: every row's name, Wireshark label, pairing and body layout reach the
// analyzer with no list of its own, and no code has two names. The worked example of docs/CONTRIBUTING.md
// (classic 0x003E, pidgin's buddy memo) is followed from the wire to the dissector's output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { bodySpec, CLASSIC_TABLE, ClassicCmd, commandMeaning, decodeBody, MODERN_TABLE, ModernCmd, wiresharkName } from '../../src/protocol/commands.js';
import { WIRESHARK_NAMES } from '../../src/protocol/wireshark.js';
import type { CommandTable, ExchangeKind } from '../../src/protocol/table.js';
import type { Framing } from '../../src/protocol/framing.js';
import { memoRequestCodec } from '../../src/protocol/bodies/classic/index.js';
import { ROLE_NAMES, SummaryBuilder, type FramingCode } from '../../src/analyzer/summary.js';
import { C2S, S2C } from '../../src/analyzer/select.js';
import { dissectFile, type DissectedPacket } from '../../src/analyzer/dissect.js';
import { writePcapFile, type PcapDatagram } from '../../src/capture/pcap-writer.js';
import { ClassicDriver } from '../helpers/classic-driver.js';
import { seedAccounts, startServer, tempDir } from '../helpers/udp.js';

const TABLES: [Framing, CommandTable, Record<string, number>][] = [
  ['classic', CLASSIC_TABLE, ClassicCmd],
  ['modern', MODERN_TABLE, ModernCmd],
];

test('each framing names every code once: the constants are the rows, and the old aliases are gone', () => {
  for (const [framing, table, cmd] of TABLES) {
    const codes = Object.values(table).map((r) => r.code);
    assert.equal(new Set(codes).size, codes.length, `${framing}: a code in two rows`);
    assert.deepEqual(Object.keys(cmd), Object.keys(table));
    for (const [name, r] of Object.entries(table)) assert.equal(cmd[name], r.code, `${framing} ${name}`);
  }
  // 0x0001, 0x0058 and 0x0062 mean different things per framing, each under its own constant.
  assert.deepEqual([ClassicCmd.LOGOUT, ModernCmd.GROUP_LABELS], [0x0001, 0x0001]);
  assert.deepEqual([ClassicCmd.DOWNLOAD_GROUPS, ModernCmd.KEEP_ALIVE], [0x0058, 0x0058]);
  assert.deepEqual([ClassicCmd.REQUEST_LOGIN_TOKEN, ModernCmd.LOGOUT], [0x0062, 0x0062]);
  assert.equal(commandMeaning(0x0062, 'classic'), 'request login token');
  assert.equal(commandMeaning(0x0062, 'modern'), 'logout');
});

/** What the summary makes of one exchange of a row's kind (the role of each packet, in order). */
function roles(framing: Framing, code: number, kind: ExchangeKind): string[] {
  const s = new SummaryBuilder();
  const f: FramingCode = framing === 'classic' ? 0 : 1;
  const at = (dir: number, t: number) => ROLE_NAMES[s.packet(f, dir, code, 0x1234, 7, t, t, 60, 40, 32)];
  switch (kind) {
    case 'request':
      return [at(C2S, 1), at(S2C, 2)];
    case 'ack':
      return [at(S2C, 1), at(C2S, 2)];
    case 'push':
      return [at(S2C, 1)];
    case 'oneWay':
      return [at(C2S, 1)];
  }
}

const EXPECTED: Record<ExchangeKind, string[]> = {
  request: ['request', 'reply'],
  ack: ['push', 'ack'],
  push: ['push'],
  oneWay: ['one-way'],
};

test('the analyzer names, pairs and decodes every row by the table alone', () => {
  for (const [framing, table] of TABLES) {
    for (const [name, r] of Object.entries(table)) {
      const what = `${framing} ${name} 0x${r.code.toString(16)}`;
      assert.equal(commandMeaning(r.code, framing), r.meaning, what);
      assert.equal(wiresharkName(r.code), WIRESHARK_NAMES.get(r.code), what);
      assert.deepEqual(roles(framing, r.code, r.kind), EXPECTED[r.kind], what);
      for (const dir of ['c2s', 's2c'] as const) {
        const spec = r[dir];
        assert.equal(bodySpec(framing, r.code, dir), spec, `${what} ${dir}`);
        // A body the table has no layout for is an unknown_command error, never a guess.
        if (!spec) assert.equal(decodeBody(framing, r.code, dir, Buffer.alloc(0)).ok, false, `${what} ${dir}`);
      }
    }
  }
});

const CAROL = { uid: 100003, password: 'carol' };
const DAVE = { uid: 100004, password: 'dave' };

test('worked example (docs/CONTRIBUTING.md): 0x003E from a real server capture is named, paired and decoded', async () => {
  const wire: PcapDatagram[] = [];
  const { server, store } = await startServer({
    onWire: (e) => {
      const [src, dst] = e.direction === 'in' ? [e.peer, e.local] : [e.local, e.peer];
      wire.push({ srcIp: '127.0.0.1', srcPort: src.port, dstIp: '127.0.0.1', dstPort: dst.port, payload: Buffer.from(e.bytes) });
    },
  });
  seedAccounts(store, [CAROL, DAVE], [[CAROL.uid, DAVE.uid]]);
  const c = await ClassicDriver.open(server.address.port, CAROL.uid, CAROL.password);
  try {
    await c.login();
    await c.request(ClassicCmd.BUDDY_MEMO, memoRequestCodec.encode({ sub: 3, uid: DAVE.uid }));
  } finally {
    c.close();
    await server.close();
  }
  const file = join(tempDir('oicq-table-'), 'memo.pcap');
  writePcapFile(file, wire);
  const packets: DissectedPacket[] = [];
  const r = await dissectFile(file, { ports: [server.address.port], detail: true, credentials: [CAROL] }, { packet: (p) => packets.push(p) });
  const memo = packets.filter((p) => p.command === 0x003e);
  assert.equal(memo.length, 2);
  const [req, rep] = memo as [DissectedPacket, DissectedPacket];
  assert.deepEqual([req.meaning, req.wireshark, req.role, rep.role, rep.peerFrame], ['memo operation', 'MEMO Operation', 'request', 'reply', req.frame]);
  const decoded = [req, rep].map((p) => (p.session?.opened?.decoded.ok ? p.session.opened.decoded.value : undefined));
  assert.deepEqual(decoded.map((d) => [d?.name, d?.codec, d?.value]), [
    ['BUDDY_MEMO', 'memoRequest', { sub: 3, uid: DAVE.uid }],
    ['BUDDY_MEMO', 'memoReply', { sub: 3 }],
  ]);
  const row = r.summary.rows.find((x) => x.command === 0x003e && x.direction === 'c2s');
  assert.deepEqual([row?.name, row?.requests, row?.answered], ['memo operation', 1, 1]);
});
