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
import { bodySpec, ClassicCmd, decodeBody, type DecodedBody } from '../protocol/commands.js';
import type { Result } from '../protocol/errors.js';
import type { Direction, Framing } from '../protocol/framing.js';
import { passwordKeyFromMd5, passwordMd5, verifyBlockKey } from '../protocol/keys.js';
import { teaDecrypt } from '../protocol/tea.js';
import { checkPasswordProof, loginReplyCodec, loginRequestCodec } from '../protocol/bodies/classic/index.js';
import {
  openVerifyBlock,
  sendLoginInfoReply,
  splitMagicPrefixed,
  unwrapKeyPrefixed,
  verifyReply,
  verifyRequest,
  loginInfoReply,
  type VerifyBlock,
} from '../protocol/bodies/modern/index.js';

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
  framing: Framing;
  direction: Direction;
  command: number;
  seq: number;
  /** The header's uid (absent on classic server packets). */
  uid?: number;
  /** The client's endpoint ("ip:port"): classic server packets are matched to their session by it. */
  client: string;
  /** The body as on the wire. */
  body: Buffer;
}

/** A body the tracker opened. */
export interface OpenedBody {
  /** Which key opened it ("session key", "password key", "clear", "touch key (in clear)", …). */
  key: string;
  plain: Buffer;
  /** The table's codec applied to the plaintext (an error for unknown layouts or bad bytes). */
  decoded: Result<DecodedBody>;
}

/** What the tracker could do with a packet. */
export interface SessionResult {
  opened?: OpenedBody;
  /** Why the body could not be opened, when it should have been (a user with --password). */
  failure?: string;
  /** Things learned or checked on the way (keys learned, password proof, verify block). */
  notes: string[];
}

interface UserKeys {
  uid: number;
  pwMd5: Buffer;
  pwKey: Buffer;
}

// Classic state, per client endpoint.
interface ClassicState {
  user: UserKeys;
  initialKey: Buffer;
  sessionKey: Buffer | null;
}

// Modern state, per uid.
interface ModernState {
  user: UserKeys;
  touchKey: Buffer | null;
  requestKey: Buffer | null;
  verifyKey: Buffer | null;
  verifyKey2: Buffer | null;
  key1: Buffer | null;
  key3: Buffer | null;
  key2: Buffer | null;
  sessionKey: Buffer | null;
}

/** Client endpoints remembered for classic sessions at most (oldest forgotten first). */
export const MAX_CLASSIC_SESSIONS = 4096;

type Candidate = readonly [name: string, key: Buffer | null];

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Follows logins and opens the bodies of the known users' sessions. */
export class SessionTracker {
  private readonly users = new Map<number, UserKeys>();
  private readonly classic = new Map<string, ClassicState>();
  private readonly modern = new Map<number, ModernState>();

  constructor(credentials: readonly Credential[]) {
    for (const c of credentials) {
      const pwMd5 = passwordMd5(c.password);
      this.users.set(c.uid, { uid: c.uid, pwMd5, pwKey: passwordKeyFromMd5(pwMd5) });
    }
  }

  /** True when some password was given (otherwise only clear bodies open). */
  get hasCredentials(): boolean {
    return this.users.size > 0;
  }

  /** Opens one packet's body if it can; never throws on malformed input. */
  open(p: SessionPacket): SessionResult {
    const spec = bodySpec(p.framing, p.command, p.direction);
    const wrap = spec?.wrap ?? 'session';
    const notes: string[] = [];
    if (wrap === 'none') return { opened: this.decode(p, 'clear', Buffer.from(p.body)), notes };
    return p.framing === 'classic' ? this.openClassic(p, wrap, notes) : this.openModern(p, wrap, notes);
  }

  private decode(p: SessionPacket, key: string, plain: Buffer): OpenedBody {
    return { key, plain, decoded: decodeBody(p.framing, p.command, p.direction, plain) };
  }

  private tryKeys(p: SessionPacket, candidates: readonly Candidate[], notes: string[], what: string): SessionResult {
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

  // ---------------------------------------------------------------- classic

  private openClassic(p: SessionPacket, wrap: string, notes: string[]): SessionResult {
    if (p.direction === 'c2s' && wrap === 'keyPrefixed' && p.command !== ClassicCmd.LOGIN) {
      // The 2007/2008 chain's 0x0091/0x00BA/0x00DD carry their key in clear too (the login itself is not followed).
      const un = unwrapKeyPrefixed(p.body);
      return un.ok ? { opened: this.decode(p, 'request key (in clear)', un.value.plain), notes } : { failure: un.error.message, notes };
    }
    if (p.direction === 'c2s' && wrap === 'keyPrefixed') {
      // 0x0022: the initial key is in clear, so the request opens for anyone.
      const un = unwrapKeyPrefixed(p.body);
      if (!un.ok) return { failure: un.error.message, notes };
      const opened = this.decode(p, 'initial key (in clear)', un.value.plain);
      const user = p.uid === undefined ? undefined : this.users.get(p.uid);
      if (user) {
        if (this.classic.size >= MAX_CLASSIC_SESSIONS && !this.classic.has(p.client)) this.classic.delete(this.classic.keys().next().value!);
        this.classic.set(p.client, { user, initialKey: un.value.key, sessionKey: null });
        if (opened.decoded.ok) {
          const req = opened.decoded.value.value as ReturnType<typeof loginRequestCodec.decode>;
          notes.push(checkPasswordProof(req.proof, user.pwKey) ? `password proof matches the password given for ${user.uid}` : `password proof does NOT match the password given for ${user.uid}`);
        }
      }
      return { opened, notes };
    }
    const st = this.classic.get(p.client);
    if (!st) return this.unknownUser(p, notes);
    if (p.direction === 'c2s' && p.uid !== undefined && p.uid !== st.user.uid) return this.unknownUser(p, notes);
    if (wrap === 'loginReply') {
      const r = this.tryKeys(p, [['password key', st.user.pwKey], ['initial key', st.initialKey]], notes, 'the login reply');
      const v = r.opened?.decoded.ok ? (r.opened.decoded.value.value as ReturnType<typeof loginReplyCodec.decode>) : undefined;
      if (v?.kind === 'success') {
        st.sessionKey = Buffer.from(v.sessionKey);
        notes.push(`session key learned for ${st.user.uid}: ${hex(v.sessionKey)}`);
      } else if (v) notes.push(`login of ${st.user.uid} did not succeed (${v.kind})`);
      return r;
    }
    return this.tryKeys(p, [['session key', st.sessionKey], ['password key', st.user.pwKey]], notes, 'this session');
  }

  // Opens nothing for users without a password, but says so only for users that have one.
  private unknownUser(p: SessionPacket, notes: string[]): SessionResult {
    if (p.uid !== undefined && this.users.has(p.uid)) return { failure: 'no key yet: the login of this session is not in the capture', notes };
    return { notes };
  }

  // ---------------------------------------------------------------- modern

  private modernState(uid: number | undefined): ModernState | undefined {
    if (uid === undefined) return undefined;
    let st = this.modern.get(uid);
    if (!st) {
      const user = this.users.get(uid);
      if (!user) return undefined;
      st = { user, touchKey: null, requestKey: null, verifyKey: null, verifyKey2: null, key1: null, key3: null, key2: null, sessionKey: null };
      this.modern.set(uid, st);
    }
    return st;
  }

  private openModern(p: SessionPacket, wrap: string, notes: string[]): SessionResult {
    const st = this.modernState(p.uid);
    if (p.direction === 'c2s') {
      if (wrap === 'keyPrefixed') return this.modernKeyPrefixed(p, st, notes);
      if (!st) return { notes };
      if (wrap === 'magicPrefixed') {
        const parts = splitMagicPrefixed(p.body);
        if (!parts.ok) return { failure: parts.error.message, notes };
        if (!st.key1) return { failure: 'no login_info_key1 yet (the 0x00DD reply did not open)', notes };
        const plain = teaDecrypt(parts.value.cipher, st.key1);
        if (!plain) return { failure: 'does not open with login_info_key1', notes };
        return { opened: this.decode(p, 'login_info_key1 (after the clear magic)', Buffer.from(plain)), notes };
      }
      return this.tryKeys(p, [['session key', st.sessionKey], ['password key', st.user.pwKey]], notes, 'this session');
    }
    if (!st) return { notes };
    if (wrap === 'loginReply') return this.modernLoginReply(p, st, notes);
    return this.tryKeys(p, [['session key', st.sessionKey], ['password key', st.user.pwKey]], notes, 'this session');
  }

  private modernKeyPrefixed(p: SessionPacket, st: ModernState | undefined, notes: string[]): SessionResult {
    const un = unwrapKeyPrefixed(p.body);
    if (!un.ok) return { failure: un.error.message, notes };
    const name = p.command === 0x0091 ? 'touch key' : p.command === 0x00ba ? 'request key' : 'verify key';
    const opened = this.decode(p, `${name} (in clear)`, un.value.plain);
    if (!st) return { opened, notes };
    if (p.command === 0x0091) {
      // A touch starts a new login: forget the keys of the previous one.
      st.touchKey = un.value.key;
      st.requestKey = st.verifyKey = st.verifyKey2 = st.key1 = st.key2 = st.key3 = null;
    } else if (p.command === 0x00ba) st.requestKey = un.value.key;
    else if (p.command === 0x00dd) {
      st.verifyKey = un.value.key;
      st.verifyKey2 = null;
      if (opened.decoded.ok) {
        const req = opened.decoded.value.value as ReturnType<typeof verifyRequest.decode>;
        const block = openVerifyBlock(req.verifyCipher, verifyBlockKey(st.user.pwMd5, st.user.uid));
        if (block.ok) {
          st.verifyKey2 = block.block.verifyKey2;
          notes.push(`verify block opens with the password given for ${st.user.uid}: ${describeBlock(block.block, st.user.pwMd5)}`);
        } else if (block.reason === 'cannot_open') {
          notes.push(`verify block does not open with the password given for ${st.user.uid} (the client used another password)`);
        } else notes.push(`verify block opens but is malformed: ${block.error?.message ?? 'bad layout'}`);
      }
    }
    return { opened, notes };
  }

  private modernLoginReply(p: SessionPacket, st: ModernState, notes: string[]): SessionResult {
    const pw: Candidate = ['password key', st.user.pwKey];
    switch (p.command) {
      case 0x0091:
        return this.tryKeys(p, [['touch key', st.touchKey], pw], notes, 'the touch reply');
      case 0x00ba:
        return this.tryKeys(p, [['request key', st.requestKey], pw], notes, 'the login reply');
      case 0x00dd: {
        const r = this.tryKeys(p, [['verify_key2', st.verifyKey2], ['verify key', st.verifyKey], pw], notes, 'the verify reply');
        if (r.opened?.decoded.ok) {
          const v = r.opened.decoded.value.value as ReturnType<typeof verifyReply.decode>;
          if (v.ok) {
            st.key1 = v.loginInfoKey1;
            st.key3 = v.loginInfoKey3;
            notes.push(`login_info_key1 ${hex(v.loginInfoKey1)} and login_info_key3 ${hex(v.loginInfoKey3)} learned`);
          } else notes.push(`password verify failed: code 0x${v.code.toString(16).padStart(2, '0')} ${JSON.stringify(v.message)}`);
        }
        return r;
      }
      case 0x00e5: {
        const r = this.tryKeys(p, [['login_info_key3', st.key3], pw], notes, 'the login info reply');
        if (r.opened?.decoded.ok) {
          const v = r.opened.decoded.value.value as ReturnType<typeof loginInfoReply.decode>;
          st.key2 = v.loginInfoKey2;
          notes.push(`login_info_key2 ${hex(v.loginInfoKey2)} learned`);
        }
        return r;
      }
      case 0x0030: {
        const r = this.tryKeys(p, [['login_info_key2', st.key2], pw], notes, 'the send login info reply');
        if (r.opened?.decoded.ok) {
          const v = r.opened.decoded.value.value as ReturnType<typeof sendLoginInfoReply.decode>;
          if (v.ok) {
            st.sessionKey = Buffer.from(v.sessionKey);
            notes.push(`session key learned for ${st.user.uid}: ${hex(v.sessionKey)}`);
          } else notes.push(`send login info failed: result 0x${v.result.toString(16).padStart(2, '0')}`);
        }
        return r;
      }
      default:
        return this.tryKeys(p, [['session key', st.sessionKey], pw], notes, 'this reply');
    }
  }
}

function describeBlock(b: VerifyBlock, pwMd5: Buffer): string {
  const proof = b.passwordMd5.equals(pwMd5) ? 'MD5(password) matches' : 'MD5(password) differs';
  return `uid ${b.uid}, ${proof}, verify_key2 ${hex(b.verifyKey2)}`;
}
