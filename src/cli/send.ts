// `oicq send`: log in, send one message, exit 0 only when the server acked it. Also home of what the two
// client commands share (options, the password, turning SDK errors into one-line CliErrors).
import {
  Client, LoginRefusedError, RedirectRefusedError, SendFailedError,
  NotOnlineError, TimeoutError, UnknownUserError, WrongPasswordError,
  type Friend, type ClientOptions,
} from '../client/index.js';
import { DEFAULT_SERVER, parseServer } from '../client/client.js';
import { parseIntArg, parseOptions, parseUid, USAGE_EXIT } from './args.js';
import { CliError } from './errors.js';
import { PASSWORD_OPTIONS, PASSWORD_HELP, readPassword } from './password.js';

/** Exit code: the server did not answer. */
export const EXIT_UNREACHABLE = 3;
/** Exit code: the login was refused (wrong password, unknown account, cool-down). */
export const EXIT_LOGIN = 4;
/** Exit code: a message was not accepted, or its receiver is unknown. */
export const EXIT_SEND = 5;

/** Options both client commands take. */
export const CLIENT_OPTIONS = {
  uid: { type: 'string' },
  ...PASSWORD_OPTIONS,
  server: { type: 'string' },
  framing: { type: 'string' },
  retry: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Help lines of the shared options. */
export const CLIENT_OPTIONS_HELP = `  --uid <n>                 your QQ number (required)
${PASSWORD_HELP}
  --server <host:port>      the server (default ${DEFAULT_SERVER})
  --framing modern|classic  wire framing (default modern, the capture's 0x3639 client)
  --retry <ms>              resend an unanswered request after this long (default 3000; 5 tries)
  -h, --help                this help`;

type ClientValues = { uid?: string; server?: string; framing?: string; retry?: string };

/** Client options from the command line (the password already read). */
export function clientOptionsOf(values: ClientValues, password: string, command: string): ClientOptions {
  if (values.uid === undefined) throw new CliError(`missing --uid <n> — run '${command} --help'`, USAGE_EXIT);
  const uid = parseUid(values.uid, '--uid');
  const framing = values.framing ?? 'modern';
  if (framing !== 'modern' && framing !== 'classic') throw new CliError(`--framing '${framing}' must be modern or classic`, USAGE_EXIT);
  const server = values.server ?? DEFAULT_SERVER;
  try {
    parseServer(server);
  } catch {
    throw new CliError(`--server '${server}' is not host:port (e.g. 127.0.0.1:8000)`, USAGE_EXIT);
  }
  const retry = values.retry === undefined ? undefined : { intervalMs: parseIntArg(values.retry, 10, 60_000, '--retry') };
  return { uid, password, server, framing, ...(retry ? { retry } : {}) };
}

/** Turns an SDK error into the one-line CliError the user sees (other errors pass through). */
export function explain(e: unknown, server: string, uid: number): unknown {
  if (e instanceof TimeoutError) return new CliError(`no answer from ${server} — is 'oicq serve' running? check --server`, EXIT_UNREACHABLE);
  if (e instanceof WrongPasswordError) return new CliError(`wrong password for ${uid} — check OICQ_PASSWORD, --password-file or --password`, EXIT_LOGIN);
  if (e instanceof UnknownUserError) return new CliError(`no account ${uid} on ${server} — create it with 'oicq user add ${uid}'`, EXIT_LOGIN);
  if (e instanceof LoginRefusedError) return new CliError(`login refused: ${e.reason}`, EXIT_LOGIN);
  if (e instanceof RedirectRefusedError) return new CliError(`the node the seed sent us to redirected us again to ${e.target}; only one redirect is followed — check that the cluster's nodes are not seeds (--seed) or pass a node as --server`, EXIT_LOGIN);
  if (e instanceof SendFailedError) return new CliError(`the server did not accept the message to ${e.to} — no such user, their mailbox is full, or they take messages from friends only`, EXIT_SEND);
  if (e instanceof NotOnlineError) return new CliError(`the session ended before the server answered (was ${uid} logged in from another place?) — try again`, EXIT_LOGIN);
  const code = (e as { code?: unknown } | null)?.code;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new CliError(`cannot resolve the host of ${server} — check --server`, EXIT_UNREACHABLE);
  return e;
}

/** What the user sees while a request goes unanswered (instead of seconds of silence). */
export function retryLine(r: { server: string; attempt: number; maxTries: number }): string {
  return `no answer from ${r.server} yet — try ${r.attempt} of ${r.maxTries}`;
}

/** The friend named by `who`: a uid (friend or not) or a nickname (case-insensitive, must be unique). */
export function resolveFriend(who: string, friends: readonly Friend[]): number {
  if (/^\d+$/.test(who)) return parseUid(who, 'friend uid');
  const matches = friends.filter((f) => f.nick.toLowerCase() === who.toLowerCase());
  if (matches.length === 1) return matches[0]!.uid;
  if (matches.length > 1) throw new CliError(`'${who}' is the nickname of ${matches.map((f) => f.uid).join(', ')} — use the uid`, EXIT_SEND);
  throw new CliError(`unknown friend '${who}' — give a uid, or a nickname from your friend list`, EXIT_SEND);
}

const HELP = `usage: oicq send --uid <n> --to <uid|nick> [options] <text…>

Logs in, sends one message and exits: 0 when the server acked it (for scripts).
Exit codes: 2 usage, ${EXIT_UNREACHABLE} no answer from the server, ${EXIT_LOGIN} login refused, ${EXIT_SEND} message refused or unknown friend.

options:
  --to <uid|nick>           the receiver: a uid, or a friend's nickname
${CLIENT_OPTIONS_HELP}
`;

const OPTIONS = { ...CLIENT_OPTIONS, to: { type: 'string' } } as const;

/** `oicq send`. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseOptions(argv, OPTIONS, 'oicq send');
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const usage = 'oicq send --uid <n> --to <uid|nick> <text>';
  if (values.to === undefined) throw new CliError("missing --to <uid|nick> — run 'oicq send --help'", USAGE_EXIT);
  if (positionals.length === 0) throw new CliError(`missing the message text — usage: ${usage}`, USAGE_EXIT);
  const text = positionals.join(' ');
  if (text.trim() === '') throw new CliError(`the message text is empty — give the text to send: ${usage}`, USAGE_EXIT);
  const opts = clientOptionsOf(values, await readPassword(values, 'oicq send'), 'oicq send');
  const client = new Client(opts);
  client.on('retry', (r) => process.stderr.write(`oicq send: ${retryLine(r)}\n`));
  try {
    await client.login();
    const { friends } = await client.getFriends();
    const to = /^\d+$/.test(values.to) ? parseUid(values.to, '--to') : resolveFriend(values.to, friends);
    if (to === client.uid) throw new CliError(SELF, USAGE_EXIT);
    const friend = friends.find((f) => f.uid === to);
    try {
      const id = await client.sendMessage(to, text);
      const note = friend ? '' : ` — ${to} is not your friend; their privacy setting lets messages from strangers in`;
      process.stdout.write(`sent to ${to} (message id ${id})${note}\n`);
      return 0;
    } catch (e) {
      if (e instanceof SendFailedError) throw new CliError(refusal(to, friend !== undefined), EXIT_SEND);
      throw e;
    }
  } catch (e) {
    throw explain(e, client.server, client.uid);
  } finally {
    // Logs out if the login succeeded (a refused send must not leave the session open), then closes.
    await client.logout();
  }
}

/** A message to oneself: the server refuses it, so the CLI says so first. */
export const SELF = 'that is your own number: messages go to someone else';

/**
 * What a refused send (result other than 00: the protocol gives no reason) most likely means, from whether the
 * receiver is a friend: strangers meet the receiver's privacy setting and their own small quota.
 */
export function refusal(to: number, isFriend: boolean): string {
  if (isFriend) return `the server did not accept the message to ${to} — their mailbox is full or the server cannot store messages now; try again later`;
  return `the server refused the message to ${to}, who is not your friend — they take messages from friends only, ` +
    `have too many waiting from strangers, or do not exist; ask them to add you as a friend`;
}
