// `npm run bench:server`: a load generator (this process) with N classic clients that keep alive and send messages
// to each other through a server process (send → 00 → push → ack, durable), against a bare node:dgram echo
// round trip measured in the same run as the reference.
import { createSocket, type Socket } from 'node:dgram';
import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { decodePacket, encodePacket } from '../src/protocol/framing.js';
import { teaDecrypt, teaEncrypt, teaKey, type TeaKey } from '../src/protocol/tea.js';
import { imKey } from '../src/protocol/keys.js';
import { seededRandom } from '../src/protocol/random.js';
import { Cmd } from '../src/protocol/commands.js';
import {
  sendImRequestCodec, receiveImPushCodec, receiveImAckCodec, receiveImAckFor, keepAliveRequestCodec, IM_TEXT,
} from '../src/protocol/bodies/classic/index.js';
import { ClassicDriver } from '../test/helpers/classic-driver.js';
import { oicq, startServerProcess, tempDb } from '../scripts/lib/server-process.js';
import { fmt, printTable, ratio } from './lib/table.js';

const N = Number(process.env.BENCH_CLIENTS ?? 40);
const PHASE_MS = Number(process.env.BENCH_MS ?? 5000);
const random = seededRandom(2024);

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** One load client after login: sends to its partner, acks pushes, records latencies. */
class LoadClient {
  private seq = 0x2000;
  private counter = 0;
  private readonly key: TeaKey;
  private readonly im: Buffer;
  sending = false;
  delivered = 0;
  latencies: number[] = [];
  private readonly sentAt = new Map<string, number>();

  constructor(readonly socket: Socket, readonly uid: number, readonly partner: number, sessionKey: Buffer, readonly port: number, readonly peers: Map<number, LoadClient>) {
    this.key = teaKey(sessionKey);
    this.im = imKey(uid, sessionKey);
    socket.removeAllListeners('message');
    socket.on('message', (b) => this.onMessage(b));
  }

  private nextSeq(): number {
    this.seq = (this.seq + 1) & 0xffff || 1;
    return this.seq;
  }

  send(): void {
    const n = ++this.counter;
    const text = `${this.uid}:${n}`;
    this.peers.get(this.partner)!.sentAt.set(text, performance.now());
    const body = sendImRequestCodec.encode({
      sender: this.uid, receiver: this.partner,
      message: {
        senderVersion: 0x0d55, sender: this.uid, receiver: this.partner, imKey: this.im, imType: IM_TEXT,
        msgSeq: n & 0xffff, time: 1_700_000_000, face: 0, fragCount: 1, fragIndex: 0, msgId: (n >>> 16) & 0xffff, replyType: 1, text, font: undefined,
      },
    });
    this.out(Cmd.SEND_IM, teaEncrypt(body, this.key, random), this.nextSeq());
  }

  keepAlive(): void {
    this.out(Cmd.KEEP_ALIVE, teaEncrypt(keepAliveRequestCodec.encode({ uid: this.uid, form: 'u32' }), this.key, random), this.nextSeq());
  }

  private out(command: number, body: Buffer, seq: number): void {
    this.socket.send(encodePacket({ direction: 'c2s', version: 0x0d55, command, seq, uid: this.uid, body }), this.port, '127.0.0.1');
  }

  private onMessage(b: Buffer): void {
    const r = decodePacket(b, 's2c');
    if (!r.ok) return;
    const plain = teaDecrypt(r.value.body, this.key);
    if (!plain) return;
    if (r.value.command === Cmd.SEND_IM) {
      if (this.sending) this.send();
    } else if (r.value.command === Cmd.RECV_IM) {
      const push = receiveImPushCodec.decode(plain);
      this.out(Cmd.RECV_IM, teaEncrypt(receiveImAckCodec.encode(receiveImAckFor(push)), this.key, random), r.value.seq);
      if (push.content.kind !== 'im') return;
      const t0 = this.sentAt.get(push.content.message.text);
      if (t0 !== undefined) {
        this.sentAt.delete(push.content.message.text);
        this.delivered++;
        this.latencies.push(performance.now() - t0);
      }
    }
  }
}

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

async function main(): Promise<void> {
  console.log(`bench:server — ${N} classic clients in pairs, ${PHASE_MS / 1000} s phases, server with synchronous=FULL`);
  const db = tempDb();
  for (let i = 0; i < N; i++) oicq(['user', 'add', String(50000 + i), '--password', `pw${i}`, '--db', db]);
  // Friends in pairs (uid i ↔ i^1).
  for (let i = 0; i < N; i += 2) oicq(['friend', 'add', String(50000 + i), String(50001 + i), '--db', db]);
  const server = await startServerProcess(db, ['--log-level', 'warn', '--prelogin-rate', '100000', ...(process.env.BENCH_SYNC ? ['--sync', process.env.BENCH_SYNC] : [])]);
  const peers = new Map<number, LoadClient>();
  const drivers = await Promise.all(Array.from({ length: N }, (_, i) => ClassicDriver.open(server.port, 50000 + i, `pw${i}`)));
  for (const d of drivers) {
    const r = await d.login();
    if (r.kind !== 'success') throw new Error(`login of ${d.uid} failed`);
  }
  const clients = drivers.map((d) => new LoadClient(d.peer.socket, d.uid, d.uid ^ 1, d.sessionKey, server.port, peers));
  for (const c of clients) peers.set(c.uid, c);
  const keepAlive = setInterval(() => clients.forEach((c) => c.keepAlive()), 1000);

  // Phase 1: as fast as the server answers (one send in flight per client).
  const warm = Date.now();
  for (const c of clients) { c.sending = true; c.send(); }
  await new Promise((r) => setTimeout(r, 500));
  for (const c of clients) { c.delivered = 0; c.latencies = []; }
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, PHASE_MS));
  const elapsed = performance.now() - t0;
  const delivered = clients.reduce((a, c) => a + c.delivered, 0);
  const maxRate = (delivered * 1000) / elapsed;
  const latMax = clients.flatMap((c) => c.latencies).sort((a, b) => a - b);
  for (const c of clients) c.sending = false;
  const rssMax = server.rssKb();
  await new Promise((r) => setTimeout(r, 1000 + (Date.now() - warm) * 0));

  // Phase 2: half of the maximum rate, paced; latency measured send → push.
  for (const c of clients) { c.delivered = 0; c.latencies = []; }
  const perClientInterval = (N * 1000) / (maxRate / 2);
  const timers = clients.map((c, i) => setTimeout(() => {
    c.send();
    timers[i] = setInterval(() => c.send(), perClientInterval) as unknown as NodeJS.Timeout;
  }, (i * perClientInterval) / N));
  const t1 = performance.now();
  await new Promise((r) => setTimeout(r, PHASE_MS));
  const elapsed2 = performance.now() - t1;
  for (const t of timers) clearInterval(t);
  await new Promise((r) => setTimeout(r, 300));
  const halfRate = (clients.reduce((a, c) => a + c.delivered, 0) * 1000) / elapsed2;
  const latHalf = clients.flatMap((c) => c.latencies).sort((a, b) => a - b);
  clearInterval(keepAlive);
  const metrics = await server.stop();
  for (const d of drivers) d.close();

  const echo = await echoReference();
  printTable('Results', ['measure', 'value'], [
    ['delivered messages/s (max)', fmt(maxRate, 0)],
    ['  latency p50 / p99 at max (ms)', `${fmt(quantile(latMax, 0.5), 2)} / ${fmt(quantile(latMax, 0.99), 2)}`],
    ['delivered messages/s (half rate)', fmt(halfRate, 0)],
    ['  latency p50 / p99 at half rate (ms)', `${fmt(quantile(latHalf, 0.5), 2)} / ${fmt(quantile(latHalf, 0.99), 2)}`],
    ['server RSS under load (MB)', fmt(rssMax / 1024, 1)],
    ['reference: node:dgram echo round trips/s', fmt(echo, 0)],
    ['ratio delivered/echo (target ≥ 0.5×)', ratio(maxRate, echo)],
    ['p99 at half rate < 5 ms?', quantile(latHalf, 0.99) < 5 ? 'yes' : 'no'],
  ]);
  if (metrics) console.log(`\nserver counters: stored ${metrics.messagesStored}, delivered ${metrics.messagesDelivered}, push retransmits ${metrics.pushRetransmits}, dropped ${metrics.droppedTotal}`);
  process.exit(0);
}

await main();
