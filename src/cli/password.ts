// Where a command gets a password: --password-file, OICQ_PASSWORD or a prompt that does not echo; --password still
// works but is visible to every local user in the process list, so it costs a one-line warning.
import { readFileSync } from 'node:fs';
import { CliError } from './errors.js';
import { USAGE_EXIT } from './args.js';

/** The password options every command that takes a password accepts. */
export const PASSWORD_OPTIONS = {
  password: { type: 'string' },
  'password-file': { type: 'string' },
} as const;

/** Help lines of PASSWORD_OPTIONS (the safe forms first). */
export const PASSWORD_HELP = `  password                  from OICQ_PASSWORD in the environment, or asked on a terminal; or:
  --password-file <path>    the first line of that file
  --password <pw>           on the command line: visible to other local users, so it prints a warning`;

/** What a command read from PASSWORD_OPTIONS. */
export interface PasswordValues {
  password?: string;
  'password-file'?: string;
}

/** The warning printed when --password is used (tests match it). */
export function passwordWarning(command: string): string {
  return `${command}: warning: --password is visible to other users in the process list — use OICQ_PASSWORD, --password-file or the prompt\n`;
}

/** Reads a password from the terminal without echoing it. */
export function promptHidden(question: string): Promise<string> {
  const input = process.stdin;
  return new Promise((resolve, reject) => {
    let typed = '';
    const wasRaw = input.isRaw;
    // Echo off before the prompt shows: keys typed the moment it appears must not echo either.
    input.setRawMode(true);
    process.stderr.write(question);
    input.resume();
    input.setEncoding('utf8');
    const done = (err?: Error) => {
      input.off('data', onData);
      input.setRawMode(wasRaw);
      input.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(typed);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new CliError('cancelled', 130));
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else if (ch >= ' ') typed += ch;
      }
    };
    input.on('data', onData);
  });
}

/** The first line of a password file, without its line ending. */
function readPasswordFile(path: string, command: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new CliError(`cannot read --password-file '${path}': ${why} — run '${command} --help'`, USAGE_EXIT);
  }
  const first = text.split(/\r?\n/)[0] ?? '';
  if (first === '') throw new CliError(`--password-file '${path}' is empty: its first line must be the password`, USAGE_EXIT);
  return first;
}

/**
 * The password, from (in this order) --password-file, --password (with the warning on stderr), OICQ_PASSWORD, or
 * a prompt when stdin is a terminal. Never empty; `command` is e.g. 'oicq send' and names the help in errors.
 */
export async function readPassword(values: PasswordValues, command: string): Promise<string> {
  const file = values['password-file'];
  if (file !== undefined && values.password !== undefined) {
    throw new CliError(`give either --password-file or --password, not both — run '${command} --help'`, USAGE_EXIT);
  }
  if (file !== undefined) return readPasswordFile(file, command);
  if (values.password !== undefined) {
    if (values.password === '') throw new CliError(`the password must not be empty — run '${command} --help'`, USAGE_EXIT);
    process.stderr.write(passwordWarning(command));
    return values.password;
  }
  const env = process.env.OICQ_PASSWORD;
  if (env !== undefined && env !== '') return env;
  if (process.stdin.isTTY) {
    const typed = await promptHidden('password: ');
    if (typed !== '') return typed;
    throw new CliError('the password must not be empty', USAGE_EXIT);
  }
  throw new CliError(`no password: set OICQ_PASSWORD, pass --password-file <path>, or run on a terminal to be asked — run '${command} --help'`, USAGE_EXIT);
}
