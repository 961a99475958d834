// `npm run bench:server`: a load generator (this process) with N classic clients that keep alive and send messages
// to each other through a server process (send → push → ack → 00: acked within the hold, a message is never written;
// and once more with every message stored before its push), against the reference measured in the
// same run: a bare node:dgram relay that moves a delivered message's four datagrams and does nothing else, the most
// any single-threaded node:dgram server could deliver on this machine (target ≥ 0.5× of it). A bare echo round
// trip is measured too, for scale.
import { createSocket } from 'node:dgram';
import { fork } from 'node:child_process';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { cpuMsOf, startServerProcess, tempDb, type ServerProcess } from '../scripts/lib/server-process.js';
import { createLoadAccounts, loginLoadClients, paced, saturate, type LoadClient } from './lib/load.js';
import { fmt, printTable, ratio } from './lib/table.js';

const N = Number(process.env.BENCH_CLIENTS ?? 40);
// The bare relay's datagram kinds (relay-server.ts).
const RELAY_SEND = 1;
const RELAY_PUSH = 2;
const RELAY_ACK = 3;
const PHASE_MS = Number(process.env.BENCH_MS ?? 5000);
const SYNC = process.env.BENCH_SYNC ?? 'full';

/** Rate and CPU of one bare run (no OICQ): the echo reference or the relay ceiling. */
interface BareResult {
  rate: number;
  /** CPU of the bare server process and of this process, in % of one core. */
  serverCpu: number;
  loadCpu: number;
}

/**
 * N sockets against a bare node:dgram process, one datagram (OICQ-sized) in flight per socket, as the chat load.
 * `echo`: every reply is a round trip. `relay`: the server answers a send and forwards it to the partner socket,
 * which acks it: a delivered message's four datagrams, without its crypto, codecs or store.
 */
async function bareRun(kind: 'echo' | 'relay'): Promise<BareResult> {
  const file = kind === 'echo' ? './lib/echo-server.ts' : './lib/relay-server.ts';
  const child = fork(new URL(file, import.meta.url).pathname, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const port = await new Promise<number>((r) => child.once('message', (m) => r((m as { port: number }).port)));
  const sockets = await Promise.all(Array.from({ length: N }, async () => {
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    return s;
  }));
  let count = 0;
  let running = true;
  sockets.forEach((s, i) => {
    const payload = Buffer.alloc(120, 1);
    payload[0] = RELAY_SEND;
    payload.writeUInt16BE(sockets[i ^ 1]!.address().port, 1);
    s.on('message', (b) => {
      if (kind === 'echo' || b[0] === RELAY_SEND) {
        if (kind === 'echo') count++;
        if (running) s.send(payload, port, '127.0.0.1');
      } else if (b[0] === RELAY_PUSH) {
        count++;
        b[0] = RELAY_ACK;
        s.send(b, port, '127.0.0.1');
      }
    });
    s.send(payload, port, '127.0.0.1');
  });
  await new Promise((r) => setTimeout(r, 500));
  count = 0;
  const cpu0 = { server: cpuMsOf(child.pid!), load: process.cpuUsage() };
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, PHASE_MS));
  const ms = performance.now() - t0;
  const rate = (count * 1000) / ms;
  const serverCpu = (100 * (cpuMsOf(child.pid!) - cpu0.server)) / ms;
  const u = process.cpuUsage(cpu0.load);
  running = false;
  for (const s of sockets) s.close();
  child.kill();
  return { rate, serverCpu, loadCpu: (u.user + u.system) / 10 / ms };
}

console.log(`bench:server — ${N} classic clients in pairs, ${PHASE_MS / 1000} s phases, server with synchronous=${SYNC.toUpperCase()}`);
/** A server process (with `extra` options) on a fresh database, and the N load clients logged in to it. */
async function loadedServer(extra: string[]) {
  const db = tempDb();
  createLoadAccounts(db, N);
  const server = await startServerProcess(db, ['--log-level', 'info', '--prelogin-rate', '100000', '--sync', SYNC, ...extra]);
  return { server, ...(await loginLoadClients(server.port, N)) };
}

/** The maximum phase (one send in flight per client), with the server's and this process's CPU over it, in % of a core. */
async function maxPhase(server: ServerProcess, clients: LoadClient[]) {
  const cpu0 = { server: server.cpuMs(), load: process.cpuUsage() };
  const t0 = Date.now();
  const max = await saturate(clients, PHASE_MS);
  const wall = Date.now() - t0;
  const u = process.cpuUsage(cpu0.load);
  return { max, serverCpu: (100 * (server.cpuMs() - cpu0.server)) / wall, loadCpu: (100 * (u.user + u.system)) / 1000 / wall };
}

const echo = await bareRun('echo');
const relay = await bareRun('relay');
const { server, clients, stop } = await loadedServer([]);
const { max, serverCpu, loadCpu } = await maxPhase(server, clients);
const rss = server.rssKb();
// The load generator's own event-loop delay during the paced phase: latency it adds to what it measures.
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();
// Three unmeasured seconds at the new rate first: the garbage of the maximum phase is collected then, not measured.
const half = await paced(clients, max.rate / 2, PHASE_MS, 3000);
loopDelay.disable();
stop();
const metrics = await server.stop();

// The same maximum with every message stored before its push (`--ack-hold 0`): the durable path that offline
// receivers and acks slower than the hold take.
const stored = await loadedServer(['--ack-hold', '0']);
const { max: max0, serverCpu: serverCpu0 } = await maxPhase(stored.server, stored.clients);
stored.stop();
await stored.server.stop();

printTable('Results', ['measure', 'value'], [
  ['delivered messages/s (max)', fmt(max.rate, 0)],
  ['  latency p50 / p99 at max (ms)', `${fmt(max.p50, 2)} / ${fmt(max.p99, 2)}`],
  ['delivered messages/s (half rate, paced)', fmt(half.rate, 0)],
  ['  latency p50 / p99 at half rate (ms)', `${fmt(half.p50, 2)} / ${fmt(half.p99, 2)}`],
  ['  load generator event-loop delay p99 at half rate (ms)', fmt(loopDelay.percentile(99) / 1e6, 2)],
  ['server RSS under load (MB)', fmt(rss / 1024, 1)],
  ['CPU during the max phase: server / load generator', `${fmt(serverCpu, 0)}% / ${fmt(loadCpu, 0)}%`],
  ['reference: bare node:dgram relay, same 4 datagrams, no work (msgs/s)', fmt(relay.rate, 0)],
  ['  CPU: relay / load generator', `${fmt(relay.serverCpu, 0)}% / ${fmt(relay.loadCpu, 0)}%`],
  ['ratio delivered/relay (target ≥ 0.5×)', ratio(max.rate, relay.rate)],
  ['  CPU per delivered message: server / relay (µs)', `${fmt((serverCpu * 1e4) / max.rate, 1)} / ${fmt((relay.serverCpu * 1e4) / relay.rate, 1)}`],
  ['for scale: node:dgram echo round trips/s', fmt(echo.rate, 0)],
  ['  CPU: echo server / load generator; relay/echo', `${fmt(echo.serverCpu, 0)}% / ${fmt(echo.loadCpu, 0)}%; ${ratio(relay.rate, echo.rate)}`],
  ['p99 at half rate < 5 ms (target)', half.p99 < 5 ? 'met' : 'missed'],
  ['every message stored before its push (--ack-hold 0): messages/s (max)', fmt(max0.rate, 0)],
  ['  its ratio to the relay; server CPU per message (µs)', `${ratio(max0.rate, relay.rate)}; ${fmt((serverCpu0 * 1e4) / max0.rate, 1)}`],
]);
if (metrics) console.log(`\nserver counters: stored ${metrics.messagesStored}, delivered unstored (acked within the hold) ${metrics.messagesUnstored}, delivered ${metrics.messagesDelivered}, push retransmits ${metrics.pushRetransmits}, dropped ${metrics.droppedTotal}`);
process.exit(0);
