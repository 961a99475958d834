// `oicq friend add | remove | list`: friendships are mutual; each side files the other in its own group.
import { DEFAULT_DB_PATH } from '../store/sqlite.js';
import { checkPositionals, parseSubcommand, parseUid, rejectOptions } from './args.js';
import { friendAdd, friendList, friendRemove } from '../admin/commands/friends.js';
import { formatTable, withStore } from './user.js';

const USAGE = `usage: oicq friend <add | remove | list> [options]

  oicq friend add <uid> <friend> [--group <name>]
      make two users friends of each other; --group files <friend> in that group of <uid>
      (created if missing; default "My Friends"); the other side goes to "My Friends"
  oicq friend remove <uid> <friend>
      end the friendship, both ways
  oicq friend list <uid>
      list a user's friends with their group

options:
  --db <path>         database file (default ${DEFAULT_DB_PATH})
  --group <name>      group for 'friend add'
  -h, --help          show this help`;

const OPTIONS = {
  db: { type: 'string' },
  group: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const SUBS = ['add', 'remove', 'list'] as const;

/** Runs `oicq friend …`; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const cmd = parseSubcommand(argv, OPTIONS, SUBS, 'oicq friend', USAGE);
  if (!cmd) return 0;
  const { values, positionals, sub } = cmd;
  const db = values.db ?? DEFAULT_DB_PATH;
  switch (sub) {
    case 'add': {
      checkPositionals(positionals, 2, 2, 'oicq friend add <uid> <friend> [--group <name>]');
      const a = parseUid(positionals[0]!);
      const b = parseUid(positionals[1]!, 'friend uid');
      const r = withStore(db, (store) => friendAdd.run({ store }, { uid: a, friend: b, group: values.group }));
      process.stdout.write(`${a} and ${b} ${r.already ? 'were already' : 'are now'} friends; ${b} is in ${a}'s group "${r.group.name}"\n`);
      return 0;
    }
    case 'remove': {
      checkPositionals(positionals, 2, 2, 'oicq friend remove <uid> <friend>');
      rejectOptions(values, ['group'], 'oicq friend remove', 'oicq friend');
      const a = parseUid(positionals[0]!);
      const b = parseUid(positionals[1]!, 'friend uid');
      const { removed } = withStore(db, (store) => friendRemove.run({ store }, { uid: a, friend: b }));
      process.stdout.write(removed ? `${a} and ${b} are no longer friends\n` : `${a} and ${b} were not friends; nothing changed\n`);
      return 0;
    }
    case 'list': {
      checkPositionals(positionals, 1, 1, 'oicq friend list <uid>');
      rejectOptions(values, ['group'], 'oicq friend list', 'oicq friend');
      const uid = parseUid(positionals[0]!);
      const rows = withStore(db, (store) =>
        friendList.run({ store }, { uid }).map((f) => [String(f.uid), f.nick, `${f.group} ${f.groupName}`.trimEnd()]),
      );
      if (rows.length === 0) {
        process.stdout.write(`user ${uid} has no friends yet — add one with 'oicq friend add ${uid} <uid>'\n`);
      } else {
        process.stdout.write(formatTable(['uid', 'nick', 'group'], rows));
      }
      return 0;
    }
  }
}
