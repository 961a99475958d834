// `oicq dissect <file>`: the OICQ traffic of a pcap/pcapng capture, packet by packet (text or JSON lines),
// or as a per-command summary; with --password, the bodies of that user's sessions decrypted and decoded.
import { statSync } from 'node:fs';
import { dissectFile, type DissectSink } from '../analyzer/dissect.js';
import { formatMalformed, formatNotices, formatPacket, formatSummary, malformedJson, packetJson, summaryJson } from '../analyzer/render.js';
import { DEFAULT_PORT, parsePortList } from '../analyzer/select.js';
import { parseCredential, type Credential } from '../analyzer/sessions.js';
import { toJson } from '../analyzer/json.js';
import { checkPositionals, parseIntArg, parseOptions, USAGE_EXIT } from './args.js';
import { CliError } from './errors.js';

const USAGE = `usage: oicq dissect <file> [options]

Shows the OICQ (QQ over UDP) packets of a pcap or pcapng capture, read as a stream in constant memory.
Every well-formed datagram is shown, commands Wireshark does not know included; bad ones as "malformed".

options:
  --port <n[,n…]>          server port(s), repeatable (default ${DEFAULT_PORT}); the side on it is the server
  --any-port               also find OICQ on any other UDP port (header heuristic, direction guessed)
  --summary                per command and direction: count, frame/UDP/OICQ lengths, request↔reply
                           pairing and reply times, instead of the packet list
  --json                   one JSON object per packet, then one {"summary": …}; with --summary, only that
  --password <uid>:<pw>    decrypt and decode the sessions of that user from their login on (repeatable)
  --limit <n>              stop after n OICQ datagrams
  -h, --help               show this help

exit status: 0 when the whole file was read, 1 when it is truncated or corrupt (reported after what was read)`;

const OPTIONS = {
  port: { type: 'string', multiple: true },
  'any-port': { type: 'boolean' },
  summary: { type: 'boolean' },
  json: { type: 'boolean' },
  password: { type: 'string', multiple: true },
  limit: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const HINT = "run 'oicq dissect --help'";

/** Collects output and writes it in large pieces (one write per packet would dominate the run time). */
class Output {
  private parts: string[] = [];
  private size = 0;
  write(s: string): void {
    this.parts.push(s);
    this.size += s.length;
    if (this.size >= 1 << 16) this.flush();
  }
  flush(): void {
    if (this.parts.length === 0) return;
    process.stdout.write(this.parts.join(''));
    this.parts = [];
    this.size = 0;
  }
}

function checkFile(path: string): void {
  try {
    if (statSync(path).isDirectory()) throw new CliError(`${path} is a directory, not a capture file`);
  } catch (e) {
    if (e instanceof CliError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`cannot open ${path}: no such file`);
    if (code === 'EACCES') throw new CliError(`cannot open ${path}: permission denied`);
    throw new CliError(`cannot open ${path}: ${(e as Error).message}`);
  }
}

/** Runs `oicq dissect …`; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseOptions(argv, OPTIONS, 'oicq dissect');
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  checkPositionals(positionals, 1, 1, 'oicq dissect <file> [options]');
  const file = positionals[0]!;
  const ports: number[] = [];
  for (const v of values.port ?? []) {
    try {
      ports.push(...parsePortList(v));
    } catch (e) {
      throw new CliError(`bad --port: ${(e as Error).message} — ${HINT}`, USAGE_EXIT);
    }
  }
  const credentials: Credential[] = [];
  for (const v of values.password ?? []) {
    try {
      credentials.push(parseCredential(v));
    } catch (e) {
      throw new CliError(`bad --password: ${(e as Error).message} — ${HINT}`, USAGE_EXIT);
    }
  }
  const limit = values.limit === undefined ? undefined : parseIntArg(values.limit, 1, Number.MAX_SAFE_INTEGER, '--limit', HINT);
  const summaryOnly = values.summary === true;
  const json = values.json === true;
  checkFile(file);

  const out = new Output();
  const onEpipe = (e: NodeJS.ErrnoException): void => {
    if (e.code === 'EPIPE') process.exit(0); // the reader went away (| head): stop quietly
  };
  process.stdout.on('error', onEpipe);
  const sink: DissectSink = summaryOnly
    ? {}
    : json
      ? { packet: (p) => out.write(packetJson(p)), malformed: (m) => out.write(malformedJson(m)) }
      : { packet: (p) => out.write(formatPacket(p) + '\n'), malformed: (m) => out.write(formatMalformed(m) + '\n') };
  const started = process.hrtime.bigint();
  try {
    const r = await dissectFile(file, { ports: ports.length ? ports : [DEFAULT_PORT], anyPort: values['any-port'] === true, credentials, detail: !summaryOnly, ...(limit ? { limit } : {}) }, sink);
    const notCapture = r.error !== null && r.error.reason === 'not_capture';
    if (!notCapture) {
      if (json) {
        out.write(summaryJson(r.summary, { sessions: r.sessions.map((x) => ({ ...x, decrypted: x.sessionKeyFrame !== null })), elsewhere: r.elsewhere, overlong: r.overlong }));
      } else if (summaryOnly) out.write(formatSummary(r.summary) + formatNotices(r));
      else {
        const s = r.summary;
        const cut = r.limited ? ` (stopped at --limit ${limit})` : '';
        out.write(`${s.frames} frames, ${s.udp} UDP datagrams, ${s.oicq} OICQ packets, ${s.malformed} malformed${cut} — --summary for the per-command table\n`);
        out.write(formatNotices(r));
      }
    }
    out.flush();
    if (process.env.OICQ_DISSECT_STATS) {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      process.stderr.write(`dissect-stats ${toJson({ frames: r.summary.frames, oicq: r.summary.oicq, ms, maxRssKb: process.resourceUsage().maxRSS })}\n`);
    }
    if (r.error) {
      if (notCapture) throw new CliError(`${file}: ${r.error.detail}`);
      throw new CliError(`${file}: ${r.error.reason}: ${r.error.message} (after ${r.summary.frames} complete frames, shown above)`);
    }
    return 0;
  } finally {
    out.flush();
    process.stdout.off('error', onEpipe);
  }
}
