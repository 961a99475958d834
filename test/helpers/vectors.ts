import { readFileSync, existsSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

/** Where the shared test vectors live: ../shared/vectors beside the project's root. */
export const VECTORS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/vectors');

/** Whether ../shared/vectors is there (CI has it; a lone clone does not). */
export const HAVE_VECTORS = existsSync(VECTORS_DIR);

/** Why the conformance tests skip: false when the vectors are present. */
export const VECTORS_SKIP: string | false = HAVE_VECTORS
  ? false
  : `recorded vectors not found at ${VECTORS_DIR} (they live in ../shared/vectors beside the project) — conformance tests skipped`;

/**
 * Declares the tests that need ../shared/vectors: `body` runs as a suite when they are present; otherwise one
 * skipped test says why (a failure when CI is set, as with tshark: CI has the vectors).
 */
export function onVectors(title: string, body: () => void): void {
  if (HAVE_VECTORS) describe(title, body);
  else if (process.env.CI) test(title, () => assert.fail(`${VECTORS_SKIP}, but CI is set: CI must provide ../shared/vectors`));
  else test(title, { skip: VECTORS_SKIP }, () => {});
}

/** Reads and parses one vector file; fails with a clear message if ../shared is missing (call it inside onVectors). */
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
  packets: VectorPacket[];
}

/** A recorded-sessions file. */
export interface SessionsFile {
  about: string;
  sessions: VectorSession[];
}
