// `oicq qun list | show | create | add | remove | rename | dismiss`: Qun (group chats) for operators, through
// the admin command table. Members are told by system messages, delivered at their next login (use the
// admin API, `oicq admin qun.… --url`, for a running server to push them at once).
import { DEFAULT_DB_PATH } from '../store/sqlite.js';
import { checkPositionals, parseSubcommand, parseUid, rejectOptions } from './args.js';
import { qunAddMember, qunCreate, qunDismiss, qunList, qunRemoveMember, qunRename, qunShow } from '../admin/commands/quns.js';
import { formatTable, withStore } from './user.js';

const USAGE = `usage: oicq qun <list | show | create | add | remove | rename | dismiss> [options]

  oicq qun list                              every Qun with its creator, join policy and size
  oicq qun show <qun>                        a Qun's members with their roles
  oicq qun create <creator> <name> [--policy open|approval|closed]
                                             create a Qun (default policy: approval by the creator)
  oicq qun add <qun> <uid>                   add a member (the members are told)
  oicq qun remove <qun> <uid>                remove a member (removing the creator dismisses the Qun)
  oicq qun rename <qun> <name>               rename a Qun
  oicq qun dismiss <qun>                     dismiss a Qun (every member is told)

options:
  --db <path>         database file (default ${DEFAULT_DB_PATH})
  --policy <p>        join policy for 'qun create'
  -h, --help          show this help`;

const OPTIONS = {
  db: { type: 'string' },
  policy: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const SUBS = ['list', 'show', 'create', 'add', 'remove', 'rename', 'dismiss'] as const;

/** Runs `oicq qun …`; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const cmd = parseSubcommand(argv, OPTIONS, SUBS, 'oicq qun', USAGE);
  if (!cmd) return 0;
  const { values, positionals, sub } = cmd;
  const db = values.db ?? DEFAULT_DB_PATH;
  if (sub !== 'create') rejectOptions(values, ['policy'], `oicq qun ${sub}`, 'oicq qun');
  const out = (s: string) => process.stdout.write(s);
  switch (sub) {
    case 'list': {
      checkPositionals(positionals, 0, 0, 'oicq qun list');
      const rows = withStore(db, (store) => qunList.run({ store }, {}).map((q) => [String(q.qun), q.name, String(q.creator), q.policy, String(q.members)]));
      out(rows.length ? formatTable(['qun', 'name', 'creator', 'policy', 'members'], rows) : "no Qun yet — create one with 'oicq qun create <creator> <name>'\n");
      return 0;
    }
    case 'show': {
      checkPositionals(positionals, 1, 1, 'oicq qun show <qun>');
      const q = withStore(db, (store) => qunShow.run({ store }, { qun: parseUid(positionals[0]!, 'Qun number') }));
      out(`Qun ${q.qun} "${q.name}", created by ${q.creator}, join policy ${q.policy}\n`);
      out(formatTable(['uid', 'nick', 'role'], q.members.map((m) => [String(m.uid), m.nick, m.role])));
      return 0;
    }
    case 'create': {
      checkPositionals(positionals, 2, 2, 'oicq qun create <creator> <name> [--policy open|approval|closed]');
      const creator = parseUid(positionals[0]!, 'creator uid');
      const q = withStore(db, (store) => qunCreate.run({ store }, { creator, name: positionals[1]!, policy: values.policy }));
      out(`created Qun ${q.qun} "${q.name}" (creator ${q.creator}, join policy ${q.policy})\n`);
      return 0;
    }
    case 'add': {
      checkPositionals(positionals, 2, 2, 'oicq qun add <qun> <uid>');
      const r = withStore(db, (store) => qunAddMember.run({ store }, { qun: parseUid(positionals[0]!, 'Qun number'), uid: parseUid(positionals[1]!) }));
      out(r.already ? `${r.uid} was already a member of Qun ${r.qun}\n` : `${r.uid} is now a member of Qun ${r.qun}\n`);
      return 0;
    }
    case 'remove': {
      checkPositionals(positionals, 2, 2, 'oicq qun remove <qun> <uid>');
      const r = withStore(db, (store) => qunRemoveMember.run({ store }, { qun: parseUid(positionals[0]!, 'Qun number'), uid: parseUid(positionals[1]!) }));
      out(r.removed ? `${r.uid} left Qun ${r.qun}\n` : `${r.uid} was not a member of Qun ${r.qun}; nothing changed\n`);
      return 0;
    }
    case 'rename': {
      checkPositionals(positionals, 2, 2, 'oicq qun rename <qun> <name>');
      const q = withStore(db, (store) => qunRename.run({ store }, { qun: parseUid(positionals[0]!, 'Qun number'), name: positionals[1]! }));
      out(`Qun ${q.qun} is now "${q.name}"\n`);
      return 0;
    }
    case 'dismiss': {
      checkPositionals(positionals, 1, 1, 'oicq qun dismiss <qun>');
      const r = withStore(db, (store) => qunDismiss.run({ store }, { qun: parseUid(positionals[0]!, 'Qun number') }));
      out(`Qun ${r.qun} dismissed\n`);
      return 0;
    }
  }
}
