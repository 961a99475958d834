// The lossy-network run shared by the chaos test (2 000 messages) and `npm run chaos` (100 000): users chat through a
// proxy that drops, duplicates, delays and reorders datagrams both ways; every accepted message must arrive exactly
// once, in each sender's order.
import { Client } from '../../src/client/index.js';
import type { Framing } from '../../src/protocol/framing.js';
import { UdpProxy, type ProxyRates } from './udp-proxy.js';
import { startServer, seedAccounts } from './udp.js';

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
  ms: number;
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
    await new Promise((r) => setTimeout(r, o.retryMs * 3)); // late duplicates would show up now

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
    return { sent, accepted: accepted.size, failed: failed.size, failedButDelivered, delivered, lost, duplicated, outOfOrder, proxy: proxy.stats, ms: Date.now() - started };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    proxy.close();
    await server.close();
  }
}
