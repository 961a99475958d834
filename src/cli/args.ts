// Option parsing shared by the subcommands: node:util parseArgs in strict mode, with its errors turned into
// one-line CliErrors that name the command's --help, plus the positional checks every command needs.
import { parseArgs } from 'node:util';
import { CliError } from './errors.js';

/** Exit code of a usage mistake (unknown option, missing or malformed argument). */
export const USAGE_EXIT = 2;

/** One option: a string that takes a value, or a boolean flag. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Repeatable: the value is the list of every occurrence. */
  multiple?: boolean;
}

/** A command's options by long name. */
export type OptionSpecs = Record<string, OptionSpec>;

/** Parsed option values: strings for string options, true for flags given; absent when not given. */
export type OptionValues<O extends OptionSpecs> = {
  [K in keyof O]?: O[K]['type'] extends 'string' ? (O[K]['multiple'] extends true ? string[] : string) : boolean;
};

/** Result of parseOptions. */
export interface Parsed<O extends OptionSpecs> {
  values: OptionValues<O>;
  positionals: string[];
}

/**
 * Parses argv strictly (options may come anywhere; `--` ends options). `command` is what the user typed,
 * e.g. 'oicq user', and appears in the hint of every error.
 */
export function parseOptions<O extends OptionSpecs>(argv: string[], options: O, command: string): Parsed<O> {
  try {
    const r = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
    return { values: r.values as OptionValues<O>, positionals: r.positionals };
  } catch (e) {
    throw toCliError(e, command);
  }
}

function toCliError(e: unknown, command: string): unknown {
  const code = (e as { code?: unknown }).code;
  const msg = e instanceof Error ? e.message : String(e);
  const hint = `run '${command} --help'`;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const opt = /'([^']+)'/.exec(msg)?.[1] ?? 'option';
    return new CliError(`unknown option '${opt}' — ${hint}`, USAGE_EXIT);
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const opt = /--[\w-]+/.exec(msg)?.[0] ?? 'an option';
    if (/does not take an argument/.test(msg)) return new CliError(`option ${opt} does not take a value — ${hint}`, USAGE_EXIT);
    return new CliError(`option ${opt} needs a value (write ${opt}=<value> if it starts with '-') — ${hint}`, USAGE_EXIT);
  }
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
    return new CliError(`${msg.split('\n')[0]} — ${hint}`, USAGE_EXIT);
  }
  return e;
}

/** Throws a usage CliError if any of `names` was given: they do not apply to `context` (e.g. 'oicq user list'). */
export function rejectOptions(values: Record<string, unknown>, names: string[], context: string, command: string): void {
  for (const n of names) {
    if (values[n] !== undefined) throw new CliError(`option --${n} does not apply to '${context}' — run '${command} --help'`, USAGE_EXIT);
  }
}

/**
 * Takes the subcommand (first positional) out of `positionals` and checks it is one of `subs`.
 * `command` is e.g. 'oicq friend'.
 */
export function takeSubcommand<S extends string>(positionals: string[], subs: readonly S[], command: string): S {
  const sub = positionals.shift();
  const list = subs.join(' | ');
  if (sub === undefined) throw new CliError(`missing subcommand: ${list} — run '${command} --help'`, USAGE_EXIT);
  if (!(subs as readonly string[]).includes(sub)) {
    throw new CliError(`unknown subcommand '${sub}': use ${list} — run '${command} --help'`, USAGE_EXIT);
  }
  return sub as S;
}

/** A command with subcommands, parsed: its options, the positionals after the subcommand, and the subcommand. */
export interface ParsedSubcommand<O extends OptionSpecs, S extends string> extends Parsed<O> {
  sub: S;
}

/**
 * The start every `oicq <command> <subcommand>` shares: options parsed, `--help` printed with `usage` (then
 * `undefined`: the caller exits 0), else the subcommand taken from the positionals.
 */
export function parseSubcommand<O extends OptionSpecs, S extends string>(
  argv: string[], options: O, subs: readonly S[], command: string, usage: string,
): ParsedSubcommand<O, S> | undefined {
  const { values, positionals } = parseOptions(argv, options, command);
  if (values.help === true) {
    process.stdout.write(usage + '\n');
    return undefined;
  }
  return { values, positionals, sub: takeSubcommand(positionals, subs, command) };
}

/**
 * Checks the positional count against `usage` (e.g. 'oicq friend add <uid> <friend>'): `min` required,
 * at most `max` (Infinity for a trailing name of several words).
 */
export function checkPositionals(positionals: string[], min: number, max: number, usage: string): void {
  if (positionals.length < min) {
    const names = usage.match(/<[^>]+>/g) ?? [];
    const missing = names[positionals.length] ?? 'an argument';
    throw new CliError(`missing ${missing} — usage: ${usage}`, USAGE_EXIT);
  }
  if (positionals.length > max) {
    throw new CliError(`unexpected argument '${positionals[max]}' — usage: ${usage}`, USAGE_EXIT);
  }
}

/** Parses a whole number in [min, max] written in decimal; `what` names it in the error (e.g. 'group index'). */
export function parseIntArg(s: string, min: number, max: number, what: string, hint?: string): number {
  const n = /^\d+$/.test(s) ? Number(s) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new CliError(`${what} '${s}' is not a whole number from ${min} to ${max}${hint ? ` — ${hint}` : ''}`, USAGE_EXIT);
  }
  return n;
}

/** Parses a uid (1..4294967295); `what` names it in the error (e.g. 'friend uid'). */
export function parseUid(s: string, what = 'uid'): number {
  return parseIntArg(s, 1, 0xffffffff, what);
}

/** A listening `host:port` given to `option` (an IPv6 host in brackets; port 0 picks a free one). */
export function parseListenAddress(s: string, option: string, example: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(s);
  if (!m) throw new CliError(`${option} '${s}' is not host:port (e.g. ${example})`, USAGE_EXIT);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: parseIntArg(m[2]!, 0, 65535, `${option} port`) };
}
