// THE admin command table: every operator action, defined once (name, typed parameters, handler). The HTTP
// API, the OpenAPI document, the console and the CLI are all driven from it.
import { StoreError } from '../store/validate.js';
import { AdminError, checkArgs } from './params.js';
import type { AdminCommand, AdminContext } from './context.js';
import { messagePending, userAdd, userBan, userDelete, userList, userPasswd, userShow, userStrangers, userUnban } from './commands/users.js';
import { friendAdd, friendList, friendRemove, groupAdd, groupList, groupMove, groupRemove, groupRename } from './commands/friends.js';
import { lockList, lockUnlock, sessionKick, sessionList } from './commands/sessions.js';
import { qunAddMember, qunCreate, qunDismiss, qunList, qunRemoveMember, qunRename, qunShow } from './commands/quns.js';
import { commandCounts, dropList, logTail, serverInfo, serverRates } from './commands/server.js';

/** Every admin command, in the order the CLI help and the OpenAPI document list them. */
export const ADMIN_COMMANDS: readonly AdminCommand[] = [
  userList, userShow, userAdd, userPasswd, userStrangers, userDelete, userBan, userUnban, messagePending,
  friendList, friendAdd, friendRemove,
  groupList, groupAdd, groupRename, groupRemove, groupMove,
  qunList, qunShow, qunCreate, qunAddMember, qunRemoveMember, qunRename, qunDismiss,
  sessionList, sessionKick, lockList, lockUnlock,
  serverInfo, serverRates, dropList, commandCounts, logTail,
];

const BY_NAME = new Map(ADMIN_COMMANDS.map((c) => [c.name, c]));

/** The command of that name, or a not_found error listing the names. */
export function adminCommand(name: string): AdminCommand {
  const c = BY_NAME.get(name);
  if (!c) throw new AdminError('not_found', `unknown admin command '${name}' (commands: ${[...BY_NAME.keys()].join(', ')})`);
  return c;
}

/**
 * Runs a command with raw arguments (strings or JSON values): checks them against its parameters, runs it,
 * and turns store errors into admin errors. Every face calls this.
 */
export function invoke(ctx: AdminContext, command: AdminCommand, raw: Record<string, unknown>): unknown {
  const args = checkArgs(command.params, raw);
  try {
    return command.run(ctx, args);
  } catch (e) {
    if (e instanceof StoreError) throw fromStore(e);
    throw e;
  }
}

function fromStore(e: StoreError): AdminError {
  switch (e.code) {
    case 'unknown-user':
    case 'unknown-qun':
    case 'unknown-group':
    case 'not-friends':
      return new AdminError('not_found', e.message);
    case 'duplicate-user':
    case 'duplicate-group':
    case 'groups-full':
    case 'quns-full':
      return new AdminError('conflict', e.message);
    default:
      return new AdminError('bad_param', e.message);
  }
}
