// One generator process of `npm run bench:scale` (forked by bench/scale.ts, driven over IPC). It holds up to
// ~19 000 sessions, each on its own UDP socket (one fd) bound to this generator's own loopback address, so the
// server sees N distinct endpoints although one process may hold at most 20 000 fds. Sessions log in with the
// SDK's framing sessions over the SDK's Link (classic and modern chains, retransmission included), keep alive
// at one keep-alive per `keepAliveMs` at a random phase, and a few classic pairs chat at a paced rate.
import { createSocket, type Socket } from 'node:dgram';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Link } from '../../src/client/link.js';
import { ClassicSession } from '../../src/client/classic-session.js';
import { ModernSession } from '../../src/client/modern-session.js';
import type { FramingSession } from '../../src/client/session.js';
import { CAPTURE_VERSION, type Packet } from '../../src/protocol/framing.js';
import { ClassicCmd } from '../../src/protocol/commands.js';
import { systemClock } from '../../src/transport/clock.js';
import { cryptoRandom } from '../../src/protocol/random.js';
import { imKey, passwordKey, passwordMd5 } from '../../src/protocol/keys.js';
import { teaDecrypt, teaEncrypt } from '../../src/protocol/tea.js';
import {
  IM_TEXT, receiveImAckCodec, receiveImAckFor, receiveImPushCodec, sendImRequestCodec,
} from '../../src/protocol/bodies/classic/index.js';
import { quantile } from './load.js';

import { SCALE_PASSWORD, type GenCommand, type GenReply } from './scale-protocol.js';

const PORT = Number(process.env.SCALE_SERVER_PORT);
const BIND = process.env.SCALE_BIND ?? '127.0.0.1';
const KEEP_ALIVE_MS = Number(process.env.SCALE_KEEP_ALIVE_MS ?? 30_000);
const PW_MD5 = passwordMd5(SCALE_PASSWORD);
const PW_KEY = passwordKey(SCALE_PASSWORD);
const RETRY = { intervalMs: 2_000, maxTries: 6 };

/** One logged-in endpoint. */
interface Sess {
  uid: number;
  link: Link;
  session: FramingSession;
}

const sessions: Sess[] = [];
const SLOT_MS = 5;
const SLOTS = Math.round(KEEP_ALIVE_MS / SLOT_MS);
/** Sessions by the 5 ms slot of the period their keep-alives go in; the next absolute slot to send. */
const wheel: Sess[][] = Array.from({ length: SLOTS }, () => []);
let wheelAt = Math.floor(performance.now() / SLOT_MS);
const byUid = new Map<number, Sess>();
let keepAlivesFailed = 0;

// Chat sample: when each message was sent, by (receiver, counter), and what arrived.
const sentAt = new Map<number, number>();
let latencies: number[] = [];
let counter = 0;
/** Only messages sent from here on are measured (not the warm-up's stragglers). */
let measuredFrom = Infinity;

function send(reply: GenReply): void {
  process.send!(reply);
}

/** Endpoints opened for the next login command, by uid: their sockets are bound before the logins are timed. */
const opened = new Map<number, Sess>();

/** Binds one socket per uid (and makes its framing session), before and outside the timed logins. */
async function open(uids: number[], modern: boolean[]): Promise<void> {
  for (let at = 0; at < uids.length; at += 256) {
    await Promise.all(uids.slice(at, at + 256).map(async (uid, j) => {
      const m = modern[at + j]!;
      const link = new Link({
        host: '127.0.0.1', port: PORT, framing: m ? 'modern' : 'classic', version: m ? CAPTURE_VERSION : 0x0d55, uid,
        clock: systemClock, random: cryptoRandom, retry: RETRY, bindAddress: BIND,
      });
      const ctx = { link, uid, passwordMd5: PW_MD5, passwordKey: PW_KEY, version: link.opts.version, random: cryptoRandom, clock: systemClock };
      await link.open();
      opened.set(uid, { uid, link, session: m ? new ModernSession(ctx) : new ClassicSession(ctx) });
    }));
  }
  send({ type: 'opened' });
}

async function loginOne(uid: number): Promise<void> {
  const s = opened.get(uid);
  if (!s) throw new Error(`uid ${uid} was not opened before its login`);
  opened.delete(uid);
  try {
    await s.session.login(10);
  } catch (e) {
    await s.link.close();
    throw e;
  }
  s.link.onPush = (p) => onPush(s, p);
  sessions.push(s);
  wheel[Math.floor((performance.now() + Math.random() * KEEP_ALIVE_MS) / SLOT_MS) % SLOTS]!.push(s);
  byUid.set(uid, s);
}

async function login(uids: number[], window: number): Promise<void> {
  let next = 0;
  let ok = 0;
  let failed = 0;
  let firstError: string | undefined;
  const worker = async (): Promise<void> => {
    while (next < uids.length) {
      const i = next++;
      try {
        await loginOne(uids[i]!);
        ok++;
      } catch (e) {
        failed++;
        firstError ??= (e as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, uids.length) }, worker));
  send({ type: 'logged', ok, failed, firstError });
}

/**
 * The keep-alive reference: while on, each keep-alive sent is shadowed by one datagram of a keep-alive's size to a
 * bare echo process, from a small pool of sockets: the echo sees the same rate in the same bursts as the server.
 */
const ECHO_BYTES = Buffer.alloc(40, 0x5a);
const echoPool: Socket[] = [];
let echoPort = 0;
let echoTurn = 0;

async function echoOn(port: number, on: boolean): Promise<void> {
  while (on && echoPool.length < 64) {
    const s = createSocket('udp4');
    s.on('message', () => {});
    await new Promise<void>((r) => s.bind(0, BIND, r));
    echoPool.push(s);
  }
  echoPort = on ? port : 0;
}

/**
 * Keep-alives: each session at a random phase of the period, sent from a wheel of 5 ms slots (a session stays in
 * the slot of its phase), so a generator sends a few every 5 ms, as a population of independent clients would.
 * Sending every 100 ms what had come due sent bursts of ~60 per generator: the server answered each burst in one
 * 1.5–3 ms stretch and any chat message arriving in it waited behind it.
 */
function keepAliveTick(): void {
  const upTo = Math.floor(performance.now() / SLOT_MS);
  for (; wheelAt <= upTo; wheelAt++) {
    for (const s of wheel[wheelAt % SLOTS]!) {
      s.session.keepAlive().catch(() => keepAlivesFailed++);
      if (echoPort) {
        echoPool[echoTurn++ % echoPool.length]!.send(ECHO_BYTES, echoPort, '127.0.0.1');
      }
    }
  }
}
setInterval(keepAliveTick, SLOT_MS);

/** Server packets that answer no request: send replies and message pushes of the chat sample. */
function onPush(s: Sess, p: Packet): void {
  if (p.command !== ClassicCmd.RECV_IM || !(s.session instanceof ClassicSession)) return;
  const key = s.session.sessionKey!;
  const plain = teaDecrypt(p.body, key);
  if (!plain) return;
  const push = receiveImPushCodec.decode(plain);
  s.link.send(ClassicCmd.RECV_IM, teaEncrypt(receiveImAckCodec.encode(receiveImAckFor(push)), key, cryptoRandom), p.seq);
  if (push.content.kind !== 'im') return;
  const m = push.content.message;
  const k = s.uid * 0x1_0000_0000 + m.msgId * 0x10000 + m.msgSeq;
  const t0 = sentAt.get(k);
  if (t0 === undefined) return;
  sentAt.delete(k);
  if (t0 >= measuredFrom) latencies.push(performance.now() - t0);
}

function sendIm(from: Sess, to: number): void {
  const n = ++counter & 0x7fffffff;
  const key = from.session.sessionKey!;
  const msgSeq = n & 0xffff;
  const msgId = (n >>> 16) & 0xffff;
  sentAt.set(to * 0x1_0000_0000 + msgId * 0x10000 + msgSeq, performance.now());
  const body = sendImRequestCodec.encode({
    sender: from.uid, receiver: to,
    message: {
      senderVersion: 0x0d55, sender: from.uid, receiver: to, imKey: imKey(from.uid, key), imType: IM_TEXT,
      msgSeq, sendTime: 1_700_000_000, face: 0, fragCount: 1, fragIndex: 0, msgId, replyType: 1, text: `scale ${n}`, font: undefined,
    },
  });
  from.link.send(ClassicCmd.SEND_IM, teaEncrypt(body, key, cryptoRandom));
}

/** Paced chat among the first `pairs` classic pairs (i ↔ i^1) held here; returns send → push latencies. */
async function chat(pairs: number, rate: number, ms: number, warmupMs: number): Promise<void> {
  const senders: [Sess, number][] = [];
  for (const s of sessions) {
    if (senders.length >= pairs * 2) break;
    const peer = byUid.get(s.uid ^ 1);
    if (peer && s.session instanceof ClassicSession && peer.session instanceof ClassicSession) senders.push([s, peer.uid]);
  }
  if (senders.length === 0) return send({ type: 'chat', sent: 0, delivered: 0, p50: NaN, p99: NaN, max: NaN, loopP99: NaN });
  const loop = monitorEventLoopDelay({ resolution: 1 });
  let sent = 0;
  measuredFrom = Infinity;
  let sentMeasured = 0;
  let turn = 0;
  const t0 = performance.now();
  const pacer = setInterval(() => {
    const now = performance.now();
    const due = Math.floor(((now - t0) * rate) / 1000);
    for (; sent < due; sent++) {
      const [s, to] = senders[turn]!;
      turn = (turn + 1) % senders.length;
      sendIm(s, to);
      if (now >= measuredFrom) sentMeasured++;
    }
  }, 1);
  await new Promise((r) => setTimeout(r, warmupMs));
  latencies = [];
  measuredFrom = performance.now();
  loop.enable();
  await new Promise((r) => setTimeout(r, ms));
  clearInterval(pacer);
  loop.disable();
  // Stragglers get 5 s to arrive; what has not arrived by then is missing from `delivered` / `sent`.
  await new Promise((r) => setTimeout(r, 5000));
  measuredFrom = Infinity;
  const lat = latencies.sort((a, b) => a - b);
  sentAt.clear();
  send({ type: 'chat', sent: sentMeasured, delivered: lat.length, p50: quantile(lat, 0.5), p99: quantile(lat, 0.99), max: lat[lat.length - 1] ?? NaN, loopP99: loop.percentile(99) / 1e6 });
}

process.on('message', (m: GenCommand) => {
  if (m.type === 'open') void open(m.uids, m.modern);
  else if (m.type === 'login') void login(m.uids, m.window);
  else if (m.type === 'counters') send({ type: 'counters', keepAlivesFailed });
  else if (m.type === 'echo') void echoOn(m.port, m.on).then(() => send({ type: 'ready' }));
  else if (m.type === 'chat') void chat(m.pairs, m.rate, m.ms, m.warmupMs);
  else if (m.type === 'exit') process.exit(0);
});
send({ type: 'ready' });
