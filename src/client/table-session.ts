import { requestCodecs, type C2sOf, type CommandRow, type S2cOf } from '../protocol/table.js';
import type { Packet } from '../protocol/framing.js';
import type { RandomSource } from '../protocol/random.js';
import { teaDecrypt, teaEncrypt } from '../protocol/tea.js';
import type { Clock } from '../transport/clock.js';
import { decodeReply, sessionKeyOf, ProtocolError } from './errors.js';
import type { Link } from './link.js';
import { readPushWith, type PushRoute } from './push.js';
import type { PushEvent } from './session.js';

// What both framings do the same way once logged in: requests of the command table and their replies under
// TEA(session key), acks and one-way datagrams under it, and pushes read through per-command routes.

/** What a framing session needs besides the link. */
export interface SessionContext {
  link: Link;
  uid: number;
  /** MD5(password). */
  passwordMd5: Buffer;
  /** MD5(MD5(password)): the last-resort key of every server packet. */
  passwordKey: Buffer;
  version: number;
  random: RandomSource;
  clock: Clock;
}

/** The after-login half of a framing session: table requests, sealed sends and push routing. */
export abstract class TableSession {
  sessionKey: Buffer | undefined;
  /** The last message id handed out (0: none yet). */
  private lastMessageId = 0;
  /** The framing's push readers by command (see pushRoutes). */
  protected abstract readonly pushes: ReadonlyMap<number, PushRoute>;

  constructor(protected readonly ctx: SessionContext) {}

  /** The session key, or an error when not logged in. */
  protected key(): Buffer {
    return sessionKeyOf(this.sessionKey);
  }

  /** One after-login request of the table, encoded and decoded by its row's codecs. */
  protected async call<R extends CommandRow>(row: R, value: C2sOf<R>): Promise<S2cOf<R>> {
    const sk = this.key();
    const { request, reply } = requestCodecs(row);
    const p = await this.ctx.link.request(row.code, teaEncrypt(request.encode(value), sk, this.ctx.random));
    // A server that cannot tell the session answers under the password key (its last resort).
    const plain = teaDecrypt(p.body, sk) ?? teaDecrypt(p.body, this.ctx.passwordKey);
    if (!plain) throw new ProtocolError(row.code, 'does not open with the session key');
    return decodeReply(row.code, reply, plain);
  }

  /** Sends a datagram with no reply (an ack, a logout) under TEA(session key). */
  protected sendSealed(command: number, body: Buffer, seq?: number, copies?: number): void {
    this.ctx.link.send(command, teaEncrypt(body, this.key(), this.ctx.random), seq, copies);
  }

  /** The event a server push means, or undefined when it does not open with the session key. */
  readPush(p: Packet): PushEvent | undefined {
    const sk = this.sessionKey;
    if (!sk) return undefined;
    const plain = teaDecrypt(p.body, sk);
    return plain ? readPushWith(this.pushes, p.command, plain, p.seq) : undefined;
  }

  /**
   * A new message id (private or Qun): counting on from a random start, never 0 (the server reads 0 as "none").
   * The server de-duplicates a Qun message by sender, second and id: ids drawn at random each time collided within
   * one busy second (1 in 65 536 per pair of messages), and the second message was taken for a repeat of the first.
   */
  protected nextMessageId(): number {
    if (this.lastMessageId === 0) this.lastMessageId = this.ctx.random(2).readUInt16BE(0);
    this.lastMessageId = (this.lastMessageId % 0xffff) + 1;
    return this.lastMessageId;
  }

  /** Unix seconds of the session's clock. */
  protected nowSec(): number {
    return Math.floor(this.ctx.clock.now() / 1000);
  }
}
