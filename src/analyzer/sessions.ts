// Key tracking for --password: follows each login exchange of the users whose password is known, learns
// the keys it hands out, and opens (decrypts and decodes) every body of those users' sessions with the
// same codecs the server uses. Pure: packets in, opened bodies out.
//
// Classic (PROTOCOL.md §3, §5): the 0x0022 request carries its initial key in clear; the reply is
// TEA(password key) (a failure: TEA(initial key)) and holds the session key. Server packets carry no uid,
// so classic state is per client endpoint.
// Modern (PROTOCOL-MODERN.md §2, §6): touch / request / verify keys in clear (0x0091/0x00BA/0x00DD);
// md5_pass_qq opens the verify block → verify_key2 opens the 0x00DD reply → login_info_key1/key3/magic;
// key1 opens the 0x00E5/0x0030 requests, key3 the 0x00E5 reply → key2 opens the 0x0030 reply → session key.
// Classic 2007/2008 (tags whose family usesLogin2007): 0x0091/0x00BA/0x00DD carry a request key in clear, per client
// endpoint like the 2005 login; the 0x00DD reply hands out the login key that opens the 0x0022 request (in its
// 2007 layout), whose reply is TEA(password key). The client's tag picks the layout (bodySpec), also for the
// server's packets, which say 0x0100: the endpoint's state remembers the tag of its requests.
import { bodySpec, ClassicCmd, commandMeaning, decodeBody, ModernCmd, type DecodedBody } from '../protocol/commands.js';
import { LOGIN_KEY_CHAIN, Wrap, type BodySpec, type LoginKey } from '../protocol/codec.js';
import type { Result } from '../protocol/errors.js';
import type { Direction, Framing } from '../protocol/framing.js';
import { passwordKeyFromMd5, passwordMd5 } from '../protocol/keys.js';
import { teaDecrypt } from '../protocol/tea.js';
import { checkPasswordProof } from '../protocol/bodies/classic/index.js';
import { openVerifyBlock, splitMagicPrefixed, unwrapKeyPrefixed, verifySealKey, type VerifyBlock } from '../protocol/bodies/modern/index.js';

/** The command table of a packet's body. */
const tableOf = (p: SessionPacket): Framing => p.table ?? p.framing;

/** A user whose password is known. */
export interface Credential {
  uid: number;
  password: string;
}

/** Parses `<uid>:<password>`; throws RangeError saying what is wrong (never quoting the password). */
export function parseCredential(text: string): Credential {
  const at = text.indexOf(':');
  if (at < 0) throw new RangeError("expected <uid>:<password> and found no ':'");
  const u = text.slice(0, at);
  const uid = /^\d+$/.test(u) ? Number(u) : NaN;
  if (!Number.isSafeInteger(uid) || uid < 1 || uid > 0xffffffff) throw new RangeError(`'${u}' before the ':' is not a uid (1–4294967295)`);
  const password = text.slice(at + 1);
  if (password === '') throw new RangeError(`the password after '${u}:' is empty`);
  return { uid, password };
}

/** One packet as the tracker needs it. */
export interface SessionPacket {
  /** The header layout: classic state is per client endpoint, modern per uid. */
  framing: Framing;
  /** The command table the body follows, when not the header's (QQ2009: the modern chain in classic headers). */
  table?: Framing;
  /** The header's version tag (a client's on c2s packets): which family's layout the body follows. */
  version?: number;
  direction: Direction;
  command: number;
  seq: number;
  /** The header's uid (absent on classic server packets). */
  uid?: number;
  /** The client's endpoint ("ip:port"): classic server packets are matched to their session by it. */
  client: string;
  /** The body as on the wire. */
  body: Buffer;
  /** 1-based frame number in the capture (named in what the tracker reports). */
  frame?: number;
}

/** A body the tracker opened. */
export interface OpenedBody {
  /** Which key opened it ("session key", "password key", "clear", "touch key (in clear)", …). */
  key: string;
  plain: Buffer;
  /** The table's codec applied to the plaintext (an error for unknown layouts or bad bytes). */
  decoded: Result<DecodedBody>;
  /** The client's version tag the layout was chosen by (decodeBody's `version`), when known. */
  version?: number;
}

/** What the tracker could do with a packet. */
export interface SessionResult {
  opened?: OpenedBody;
  /** Why the body could not be opened, when it should have been (a user with --password). */
  failure?: string;
  /** Things learned or checked on the way (keys learned, password proof, verify block). */
  notes: string[];
}

/** One login (and the session after it) of a user with a password, as --summary reports it. */
export interface SessionReport {
  uid: number;
  framing: Framing;
  /** The client's endpoint at the first packet seen. */
  client: string;
  /** Frame of the login request that started it; null when its login is not in the capture. */
  loginFrame: number | null;
  /** Frame of the reply that handed out the session key: the session was decrypted. */
  sessionKeyFrame: number | null;
  /** Frame where the password given turned out not to open this login exchange. */
  wrongPasswordFrame: number | null;
  /** The capture's own login failed (the server refused it): how. */
  refused: string | null;
  /** Bodies opened and bodies left closed in this session. */
  opened: number;
  closed: number;
}

/** Reports kept at most (one per login of a known user); later logins are only counted. */
export const MAX_REPORTS = 1000;

/** One line on a session report: decrypted or not, and why. */
export function describeSession(r: SessionReport): string {
  const who = `${r.uid} (${r.framing}, ${r.client})`;
  const counts = `${r.opened} bodies opened, ${r.closed} not`;
  if (r.sessionKeyFrame !== null) return `${who}: decrypted — session key from frame #${r.sessionKeyFrame}; ${counts}`;
  const wrong = r.wrongPasswordFrame === null ? '' : `the password given does not open its login exchange (frame #${r.wrongPasswordFrame})`;
  if (r.refused !== null) return `${who}: NOT decrypted — the server refused this login (${r.refused})${wrong ? `; ${wrong}` : ''}; ${counts}`;
  if (wrong) return `${who}: NOT decrypted — ${wrong}; ${counts}`;
  if (r.loginFrame === null) return `${who}: NOT decrypted — its login is not in the capture; ${counts}`;
  return `${who}: NOT decrypted — the login exchange from frame #${r.loginFrame} handed out no session key in the capture; ${counts}`;
}

interface UserKeys {
  uid: number;
  pwMd5: Buffer;
  pwKey: Buffer;
}

/** A key the tracker can hold: the login exchange's keys (named by the command table) and the session key. */
type KeyName = LoginKey | 'session key';

/** What the tracker knows of one login and its session: classic per client endpoint, modern per uid. */
interface LoginState {
  user: UserKeys;
  /** The client's version tag (from the request that started the login). */
  version: number | undefined;
  keys: Map<KeyName, Buffer>;
  report: SessionReport;
}

/** Client endpoints remembered for classic sessions at most (oldest forgotten first). */
export const MAX_CLASSIC_SESSIONS = 4096;

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Follows logins and opens the bodies of the known users' sessions. */
export class SessionTracker {
  private readonly users = new Map<number, UserKeys>();
  private readonly classic = new Map<string, LoginState>();
  private readonly modern = new Map<number, LoginState>();
  private readonly reportList: SessionReport[] = [];
  /** Logins beyond MAX_REPORTS (not listed). */
  unreported = 0;

  constructor(credentials: readonly Credential[]) {
    for (const c of credentials) {
      const pwMd5 = passwordMd5(c.password);
      this.users.set(c.uid, { uid: c.uid, pwMd5, pwKey: passwordKeyFromMd5(pwMd5) });
    }
  }

  /** Every login of a user with a password seen so far (at most MAX_REPORTS), in capture order. */
  get reports(): readonly SessionReport[] {
    return this.reportList;
  }

  /** True when some password was given (otherwise only clear bodies open). */
  get hasCredentials(): boolean {
    return this.users.size > 0;
  }

  /**
   * Opens one packet's body if it can; never throws on malformed input. The command table says how the body
   * travels (its wrap) and which login keys open it; the decoded bodies say which keys they hand out.
   */
  open(p: SessionPacket): SessionResult {
    const spec = bodySpec(tableOf(p), p.command, p.direction, this.clientVersion(p));
    const wrap = spec?.wrap ?? Wrap.SESSION;
    const notes: string[] = [];
    if (wrap === Wrap.NONE) return { opened: this.decode(p, 'clear', Buffer.from(p.body)), notes };
    if (p.direction === 'c2s' && wrap === Wrap.KEY_PREFIXED) return this.openKeyPrefixed(p, spec!, notes);
    const st = this.stateOf(p);
    if (!st) return this.unknownUser(p, notes);
    return this.counted(st, this.openIn(p, spec, wrap, st, notes));
  }

  private openIn(p: SessionPacket, spec: BodySpec | undefined, wrap: Wrap, st: LoginState, notes: string[]): SessionResult {
    if (p.direction === 'c2s' && wrap === Wrap.MAGIC_PREFIXED) return this.openMagicPrefixed(p, spec!, st, notes);
    const loginReply = wrap === Wrap.LOGIN_REPLY && spec?.keys;
    const names: readonly KeyName[] = loginReply ? spec.keys! : ['session key', 'password key'];
    const what = loginReply ? `the ${commandMeaning(p.command, tableOf(p))} reply` : 'this session';
    const r = this.tryKeys(p, names.map((n) => [n, st.keys.get(n) ?? null] as const), notes, what);
    if (r.opened?.decoded.ok) this.learn(st, r.opened.decoded.value, notes, p.frame);
    return r;
  }

  /**
   * Counts the result in its session's report. Once the password given is known not to open this login, that was
   * said once (at the packet that showed it): the bodies after it stay closed without repeating why.
   */
  private counted(st: LoginState, r: SessionResult): SessionResult {
    if (r.opened) st.report.opened++;
    else st.report.closed++;
    if (!r.opened && r.failure !== undefined && st.report.wrongPasswordFrame !== null) return { notes: r.notes };
    return r;
  }

  private decode(p: SessionPacket, key: string, plain: Buffer): OpenedBody {
    const version = this.clientVersion(p);
    const opened: OpenedBody = { key, plain, decoded: decodeBody(tableOf(p), p.command, p.direction, plain, version) };
    if (version !== undefined) opened.version = version;
    return opened;
  }

  /** The client's tag: its own packets carry it; classic server packets (0x0100) take their endpoint's. */
  private clientVersion(p: SessionPacket): number | undefined {
    if (p.direction === 'c2s' || p.framing === 'modern') return p.version;
    return this.classic.get(p.client)?.version ?? p.version;
  }

  private tryKeys(p: SessionPacket, candidates: readonly (readonly [KeyName, Buffer | null])[], notes: string[], what: string): SessionResult {
    const tried: string[] = [];
    const missing: string[] = [];
    for (const [name, key] of candidates) {
      if (!key) {
        missing.push(name);
        continue;
      }
      tried.push(name);
      const plain = teaDecrypt(p.body, key);
      if (plain) return { opened: this.decode(p, name, Buffer.from(plain)), notes };
    }
    const unknown = missing.length ? `the ${missing.join(' and the ')} of ${what} is not known (the exchange that hands it out is not in the capture)` : '';
    if (tried.length === 0) return { failure: unknown, notes };
    return { failure: `does not open with the ${tried.join(' or the ')}${unknown ? `; ${unknown}` : ''}`, notes };
  }

  // A request that carries its key in clear opens for anyone; for a known user it starts (or continues) a
  // login: the key is remembered and the keys of later steps are forgotten.
  private openKeyPrefixed(p: SessionPacket, spec: BodySpec, notes: string[]): SessionResult {
    const un = unwrapKeyPrefixed(p.body);
    if (!un.ok) return { failure: un.error.message, notes };
    const name = spec.keys?.[0] ?? 'initial key';
    const opened = this.decode(p, `${name} (in clear)`, un.value.plain);
    const st = this.loginStateOf(p, name);
    if (!st) return { opened, notes };
    for (const later of LOGIN_KEY_CHAIN.slice(LOGIN_KEY_CHAIN.indexOf(name) + 1)) st.keys.delete(later);
    st.keys.set(name, un.value.key);
    st.report.loginFrame ??= p.frame ?? 0;
    st.report.opened++;
    if (opened.decoded.ok) this.learn(st, opened.decoded.value, notes, p.frame);
    return { opened, notes };
  }

  private openMagicPrefixed(p: SessionPacket, spec: BodySpec, st: LoginState, notes: string[]): SessionResult {
    const parts = splitMagicPrefixed(p.body);
    if (!parts.ok) return { failure: parts.error.message, notes };
    const name = spec.keys?.[0] ?? 'login_info_key1';
    const key = st.keys.get(name);
    if (!key) return { failure: `no ${name} yet (the 0x00DD reply did not open)`, notes };
    const plain = teaDecrypt(parts.value.cipher, key);
    if (!plain) return { failure: `does not open with ${name}`, notes };
    const opened = this.decode(p, `${name} (after the clear ${tableOf(p) === 'modern' ? 'magic' : 'login token'})`, Buffer.from(plain));
    if (opened.decoded.ok) this.learn(st, opened.decoded.value, notes, p.frame);
    return { opened, notes };
  }

  /** What a decoded login body hands out (keys) or tells (the password proof, failures). */
  private learn(st: LoginState, d: DecodedBody, notes: string[], frame = 0): void {
    const uid = st.user.uid;
    const wrong = (what: string) => {
      st.report.wrongPasswordFrame ??= frame;
      const at = frame ? ` (frame #${frame})` : '';
      notes.push(`${what} the password given for ${uid}: it does not open this login exchange${at}, so the bodies after it stay closed`);
    };
    if (d.framing === 'classic' && d.command === ClassicCmd.LOGIN) {
      if (d.direction === 'c2s') {
        if (checkPasswordProof(d.value.proof, st.user.pwKey)) notes.push(`password proof matches the password given for ${uid}`);
        else wrong('password proof does NOT match');
      } else if (d.value.kind === 'success') this.learnSessionKey(st, d.value.sessionKey, notes, frame);
      else {
        st.report.refused = `${d.value.kind}, frame #${frame}`;
        notes.push(`login of ${uid} did not succeed (${d.value.kind})`);
      }
      return;
    }
    if (d.framing === 'classic' && d.command === ClassicCmd.CHECK_PASSWORD && d.direction === 's2c') {
      const v = d.value;
      if (v.success) {
        st.keys.set('login key', v.success.loginKey);
        notes.push(`login key ${hex(v.success.loginKey)} learned`);
      } else {
        st.report.refused = `result 0x${v.result.toString(16).padStart(2, '0')}, frame #${frame}`;
        notes.push(`check password failed: result 0x${v.result.toString(16).padStart(2, '0')} ${JSON.stringify(v.message ?? '')}`);
      }
      return;
    }
    if (d.framing !== 'modern') return;
    if (d.command === ModernCmd.VERIFY && d.direction === 'c2s') {
      st.keys.delete('verify_key2');
      const block = openVerifyBlock(d.value.verifyCipher, verifySealKey(st.user.pwMd5, uid, d.value.dialect));
      if (block.ok) {
        st.keys.set('verify_key2', block.block.verifyKey2);
        notes.push(`verify block opens with the password given for ${uid}: ${describeBlock(block.block, st.user.pwMd5)}`);
      } else if (block.reason === 'cannot_open') {
        wrong('verify block does not open with');
      } else notes.push(`verify block opens but is malformed: ${block.error?.message ?? 'bad layout'}`);
    } else if (d.command === ModernCmd.VERIFY && d.direction === 's2c') {
      const v = d.value;
      if (v.ok) {
        st.keys.set('login_info_key1', v.loginInfoKey1).set('login_info_key3', v.loginInfoKey3);
        notes.push(`login_info_key1 ${hex(v.loginInfoKey1)} and login_info_key3 ${hex(v.loginInfoKey3)} learned`);
      } else {
        st.report.refused = `code 0x${v.code.toString(16).padStart(2, '0')}, frame #${frame}`;
        notes.push(`password verify failed: code 0x${v.code.toString(16).padStart(2, '0')} ${JSON.stringify(v.message)}`);
      }
    } else if (d.command === ModernCmd.GET_LOGIN_INFO && d.direction === 's2c') {
      st.keys.set('login_info_key2', d.value.loginInfoKey2);
      notes.push(`login_info_key2 ${hex(d.value.loginInfoKey2)} learned`);
      if (d.value.e3Key) st.keys.set('e3 key', d.value.e3Key);
    } else if (d.command === ModernCmd.SEND_LOGIN_INFO && d.direction === 's2c') {
      const v = d.value;
      if (v.ok) this.learnSessionKey(st, v.sessionKey, notes, frame);
      else {
        st.report.refused = `result 0x${v.result.toString(16).padStart(2, '0')}, frame #${frame}`;
        notes.push(`send login info failed: result 0x${v.result.toString(16).padStart(2, '0')}`);
      }
    }
  }

  private learnSessionKey(st: LoginState, key: Uint8Array, notes: string[], frame: number): void {
    st.keys.set('session key', Buffer.from(key));
    st.report.sessionKeyFrame = frame;
    notes.push(`session key learned for ${st.user.uid}: ${hex(key)}`);
  }

  private newState(user: UserKeys, p: SessionPacket): LoginState {
    const version = p.direction === 'c2s' ? p.version : undefined;
    return { user, version, keys: new Map([['password key', user.pwKey]]), report: this.newReport(user, p) };
  }

  private newReport(user: UserKeys, p: SessionPacket): SessionReport {
    const r: SessionReport = {
      uid: user.uid, framing: p.framing, client: p.client, loginFrame: null, sessionKeyFrame: null,
      wrongPasswordFrame: null, refused: null, opened: 0, closed: 0,
    };
    if (this.reportList.length < MAX_REPORTS) this.reportList.push(r);
    else this.unreported++;
    return r;
  }

  /**
   * The state a login request of a known user (re)starts: classic per client endpoint (a new one per login),
   * modern per uid (a new report when a finished login starts over).
   */
  private loginStateOf(p: SessionPacket, key: LoginKey): LoginState | undefined {
    // The modern chain is several key-prefixed requests, and a client touches again now and then: one state per
    // uid (per client endpoint in QQ2009's classic headers), with a new report when a finished login starts over.
    const st = p.framing === 'modern' ? this.stateOf(p) : tableOf(p) === 'modern' ? this.sameUserAt(p) : undefined;
    if (st) {
      const r = st.report;
      if (r.loginFrame !== null && (key === 'touch key' || !underway(r))) {
        st.report = this.newReport(st.user, p);
      }
      return st;
    }
    if (p.framing === 'modern') return undefined;
    // The 2007/2008 chain's later steps (0x00BA, 0x00DD) continue the login its 0x0091 started at this endpoint;
    // 0x0091 and the 2005 login (initial key) start one.
    const at = key === 'request key' && p.command !== ClassicCmd.SELECT_SERVER ? this.sameUserAt(p) : undefined;
    if (at && underway(at.report)) return at;
    const user = p.uid === undefined ? undefined : this.users.get(p.uid);
    if (!user) return undefined;
    if (this.classic.size >= MAX_CLASSIC_SESSIONS && !this.classic.has(p.client)) this.classic.delete(this.classic.keys().next().value!);
    const fresh = this.newState(user, p);
    this.classic.set(p.client, fresh);
    return fresh;
  }

  /** The classic-header state at the packet's endpoint when it is the same user's. */
  private sameUserAt(p: SessionPacket): LoginState | undefined {
    const st = this.classic.get(p.client);
    return st && st.user.uid === p.uid ? st : undefined;
  }

  /** The login state a packet belongs to, if it is a known user's. */
  private stateOf(p: SessionPacket): LoginState | undefined {
    if (p.framing === 'classic') {
      // Server packets carry no uid: classic state is per client endpoint.
      const st = this.classic.get(p.client);
      return st && (p.direction === 's2c' || p.uid === undefined || p.uid === st.user.uid) ? st : undefined;
    }
    if (p.uid === undefined) return undefined;
    let st = this.modern.get(p.uid);
    if (!st) {
      const user = this.users.get(p.uid);
      if (!user) return undefined;
      st = this.newState(user, p);
      this.modern.set(p.uid, st);
    }
    return st;
  }

  // Opens nothing for users without a password, but says so only for users that have one.
  private unknownUser(p: SessionPacket, notes: string[]): SessionResult {
    if (p.framing === 'classic' && p.uid !== undefined && this.users.has(p.uid)) return { failure: 'no key yet: the login of this session is not in the capture', notes };
    return { notes };
  }
}

/** Whether a login has started and not ended (no session key, refusal or wrong password yet). */
function underway(r: SessionReport): boolean {
  return r.loginFrame !== null && r.sessionKeyFrame === null && r.wrongPasswordFrame === null && r.refused === null;
}

function describeBlock(b: VerifyBlock, pwMd5: Buffer): string {
  const proof = b.passwordMd5.equals(pwMd5) ? 'MD5(password) matches' : 'MD5(password) differs';
  return `uid ${b.uid}, ${proof}, verify_key2 ${hex(b.verifyKey2)}`;
}
