import type { BodyCodec } from '../protocol/codec.js';
import { DecodeError } from '../protocol/errors.js';
// Typed errors of the client SDK: every way a login, a request or a send can fail is its own class,
// so callers (and the CLI) branch on `instanceof`, never on message text.

/** Base class of every error the SDK throws on purpose. */
export class ClientError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The server said the password is wrong. */
export class WrongPasswordError extends ClientError {
  constructor(readonly uid: number, readonly serverMessage = '') {
    super(`wrong password for ${uid}${serverMessage ? ` (server: ${serverMessage})` : ''}`);
  }
}

/** The server has no account with this number. */
export class UnknownUserError extends ClientError {
  constructor(readonly uid: number, readonly serverMessage = '') {
    super(`no such user ${uid}${serverMessage ? ` (server: ${serverMessage})` : ''}`);
  }
}

/** The server refused the login for another reason (cool-down after failures, denied, captcha …). */
export class LoginRefusedError extends ClientError {
  constructor(readonly uid: number, readonly reason: string, readonly code?: number) {
    super(`login of ${uid} refused: ${reason}`);
  }
}

/** A login was redirected twice: the SDK follows one redirect per login (from the seed to a node), never a second. */
export class RedirectRefusedError extends ClientError {
  constructor(readonly uid: number, readonly target: string) {
    super(`the server redirected ${uid} to ${target} after a redirect already; a second redirect is refused`);
  }
}

/** No reply after the last retransmission. */
export class TimeoutError extends ClientError {
  constructor(readonly server: string, readonly command: number, readonly seq: number, readonly tries: number) {
    super(`no answer from ${server} to command 0x${command.toString(16).padStart(4, '0')} (seq ${seq}) after ${tries} tries`);
  }
}

/** The server did not accept a message (reply other than `00`). */
export class SendFailedError extends ClientError {
  constructor(readonly to: number, readonly result: number, readonly fragment = 0) {
    super(`the server did not accept the message to ${to} (result 0x${result.toString(16).padStart(2, '0')}: no such user, or their mailbox is full)`);
  }
}

/** A reply arrived but could not be opened or decoded. */
export class ProtocolError extends ClientError {
  constructor(readonly command: number, detail: string) {
    super(`bad reply to command 0x${command.toString(16).padStart(4, '0')}: ${detail}`);
  }
}

/** Decodes a server body with `codec`; a malformed body becomes a ProtocolError naming the command. */
export function decodeReply<T>(command: number, codec: BodyCodec<T>, plain: Buffer): T {
  try {
    return codec.decode(plain);
  } catch (e) {
    if (e instanceof DecodeError) throw new ProtocolError(command, e.message);
    throw e;
  }
}

/** The session key, or an error when a call is made before login set it (a bug in the caller). */
export function sessionKeyOf(key: Buffer | undefined): Buffer {
  if (!key) throw new Error('no session key');
  return key;
}

/** A request needs a logged-in session and there is none (not yet logged in, lost, or reconnecting). */
export class NotOnlineError extends ClientError {
  constructor(state: string) {
    super(`not logged in (state: ${state})`);
  }
}

/** The client was closed (logout() or close()) while the call was pending, or before it. */
export class ClosedError extends ClientError {
  constructor() {
    super('the client is closed');
  }
}

/** A login failure that retrying cannot fix (reconnect gives up on these). */
export function isPermanentLoginError(e: unknown): boolean {
  return e instanceof WrongPasswordError || e instanceof UnknownUserError || e instanceof RedirectRefusedError || e instanceof ClosedError;
}
