// `npm run flood`: 100 users chat at a steady rate through a server process; then another process floods the
// server with junk as fast as it can while they go on. Prints the users' delivery rate and p99 latency without
// and during the flood, and the server's drop counters.
import { fork } from 'node:child_process';
import { startServerProcess, tempDb } from './lib/server-process.js';
import { createLoadAccounts, loginLoadClients, paced } from '../bench/lib/load.js';
import { fmt, printTable } from '../bench/lib/table.js';

const USERS = Number(process.env.FLOOD_USERS ?? 100);
const RATE = Number(process.env.FLOOD_RATE ?? 500);
const MS = Number(process.env.FLOOD_MS ?? 5000);

const db = tempDb();
createLoadAccounts(db, USERS);
// The junk comes from one address: raise the pre-login limit so the flood reaches the decoders instead of the limiter.
// FLOOD_UDP=dgram floods the server on node:dgram instead of the native socket.
const server = await startServerProcess(db, ['--log-level', 'info', '--prelogin-rate', '1000000', ...(process.env.FLOOD_UDP ? ['--udp', process.env.FLOOD_UDP] : [])]);
const { clients, stop } = await loginLoadClients(server.port, USERS);
const calm = await paced(clients, RATE, MS);

const flooder = fork(new URL('./lib/flooder.ts', import.meta.url).pathname, [String(server.port)], { execArgv: ['--import', 'tsx'] });
await new Promise((r) => setTimeout(r, 300));
const stormy = await paced(clients, RATE, MS);
const junk = await new Promise<number>((r) => {
  flooder.once('message', (m) => r((m as { sent: number }).sent));
  flooder.send('stop');
});
stop();
const metrics = await server.stop();

printTable(`Flood: ${USERS} users at ${RATE} messages/s, ${MS / 1000} s each`, ['phase', 'delivered/s', 'p50 ms', 'p99 ms', 'delivered'], [
  ['without flood', fmt(calm.rate, 0), fmt(calm.p50, 2), fmt(calm.p99, 2), calm.delivered],
  ['during flood', fmt(stormy.rate, 0), fmt(stormy.p50, 2), fmt(stormy.p99, 2), stormy.delivered],
]);
console.log(`\njunk datagrams sent by the flooder: ${junk.toLocaleString('en-US')} (${fmt(junk / ((MS + 300) / 1000), 0)}/s)`);
if (metrics) {
  console.log(`received by the server: ${metrics.received}; handler errors: ${(metrics.dropped as Record<string, number>).unexpected}`);
  for (const [k, v] of Object.entries(metrics.dropped as Record<string, number>)) if (v) console.log(`  dropped ${k.padEnd(16)} ${v}`);
}
process.exit(0);
