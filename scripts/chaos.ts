// `npm run chaos [-- many | busy-pair]` (both by default), through a proxy with 30% loss, 10% duplication,
// 10% reordering and some delay, both ways:
// - many: 100 000 messages among 50 users; prints lost / duplicated / out-of-order counts (target: 0, 0, 0).
// - busy-pair: 300 messages from one sender to one receiver on the server's default delivery settings; target:
//   0 lost, 0 duplicated, order kept, all delivered within 60 s of the last send; prints delivery time p50/p99/max.
// Exits non-zero when a target is missed.
import { CHAOS_RATES, runBusyPair, runChaos, type ServerPushCounts } from '../test/helpers/chaos.js';
import type { UdpProxy } from '../test/helpers/udp-proxy.js';

const which = process.argv[2] ?? 'all';
if (!['all', 'many', 'busy-pair'].includes(which)) {
  console.error(`chaos: unknown scenario '${which}' — use many, busy-pair, or nothing for both`);
  process.exit(2);
}
const seed = Number(process.env.CHAOS_SEED ?? 1);

function proxyLine(stats: UdpProxy['stats'], d: 'c2s' | 's2c'): string {
  const s = stats[d];
  const total = s.pass + s.drop + s.duplicate + s.reorder + s.delay;
  return `proxy ${d}: ${total} datagrams: ${((100 * s.drop) / total).toFixed(1)}% dropped, ${((100 * s.duplicate) / total).toFixed(1)}% duplicated, ${((100 * s.reorder) / total).toFixed(1)}% reordered, ${((100 * s.delay) / total).toFixed(1)}% delayed`;
}

function serverLine(s: ServerPushCounts): string {
  return `server: ${s.pushesSent} pushes sent for ${s.acked} acked messages: ${s.repushes} re-pushes the client hid (${s.retransmits} retransmissions, ${s.freshSequences} under a fresh sequence), ${s.givenUp} given up`;
}

let failed = false;

if (which === 'all' || which === 'many') {
  const messages = Number(process.env.CHAOS_MESSAGES ?? 100_000);
  const users = Number(process.env.CHAOS_USERS ?? 50);
  console.log(`chaos many: ${messages} messages among ${users} users, seed ${seed}; 30% loss, 10% duplication, 10% reordering, 5% delay (5–30 ms), both ways`);
  const r = await runChaos({
    users, messages, seed, retryMs: 40, retries: 40, settleMs: 60_000,
    rates: CHAOS_RATES,
    onProgress: (n) => { if (n % 10_000 === 0) process.stderr.write(`  ${n} sent\n`); },
  });
  console.log(proxyLine(r.proxy, 'c2s'));
  console.log(proxyLine(r.proxy, 's2c'));
  console.log(`sent ${r.sent}, accepted (00) ${r.accepted}, failed after all retries ${r.failed} (of which arrived anyway: ${r.failedButDelivered})`);
  console.log(`delivered ${r.delivered} in ${(r.ms / 1000).toFixed(1)} s`);
  console.log(serverLine(r.server));
  console.log(`lost: ${r.lost}   duplicated: ${r.duplicated}   out of order: ${r.outOfOrder}`);
  if (r.lost || r.duplicated || r.outOfOrder) failed = true;
}

if (which === 'all' || which === 'busy-pair') {
  const messages = Number(process.env.CHAOS_BUSY_MESSAGES ?? 300);
  const withinMs = 60_000;
  const senderRetryMs = 500;
  console.log(`\nchaos busy-pair: ${messages} messages from one sender to one receiver, seed ${seed}; the same network; server defaults; sender re-sends every ${senderRetryMs} ms`);
  const r = await runBusyPair({ messages, seed, rates: CHAOS_RATES, senderRetryMs, withinMs });
  console.log(proxyLine(r.proxy, 'c2s'));
  console.log(proxyLine(r.proxy, 's2c'));
  const q = (p: number) => r.deliveryMs[Math.min(r.deliveryMs.length - 1, Math.ceil(p * r.deliveryMs.length) - 1)] ?? NaN;
  console.log(`sent ${r.sent} in ${(r.sendingMs / 1000).toFixed(1)} s, accepted ${r.accepted}, failed ${r.failed} (of which arrived anyway: ${r.failedButDelivered})`);
  console.log(`delivery time (send → shown): p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${r.deliveryMs.at(-1)} ms`);
  console.log(`last arrival ${r.lastArrivalAfterLastSendMs === undefined ? 'never (something was lost)' : `${(r.lastArrivalAfterLastSendMs / 1000).toFixed(1)} s`} after the last send (target ≤ ${withinMs / 1000} s)`);
  console.log(serverLine(r.server));
  console.log(`lost: ${r.lost}   duplicated: ${r.duplicated}   out of order: ${r.outOfOrder}   in time: ${r.inTime ? 'yes' : 'NO'}`);
  if (r.lost || r.duplicated || r.outOfOrder || !r.inTime) failed = true;
}

process.exit(failed ? 1 : 0);
