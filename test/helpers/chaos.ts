// The lossy-network run shared by the chaos test (2 000 messages) and `npm run chaos` (100 000): users chat through a
// proxy that drops, duplicates, delays and reorders datagrams both ways; every accepted message must arrive exactly
// once, in each sender's order.
import { Client } from '../../src/client/index.js';
import type { Framing } from '../../src/protocol/framing.js';
import { UdpProxy, type ProxyRates } from './udp-proxy.js';
import { startServer, seedAccounts } from './udp.js';
import { heldBy, quiescence, serverProbe } from './quiescence.js';
import type { OicqServer } from '../../src/server/server.js';

/**
 * 30% loss, 10% duplication, 10% reordering and some delay, of all datagrams, each way. The proxy tries drop,
 * then duplicate, then reorder, then delay, so each later probability is scaled up to give its share of the total.
 */
export const CHAOS_RATES: ProxyRates = { drop: 0.3, duplicate: 0.1 / 0.7, reorder: 0.1 / 0.6, delay: 0.05 / 0.5, delayMs: [5, 30] };

/** Settings of one run. */
export interface ChaosOptions {
  users: number;
  messages: number;
  seed: number;
  rates: ProxyRates;
  /** Client retransmission interval (ms) and tries; the server's shortest push timeout is the same interval. */
  retryMs: number;
  retries: number;
  /** Give up waiting for deliveries after this long once all sends are done. */
  settleMs: number;
  onProgress?: (sent: number) => void;
}

/** What a run found. The promises hold when lost, duplicated and outOfOrder are 0. */
export interface ChaosResult {
  sent: number;
  accepted: number;
  /** Sends the client was told failed (allowed; such a message may or may not arrive). */
  failed: number;
  /** Failed sends that arrived anyway (the client can tell them by their message id). */
  failedButDelivered: number;
  delivered: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  proxy: UdpProxy['stats'];
  /** What the server did below the SDK's de-duplication: pushes on the wire, and the re-sends among them. */
  server: ServerPushCounts;
  ms: number;
}

/** The server's push counters: every push it sent, and why some messages went out more than once. */
export interface ServerPushCounts {
  pushesSent: number;
  /** Acks counted (one per delivered message). */
  acked: number;
  /** Pushes beyond the first of each message: what the SDK hid from the user. */
  repushes: number;
  retransmits: number;
  freshSequences: number;
  givenUp: number;
}

function pushCounts(m: OicqServer['metrics']): ServerPushCounts {
  return {
    pushesSent: m.pushesSent, acked: m.messagesDelivered, repushes: m.pushesSent - m.messagesDelivered,
    retransmits: m.pushRetransmits, freshSequences: m.pushFreshSeqs, givenUp: m.pushesGivenUp,
  };
}

/** Runs the chat through the lossy proxy and counts what arrived. */
export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  const started = Date.now();
  const users = Array.from({ length: o.users }, (_, i) => ({ uid: 70000 + i, password: `pw-${i}` }));
  const { server, store } = await startServer({
    guard: { preLoginPerSecond: 1_000_000 },
    flood: { maxDropsPerSecond: 0 },
    hub: { pushRto: { minMs: o.retryMs, maxMs: o.retryMs * 25, initialMs: o.retryMs }, sessionTimeoutMs: 600_000 },
  });
  const pairs: [number, number][] = [];
  for (let i = 0; i < o.users; i++) for (let j = i + 1; j < o.users; j++) pairs.push([users[i]!.uid, users[j]!.uid]);
  seedAccounts(store, users, pairs);
  const proxy = await UdpProxy.start({ targetPort: server.address.port, seed: o.seed, c2s: o.rates, s2c: o.rates, logging: false });

  // received[receiver] = list of "sender:index" texts in arrival order.
  const received = new Map<number, string[]>();
  const clients: Client[] = [];
  try {
    for (const [i, u] of users.entries()) {
      const framing: Framing = i % 3 === 2 ? 'classic' : 'modern';
      const c = new Client({ uid: u.uid, password: u.password, server: `127.0.0.1:${proxy.port}`, framing, retry: { intervalMs: o.retryMs, maxTries: o.retries }, keepAliveMs: 600_000 });
      const got: string[] = [];
      received.set(u.uid, got);
      c.on('message', (m) => got.push(m.text));
      clients.push(c);
    }
    await Promise.all(clients.map((c) => c.login()));

    const perUser = Math.ceil(o.messages / o.users);
    const accepted = new Map<string, number>(); // text → receiver
    const failed = new Set<string>();
    let sent = 0;
    await Promise.all(clients.map(async (c, i) => {
      for (let k = 0; k < perUser && sent < o.messages; k++) {
        const to = users[(i + 1 + (k % (o.users - 1))) % o.users]!.uid;
        const text = `${c.uid}:${k}`;
        sent++;
        if (sent % 1000 === 0) o.onProgress?.(sent);
        try {
          await c.sendMessage(to, text);
          accepted.set(text, to);
        } catch {
          failed.add(text);
        }
      }
    }));

    // Wait until every accepted message is in, or the settle time runs out.
    const deadline = Date.now() + o.settleMs;
    const count = () => [...received.values()].reduce((a, l) => a + l.length, 0);
    while (count() < accepted.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // Every push acked and nothing held in the proxy: a late duplicate would have shown by now.
    await quiescence([serverProbe(server), heldBy(proxy)], { deadlineMs: o.settleMs, what: 'after the chaos run' }).catch(() => {});

    let delivered = 0, duplicated = 0, outOfOrder = 0, failedButDelivered = 0;
    const seen = new Set<string>();
    for (const [receiver, texts] of received) {
      const lastFrom = new Map<number, number>();
      for (const t of texts) {
        const [from, idx] = t.split(':').map(Number) as [number, number];
        if (seen.has(t)) { duplicated++; continue; }
        seen.add(t);
        if (failed.has(t)) failedButDelivered++;
        else if (accepted.get(t) === receiver) delivered++;
        if ((lastFrom.get(from) ?? -1) > idx) outOfOrder++;
        lastFrom.set(from, idx);
      }
    }
    const lost = [...accepted.keys()].filter((t) => !seen.has(t)).length;
    return { sent, accepted: accepted.size, failed: failed.size, failedButDelivered, delivered, lost, duplicated, outOfOrder, proxy: proxy.stats, server: pushCounts(server.metrics), ms: Date.now() - started };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    proxy.close();
    await server.close();
  }
}

/** Settings of the "one busy pair" run: one sender, one receiver, the server's default delivery settings. */
export interface BusyPairOptions {
  messages: number;
  seed: number;
  rates: ProxyRates;
  /** The sender's retransmission interval (ms): how fast it can push sends through the lossy link. */
  senderRetryMs: number;
  /** How long after the last send every message must have arrived (the target; the run waits this long at most). */
  withinMs: number;
}

/** What the busy-pair run found; the targets hold when lost, duplicated and outOfOrder are 0 and `inTime`. */
export interface BusyPairResult {
  sent: number;
  accepted: number;
  failed: number;
  failedButDelivered: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  /** From the start of each accepted send to its arrival (ms), sorted. */
  deliveryMs: number[];
  /** From the end of the last send to the last arrival (ms); undefined when something never arrived. */
  lastArrivalAfterLastSendMs: number | undefined;
  inTime: boolean;
  sendingMs: number;
  proxy: UdpProxy['stats'];
  server: ServerPushCounts;
}

/**
 * One sender sends `messages` texts, one after the other as fast as its client gets them acknowledged, to one
 * online receiver; both sit behind the lossy proxy. Measures when each arrives (the receiver acks every push and
 * keeps alive every 20 s, as in the report that started issue #13).
 */
export async function runBusyPair(o: BusyPairOptions): Promise<BusyPairResult> {
  const sender = { uid: 71001, password: 'busy-a' };
  const receiver = { uid: 71002, password: 'busy-b' };
  const { server, store } = await startServer({ guard: { preLoginPerSecond: 1_000_000 }, flood: { maxDropsPerSecond: 0 } });
  seedAccounts(store, [sender, receiver], [[sender.uid, receiver.uid]]);
  const proxy = await UdpProxy.start({ targetPort: server.address.port, seed: o.seed, c2s: o.rates, s2c: o.rates, logging: false });
  const where = `127.0.0.1:${proxy.port}`;
  const a = new Client({ ...sender, server: where, framing: 'modern', retry: { intervalMs: o.senderRetryMs, maxTries: 40 } });
  const b = new Client({ ...receiver, server: where, framing: 'classic', keepAliveMs: 20_000 });
  const arrivals: { text: string; at: number }[] = [];
  b.on('message', (m) => arrivals.push({ text: m.text, at: Date.now() }));
  try {
    await a.login();
    await b.login();
    const startedAt = new Map<string, number>();
    const accepted: string[] = [];
    const failed = new Set<string>();
    const sendingFrom = Date.now();
    for (let i = 0; i < o.messages; i++) {
      const text = `busy:${i}`;
      startedAt.set(text, Date.now());
      try {
        await a.sendMessage(receiver.uid, text);
        accepted.push(text);
      } catch {
        failed.add(text);
      }
    }
    const lastSendDone = Date.now();
    const deadline = lastSendDone + o.withinMs;
    const arrived = () => new Set(arrivals.map((x) => x.text));
    while (Date.now() < deadline && !accepted.every((t) => arrived().has(t))) await new Promise((r) => setTimeout(r, 50));
    // Anything still owed or held in the proxy would show up as a late duplicate: let it settle, then count.
    await quiescence([serverProbe(server), heldBy(proxy)], { deadlineMs: 30_000, what: 'after the busy pair' }).catch(() => {});
    const seen = new Set<string>();
    let duplicated = 0, outOfOrder = 0, failedButDelivered = 0, last = -1;
    const deliveryMs: number[] = [];
    for (const x of arrivals) {
      if (seen.has(x.text)) { duplicated++; continue; }
      seen.add(x.text);
      const idx = Number(x.text.split(':')[1]);
      if (idx < last) outOfOrder++;
      last = idx;
      if (failed.has(x.text)) failedButDelivered++;
      else deliveryMs.push(x.at - startedAt.get(x.text)!);
    }
    const lost = accepted.filter((t) => !seen.has(t)).length;
    const lastArrival = Math.max(...arrivals.map((x) => x.at));
    const after = lost === 0 ? Math.max(0, lastArrival - lastSendDone) : undefined;
    return {
      sent: o.messages, accepted: accepted.length, failed: failed.size, failedButDelivered, lost, duplicated, outOfOrder,
      deliveryMs: deliveryMs.sort((x, y) => x - y), lastArrivalAfterLastSendMs: after, inTime: after !== undefined && after <= o.withinMs,
      sendingMs: lastSendDone - sendingFrom, proxy: proxy.stats, server: pushCounts(server.metrics),
    };
  } finally {
    await Promise.all([a.close(), b.close()]);
    proxy.close();
    await server.close();
  }
}
