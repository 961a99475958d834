// The server's recent log lines, kept in memory for the console's live tail, and the login history of each
// user derived from them (login, login failed, logout lines). A pino destination: it receives JSON lines.

/** One log line. */
export interface LogEntry {
  /** Increasing number, for "lines after N". */
  seq: number;
  time: string;
  level: string;
  msg: string;
  uid?: number;
  /** The line's other fields. */
  fields: Record<string, unknown>;
}

/** A login, failed login or logout of one user. */
export interface LoginEvent {
  time: string;
  event: 'login' | 'login failed' | 'logout';
  from?: string;
  detail?: string;
}

const LEVEL_NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
/** Level names in order of severity. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

/** A bounded ring of parsed log lines; pass it to pino as a stream. */
export class LogRing {
  private readonly lines: LogEntry[] = [];
  private readonly logins = new Map<number, LoginEvent[]>();
  private seq = 0;

  constructor(private readonly size = 2000, private readonly loginsPerUser = 20, private readonly usersTracked = 10_000) {}

  /** pino calls this with one JSON line. */
  write(line: string): void {
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    const { level, time, msg, uid, ...fields } = o;
    const e: LogEntry = {
      seq: ++this.seq,
      time: typeof time === 'string' ? time : new Date(typeof time === 'number' ? time : Date.now()).toISOString(),
      level: LEVEL_NAMES[level as number] ?? String(level),
      msg: String(msg ?? ''),
      uid: typeof uid === 'number' ? uid : undefined,
      fields,
    };
    this.lines.push(e);
    if (this.lines.length > this.size) this.lines.shift();
    if (e.uid !== undefined && (e.msg === 'login' || e.msg === 'login failures' || e.msg === 'logout')) this.recordLogin(e.uid, e);
  }

  private recordLogin(uid: number, e: LogEntry): void {
    let list = this.logins.get(uid);
    if (!list) {
      if (this.logins.size >= this.usersTracked) this.logins.delete(this.logins.keys().next().value!);
      this.logins.set(uid, (list = []));
    }
    const from = typeof e.fields.from === 'string' ? e.fields.from : undefined;
    let detail = typeof e.fields.reason === 'string' ? e.fields.reason : typeof e.fields.framing === 'string' ? e.fields.framing : undefined;
    // The login guard logs failures aggregated per (uid, address) and interval, with counts.
    const failed = e.msg === 'login failures';
    if (failed) detail = `${String(e.fields.failures)} failed, ${String(e.fields.refused)} refused; last: ${detail ?? '?'}`;
    list.push({ time: e.time, event: failed ? 'login failed' : (e.msg as LoginEvent['event']), from, detail });
    if (list.length > this.loginsPerUser) list.shift();
  }

  /** Lines after `after` (a seq), at `level` or above, of one uid if given; at most `limit`, newest last. */
  tail(opts: { after?: number; level?: string; uid?: number; limit?: number } = {}): LogEntry[] {
    const min = opts.level ? LOG_LEVELS.indexOf(opts.level as (typeof LOG_LEVELS)[number]) : 0;
    const out = this.lines.filter(
      (e) =>
        e.seq > (opts.after ?? 0) &&
        LOG_LEVELS.indexOf(e.level as (typeof LOG_LEVELS)[number]) >= min &&
        (opts.uid === undefined || e.uid === opts.uid),
    );
    return out.slice(-(opts.limit ?? 500));
  }

  /** The recent logins, failures and logouts of a user, newest first. */
  loginHistory(uid: number): LoginEvent[] {
    return [...(this.logins.get(uid) ?? [])].reverse();
  }
}
