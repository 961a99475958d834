// `oicq group add | list | rename | remove | move`: a user's friend groups (0 "My Friends" is built in).
import { DEFAULT_DB_PATH } from '../store/sqlite.js';
import type { Store } from '../store/store.js';
import { groupAdd, groupList, groupMove, groupRemove, groupRename } from '../admin/commands/friends.js';
import { MAX_GROUP_INDEX } from '../store/validate.js';
import { checkPositionals, parseIntArg, parseOptions, parseUid, takeSubcommand } from './args.js';
import { CliError } from './errors.js';
import { formatTable, requireUser, withStore } from './user.js';

const USAGE = `usage: oicq group <add | list | rename | remove | move> [options]

  oicq group add <uid> <name>               add a friend group (prints its index)
  oicq group list <uid>                     list a user's groups with their friend counts
  oicq group rename <uid> <index> <name>    rename a group
  oicq group remove <uid> <index>           remove a group; its friends move to group 0 "My Friends"
  oicq group move <uid> <friend> <index|name>
                                            file a friend in another group of <uid>

A name of several words may be quoted or written as several arguments.

options:
  --db <path>         database file (default ${DEFAULT_DB_PATH})
  -h, --help          show this help`;

const OPTIONS = {
  db: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const SUBS = ['add', 'list', 'rename', 'remove', 'move'] as const;

/** Runs `oicq group …`; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseOptions(argv, OPTIONS, 'oicq group');
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const sub = takeSubcommand(positionals, SUBS, 'oicq group');
  const db = values.db ?? DEFAULT_DB_PATH;
  const out = (s: string) => process.stdout.write(s + '\n');
  switch (sub) {
    case 'add': {
      checkPositionals(positionals, 2, Infinity, 'oicq group add <uid> <name>');
      const uid = parseUid(positionals[0]!);
      const name = positionals.slice(1).join(' ');
      const r = withStore(db, false, (store) => groupAdd.run({ store }, { uid, name }));
      out(r.added ? `added group ${r.index} "${r.name}" for user ${uid}` : `user ${uid} already has group ${r.index} "${r.name}"`);
      return 0;
    }
    case 'list': {
      checkPositionals(positionals, 1, 1, 'oicq group list <uid>');
      const uid = parseUid(positionals[0]!);
      const rows = withStore(db, false, (store) => groupList.run({ store }, { uid }).map((g) => [String(g.index), g.name, String(g.friends)]));
      process.stdout.write(formatTable(['index', 'name', 'friends'], rows));
      return 0;
    }
    case 'rename': {
      checkPositionals(positionals, 3, Infinity, 'oicq group rename <uid> <index> <name>');
      const uid = parseUid(positionals[0]!);
      const index = groupIndex(positionals[1]!, uid);
      const name = positionals.slice(2).join(' ');
      const r = withStore(db, false, (store) => groupRename.run({ store }, { uid, index, name }));
      out(`renamed group ${index} of user ${uid} from "${r.from}" to "${r.to}"`);
      return 0;
    }
    case 'remove': {
      checkPositionals(positionals, 2, 2, 'oicq group remove <uid> <index>');
      const uid = parseUid(positionals[0]!);
      const index = groupIndex(positionals[1]!, uid);
      const r = withStore(db, false, (store) => groupRemove.run({ store }, { uid, index }));
      out(`removed group ${index} "${r.name}" of user ${uid}; ${r.moved} friend${r.moved === 1 ? '' : 's'} moved to "My Friends"`);
      return 0;
    }
    case 'move': {
      checkPositionals(positionals, 3, Infinity, 'oicq group move <uid> <friend> <index|name>');
      const uid = parseUid(positionals[0]!);
      const friend = parseUid(positionals[1]!, 'friend uid');
      const target = positionals.slice(2).join(' ');
      const index = /^\d+$/.test(target) ? groupIndex(target, uid) : undefined;
      const r = withStore(db, false, (store) => {
        requireUser(store, uid);
        return groupMove.run({ store }, { uid, friend, group: String(index ?? indexOfName(store, uid, target)) });
      });
      out(`${friend} is now in ${uid}'s group ${r.index} "${r.name}"`);
      return 0;
    }
  }
}

function groupIndex(s: string, uid: number): number {
  return parseIntArg(s, 0, MAX_GROUP_INDEX, 'group index', `see the indexes with 'oicq group list ${uid}'`);
}

function indexOfName(store: Store, uid: number, name: string): number {
  const g = store.groupsOf(uid).find((x) => x.name === name.trim());
  if (!g) throw new CliError(`user ${uid} has no friend group named "${name}" — create it with 'oicq group add ${uid} ${name}'`);
  return g.index;
}
