// `oicq admin <command> …`: any command of the admin table, run on the store directly (--db) or on a
// running server through its HTTP API (--url/--token). Commands that need the running server require --url.
import { DEFAULT_DB_PATH } from '../store/sqlite.js';
import { ADMIN_COMMANDS, adminCommand, invoke } from '../admin/table.js';
import { callAdmin } from '../admin/client.js';
import { AdminError } from '../admin/params.js';
import type { AdminCommand } from '../admin/context.js';
import { parseOptions, USAGE_EXIT, type OptionSpecs } from './args.js';
import { CliError } from './errors.js';
import { formatTable, withStore } from './user.js';

const COMMON = {
  db: { type: 'string' },
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function usage(): string {
  const lines = ADMIN_COMMANDS.map((c) => {
    const params = Object.entries(c.params).map(([n, p]) => (p.required === false ? `[--${n} <${p.type}>]` : `--${n} <${p.type}>`));
    return `  ${c.name.padEnd(17)} ${c.summary}${c.live ? ' (running server)' : ''}\n  ${' '.repeat(17)} ${params.join(' ') || '(no parameters)'}`;
  });
  return `usage: oicq admin <command> [--<param> <value> …] [--db <path> | --url <admin url> --token <token>] [--json]

Runs a command of the admin table. Path parameters (uid, friend, index) may also be given in order as
arguments, e.g. 'oicq admin user.show 10001'.

commands:
${lines.join('\n')}

options:
  --db <path>      run on this database directly (default ${DEFAULT_DB_PATH})
  --url <url>      run on a running server's admin API (printed by 'oicq serve'); or set OICQ_ADMIN_URL
  --token <token>  its token; or set OICQ_ADMIN_TOKEN
  --json           print the result as JSON (default: a table for lists, JSON otherwise)
  -h, --help       this help`;
}

/** `oicq admin`. */
export async function run(argv: string[]): Promise<number> {
  const name = argv[0];
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : USAGE_EXIT;
  }
  let command: AdminCommand;
  try {
    command = adminCommand(name);
  } catch (e) {
    throw new CliError(`unknown admin command '${name}' — run 'oicq admin --help' to list them`, USAGE_EXIT);
  }
  const options: OptionSpecs = { ...COMMON };
  for (const p of Object.keys(command.params)) options[p] = { type: 'string' };
  const { values, positionals } = parseOptions(argv.slice(1), options, `oicq admin ${name}`);
  const v = values as Record<string, string | boolean | undefined>;
  if (v.help) {
    process.stdout.write(usage() + '\n');
    return 0;
  }
  const raw: Record<string, unknown> = {};
  for (const p of Object.keys(command.params)) if (v[p] !== undefined) raw[p] = v[p];
  const pathNames = [...command.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  if (positionals.length > pathNames.length) throw new CliError(`unexpected argument '${positionals[pathNames.length]}' — run 'oicq admin --help'`, USAGE_EXIT);
  positionals.forEach((p, i) => (raw[pathNames[i]!] ??= p));

  const url = (v.url as string | undefined) ?? process.env.OICQ_ADMIN_URL;
  let result: unknown;
  try {
    if (url) {
      const token = (v.token as string | undefined) ?? process.env.OICQ_ADMIN_TOKEN;
      if (!token) throw new CliError("missing token — pass --token <token> (printed by 'oicq serve' at start) or set OICQ_ADMIN_TOKEN", USAGE_EXIT);
      result = await callAdmin(url, token, command, raw).catch((e: unknown) => {
        if (e instanceof TypeError) throw new CliError(`cannot reach the admin API at ${url}: ${(e.cause as Error | undefined)?.message ?? e.message} — is 'oicq serve' running with --admin?`);
        throw e;
      });
    } else {
      if (command.live) throw new CliError(`'${name}' needs the running server — pass --url <admin url> --token <token> (both printed by 'oicq serve')`, USAGE_EXIT);
      result = withStore((v.db as string | undefined) ?? DEFAULT_DB_PATH, (store) => invoke({ store }, command, raw));
    }
  } catch (e) {
    if (e instanceof AdminError) throw new CliError(`${e.message} — run 'oicq admin --help'`, e.code === 'bad_param' ? USAGE_EXIT : 1);
    throw e;
  }
  process.stdout.write(render(result, v.json === true));
  return 0;
}

/** A list of flat objects as a table; anything else as JSON. */
function render(result: unknown, json: boolean): string {
  const flat = (o: unknown) => typeof o === 'object' && o !== null && Object.values(o).every((x) => x === null || typeof x !== 'object');
  if (!json && Array.isArray(result) && result.length > 0 && result.every(flat)) {
    const header = Object.keys(result[0] as object);
    return formatTable(header, result.map((r: Record<string, unknown>) => header.map((h) => (r[h] === null || r[h] === undefined ? '' : String(r[h])))));
  }
  return JSON.stringify(result, null, json ? undefined : 2) + '\n';
}
