// A lean load generator on the protocol core: classic clients in pairs that keep alive, send to their partner,
// ack pushes and record send → push latency. Used by bench:server and the flood run.
import type { Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { decodePacket, encodePacket } from '../../src/protocol/framing.js';
import { teaDecrypt, teaEncrypt, teaKey, type TeaKey } from '../../src/protocol/tea.js';
import { imKey } from '../../src/protocol/keys.js';
import { seededRandom } from '../../src/protocol/random.js';
import { ClassicCmd } from '../../src/protocol/commands.js';
import {
  sendImRequestCodec, receiveImPushCodec, receiveImAckCodec, receiveImAckFor, keepAliveRequestCodec, IM_TEXT,
} from '../../src/protocol/bodies/classic/index.js';
import { ClassicDriver } from '../../test/helpers/classic-driver.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { passwordMd5 } from '../../src/protocol/keys.js';

const random = seededRandom(2024);

/** The q-quantile of sorted numbers. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** One logged-in load client: sends to its partner, acks pushes, records latencies. */
export class LoadClient {
  private seq = 0x2000;
  private counter = 0;
  private readonly key: TeaKey;
  private readonly im: Buffer;
  /** When true, every send reply triggers the next send (saturation). */
  chained = false;
  delivered = 0;
  latencies: number[] = [];
  /** When each message to this client was sent, by its number (msgId << 16 | msgSeq, the sender's counter). */
  private readonly sentAt = new Map<number, number>();

  constructor(readonly driver: ClassicDriver, readonly partner: number, readonly port: number, readonly peers: Map<number, LoadClient>) {
    this.key = teaKey(driver.sessionKey);
    this.im = imKey(driver.uid, driver.sessionKey);
    driver.peer.socket.removeAllListeners('message');
    driver.peer.socket.on('message', (b) => this.onMessage(b));
  }

  get uid(): number {
    return this.driver.uid;
  }

  private get socket(): Socket {
    return this.driver.peer.socket;
  }

  private nextSeq(): number {
    this.seq = (this.seq + 1) & 0xffff || 1;
    return this.seq;
  }

  /** Sends one message to the partner. */
  send(): void {
    const n = ++this.counter & 0x7fffffff;
    const text = `${this.uid}:${n}`;
    this.peers.get(this.partner)!.sentAt.set(n, performance.now());
    const body = sendImRequestCodec.encode({
      sender: this.uid, receiver: this.partner,
      message: {
        senderVersion: 0x0d55, sender: this.uid, receiver: this.partner, imKey: this.im, imType: IM_TEXT,
        msgSeq: n & 0xffff, sendTime: 1_700_000_000, face: 0, fragCount: 1, fragIndex: 0, msgId: (n >>> 16) & 0xffff, replyType: 1, text, font: undefined,
      },
    });
    this.out(ClassicCmd.SEND_IM, teaEncrypt(body, this.key, random), this.nextSeq());
  }

  keepAlive(): void {
    this.out(ClassicCmd.KEEP_ALIVE, teaEncrypt(keepAliveRequestCodec.encode({ uid: this.uid, form: 'u32' }), this.key, random), this.nextSeq());
  }

  reset(): void {
    this.delivered = 0;
    this.latencies = [];
  }

  private out(command: number, body: Buffer, seq: number): void {
    this.socket.send(encodePacket({ direction: 'c2s', version: 0x0d55, command, seq, uid: this.uid, body }), this.port, '127.0.0.1');
  }

  private onMessage(b: Buffer): void {
    const r = decodePacket(b, 's2c');
    if (!r.ok) return;
    const plain = teaDecrypt(r.value.body, this.key);
    if (!plain) return;
    if (r.value.command === ClassicCmd.SEND_IM) {
      if (this.chained) this.send();
    } else if (r.value.command === ClassicCmd.RECV_IM) {
      const push = receiveImPushCodec.decode(plain);
      this.out(ClassicCmd.RECV_IM, teaEncrypt(receiveImAckCodec.encode(receiveImAckFor(push)), this.key, random), r.value.seq);
      if (push.content.kind !== 'im') return;
      const m = push.content.message;
      const n = m.msgId * 0x10000 + m.msgSeq;
      const t0 = this.sentAt.get(n);
      if (t0 !== undefined) {
        this.sentAt.delete(n);
        this.delivered++;
        this.latencies.push(performance.now() - t0);
      }
    }
  }
}

/** Creates `n` accounts (uids from `base`, friends in pairs i ↔ i^1) in a database, before the server starts. */
export function createLoadAccounts(db: string, n: number, base = 50000): void {
  const store = openSqliteStore(db, { synchronous: 'normal' });
  for (let i = 0; i < n; i++) store.addUser(base + i, passwordMd5(`pw${i}`), `load${i}`);
  for (let i = 0; i < n; i += 2) store.addFriend(base + i, base + i + 1);
  store.close();
}

/** Logs `n` load clients in; they keep alive every second until `stop()`. */
export async function loginLoadClients(port: number, n: number, base = 50000): Promise<{ clients: LoadClient[]; stop: () => void }> {
  const peers = new Map<number, LoadClient>();
  const drivers = await Promise.all(Array.from({ length: n }, (_, i) => ClassicDriver.open(port, base + i, `pw${i}`)));
  for (const d of drivers) {
    const r = await d.login();
    if (r.kind !== 'success') throw new Error(`login of ${d.uid} failed`);
  }
  const clients = drivers.map((d) => new LoadClient(d, d.uid ^ 1, port, peers));
  for (const c of clients) peers.set(c.uid, c);
  const keepAlive = setInterval(() => clients.forEach((c) => c.keepAlive()), 1000);
  return { clients, stop: () => { clearInterval(keepAlive); for (const d of drivers) d.close(); } };
}

/** Delivery statistics of one phase. */
export interface PhaseResult {
  rate: number;
  p50: number;
  p99: number;
  delivered: number;
}

function collect(clients: LoadClient[], ms: number): PhaseResult {
  const lat = clients.flatMap((c) => c.latencies).sort((a, b) => a - b);
  const delivered = clients.reduce((a, c) => a + c.delivered, 0);
  return { rate: (delivered * 1000) / ms, p50: quantile(lat, 0.5), p99: quantile(lat, 0.99), delivered };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** As fast as the server answers: one send in flight per client. */
export async function saturate(clients: LoadClient[], ms: number, warmupMs = 500): Promise<PhaseResult> {
  for (const c of clients) { c.chained = true; c.send(); }
  await sleep(warmupMs);
  clients.forEach((c) => c.reset());
  const t0 = performance.now();
  await sleep(ms);
  const r = collect(clients, performance.now() - t0);
  for (const c of clients) c.chained = false;
  await sleep(500);
  return r;
}

/**
 * A paced (open-loop) load of `rate` messages/s in all, the clients taking turns. One pacer sends what is due
 * every millisecond, so sends go out as evenly as the timer allows (per-client timers drift into bursts). The
 * first `warmupMs` at that rate are not measured.
 */
export async function paced(clients: LoadClient[], rate: number, ms: number, warmupMs = 0): Promise<PhaseResult> {
  const t0 = performance.now();
  let sent = 0;
  let next = 0;
  const pacer = setInterval(() => {
    const due = Math.floor(((performance.now() - t0) * rate) / 1000);
    for (; sent < due; sent++) {
      clients[next]!.send();
      next = (next + 1) % clients.length;
    }
  }, 1);
  await sleep(warmupMs);
  clients.forEach((c) => c.reset());
  const t1 = performance.now();
  await sleep(ms);
  const elapsed = performance.now() - t1;
  clearInterval(pacer);
  await sleep(300);
  return collect(clients, elapsed);
}
