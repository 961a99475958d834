// `npm run bench:server`: a load generator (this process) with N classic clients that keep alive and send messages
// to each other through a server process (send → 00 → push → ack, durable), against a bare node:dgram echo
// round trip measured in the same run as the reference.
import { createSocket } from 'node:dgram';
import { fork } from 'node:child_process';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { startServerProcess, tempDb } from '../scripts/lib/server-process.js';
import { createLoadAccounts, loginLoadClients, paced, saturate } from './lib/load.js';
import { fmt, printTable, ratio } from './lib/table.js';

const N = Number(process.env.BENCH_CLIENTS ?? 40);
const PHASE_MS = Number(process.env.BENCH_MS ?? 5000);
const SYNC = process.env.BENCH_SYNC ?? 'full';

async function echoReference(): Promise<number> {
  const child = fork(new URL('./lib/echo-server.ts', import.meta.url).pathname, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const port = await new Promise<number>((r) => child.once('message', (m) => r((m as { port: number }).port)));
  const sockets = await Promise.all(Array.from({ length: N }, async () => {
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    return s;
  }));
  // Same shape as the chat load: one outstanding datagram per client, an OICQ-sized payload.
  const payload = Buffer.alloc(120, 1);
  let trips = 0;
  let running = true;
  for (const s of sockets) {
    s.on('message', () => {
      trips++;
      if (running) s.send(payload, port, '127.0.0.1');
    });
    s.send(payload, port, '127.0.0.1');
  }
  await new Promise((r) => setTimeout(r, 500));
  trips = 0;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, PHASE_MS));
  const rate = (trips * 1000) / (performance.now() - t0);
  running = false;
  for (const s of sockets) s.close();
  child.kill();
  return rate;
}

console.log(`bench:server — ${N} classic clients in pairs, ${PHASE_MS / 1000} s phases, server with synchronous=${SYNC.toUpperCase()}`);
const echo = await echoReference();
const db = tempDb();
createLoadAccounts(db, N);
const server = await startServerProcess(db, ['--log-level', 'info', '--prelogin-rate', '100000', '--sync', SYNC]);
const { clients, stop } = await loginLoadClients(server.port, N);
const cpu0 = { server: server.cpuMs(), load: process.cpuUsage() };
const t0 = Date.now();
const max = await saturate(clients, PHASE_MS);
const wall = Date.now() - t0;
const serverCpu = (100 * (server.cpuMs() - cpu0.server)) / wall;
const u = process.cpuUsage(cpu0.load);
const loadCpu = (100 * (u.user + u.system)) / 1000 / wall;
const rss = server.rssKb();
// The load generator's own event-loop delay during the paced phase: latency it adds to what it measures.
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();
const half = await paced(clients, max.rate / 2, PHASE_MS);
loopDelay.disable();
stop();
const metrics = await server.stop();

printTable('Results', ['measure', 'value'], [
  ['delivered messages/s (max)', fmt(max.rate, 0)],
  ['  latency p50 / p99 at max (ms)', `${fmt(max.p50, 2)} / ${fmt(max.p99, 2)}`],
  ['delivered messages/s (half rate, paced)', fmt(half.rate, 0)],
  ['  latency p50 / p99 at half rate (ms)', `${fmt(half.p50, 2)} / ${fmt(half.p99, 2)}`],
  ['  load generator event-loop delay p99 at half rate (ms)', fmt(loopDelay.percentile(99) / 1e6, 2)],
  ['server RSS under load (MB)', fmt(rss / 1024, 1)],
  ['CPU during the max phase: server / load generator', `${fmt(serverCpu, 0)}% / ${fmt(loadCpu, 0)}%`],
  ['reference: node:dgram echo round trips/s', fmt(echo, 0)],
  ['ratio delivered/echo (target ≥ 0.5×)', ratio(max.rate, echo)],
  ['p99 at half rate < 5 ms (target)', half.p99 < 5 ? 'met' : 'missed'],
]);
if (metrics) console.log(`\nserver counters: stored ${metrics.messagesStored}, delivered ${metrics.messagesDelivered}, push retransmits ${metrics.pushRetransmits}, dropped ${metrics.droppedTotal}`);
process.exit(0);
