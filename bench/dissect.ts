// Analyzer benchmark: a 1,000,000-packet capture of mixed OICQ traffic (both framings, request/reply pairs,
// pushes and acks, some resends and unanswered requests), then `oicq dissect --summary` and
// `tshark -T fields -e oicq.command` on the same file in the same run: packets/s of both, the ratio, and
// dissect's peak RSS. No assertions on timings. Run with `npm run bench:dissect` (PACKETS=n to change the size,
// KEEP_CAPTURE=1 to keep the file).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, rmSync, statSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writePcapFile, type PcapDatagram } from '../src/capture/pcap-writer.js';
import { printTable, fmt, ratio } from './lib/table.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PACKETS = Number(process.env.PACKETS ?? 1_000_000);
const TARGET_RATIO = 10;
const TARGET_RSS_MB = 100;
const TSHARK = ['/usr/bin/tshark', 'tshark'].find((p) => p === 'tshark' || existsSync(p))!;
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

// ---- traffic generator -----------------------------------------------------------------------------------

/** xorshift32: deterministic traffic. */
let seed = 0x1badf00d;
function rand(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
}
const randInt = (n: number): number => Math.floor(rand() * n);

const POOL = Buffer.alloc(1 << 16);
for (let i = 0; i < POOL.length; i++) POOL[i] = randInt(256);

interface Client {
  modern: boolean;
  version: number;
  uid: number;
  ip: string;
  port: number;
  seq: number;
  serverSeq: number;
}

// Exchange kinds with their OICQ sizes (request, reply or push, ack), after PROTOCOL.md §7 for modern and
// typical classic sizes; weights say how common each one is.
interface Kind {
  command: number;
  req: number;
  /** Reply size, 0 = none. */
  rep: number;
  push?: boolean;
  ack?: number;
  weight: number;
}
const MODERN_KINDS: Kind[] = [
  { command: 0x0058, req: 39, rep: 47, weight: 30 }, // keep alive
  { command: 0x0027, req: 39, rep: 1000, weight: 5 }, // online friends
  { command: 0x00cd, req: 151, rep: 31, weight: 15 }, // send message
  { command: 0x00ce, req: 175, rep: 0, push: true, ack: 55, weight: 15 }, // receive message + ack
  { command: 0x0081, req: 79, rep: 0, push: true, weight: 10 }, // status push
  { command: 0x001d, req: 39, rep: 63, weight: 2 }, // request key
  { command: 0x000d, req: 47, rep: 31, weight: 3 }, // change status
];
const CLASSIC_KINDS: Kind[] = [
  { command: 0x0002, req: 28, rep: 40, weight: 30 }, // keep alive
  { command: 0x0027, req: 28, rep: 600, weight: 5 }, // online friends
  { command: 0x0016, req: 120, rep: 24, weight: 15 }, // send message
  { command: 0x0017, req: 104, rep: 0, push: true, ack: 44, weight: 15 }, // receive message + ack
  { command: 0x0081, req: 56, rep: 0, push: true, weight: 10 }, // status push
  { command: 0x0026, req: 36, rep: 400, weight: 3 }, // friend list
  { command: 0x000d, req: 28, rep: 24, weight: 2 }, // change status
];
function picker(kinds: Kind[]): () => Kind {
  const total = kinds.reduce((s, k) => s + k.weight, 0);
  return () => {
    let r = rand() * total;
    for (const k of kinds) if ((r -= k.weight) < 0) return k;
    return kinds[0]!;
  };
}
const pickModern = picker(MODERN_KINDS);
const pickClassic = picker(CLASSIC_KINDS);

const SERVER_IP = '10.0.0.1';
const SERVER_PORT = 8000;

/** Builds an OICQ datagram of `size` bytes into `out` (header, random body, tail); returns the view. */
function datagram(out: Buffer, c: Client, toServer: boolean, command: number, seq: number, size: number): Buffer {
  const hlen = c.modern ? (toServer ? 22 : 14) : toServer ? 11 : 7;
  size = Math.max(size, hlen + 1);
  out[0] = 0x02;
  out.writeUInt16BE(c.modern || toServer ? c.version : 0x0100, 1);
  out.writeUInt16BE(command, 3);
  out.writeUInt16BE(seq, 5);
  if (hlen >= 11) out.writeUInt32BE(c.uid, 7);
  if (c.modern) {
    if (toServer) Buffer.from('0200000001010100006470', 'hex').copy(out, 11);
    else out.fill(0, 11, 14);
  }
  const from = randInt(POOL.length - 4096);
  POOL.copy(out, hlen, from, from + size - hlen - 1);
  out[size - 1] = 0x03;
  return out.subarray(0, size);
}

interface Pending {
  time: number;
  client: Client;
  toServer: boolean;
  command: number;
  seq: number;
  size: number;
}

/** A binary min-heap of scheduled packets by time. */
class Heap {
  private a: Pending[] = [];
  get size(): number {
    return this.a.length;
  }
  peek(): Pending | undefined {
    return this.a[0];
  }
  push(p: Pending): void {
    const a = this.a;
    a.push(p);
    let i = a.length - 1;
    while (i > 0) {
      const j = (i - 1) >> 1;
      if (a[j]!.time <= a[i]!.time) break;
      [a[i], a[j]] = [a[j]!, a[i]!];
      i = j;
    }
  }
  pop(): Pending {
    const a = this.a;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l]!.time < a[m]!.time) m = l;
        if (r < a.length && a[r]!.time < a[m]!.time) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

/** The mixed traffic: new exchanges start every ~0.1 ms; replies, acks and resends follow 1–40 ms later. */
function* traffic(n: number): Generator<PcapDatagram> {
  const clients: Client[] = [];
  for (let i = 0; i < 2000; i++) {
    const modern = i % 2 === 0;
    clients.push({
      modern,
      version: modern ? (i % 4 === 0 ? 0x3639 : 0x2227) : i % 3 === 0 ? 0x115b : 0x0d55,
      uid: modern ? 300000000 + i : 10000 + i,
      ip: `10.${1 + (i >> 16)}.${(i >> 8) & 0xff}.${i & 0xff}`,
      port: 4000 + (i % 20000),
      seq: randInt(65536),
      serverSeq: randInt(65536),
    });
  }
  const heap = new Heap();
  const buf = Buffer.alloc(4096);
  const d: PcapDatagram = { srcIp: '', srcPort: 0, dstIp: '', dstPort: 0, payload: buf, time: 0 };
  let now = 1_700_000_000_000;
  const emit = (p: Pending): PcapDatagram => {
    d.srcIp = p.toServer ? p.client.ip : SERVER_IP;
    d.srcPort = p.toServer ? p.client.port : SERVER_PORT;
    d.dstIp = p.toServer ? SERVER_IP : p.client.ip;
    d.dstPort = p.toServer ? SERVER_PORT : p.client.port;
    d.payload = datagram(buf, p.client, p.toServer, p.command, p.seq, p.size);
    d.time = p.time;
    return d;
  };
  for (let out = 0; out < n; out++) {
    const next = heap.peek();
    if (next && (next.time <= now || heap.size > 5000)) {
      yield emit(heap.pop());
      continue;
    }
    now += rand() * 0.2;
    const c = clients[randInt(clients.length)]!;
    const k = c.modern ? pickModern() : pickClassic();
    if (k.push) {
      const seq = (c.serverSeq = (c.serverSeq + 1) & 0xffff);
      yield emit({ time: now, client: c, toServer: false, command: k.command, seq, size: k.req + randInt(8) });
      if (k.ack) heap.push({ time: now + 1 + rand() * 40, client: c, toServer: true, command: k.command, seq, size: k.ack });
      continue;
    }
    const seq = c.modern ? randInt(65536) : (c.seq = (c.seq + 1) & 0xffff);
    const size = k.req + randInt(8);
    yield emit({ time: now, client: c, toServer: true, command: k.command, seq, size });
    const r = rand();
    if (r < 0.01) heap.push({ time: now + 3000, client: c, toServer: true, command: k.command, seq, size }); // a resend
    if (r < 0.005) continue; // never answered
    heap.push({ time: now + 1 + rand() * 40, client: c, toServer: false, command: k.command, seq, size: k.rep + randInt(8) });
  }
}

// ---- timing ----------------------------------------------------------------------------------------------

interface Timed {
  ms: number;
  maxRssKb: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command (under GNU time -v when present) with stdout to a file or a pipe; wall time and peak RSS. */
function timed(cmd: string, args: string[], env: Record<string, string> = {}, discardStdout = false): Timed {
  const argv = GNU_TIME ? [GNU_TIME, '-v', cmd, ...args] : [cmd, ...args];
  const devnull = discardStdout ? openSync('/dev/null', 'w') : null;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0]!, argv.slice(1), {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', devnull ?? 'pipe', 'pipe'],
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (devnull !== null) closeSync(devnull);
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  return { ms, maxRssKb: m ? Number(m[1]) : null, stdout: r.stdout ?? '', stderr: r.stderr };
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'oicq-bench-dissect-'));
  const file = join(dir, 'mixed.pcap');
  try {
    const g0 = process.hrtime.bigint();
    const written = writePcapFile(file, traffic(PACKETS));
    const genMs = Number(process.hrtime.bigint() - g0) / 1e6;
    const mb = statSync(file).size / 1e6;
    console.log(`capture: ${fmt(written, 0)} packets, ${fmt(mb, 1)} MB, generated in ${fmt(genMs / 1000, 1)} s (${file})`);

    // The same command on a one-packet capture: the start-up's share of time and RSS (tsx, module loading).
    const tiny = join(dir, 'tiny.pcap');
    writePcapFile(tiny, traffic(1));
    const base = timed(process.execPath, ['bin/oicq.js', 'dissect', '--summary', tiny]);
    const ours = timed(process.execPath, ['bin/oicq.js', 'dissect', '--summary', file], { OICQ_DISSECT_STATS: '1' });
    const stats = /dissect-stats (\{.*\})/.exec(ours.stderr);
    const inner = stats ? (JSON.parse(stats[1]!) as { frames: number; oicq: number; ms: number; maxRssKb: number }) : null;
    const seen = /summary: (\d+) frames, \d+ UDP, (\d+) OICQ packets/.exec(ours.stdout);
    if (!seen || Number(seen[2]) !== written) throw new Error(`dissect did not see every packet:\n${ours.stdout.slice(0, 2000)}`);
    const pairing = ours.stdout.split('\n').slice(1, 3).join('\n');

    let tshark: Timed | null = null;
    const probe = spawnSync(TSHARK, ['-v'], { encoding: 'utf8' });
    if (!probe.error && probe.status === 0) tshark = timed(TSHARK, ['-r', file, '-T', 'fields', '-e', 'oicq.command'], {}, true);
    else console.log('tshark not found: only our figures are printed');

    const oursRate = (written * 1000) / ours.ms;
    const rows: [string, ...(string | number)[]][] = [
      ['oicq dissect --summary (wall, incl. start-up)', fmt(ours.ms / 1000, 2), fmt(oursRate, 0), ours.maxRssKb === null ? '?' : fmt(ours.maxRssKb / 1024, 1)],
    ];
    if (inner) rows.push(['  of which reading + dissecting', fmt(inner.ms / 1000, 2), fmt((written * 1000) / inner.ms, 0), fmt(inner.maxRssKb / 1024, 1)]);
    rows.push(['  same command on a 1-packet capture (start-up)', fmt(base.ms / 1000, 2), '-', base.maxRssKb === null ? '?' : fmt(base.maxRssKb / 1024, 1)]);
    if (tshark) rows.push([`tshark -T fields -e oicq.command`, fmt(tshark.ms / 1000, 2), fmt((written * 1000) / tshark.ms, 0), tshark.maxRssKb === null ? '?' : fmt(tshark.maxRssKb / 1024, 1)]);
    printTable(`dissect vs tshark on ${fmt(written, 0)} packets`, ['tool', 's', 'packets/s', 'peak RSS MB'], rows);
    console.log(`\n${pairing}`);
    const rss = (ours.maxRssKb ?? inner?.maxRssKb ?? 0) / 1024;
    if (tshark) {
      const r = tshark.ms / ours.ms;
      console.log(`\nratio: ${ratio(tshark.ms, ours.ms)} tshark's packets/s (target ≥ ${TARGET_RATIO}×) — ${r >= TARGET_RATIO ? 'met' : 'MISSED'}`);
    }
    console.log(`peak RSS: ${fmt(rss, 1)} MB (target < ${TARGET_RSS_MB} MB) — ${rss < TARGET_RSS_MB ? 'met' : 'MISSED'}`);
  } finally {
    if (process.env.KEEP_CAPTURE) console.log(`kept ${file}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

main();
