// `oicq group add | list | rename | remove | move`: a user's friend groups (0 "My Friends" is built in).
import { DEFAULT_DB_PATH } from '../store/sqlite.js';
import type { Store } from '../store/store.js';
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
      out(
        withStore(db, false, (store) => {
          requireUser(store, uid);
          const before = store.groupsOf(uid).length;
          const index = store.addGroup(uid, name);
          const g = groupName(store, uid, index);
          return store.groupsOf(uid).length > before
            ? `added group ${index} "${g}" for user ${uid}`
            : `user ${uid} already has group ${index} "${g}"`;
        }),
      );
      return 0;
    }
    case 'list': {
      checkPositionals(positionals, 1, 1, 'oicq group list <uid>');
      const uid = parseUid(positionals[0]!);
      const rows = withStore(db, false, (store) => {
        const friends = store.friendsOf(uid);
        return store.groupsOf(uid).map((g) => [String(g.index), g.name, String(friends.filter((f) => f.group === g.index).length)]);
      });
      process.stdout.write(formatTable(['index', 'name', 'friends'], rows));
      return 0;
    }
    case 'rename': {
      checkPositionals(positionals, 3, Infinity, 'oicq group rename <uid> <index> <name>');
      const uid = parseUid(positionals[0]!);
      const index = groupIndex(positionals[1]!, uid);
      const name = positionals.slice(2).join(' ');
      out(
        withStore(db, false, (store) => {
          requireUser(store, uid);
          const old = groupName(store, uid, index);
          store.renameGroup(uid, index, name);
          return `renamed group ${index} of user ${uid} from "${old}" to "${groupName(store, uid, index)}"`;
        }),
      );
      return 0;
    }
    case 'remove': {
      checkPositionals(positionals, 2, 2, 'oicq group remove <uid> <index>');
      const uid = parseUid(positionals[0]!);
      const index = groupIndex(positionals[1]!, uid);
      out(
        withStore(db, false, (store) => {
          requireUser(store, uid);
          const old = groupName(store, uid, index);
          const moved = store.friendsOf(uid).filter((f) => f.group === index).length;
          store.removeGroup(uid, index);
          return `removed group ${index} "${old}" of user ${uid}; ${moved} friend${moved === 1 ? '' : 's'} moved to "My Friends"`;
        }),
      );
      return 0;
    }
    case 'move': {
      checkPositionals(positionals, 3, Infinity, 'oicq group move <uid> <friend> <index|name>');
      const uid = parseUid(positionals[0]!);
      const friend = parseUid(positionals[1]!, 'friend uid');
      const target = positionals.slice(2).join(' ');
      out(
        withStore(db, false, (store) => {
          requireUser(store, uid);
          requireUser(store, friend);
          const index = /^\d+$/.test(target) ? groupIndex(target, uid) : indexOfName(store, uid, target);
          store.moveFriend(uid, friend, index);
          return `${friend} is now in ${uid}'s group ${index} "${groupName(store, uid, index)}"`;
        }),
      );
      return 0;
    }
  }
}

function groupIndex(s: string, uid: number): number {
  return parseIntArg(s, 0, MAX_GROUP_INDEX, 'group index', `see the indexes with 'oicq group list ${uid}'`);
}

/** The name of an existing group, or a CliError naming the fix. */
function groupName(store: Store, uid: number, index: number): string {
  const g = store.groupsOf(uid).find((x) => x.index === index);
  if (!g) throw new CliError(`user ${uid} has no friend group ${index} — see the groups with 'oicq group list ${uid}'`);
  return g.name;
}

function indexOfName(store: Store, uid: number, name: string): number {
  const g = store.groupsOf(uid).find((x) => x.name === name.trim());
  if (!g) throw new CliError(`user ${uid} has no friend group named "${name}" — create it with 'oicq group add ${uid} ${name}'`);
  return g.index;
}
