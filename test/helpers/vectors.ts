import { readFileSync, existsSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import assert from 'node:assert/strict';

/** Where the shared test vectors live: ../shared/vectors beside the project's root. */
export const VECTORS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/vectors');

/** Vectors recorded by this project from real clients, kept in the repository (test/vectors). */
export const REPO_VECTORS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../vectors');

/** Reads one of the repository's own vector files (always present). */
export function loadRepoVectors<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(resolve(REPO_VECTORS_DIR, name), 'utf8')) as T;
}

/** Whether ../shared/vectors is there (CI has it; a lone clone does not). */
export const HAVE_VECTORS = existsSync(VECTORS_DIR);

/** Why the conformance tests skip: false when the vectors are present. */
export const VECTORS_SKIP: string | false = HAVE_VECTORS
  ? false
  : `../shared/vectors is not beside the project (looked in ${VECTORS_DIR}): this test on the recorded vectors is skipped`;

/**
 * Options for every test that reads ../shared/vectors: `test(name, VECTORS, fn)` skips with the reason on its line
 * when the vectors are absent (the test still counts as a case). Such tests read the vectors only inside their
 * body (through `lazy`), since they are declared either way.
 */
export const VECTORS: { skip?: string } = VECTORS_SKIP ? { skip: VECTORS_SKIP } : {};

// CI has the vectors: there, their absence is a failure, not a skip (as with tshark).
if (VECTORS_SKIP && process.env.CI) {
  test('../shared/vectors must be present in CI', () => assert.fail(`${VECTORS_SKIP}, but CI is set: CI must provide ../shared/vectors`));
}

/** `make` run once, on first use (vector data is read inside tests, never while they are declared). */
export function lazy<T>(make: () => T): () => T {
  let value: { v: T } | undefined;
  return () => (value ??= { v: make() }).v;
}

/** Reads and parses one vector file; fails with a clear message if ../shared is missing (call it inside a VECTORS test). */
export function loadVectors<T = unknown>(name: string): T {
  const p = resolve(VECTORS_DIR, name);
  if (!existsSync(p)) throw new Error(`test vectors not found at ${p}: the project's root needs ../shared/vectors beside it`);
  return JSON.parse(readFileSync(p, 'utf8')) as T;
}
/** Hex string → Buffer. */
export const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** One datagram of a recorded session. */
export interface VectorPacket {
  dir: 'c2s' | 's2c';
  command: number;
  seq: number;
  hex: string;
  key: string;
  plain: string;
}

/** One recorded session (classic-sessions.json / modern-session.json). */
export interface VectorSession {
  client: string;
  version_tag: string;
  uid: number;
  password: string;
  pwd_key: string;
  session_key: string | null;
  keys?: Record<string, string>;
  verify_block_plain?: string;
  /** MD5(password), in the repository's own vectors. */
  pwd_md5?: string;
  packets: VectorPacket[];
}

/** A recorded-sessions file. */
export interface SessionsFile {
  about: string;
  sessions: VectorSession[];
}

/** A recorded session's packets of one direction and command (and matching `pred`), in recorded order. */
export function packetsOf(s: VectorSession, dir: 'c2s' | 's2c', command: number, pred: (p: VectorPacket) => boolean = () => true): VectorPacket[] {
  return s.packets.filter((p) => p.dir === dir && p.command === command && pred(p));
}

/** The plaintext of a recorded session's first packet of one direction and command whose plaintext starts with `prefix` (hex). */
export function firstPlain(s: VectorSession, dir: 'c2s' | 's2c', command: number, prefix = ''): Buffer {
  const p = packetsOf(s, dir, command, (x) => x.plain.startsWith(prefix))[0];
  if (!p) throw new Error(`no recorded ${dir} 0x${command.toString(16)}${prefix ? ` starting ${prefix}` : ''}`);
  return hex(p.plain);
}

/** The recorded reply to a recorded request (same command and sequence). */
export function recordedReply(s: VectorSession, req: VectorPacket): VectorPacket {
  const r = packetsOf(s, 's2c', req.command, (p) => p.seq === req.seq)[0];
  if (!r) throw new Error(`no recorded reply to 0x${req.command.toString(16)} seq ${req.seq}`);
  return r;
}
