// The server's own work per keep-alive, without the socket: one classic session logged in over loopback, then
// 200 000 keep-alive datagrams handed to OicqServer.onMessage directly, with the socket's send replaced by a counter.
// What bench:scale measures per keep-alive, minus this, is the socket and the event loop (README, "Scale").
import { OicqServer } from '../src/server/server.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import { passwordMd5 } from '../src/protocol/keys.js';
import { ClassicDriver } from '../test/helpers/classic-driver.js';
import { ClassicCmd } from '../src/protocol/commands.js';
import { keepAliveRequestCodec } from '../src/protocol/bodies/classic/index.js';
import { teaEncrypt } from '../src/protocol/tea.js';
const store = openSqliteStore(':memory:');
store.addUser(10001, passwordMd5('pw'), 'a');
const server = new OicqServer({ store, host: '127.0.0.1', port: 0 });
const addr = await server.listen();
const d = await ClassicDriver.open(addr.port, 10001, 'pw');
await d.login();
const s = server.hub.get(10001)!;
const sock = (server as unknown as { socket: { send: (...a: unknown[]) => void } }).socket;
let sends = 0;
sock.send = () => { sends++; };
const ka = keepAliveRequestCodec.encode({ uid: 10001, form: 'u32' });
const pkts = Array.from({ length: 1000 }, (_, i) => d.packet(ClassicCmd.KEEP_ALIVE, teaEncrypt(ka, d.sessionKey), 2000 + i));
const from = { address: s.endpoint.address, port: s.endpoint.port };
for (let r = 0; r < 3; r++) {
  const c0 = process.cpuUsage();
  const N = 200_000;
  for (let i = 0; i < N; i++) server.onMessage(pkts[i % 1000]!, from);
  const c = process.cpuUsage(c0);
  console.log(`${((c.user + c.system) / N).toFixed(2)} µs CPU per keep-alive (no socket), sends ${sends}`);
}
d.close();
await server.close();
