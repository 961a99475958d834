import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBody, ClassicCmd } from '../../src/protocol/commands.js';
import * as C from '../../src/protocol/bodies/classic/index.js';
import { decodeGb } from '../../src/protocol/text.js';
import { ClassicDriver } from '../helpers/classic-driver.js';
import { hex, loadRepoVectors, packetsOf as find, recordedReply, type SessionsFile, type VectorSession } from '../helpers/vectors.js';
import { startServer, seedAccounts } from '../helpers/udp.js';

// Search and "who is online" by hand (test/vectors/by-hand-search-sessions.json): the LumaQQ library (Java,
// tag 0x0E1B), the one client of the public record found that sends 0x0005, against this server.

const file = loadRepoVectors<SessionsFile>('by-hand-search-sessions.json');
const [LUMA] = file.sessions as [VectorSession];
const searches = find(LUMA, 'c2s', ClassicCmd.SEARCH_USER);

test('by hand, search: what LumaQQ sent (who is online, pages 0 and 1; custom searches) and read back', () => {
  for (const p of LUMA.packets.filter((x) => x.command !== ClassicCmd.LOGIN && x.command !== ClassicCmd.REQUEST_LOGIN_TOKEN)) {
    const d = decodeBody('classic', p.command, p.dir, hex(p.plain));
    assert.ok(d.ok, `${p.dir} 0x${p.command.toString(16)} seq ${p.seq}: ${d.ok ? '' : d.error.message}`);
  }
  const asked = searches.map((p) => C.searchRequestCodec.decode(hex(p.plain))).map((q) => [q.kind, q.page, q.uid ?? '', q.nick ? decodeGb(q.nick) : '']);
  assert.deepEqual(asked, [[1, 0, '', ''], [1, 1, '', ''], [0, 0, 20024, ''], [0, 0, '', '在线'], [0, 0, '', 'Bob'], [0, 0, '', 'nobody']]);
  const found = searches.map((p) => C.searchReplyCodec.decode(hex(recordedReply(LUMA, p).plain)).entries.map((e) => `${e.uid} ${decodeGb(e.nick)}`));
  assert.deepEqual(found, [['20021 LumaQQ用户', '20022 在线甲', '20023 OnlineBob'], [], ['20024 离线丙'], ['20022 在线甲'], ['20023 OnlineBob'], []]);
  // A page without entries is "-1", which LumaQQ reads as the end of the search.
  assert.equal(recordedReply(LUMA, searches[1]!).plain, '2d31');
});

test("by hand, search, replayed: LumaQQ's recorded searches get the replies it got then, byte for byte", async () => {
  const { server, store } = await startServer();
  seedAccounts(store, [
    { uid: 20021, password: 'luma', nick: 'LumaQQ用户' }, { uid: 20022, password: 'term2', nick: '在线甲' },
    { uid: 20023, password: 'term3', nick: 'OnlineBob' }, { uid: 20024, password: 'off4', nick: '离线丙' },
  ]);
  const luma = await ClassicDriver.open(server.address.port, 20021, 'luma', undefined, 0x0e1b);
  const others = await Promise.all([[20022, 'term2'], [20023, 'term3']].map(([u, pw]) => ClassicDriver.open(server.address.port, u as number, pw as string)));
  try {
    for (const d of [luma, ...others]) await d.login();
    for (const req of searches) {
      const got = await luma.request(req.command, hex(req.plain));
      assert.equal(got.toString('hex'), recordedReply(LUMA, req).plain, `0x0005 seq ${req.seq}`);
    }
  } finally {
    luma.close();
    for (const d of others) d.close();
    await server.close();
  }
});
