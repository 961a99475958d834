// `npm run fuzz`: sends 1,000,000 hostile datagrams (random, header-shaped junk, mutations of the recorded
// pidgin and MyQQ packets) to a live server process and prints crashes, RSS before/after and the drop counters.
import { createSocket } from 'node:dgram';
import { seededRandom } from '../src/protocol/random.js';
import { datagramFuzzer } from '../test/helpers/fuzz-gen.js';
import { oicq, startServerProcess, tempDb } from './lib/server-process.js';

const total = Number(process.env.FUZZ_COUNT ?? 1_000_000);
const seed = Number(process.env.FUZZ_SEED ?? 1);

const db = tempDb();
oicq(['user', 'add', '10001', '--password', 'pw', '--db', db]);
// Limits off: every datagram should reach the decoders and handlers, not the limiters.
const server = await startServerProcess(db, ['--log-level', 'info', '--sync', 'normal', '--flood-drops', '0', '--prelogin-rate', '1000000']);
const rssBefore = server.rssKb();
const sock = createSocket('udp4');
await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
const next = datagramFuzzer(seededRandom(seed));
const started = Date.now();
let sent = 0;
let crashed = false;
server.child.once('exit', (code, sig) => {
  if (sent < total) crashed = true;
  if (crashed) console.error(`server died during the fuzz run (exit ${code}, signal ${sig})`);
});
while (sent < total && !crashed) {
  // Bursts sized to what loopback and the server absorb without the kernel dropping most of them.
  for (let i = 0; i < 200 && sent < total; i++, sent++) sock.send(next(), server.port, '127.0.0.1');
  await new Promise((r) => setTimeout(r, 1));
  if (sent % 100_000 === 0) process.stderr.write(`  ${sent} sent\n`);
}
await new Promise((r) => setTimeout(r, 500));
const rssAfter = server.rssKb();
const seconds = (Date.now() - started) / 1000;
const metrics = crashed ? undefined : await server.stop();
sock.close();

console.log(`fuzz: ${sent} datagrams sent in ${seconds.toFixed(1)} s (seed ${seed})`);
console.log(`crashes: ${crashed ? 1 : 0}`);
console.log(`server RSS before: ${(rssBefore / 1024).toFixed(1)} MB, after: ${(rssAfter / 1024).toFixed(1)} MB`);
if (metrics) {
  const dropped = metrics.dropped as Record<string, number>;
  console.log(`received by the server: ${metrics.received} (the rest dropped by the kernel's socket buffer)`);
  console.log(`handler errors (would-be crashes): ${dropped.unexpected}`);
  console.log('dropped by reason:');
  for (const [k, v] of Object.entries(dropped)) if (v) console.log(`  ${k.padEnd(16)} ${v}`);
  console.log(`replies sent: ${metrics.sent}`);
}
process.exit(crashed || (metrics && (metrics.dropped as Record<string, number>).unexpected) ? 1 : 0);
