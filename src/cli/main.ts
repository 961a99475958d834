import { CliError } from './errors.js';
import { version } from '../version.js';

/** A subcommand: takes its own argv, resolves to the process exit code. */
type Command = (argv: string[]) => Promise<number>;

// Subcommands load lazily so `oicq dissect` does not pay for the server's dependencies.
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {};

/** Registers a subcommand (used below; kept as a function so the table stays one place). */
function command(name: string, summary: string, load: () => Promise<Command>): void {
  COMMANDS[name] = { summary, load };
}
command('serve', 'run the OICQ server (UDP, classic and modern framings)', async () => (await import('./serve.js')).run);
command('user', 'manage accounts: add | list | passwd | delete', async () => (await import('./user.js')).run);
command('friend', 'manage friendships: add | remove | list', async () => (await import('./friend.js')).run);
command('group', 'manage friend groups: add | list | rename | remove | move', async () => (await import('./group.js')).run);
command('qun', 'manage Qun (group chats): list | show | create | add | remove | rename | dismiss', async () => (await import('./qun.js')).run);
command('db', 'the database file: check | backup', async () => (await import('./db.js')).run);
command('admin', 'run an admin command (users, bans, sessions, locks, …) on the store or a running server', async () => (await import('./admin.js')).run);
command('chat', 'terminal chat client', async () => (await import('./chat.js')).run);
command('send', 'send one message and exit (for scripts)', async () => (await import('./send.js')).run);
command('onebot', 'OneBot v11 gateway for bot frameworks (HTTP, WebSocket, reverse WebSocket, event push)', async () => (await import('./onebot.js')).run);
command('dissect', 'dissect OICQ traffic in a pcap/pcapng capture', async () => (await import('./dissect.js')).run);

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([n, c]) => `  oicq ${n.padEnd(8)} ${c.summary}`);
  return ['usage: oicq <command> [options]', '', 'commands:', ...lines, '', "run 'oicq <command> --help' for a command's options; 'oicq --version' prints the version"].join('\n');
}

/** Runs the CLI; returns the exit code. Errors meant for the user print as one line. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    process.stdout.write(`oicq ${version()}\n`);
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    process.stderr.write(`oicq: unknown command '${name}' — run 'oicq --help' to list the commands\n`);
    return 2;
  }
  try {
    const run = await entry.load();
    return await run(rest);
  } catch (e) {
    if (e instanceof CliError) {
      process.stderr.write(`oicq ${name}: ${e.message}\n`);
      return e.exitCode;
    }
    if (e instanceof TypeError && 'code' in e && e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      process.stderr.write(`oicq ${name}: ${e.message} — run 'oicq ${name} --help'\n`);
      return 2;
    }
    throw e;
  }
}
