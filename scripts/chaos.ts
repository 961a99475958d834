// `npm run chaos`: 100 000 messages among 50 users through a proxy with 30% loss, 10% duplication, 10% reordering
// and some delay, both ways. Prints lost / duplicated / out-of-order counts (target: 0, 0, 0).
import { CHAOS_RATES, runChaos } from '../test/helpers/chaos.js';

const messages = Number(process.env.CHAOS_MESSAGES ?? 100_000);
const users = Number(process.env.CHAOS_USERS ?? 50);
const seed = Number(process.env.CHAOS_SEED ?? 1);
console.log(`chaos: ${messages} messages among ${users} users, seed ${seed}; 30% loss, 10% duplication, 10% reordering, 5% delay (5–30 ms), both ways`);
const r = await runChaos({
  users, messages, seed, retryMs: 40, retries: 40, settleMs: 60_000,
  rates: CHAOS_RATES,
  onProgress: (n) => { if (n % 10_000 === 0) process.stderr.write(`  ${n} sent\n`); },
});
const pct = (d: 'c2s' | 's2c') => {
  const s = r.proxy[d];
  const total = s.pass + s.drop + s.duplicate + s.reorder + s.delay;
  return `${total} datagrams: ${((100 * s.drop) / total).toFixed(1)}% dropped, ${((100 * s.duplicate) / total).toFixed(1)}% duplicated, ${((100 * s.reorder) / total).toFixed(1)}% reordered, ${((100 * s.delay) / total).toFixed(1)}% delayed`;
};
console.log(`proxy c2s: ${pct('c2s')}`);
console.log(`proxy s2c: ${pct('s2c')}`);
console.log(`sent ${r.sent}, accepted (00) ${r.accepted}, failed after all retries ${r.failed} (of which arrived anyway: ${r.failedButDelivered})`);
console.log(`delivered ${r.delivered} in ${(r.ms / 1000).toFixed(1)} s`);
console.log(`lost: ${r.lost}   duplicated: ${r.duplicated}   out of order: ${r.outOfOrder}`);
process.exit(r.lost || r.duplicated || r.outOfOrder ? 1 : 0);
