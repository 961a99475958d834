import { HAVE_VECTORS, loadVectors, hex, type SessionsFile } from './vectors.js';
import { encodePacket, CAPTURE_VERSION, type Direction } from '../../src/protocol/framing.js';
import { seededRandom, type RandomSource } from '../../src/protocol/random.js';

/** One seed datagram and the direction it was sent in. */
export interface SeedPacket {
  bytes: Buffer;
  dir: Direction;
}

/**
 * Datagrams that mutations start from: the recorded sessions when ../shared/vectors is present; otherwise
 * well-formed datagrams of both framings and directions from the project's own encoder (weaker seeds, same shape).
 */
export function seedPackets(): SeedPacket[] {
  if (HAVE_VECTORS) {
    const files = [loadVectors<SessionsFile>('classic-sessions.json'), loadVectors<SessionsFile>('modern-session.json')];
    return files.flatMap((f) => f.sessions.flatMap((s) => s.packets.map((p) => ({ bytes: hex(p.hex), dir: p.dir }))));
  }
  const random = seededRandom(7);
  const out: SeedPacket[] = [];
  for (const version of [0x0d55, CAPTURE_VERSION]) {
    for (const dir of ['c2s', 's2c'] as const) {
      // Bodies of typical lengths: 16-byte multiples as QQ-TEA gives, plus a short clear one.
      for (const [command, len] of [[0x0062, 16], [0x0022, 120], [0x0016, 96], [0x0017, 136], [0x0002, 16], [0x0091, 8]] as const) {
        out.push({ bytes: encodePacket({ version, direction: dir, command, seq: out.length + 1, uid: 10001, body: random(len) }), dir });
      }
    }
  }
  return out;
}

/** Client datagrams of the seeds (the recorded sessions when present). */
export function seedDatagrams(): Buffer[] {
  return seedPackets().filter((p) => p.dir === 'c2s').map((p) => p.bytes);
}

/**
 * A generator of hostile datagrams from a seeded random source: pure junk, junk with a valid-looking header,
 * and real packets with bytes flipped, cut, extended or their command swapped.
 */
export function datagramFuzzer(random: RandomSource, seeds: Buffer[] = seedDatagrams()): () => Buffer {
  const byte = () => random(1)[0]!;
  const int = (n: number) => (((random(4).readUInt32BE(0)) >>> 0) % n);
  const commands = [0x0001, 0x0002, 0x0006, 0x000d, 0x0016, 0x0017, 0x001d, 0x0022, 0x0026, 0x0027, 0x0058, 0x005c,
    0x0062, 0x0081, 0x0091, 0x00ba, 0x00cd, 0x00ce, 0x00dd, 0x00e5, 0x0030, 0x00eb, 0x0126, 0x0067, 0x00b5, 0x003e, 0x003c];
  return () => {
    const kind = int(10);
    if (kind === 0) return random(int(64));
    if (kind === 1) {
      // A plausible header (either framing) around random bytes.
      const b = random(12 + int(200));
      b[0] = 0x02;
      b.writeUInt16BE(int(2) ? 0x3639 : 0x0d55, 1);
      b.writeUInt16BE(commands[int(commands.length)]!, 3);
      b[b.length - 1] = 0x03;
      return b;
    }
    const b = Buffer.from(seeds[int(seeds.length)]!);
    const muts = 1 + int(4);
    for (let i = 0; i < muts; i++) {
      const what = int(5);
      if (what === 0) b[int(b.length)] = byte();
      else if (what === 1 && b.length > 22) b.writeUInt16BE(commands[int(commands.length)]!, 3);
      else if (what === 2) {
        const at = 1 + int(Math.min(12, b.length - 2));
        b[at] = b[at]! ^ (1 << int(8));
      }
      else if (what === 3) return Buffer.concat([b.subarray(0, int(b.length)), Buffer.from([0x03])]);
      else return Buffer.concat([b.subarray(0, b.length - 1), random(int(40)), Buffer.from([0x03])]);
    }
    return b;
  };
}
