// `oicq user add | list | passwd | set | delete`: accounts in the store. Also home of what the account commands share
// (opening the database with user-facing errors, and table output), used by friend.ts and group.ts.
import { existsSync } from 'node:fs';
import { userAdd, userDelete, userList, userPasswd, userStrangers, FIRST_AUTO_UID } from '../admin/commands/users.js';
import { DEFAULT_DB_PATH, openSqliteStore, storeFault } from '../store/sqlite.js';
import type { Store } from '../store/store.js';
import { StoreError } from '../store/validate.js';
import { USAGE_EXIT, checkPositionals, parseSubcommand, parseUid, rejectOptions } from './args.js';
import { CliError } from './errors.js';
import { PASSWORD_HELP, PASSWORD_OPTIONS, readPassword } from './password.js';

const USAGE = `usage: oicq user <add | list | passwd | set | delete> [options]

  oicq user add [<uid>] [--nick <name>]
      add an account; without <uid> it takes the next free uid from ${FIRST_AUTO_UID}, and prints the uid
  oicq user list
      list the accounts: uid, nick, number of friends, creation time (UTC), ban reason
  oicq user passwd <uid>
      change an account's password
  oicq user set <uid> --strangers <accept|friends-only>
      who may leave the user messages when not a friend: anyone (default) or friends only
  oicq user delete <uid>
      delete an account: its friendships end on both sides, its friend groups go, and every message it sent or
      received is deleted (also those not delivered yet). A server that is running keeps a session already
      logged in until it ends (the admin API's user.delete ends it at once); the next login is refused as an
      unknown number.

options:
  --db <path>               database file (default ${DEFAULT_DB_PATH}; created by 'user add' if missing)
${PASSWORD_HELP}
  --nick <name>             nickname (default: the uid)
  --strangers <who>         accept | friends-only (with 'set')
  -h, --help                show this help

Only MD5(password) is stored; the database file is created with mode 0600.`;

const OPTIONS = {
  db: { type: 'string' },
  ...PASSWORD_OPTIONS,
  nick: { type: 'string' },
  strangers: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const SUBS = ['add', 'list', 'passwd', 'set', 'delete'] as const;

/** Runs `oicq user …`; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const cmd = parseSubcommand(argv, OPTIONS, SUBS, 'oicq user', USAGE);
  if (!cmd) return 0;
  const { values, positionals, sub } = cmd;
  const db = values.db ?? DEFAULT_DB_PATH;
  switch (sub) {
    case 'add': {
      checkPositionals(positionals, 0, 1, 'oicq user add [<uid>] [--nick <name>]');
      const wanted = positionals[0] === undefined ? undefined : parseUid(positionals[0]);
      const pw = await readPassword(values, 'oicq user');
      const { uid } = withStore(db, (store) => userAdd.run({ store }, { uid: wanted, password: pw, nick: values.nick }), { create: true });
      process.stdout.write(`${uid}\n`);
      return 0;
    }
    case 'list': {
      checkPositionals(positionals, 0, 0, 'oicq user list');
      rejectOptions(values, ['password', 'password-file', 'nick', 'strangers'], 'oicq user list', 'oicq user');
      const rows = withStore(db, (store) =>
        userList.run({ store }, {}).map((u) => [String(u.uid), u.nick, String(u.friends), formatTime(u.createdAt), u.banned ?? '']),
      );
      if (rows.length === 0) {
        process.stdout.write(`no accounts yet — add one with 'oicq user add' (it asks for the password, or takes OICQ_PASSWORD)\n`);
      } else {
        process.stdout.write(formatTable(['uid', 'nick', 'friends', 'created (UTC)', 'banned'], rows));
      }
      return 0;
    }
    case 'passwd': {
      checkPositionals(positionals, 1, 1, 'oicq user passwd <uid>');
      rejectOptions(values, ['nick', 'strangers'], 'oicq user passwd', 'oicq user');
      const uid = parseUid(positionals[0]!);
      // The account is checked first: nobody is asked for a password of a user that does not exist.
      withStore(db, (store) => requireUser(store, uid));
      const pw = await readPassword(values, 'oicq user');
      withStore(db, (store) => userPasswd.run({ store }, { uid, password: pw }));
      process.stdout.write(`password of user ${uid} changed\n`);
      return 0;
    }
    case 'set': {
      checkPositionals(positionals, 1, 1, 'oicq user set <uid> --strangers <accept|friends-only>');
      rejectOptions(values, ['password', 'password-file', 'nick'], 'oicq user set', 'oicq user');
      const uid = parseUid(positionals[0]!);
      const who = values.strangers;
      if (who !== 'accept' && who !== 'friends-only') {
        throw new CliError(`${who === undefined ? 'missing --strangers' : `--strangers '${who}' is not accept or friends-only`} — e.g. 'oicq user set ${uid} --strangers friends-only'`, USAGE_EXIT);
      }
      withStore(db, (store) => userStrangers.run({ store }, { uid, strangers: who }));
      process.stdout.write(`user ${uid} now ${who === 'accept' ? 'accepts messages from anyone' : 'accepts messages from friends only'}\n`);
      return 0;
    }
    case 'delete': {
      checkPositionals(positionals, 1, 1, 'oicq user delete <uid>');
      rejectOptions(values, ['password', 'password-file', 'nick', 'strangers'], 'oicq user delete', 'oicq user');
      const uid = parseUid(positionals[0]!);
      const d = withStore(db, (store) => userDelete.run({ store }, { uid }));
      const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
      process.stdout.write(
        `deleted user ${uid}: ${plural(d.friends, 'friendship')} ended, ${plural(d.messages, 'message')} deleted` +
          ` (${d.undelivered} not yet delivered)\n`,
      );
      return 0;
    }
  }
}

// What to suggest after each kind of store error.
function hintFor(e: StoreError): string | undefined {
  switch (e.code) {
    case 'unknown-user':
      return `add it with 'oicq user add ${e.uid ?? '<uid>'}'`;
    case 'duplicate-user':
      return `pick another uid, or leave it out to take the next free one`;
    case 'self-friend':
      return 'give two different uids';
    case 'not-friends':
      return `make them friends first with 'oicq friend add'`;
    case 'unknown-group':
    case 'duplicate-group':
      return `see the groups with 'oicq group list ${e.uid ?? '<uid>'}'`;
    case 'groups-full':
      return `remove one with 'oicq group remove ${e.uid ?? '<uid>'} <index>'`;
    default:
      return undefined;
  }
}

/** Turns a StoreError into the one-line CliError the user sees (message plus a hint). */
export function storeErrorToCli(e: StoreError): CliError {
  const hint = hintFor(e);
  return new CliError(hint ? `${e.message} — ${hint}` : e.message, e.code === 'bad-input' ? USAGE_EXIT : 1);
}

/** How withStore opens the database. */
export interface StoreOpenOptions {
  /** Create the file if it is missing; otherwise a missing file is refused (a mistyped --db must not quietly create an empty database). */
  create?: boolean;
}

/** Opens the store at `dbPath`, runs `fn`, closes it. Store errors become one-line CliErrors. */
export function withStore<T>(dbPath: string, fn: (store: Store) => T, { create = false }: StoreOpenOptions = {}): T {
  if (!create && dbPath !== ':memory:' && !existsSync(dbPath)) {
    throw new CliError(`no database at '${dbPath}' — add an account first with 'oicq user add', or pass --db <path>`);
  }
  let store: Store;
  try {
    store = openSqliteStore(dbPath);
  } catch (e) {
    if (e instanceof StoreError) throw storeErrorToCli(e);
    const why = e instanceof Error ? e.message : String(e);
    throw new CliError(`cannot open the database '${dbPath}': ${why} — check the --db path`);
  }
  try {
    return fn(store);
  } catch (e) {
    // A damaged page or a full disk met mid-command: say so, naming the file (not a usage error).
    const fault = storeFault(e, dbPath);
    if (fault) throw storeErrorToCli(fault);
    throw e;
  } finally {
    store.close();
  }
}

/** Checks that `uid` has an account; throws the CLI's unknown-user error otherwise. */
export function requireUser(store: Store, uid: number): void {
  if (!store.getUser(uid)) throw storeErrorToCli(new StoreError('unknown-user', `user ${uid} does not exist`, uid));
}

/** Unix seconds → 'YYYY-MM-DD HH:MM:SS' in UTC. */
export function formatTime(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

// East Asian wide characters take two terminal columns (nicks are often Chinese).
const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u;

function width(s: string): number {
  let w = 0;
  for (const ch of s) w += WIDE.test(ch) ? 2 : 1;
  return w;
}

/** Formats rows under a header as space-aligned columns, one line each (with the trailing newline). */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i]! - width(c))))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}
