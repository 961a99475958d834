// `oicq group add | list | rename | remove | move`: a user's friend groups (0 "My Friends" is built in).
import { DEFAULT_DB_PATH } from '../store/sqlite.js';
import type { Store } from '../store/store.js';
import { groupAdd, groupList, groupMove, groupRemove, groupRename } from '../admin/commands/friends.js';
import { MAX_GROUP_INDEX } from '../store/validate.js';
import { USAGE_EXIT, checkPositionals, parseIntArg, parseSubcommand, parseUid, rejectOptions } from './args.js';
import { CliError } from './errors.js';
import { formatTable, requireUser, withStore } from './user.js';

const USAGE = `usage: oicq group <add | list | rename | remove | move> [options]

  oicq group add <uid> <name>               add a friend group (prints its index)
  oicq group list <uid>                     list a user's groups with their friend counts
  oicq group rename <uid> <index> <name>    rename a group
  oicq group remove <uid> <index>           remove a group; its friends move to group 0 "My Friends"
  oicq group move <uid> <friend> <index|name>
  oicq group move <uid> <friend> --index <n> | --name <name>
                                            file a friend in another group of <uid>; a number that is both
                                            an index and a group's name is refused: say --index or --name

A name of several words may be quoted or written as several arguments.

options:
  --db <path>         database file (default ${DEFAULT_DB_PATH})
  --index <n>         (move) the target group by index
  --name <name>       (move) the target group by name, even one that looks like a number
  -h, --help          show this help`;

const OPTIONS = {
  db: { type: 'string' },
  index: { type: 'string' },
  name: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const SUBS = ['add', 'list', 'rename', 'remove', 'move'] as const;

/** Runs `oicq group …`; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const cmd = parseSubcommand(argv, OPTIONS, SUBS, 'oicq group', USAGE);
  if (!cmd) return 0;
  const { values, positionals, sub } = cmd;
  const db = values.db ?? DEFAULT_DB_PATH;
  const out = (s: string) => process.stdout.write(s + '\n');
  if (sub !== 'move') rejectOptions(values, ['index', 'name'], `oicq group ${sub}`, 'oicq group');
  switch (sub) {
    case 'add': {
      checkPositionals(positionals, 2, Infinity, 'oicq group add <uid> <name>');
      const uid = parseUid(positionals[0]!);
      const name = positionals.slice(1).join(' ');
      const r = withStore(db, (store) => groupAdd.run({ store }, { uid, name }));
      out(r.added ? `added group ${r.index} "${r.name}" for user ${uid}` : `user ${uid} already has group ${r.index} "${r.name}"`);
      return 0;
    }
    case 'list': {
      checkPositionals(positionals, 1, 1, 'oicq group list <uid>');
      const uid = parseUid(positionals[0]!);
      const rows = withStore(db, (store) => groupList.run({ store }, { uid }).map((g) => [String(g.index), g.name, String(g.friends)]));
      process.stdout.write(formatTable(['index', 'name', 'friends'], rows));
      return 0;
    }
    case 'rename': {
      checkPositionals(positionals, 3, Infinity, 'oicq group rename <uid> <index> <name>');
      const uid = parseUid(positionals[0]!);
      const index = groupIndex(positionals[1]!, uid);
      const name = positionals.slice(2).join(' ');
      const r = withStore(db, (store) => groupRename.run({ store }, { uid, index, name }));
      out(`renamed group ${index} of user ${uid} from "${r.from}" to "${r.to}"`);
      return 0;
    }
    case 'remove': {
      checkPositionals(positionals, 2, 2, 'oicq group remove <uid> <index>');
      const uid = parseUid(positionals[0]!);
      const index = groupIndex(positionals[1]!, uid);
      const r = withStore(db, (store) => groupRemove.run({ store }, { uid, index }));
      out(`removed group ${index} "${r.name}" of user ${uid}; ${r.moved} friend${r.moved === 1 ? '' : 's'} moved to "My Friends"`);
      return 0;
    }
    case 'move': {
      const usage = 'oicq group move <uid> <friend> <index|name> (or --index <n> | --name <name>)';
      const byOption = values.index !== undefined || values.name !== undefined;
      if (values.index !== undefined && values.name !== undefined) throw new CliError(`give --index or --name, not both — usage: ${usage}`, USAGE_EXIT);
      checkPositionals(positionals, byOption ? 2 : 3, byOption ? 2 : Infinity, usage);
      const uid = parseUid(positionals[0]!);
      const friend = parseUid(positionals[1]!, 'friend uid');
      const target = byOption ? undefined : positionals.slice(2).join(' ');
      const index = values.index !== undefined ? groupIndex(values.index, uid) : undefined;
      const r = withStore(db, (store) => {
        requireUser(store, uid);
        const i = index ?? (values.name !== undefined ? indexOfName(store, uid, values.name) : targetIndex(store, uid, target!));
        return groupMove.run({ store }, { uid, friend, group: String(i) });
      });
      out(`${friend} is now in ${uid}'s group ${r.index} "${r.name}"`);
      return 0;
    }
  }
}

function groupIndex(s: string, uid: number): number {
  return parseIntArg(s, 0, MAX_GROUP_INDEX, 'group index', `see the indexes with 'oicq group list ${uid}'`);
}

/** A positional target: a name, or a number that is an index — unless a group is also named that number. */
function targetIndex(store: Store, uid: number, target: string): number {
  if (!/^\d+$/.test(target)) return indexOfName(store, uid, target);
  const named = store.groupsOf(uid).find((g) => g.name === target);
  if (named) {
    const byIndex = store.groupsOf(uid).find((g) => g.index === Number(target));
    if (named.index !== Number(target)) {
      const asIndex = byIndex ? `group ${target} "${byIndex.name}"` : `group index ${target} (there is none)`;
      throw new CliError(
        `'${target}' is ambiguous: ${asIndex}, or the group named "${target}" (index ${named.index}) — ` +
          `pass --index ${target} or --name ${target}`,
        USAGE_EXIT,
      );
    }
  }
  return groupIndex(target, uid);
}

function indexOfName(store: Store, uid: number, name: string): number {
  const g = store.groupsOf(uid).find((x) => x.name === name.trim());
  if (!g) throw new CliError(`user ${uid} has no friend group named "${name}" — create it with 'oicq group add ${uid} ${name}'`);
  return g.index;
}
