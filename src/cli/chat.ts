// `oicq chat`: the terminal client. On a terminal: a prompt, the friend list, messages and status changes as
// they arrive. With stdin piped: commands line by line, each incoming message printed as one line, exit when
// stdin ends (after pending sends are acked) or on /quit.
import { createInterface, type Interface } from 'node:readline';
import { Client, SendFailedError, Status, type Friend, type FriendList, type IncomingMessage } from '../client/index.js';
import { checkPositionals, parseOptions, parseUid, USAGE_EXIT } from './args.js';
import { CliError } from './errors.js';
import { CLIENT_OPTIONS, CLIENT_OPTIONS_HELP, clientOptionsOf, explain, refusal, resolveFriend, retryLine, SELF } from './send.js';
import { readPassword } from './password.js';
import { visible, visibleLine, visibleLines } from './visible.js';

const HELP = `usage: oicq chat --uid <n> [options]

Terminal chat client. Commands:
${commandHelp('  ')}
Plain text goes to the current conversation (a friend or a Qun): the last /msg or /q, or, until there is one,
whoever wrote last.
With stdin piped, every incoming message is printed as one line, every sent one as '> to Nick: text', a
failed line is reported on stderr and the rest go on; the client exits when stdin ends, non-zero if any
line failed. Control characters in messages and nicknames are shown (␛, ␍, <U+009B>), never obeyed.

options:
  --status online|away|invisible|busy   status at login (default online)
${CLIENT_OPTIONS_HELP}
`;

function commandHelp(indent: string): string {
  return [
    '/msg <uid|nick> <text>   send a message (that friend becomes the current conversation)',
    '/r <text>                reply to whoever wrote last',
    '/friends                 the friend list with status',
    '/online                  friends online now',
    '/status online|away|invisible|busy',
    '/info <uid>              a user\'s nickname',
    '/search <nick|uid>       find users (/search alone: who is online)',
    '/add <uid> [note]        add a friend (a note asks one who authorizes)',
    '/accept <uid>            accept a friend request',
    '/refuse <uid> [reason]   refuse a friend request',
    '/remove <uid>            end a friendship',
    '/qun                     your Qun; /qun <qun> shows its members',
    '/join <qun> [note]       join a Qun (a note asks its creator)',
    '/q <qun> <text>          send to a Qun (it becomes the current conversation)',
    '/quit                    log out and exit',
    '/help                    this list',
  ].map((l) => indent + l).join('\n');
}

const OPTIONS = { ...CLIENT_OPTIONS, status: { type: 'string' } } as const;

/** Status names the user types, and how statuses are shown. */
const STATUS_BY_NAME: Record<string, number> = { online: Status.ONLINE, away: Status.AWAY, invisible: Status.INVISIBLE, busy: Status.BUSY };
const STATUS_NAME: Record<number, string> = {
  [Status.ONLINE]: 'online', [Status.OFFLINE]: 'offline', [Status.AWAY]: 'away', [Status.INVISIBLE]: 'invisible',
  [Status.BUSY]: 'busy', [Status.Q_ME]: 'Q me', [Status.QUIET]: 'quiet',
};

function statusName(s: number | undefined): string {
  return s === undefined ? 'offline' : (STATUS_NAME[s] ?? `status ${s}`);
}

function hhmmss(d: Date): string {
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

function statusArg(s: string): number {
  const v = STATUS_BY_NAME[s.toLowerCase()];
  if (v === undefined) throw new CliError(`unknown status '${s}' — use online, away, invisible or busy`, USAGE_EXIT);
  return v;
}

/** One chat session on a terminal or a pipe. */
class Chat {
  private friends: FriendList = { groups: [], friends: [], quns: [] };
  private readonly presence = new Map<number, number>();
  private current?: number;
  /** The Qun plain text goes to (set by /q; /msg goes back to a friend). */
  private currentQun?: number;
  /** Who wrote last (for /r, and the conversation until there is one). */
  private lastFrom?: number;
  /** Input lines read so far (a failed line is reported with its number in piped mode). */
  private lineNo = 0;
  private rl?: Interface;
  private queue: Promise<void> = Promise.resolve();
  private failures = 0;
  private quitting = false;
  private finish!: (code: number) => void;
  readonly done = new Promise<number>((r) => (this.finish = r));

  /** Messages that arrived before the friend list was loaded (shown with nicknames once it is). */
  private held: IncomingMessage[] | undefined = [];

  constructor(private readonly client: Client, private readonly tty: boolean) {
    // Listening from before the login: messages kept for us arrive right after it.
    client.on('message', (m) => (this.held ? this.held.push(m) : this.showMessage(m)));
    client.on('retry', (r) => this.warn(retryLine(r)));
    client.on('qunMessage', (m) => this.say(`[${hhmmss(m.time)}] [Qun ${m.qun}] ${this.nick(m.from)}: ${visibleLine(m.text)}`));
    client.on('friendRequest', ({ uid, note }) => this.say(`* ${uid} asks to be your friend${note ? `: ${visibleLine(note)}` : ''} — /accept ${uid} or /refuse ${uid}`));
    client.on('friendAdded', ({ uid }) => this.say(`* you and ${uid} are friends now`));
    client.on('friendRefused', ({ uid, reason }) => this.say(`* ${uid} refused your request${reason ? `: ${visibleLine(reason)}` : ''}`));
    client.on('friendRemoved', ({ uid }) => this.say(`* ${uid} removed you from their friends`));
    client.on('qunMembersChanged', ({ qun, uid, change, note }) => this.say(`* Qun ${qun}: ${uid} ${change}${note ? `: ${visibleLine(note)}` : ''}`));
  }

  /** A friend's nickname as shown (controls drawn), or the uid for strangers. */
  private nick(uid: number): string {
    const n = this.friends.friends.find((f) => f.uid === uid)?.nick;
    return n ? visible(n) : String(uid);
  }

  /** Prints a line without disturbing what the user is typing. */
  private say(line: string): void {
    if (this.tty && this.rl) {
      process.stdout.write(`\r\x1b[K${line}\n`);
      this.rl.prompt(true);
    } else process.stdout.write(line + '\n');
  }

  private warn(line: string): void {
    if (this.tty) this.say(`! ${line}`);
    else process.stderr.write(line + '\n');
  }

  private showMessage(m: IncomingMessage): void {
    this.lastFrom = m.from;
    if (this.current === undefined) {
      // Plain text now answers this person (until a /msg picks someone else).
      this.current = m.from;
      this.prompt();
    }
    const who = this.nick(m.from);
    if (!this.tty) {
      // One line per message, whatever the text holds.
      this.say(`[${hhmmss(m.time)}] ${who} (${m.from}): ${visibleLine(m.text)}`);
      return;
    }
    const [first, ...rest] = visibleLines(m.text);
    this.say([`[${hhmmss(m.time)}] ${who}: ${first}`, ...rest.map((l) => `           ${l}`)].join('\n'));
  }

  private friendLines(list: Friend[], indent: string): string[] {
    return list.map((f) => `${indent}${visible(f.nick)} (${f.uid}) — ${statusName(this.presence.get(f.uid))}`);
  }

  private showFriends(): void {
    const { groups, friends } = this.friends;
    if (friends.length === 0) return this.say('no friends yet — add some with \'oicq friend add\'');
    const lines = ['friends:'];
    for (const g of groups) {
      const members = friends.filter((f) => f.group === g.index);
      if (members.length) lines.push(`  ${visible(g.name)}`, ...this.friendLines(members, '    '));
    }
    this.say(lines.join('\n'));
  }

  private async refresh(): Promise<void> {
    this.friends = await this.client.getFriends();
    this.presence.clear();
    for (const f of await this.client.getOnlineFriends()) this.presence.set(f.uid, f.status);
  }

  private prompt(): void {
    if (!this.rl || !this.tty) return;
    this.rl.setPrompt(this.current === undefined ? '> ' : `[${this.nick(this.current)}] > `);
  }

  /** Starts: friend list, events, input. */
  async start(): Promise<void> {
    const { client } = this;
    await this.refresh();
    const me = await client.getUserInfo(client.uid).catch(() => undefined);
    this.say(`logged in as ${me?.nick ? visible(me.nick) : client.uid} (${client.uid}) on ${client.server}, ${client.framing} framing`);
    this.showFriends();
    if (this.tty) this.say('type /help for commands, /quit to leave');
    const held = this.held ?? [];
    this.held = undefined;
    for (const m of held) this.showMessage(m);

    client.on('friendStatus', ({ uid, status }) => {
      if (status === Status.OFFLINE) this.presence.delete(uid);
      else this.presence.set(uid, status);
      this.say(`* ${this.nick(uid)} is now ${statusName(status)}`);
    });
    client.on('offline', ({ reason, error }) => {
      if (reason === 'login-failed') {
        this.warn(`could not log in again: ${error?.message ?? 'unknown error'}`);
        this.finishWith(1);
      } else if (reason === 'timeout') this.warn('connection lost — logging in again…');
    });
    client.on('online', ({ relogin }) => relogin && this.say('* back online'));
    client.on('kicked', () => {
      this.warn('this account logged in from another place — exiting');
      this.finishWith(1);
    });

    const rl = createInterface({ input: process.stdin, output: this.tty ? process.stdout : undefined, terminal: this.tty });
    this.rl = rl;
    this.prompt();
    rl.on('line', (line) => {
      const n = ++this.lineNo;
      this.queue = this.queue.then(() => this.command(line.trim())).catch((e: unknown) => {
        this.failures++;
        const err = explain(e, client.server, client.uid);
        const why = err instanceof Error ? err.message : String(err);
        // Piped: say which line failed, then go on with the next.
        this.warn(this.tty ? why : `line ${n}: ${why}`);
      }).then(() => this.prompt()).then(() => { if (this.tty && !this.quitting) rl.prompt(); });
    });
    rl.on('close', () => void this.queue.then(() => this.finishWith(this.failures ? 1 : 0)));
    if (this.tty) rl.on('SIGINT', () => rl.close());
    if (this.tty) rl.prompt();
  }

  private finishWith(code: number): void {
    if (this.quitting) return;
    this.quitting = true;
    this.rl?.close();
    void this.client.logout().then(() => this.finish(code));
  }

  private async send(to: number, text: string): Promise<void> {
    if (text === '') throw new CliError('nothing to send');
    if (to === this.client.uid) throw new CliError(SELF);
    try {
      await this.client.sendMessage(to, text);
    } catch (e) {
      if (e instanceof SendFailedError) throw new CliError(refusal(to, this.friends.friends.some((f) => f.uid === to)));
      throw e;
    }
    if (this.tty) this.say(`[${hhmmss(new Date())}] → ${this.nick(to)}: ${visible(text)}`);
    else this.say(`> to ${this.nick(to)}: ${visibleLine(text)}`);
  }

  private async sendQun(qun: number, text: string): Promise<void> {
    if (text === '') throw new CliError('nothing to send');
    await this.client.sendQunMessage(qun, text);
    this.say(this.tty ? `[${hhmmss(new Date())}] → Qun ${qun}: ${visible(text)}` : `> to Qun ${qun}: ${visibleLine(text)}`);
  }

  private async command(line: string): Promise<void> {
    if (line === '' || this.quitting) return;
    if (!line.startsWith('/')) {
      if (this.currentQun !== undefined) return this.sendQun(this.currentQun, line);
      if (this.current === undefined) throw new CliError('no conversation yet — start one with /msg <uid|nick> <text> or /q <qun> <text>');
      return this.send(this.current, line);
    }
    const [cmd, ...args] = line.split(/\s+/);
    switch (cmd) {
      case '/r': {
        if (args.length < 1) throw new CliError('usage: /r <text>');
        if (this.lastFrom === undefined) throw new CliError('nobody has written yet — use /msg <uid|nick> <text>');
        return this.send(this.lastFrom, line.replace(/^\/r\s+/, ''));
      }
      case '/msg': {
        if (args.length < 2) throw new CliError('usage: /msg <uid|nick> <text>');
        const to = resolveFriend(args[0]!, this.friends.friends);
        this.current = to;
        this.currentQun = undefined;
        return this.send(to, line.replace(/^\/msg\s+\S+\s+/, ''));
      }
      case '/friends':
        await this.refresh();
        return this.showFriends();
      case '/online': {
        const online = await this.client.getOnlineFriends();
        for (const f of online) this.presence.set(f.uid, f.status);
        if (online.length === 0) return this.say('no friends online');
        return this.say(['online:', ...online.map((f) => `  ${this.nick(f.uid)} (${f.uid}) — ${statusName(f.status)}`)].join('\n'));
      }
      case '/status': {
        if (args.length !== 1) throw new CliError('usage: /status online|away|invisible|busy');
        const s = statusArg(args[0]!);
        await this.client.setStatus(s);
        return this.say(`* you are now ${statusName(s)}`);
      }
      case '/info': {
        if (args.length !== 1) throw new CliError('usage: /info <uid>');
        const info = await this.client.getUserInfo(parseUid(args[0]!));
        return this.say(`${info.uid}: ${info.nick ? visible(info.nick) : '(no nickname)'}${info.age ? `, age ${info.age}` : ''}`);
      }
      case '/search': {
        const q = args.join(' ');
        const found = q === '' ? await this.client.searchUsers({ online: true }) : /^\d+$/.test(q) ? await this.client.searchUsers({ uid: parseUid(q) }) : await this.client.searchUsers({ nick: q });
        if (found.length === 0) return this.say('nobody found');
        return this.say(found.map((u) => `  ${visible(u.nick)} (${u.uid})`).join('\n'));
      }
      case '/add': {
        if (args.length < 1) throw new CliError('usage: /add <uid> [note]');
        const uid = parseUid(args[0]!);
        const note = line.replace(/^\/add\s+\S+\s*/, '');
        const r = await this.client.addFriend(uid, note || undefined);
        if (r === 'accepted') return this.say(`* you and ${uid} are friends now`);
        if (r === 'refused') throw new CliError(`${uid} does not accept friends (or does not exist)`);
        return this.say(note ? `* request sent to ${uid}; you will see the answer` : `* ${uid} wants to authorize you — /add ${uid} <note> sends a request`);
      }
      case '/accept':
      case '/refuse': {
        if (args.length < 1) throw new CliError(`usage: ${cmd} <uid>${cmd === '/refuse' ? ' [reason]' : ''}`);
        const uid = parseUid(args[0]!);
        await this.client.answerFriend(uid, cmd === '/accept', line.replace(/^\/refuse\s+\S+\s*/, ''));
        if (cmd === '/accept') await this.refresh();
        return this.say(cmd === '/accept' ? `* you and ${uid} are friends now` : `* refused ${uid}`);
      }
      case '/remove': {
        if (args.length !== 1) throw new CliError('usage: /remove <uid>');
        const uid = parseUid(args[0]!);
        await this.client.removeFriend(uid);
        await this.refresh();
        return this.say(`* ${uid} is no longer your friend`);
      }
      case '/qun': {
        if (args.length === 0) {
          const quns = (await this.client.getFriends()).quns;
          return this.say(quns.length ? `your Qun: ${quns.join(', ')}` : 'no Qun yet — /join <qun>');
        }
        const info = await this.client.qunMembers(parseUid(args[0]!, 'Qun number'));
        return this.say([`Qun ${info.qun} "${visible(info.name)}":`, ...info.members.map((m) => `  ${this.nick(m.uid)} (${m.uid})${m.role ? ' — admin' : ''}`)].join('\n'));
      }
      case '/join': {
        if (args.length < 1) throw new CliError('usage: /join <qun> [note]');
        const qun = parseUid(args[0]!, 'Qun number');
        const note = line.replace(/^\/join\s+\S+\s*/, '');
        const r = await this.client.joinQun(qun, note || undefined);
        if (r === 'denied') throw new CliError(`Qun ${qun} does not take members (or does not exist)`);
        return this.say(r === 'joined' ? `* you joined Qun ${qun}` : note ? `* request sent to Qun ${qun}'s creator` : `* Qun ${qun} needs its creator's approval — /join ${qun} <note>`);
      }
      case '/q': {
        if (args.length < 2) throw new CliError('usage: /q <qun> <text>');
        const qun = parseUid(args[0]!, 'Qun number');
        this.currentQun = qun;
        return this.sendQun(qun, line.replace(/^\/q\s+\S+\s+/, ''));
      }
      case '/quit':
        return this.finishWith(this.failures ? 1 : 0);
      case '/help':
        return this.say(commandHelp(''));
      default:
        throw new CliError(`unknown command ${cmd} — /help lists them`);
    }
  }
}

/** `oicq chat`. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseOptions(argv, OPTIONS, 'oicq chat');
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  checkPositionals(positionals, 0, 0, 'oicq chat --uid <n> [options]');
  const status = values.status === undefined ? Status.ONLINE : statusArg(values.status);
  const tty = process.stdin.isTTY === true && process.stdout.isTTY === true;
  const opts = clientOptionsOf(values, await readPassword(values, 'oicq chat'), 'oicq chat');
  const client = new Client({ ...opts, reconnect: true });
  const chat = new Chat(client, tty);
  try {
    await client.login(status);
  } catch (e) {
    await client.close();
    throw explain(e, client.server, client.uid);
  }
  try {
    await chat.start();
  } catch (e) {
    await client.close();
    throw explain(e, client.server, client.uid);
  }
  return chat.done;
}
