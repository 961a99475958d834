// Shared by the dissect tests: captures built from the recorded sessions, and a way to run several
// `oicq dissect` commands in ONE child process (one tsx start-up), each with its own exit code and output.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { buildPcap, type PcapDatagram } from '../../src/capture/pcap-writer.js';
import { hex, loadVectors, type SessionsFile, type VectorSession } from '../helpers/vectors.js';

/** The project root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Capture time of the first datagram in fixtures (ms). */
export const T0 = 1_700_000_000_000;

/** The datagrams of recorded sessions between client 127.0.0.1:`clientPort` and server 127.0.0.1:8000, 10 ms apart. */
export function sessionDatagrams(sessions: VectorSession[], clientPort = 40000, serverPort = 8000): PcapDatagram[] {
  const out: PcapDatagram[] = [];
  let t = T0;
  for (const s of sessions) {
    for (const p of s.packets) {
      const c2s = p.dir === 'c2s';
      out.push({
        srcIp: '127.0.0.1',
        srcPort: c2s ? clientPort : serverPort,
        dstIp: '127.0.0.1',
        dstPort: c2s ? serverPort : clientPort,
        payload: hex(p.hex),
        time: (t += 10),
      });
    }
  }
  return out;
}

/** The sessions of a vector file. */
export function vectorSessions(name: 'classic-sessions.json' | 'modern-session.json'): VectorSession[] {
  return loadVectors<SessionsFile>(name).sessions;
}

/** Writes a pcap of the given sessions to `path`; returns the path. */
export function writeSessionsPcap(path: string, sessions: VectorSession[], clientPort?: number, serverPort?: number): string {
  writeFileSync(path, buildPcap(sessionDatagrams(sessions, clientPort, serverPort)));
  return path;
}

/** One command's result. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const DRIVER = `
import { main } from './src/cli/main.ts';
const results = [];
const write = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
for (const args of JSON.parse(process.env.OICQ_TEST_BATCH)) {
  let stdout = '', stderr = '';
  process.stdout.write = (s) => { stdout += String(s); return true; };
  process.stderr.write = (s) => { stderr += String(s); return true; };
  let code;
  try { code = await main(args); } catch (e) { stderr += 'THREW ' + (e && e.stack || String(e)); code = -1; }
  process.stdout.write = write.out;
  process.stderr.write = write.err;
  results.push({ code, stdout, stderr });
}
write.out(JSON.stringify(results));
`;

/** Runs `oicq <args>` for each argv in one child process; returns each result in order. */
export function oicqBatch(argvs: string[][]): Run[] {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', DRIVER], {
    cwd: ROOT,
    env: { ...process.env, OICQ_TEST_BATCH: JSON.stringify(argvs) },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  assert.equal(r.status, 0, r.stderr);
  const results = JSON.parse(r.stdout) as Run[];
  assert.equal(results.length, argvs.length);
  return results;
}

/** Parses JSON lines. */
export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
