// Protocol micro-benchmark: QQ-TEA throughput, send-IM datagram rate, and QQ-TEA against a C reference.
// One process, one run, no assertions on timings. Run with `npm run bench:protocol`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { teaEncrypt, teaDecrypt, teaKey } from '../src/protocol/tea.js';
import { cryptoRandom, replayRandom, type RandomSource } from '../src/protocol/random.js';
import { encodePacket, decodePacket } from '../src/protocol/framing.js';
import type { BodyCodec } from '../src/protocol/codec.js';
import { loadVectors, hex, type SessionsFile } from '../test/helpers/vectors.js';
import { measure, mbPerSec } from './lib/measure.js';
import { printTable, fmt, ratio } from './lib/table.js';
// The 0x00CD body codec. If it ever breaks, `import { RAW_BODY as SEND_IM } from './lib/raw-body.js';` times
// framing + QQ-TEA of the raw body instead (the bench then prints a note).
import { sendIm as SEND_IM } from '../src/protocol/bodies/modern/message.js';

const MSG_LEN = 136; // plaintext bytes per TEA message
const TARGET = 0.6; // TS TEA must reach this fraction of C
const TS_MS = 1500; // timed duration per TS figure
const C_SECONDS = 1.5; // target duration per C figure

const KEY_BYTES = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
const KEY = teaKey(KEY_BYTES);
const PLAIN = Buffer.from(Array.from({ length: MSG_LEN }, (_, i) => (i * 7 + 1) & 0xff));

// A free, deterministic RandomSource: one pre-built buffer per size, so encryption measures TEA, not the RNG.
const FIXED_RANDOM = Array.from({ length: 16 }, (_, n) => Buffer.alloc(n, 0x5a));
const cheapRandom: RandomSource = (n) => FIXED_RANDOM[n] ?? Buffer.alloc(n, 0x5a);

const notes: string[] = [];
function fail(msg: string): never {
  console.error(`bench:protocol: ${msg}`);
  process.exit(1);
}

// ---- 1. TS QQ-TEA ----------------------------------------------------------------------------------------

function benchTsTea(): { enc: number; encCrypto: number; dec: number } {
  const cipher = teaEncrypt(PLAIN, KEY, cheapRandom);
  const back = teaDecrypt(cipher, KEY);
  if (!back?.equals(PLAIN)) fail('TS round trip of the 136-byte message failed');
  const enc = mbPerSec(measure(() => teaEncrypt(PLAIN, KEY, cheapRandom), { minMs: TS_MS, warmupMs: 500 }), MSG_LEN);
  const encCrypto = mbPerSec(measure(() => teaEncrypt(PLAIN, KEY, cryptoRandom), { minMs: TS_MS / 2, warmupMs: 500 }), MSG_LEN);
  const dec = mbPerSec(measure(() => teaDecrypt(cipher, KEY), { minMs: TS_MS, warmupMs: 500 }), MSG_LEN);
  return { enc, encCrypto, dec };
}

// ---- 2. send-IM datagrams --------------------------------------------------------------------------------

function benchSendIm(): { encode: number; decode: number; bodyLen: number; datagramLen: number } {
  const modern = loadVectors<SessionsFile>('modern-session.json');
  const session = modern.sessions.find((s) => s.session_key !== null) ?? fail('no modern session with a session key');
  const pkt = session.packets.find((p) => p.command === 0x00cd && p.dir === 'c2s') ?? fail('no c2s 0x00CD packet in the vectors');
  const sessionKey = teaKey(hex(session.session_key!));
  const datagram = hex(pkt.hex);
  const plain = hex(pkt.plain);

  // Check the pipeline on the recorded datagram before timing it.
  const got = decodePacket(datagram, 'c2s');
  if (!got.ok) fail(`recorded 0x00CD datagram does not decode: ${got.error.message}`);
  const opened = teaDecrypt(got.value.body, sessionKey);
  if (!opened?.equals(plain)) fail('recorded 0x00CD body does not decrypt to its recorded plaintext');

  const codec: BodyCodec<unknown> = SEND_IM;
  const value = codec.decode(plain);
  const reencoded = codec.encode(value);
  if (!reencoded.equals(plain)) notes.push(`${codec.name}: re-encoding the recorded 0x00CD body did not give the same bytes`);
  if (codec.name === 'raw') {
    notes.push(
      `send-IM body codec not available yet: timed encodePacket/decodePacket + QQ-TEA of the raw ${plain.length}-byte body ` +
        '(switch the SEND_IM import in bench/protocol.ts to measure the codec)',
    );
  }

  const { version, command, seq } = got.value;
  const uid = got.value.uid!;
  const random = cheapRandom;
  const encodeOne = (): Buffer =>
    encodePacket({ direction: 'c2s', version, command, seq, uid, body: teaEncrypt(codec.encode(value), sessionKey, random) });
  const wire = encodeOne();
  const decodeOne = (): unknown => {
    const r = decodePacket(wire, 'c2s');
    if (!r.ok) return r.error;
    const body = teaDecrypt(r.value.body, sessionKey);
    return body === null ? null : codec.decode(body);
  };
  const decoded = decodeOne();
  if (decoded === null || decoded instanceof Error) fail('encoded 0x00CD datagram does not decode back');

  const encode = measure(encodeOne, { minMs: TS_MS / 2 }).opsPerSec;
  const decode = measure(decodeOne, { minMs: TS_MS / 2 }).opsPerSec;
  return { encode, decode, bodyLen: reencoded.length, datagramLen: wire.length };
}

// ---- 3. C reference --------------------------------------------------------------------------------------

interface TeaVectors {
  encrypt: { name: string; key: string; random: string; plain: string; cipher: string }[];
}

function run(exe: string, args: string[]): string {
  const r = spawnSync(exe, args, { encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${exe} ${args[0]} exited ${r.status}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

function parseC(out: string): { enc: number; dec: number } {
  const m = /^encrypt ([\d.]+) decrypt ([\d.]+) check \d+$/.exec(out);
  if (!m) throw new Error(`unexpected C output: ${out}`);
  return { enc: Number(m[1]), dec: Number(m[2]) };
}

/** Compiles and runs bench/c/qqtea.c; returns undefined (with a note) when no compiler is found. */
function benchC(): { enc: number; dec: number; iterations: number } | undefined {
  const cc = process.env.CC ?? 'cc';
  const probe = spawnSync(cc, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    notes.push(`no C compiler (${cc}) found: C reference skipped`);
    return undefined;
  }
  const src = join(dirname(fileURLToPath(import.meta.url)), 'c', 'qqtea.c');
  const dir = mkdtempSync(join(tmpdir(), 'oicq-bench-'));
  try {
    const exe = join(dir, 'qqtea');
    const build = spawnSync(cc, ['-O2', '-o', exe, src], { encoding: 'utf8' });
    if (build.status !== 0) fail(`compiling ${src} failed:\n${build.stderr}`);

    // Both implementations must agree before either is timed: one published vector, then the bench workload.
    const v = loadVectors<TeaVectors>('tea.json');
    const vec = v.encrypt.find((e) => e.plain.length / 2 >= 100) ?? v.encrypt[0] ?? fail('tea.json has no encryption vector');
    const cOut = run(exe, ['vector', vec.key, vec.random, vec.plain]);
    const tsOut = teaEncrypt(hex(vec.plain), hex(vec.key), replayRandom(hex(vec.random))).toString('hex');
    if (cOut !== vec.cipher) fail(`C reference disagrees with vector "${vec.name}"`);
    if (tsOut !== vec.cipher) fail(`TS QQ-TEA disagrees with vector "${vec.name}"`);
    const rnd = Buffer.alloc(10, 0x5a);
    const cWork = run(exe, ['vector', KEY_BYTES.toString('hex'), rnd.toString('hex'), PLAIN.toString('hex')]);
    if (cWork !== teaEncrypt(PLAIN, KEY, replayRandom(rnd)).toString('hex')) fail('C and TS disagree on the 136-byte workload');

    // Calibrate with a short run, then size the timed run to about C_SECONDS per direction.
    const probeIters = 50_000;
    const quick = parseC(run(exe, ['bench', String(probeIters), String(MSG_LEN), KEY_BYTES.toString('hex')]));
    const iterations = Math.max(probeIters, Math.round((C_SECONDS * Math.max(quick.enc, quick.dec) * 1e6) / MSG_LEN));
    const timed = parseC(run(exe, ['bench', String(iterations), String(MSG_LEN), KEY_BYTES.toString('hex')]));
    return { ...timed, iterations };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- report ----------------------------------------------------------------------------------------------

function main(): void {
  console.log(`bench:protocol — node ${process.version}, ${process.arch}; MB = 1e6 bytes of plaintext; ${MSG_LEN}-byte messages`);
  const ts = benchTsTea();
  const im = benchSendIm();
  const c = benchC();

  printTable(`QQ-TEA, ${MSG_LEN}-byte plaintext (${teaEncrypt(PLAIN, KEY, cheapRandom).length}-byte ciphertext)`, ['', 'MB/s', 'msgs/s'], [
    ['TS encrypt (fixed random)', ts.enc, fmt((ts.enc * 1e6) / MSG_LEN, 0)],
    ['TS encrypt (cryptoRandom)', ts.encCrypto, fmt((ts.encCrypto * 1e6) / MSG_LEN, 0)],
    ['TS decrypt', ts.dec, fmt((ts.dec * 1e6) / MSG_LEN, 0)],
    ...(c
      ? ([
          ['C -O2 encrypt', c.enc, fmt((c.enc * 1e6) / MSG_LEN, 0)],
          ['C -O2 decrypt', c.dec, fmt((c.dec * 1e6) / MSG_LEN, 0)],
        ] as const)
      : []),
  ]);

  printTable(
    `0x00CD send-IM datagram (${SEND_IM.name} body, ${im.bodyLen}-byte plaintext, ${im.datagramLen}-byte datagram)`,
    ['', 'packets/s'],
    [
      ['encode + encrypt', fmt(im.encode, 0)],
      ['decrypt + decode', fmt(im.decode, 0)],
    ],
  );

  if (c) {
    const encR = ts.enc / c.enc;
    const decR = ts.dec / c.dec;
    printTable(`TS / C (target ≥ ${TARGET}×; C ran ${c.iterations.toLocaleString('en-US')} messages per direction)`, ['', 'ratio', 'target'], [
      ['encrypt', ratio(ts.enc, c.enc), encR >= TARGET ? 'met' : 'NOT met'],
      ['decrypt', ratio(ts.dec, c.dec), decR >= TARGET ? 'met' : 'NOT met'],
    ]);
  }
  for (const n of notes) console.log(`\nnote: ${n}`);
}

main();
