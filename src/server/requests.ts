import type { Packet } from '../protocol/framing.js';
import { DecodeError } from '../protocol/errors.js';
import { Exchange, type LoginHandler, type Route } from './dispatch.js';
import { teaDecrypt, teaEncrypt } from '../protocol/tea.js';
import type { ServerContext } from './context.js';
import type { Endpoint, Session } from './session.js';

/** What an answered-without-reply request is remembered with. */
const NO_REPLY = new Uint8Array(0);

/**
 * The path every after-login request takes, whatever the framing: find the session, check the sender's
 * address, answer a duplicate with the stored reply, decrypt with the session key. Framings only supply
 * how a server packet is encoded.
 */
export abstract class SessionRequests {
  constructor(readonly ctx: ServerContext) {}

  /** This framing's keep-alive command (its replies are not remembered for duplicates). */
  abstract readonly keepAliveCommand: number;

  /** Encodes a server packet for a session (header of this framing + body + tail). */
  abstract encode(session: Session, command: number, seq: number, body: Buffer): Buffer;

  /**
   * Handles one packet of this framing: a login command goes to its login handler; anything else takes the
   * session path, is decoded by its row's codec and goes to its command's handler. Bad bodies are dropped, or
   * answered with the row's failure reply where the handler names one (sends).
   */
  protected route(packet: Packet, from: Endpoint, logins: ReadonlyMap<number, LoginHandler<this>>, routes: ReadonlyMap<number, Route>): void {
    try {
      const login = logins.get(packet.command);
      if (login) return login(this, packet, from);
      // A command this framing does not serve at all, before or after login.
      const route = routes.get(packet.command);
      if (!route) return this.ctx.drop('unknown_command', from, packet);
      const opened = this.open(packet, from);
      if (!opened) return;
      let body: unknown;
      try {
        body = route.request.decode(opened.plain);
      } catch (e) {
        if (!(e instanceof DecodeError) || route.malformed === undefined || !route.reply) throw e;
        // Counted as bad input, and answered with the failure reply so the client stops re-sending it.
        this.ctx.drop('bad_body', from, packet);
        return this.reply(opened.session, packet, route.reply.encode(route.malformed), from);
      }
      route.handler(new Exchange(this, opened.session, packet, body, route.reply, from));
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      this.ctx.drop('bad_body', from, packet);
    }
  }

  /**
   * Opens an after-login request. Returns the session and plaintext, or undefined when the datagram was
   * dropped or was a duplicate (already answered again).
   */
  protected open(packet: Packet, from: Endpoint): { session: Session; plain: Buffer } | undefined {
    const session = packet.uid === undefined ? undefined : this.ctx.hub.get(packet.uid);
    if (!session || session.framing !== packet.framing) return void this.ctx.drop('no_session', from, packet);
    if (!session.isFrom(from)) return void this.ctx.drop('wrong_address', from, packet);
    // The session holds its key's words (k0–k3): QQ-TEA reads them there.
    const plain = teaDecrypt(packet.body, session);
    if (!plain) return void this.ctx.drop('undecryptable', from, packet);
    const earlier = session.earlierReply(packet.command, packet.seq);
    if (earlier) {
      this.ctx.metrics.duplicates++;
      this.ctx.hub.seen(session);
      if (earlier.length) this.ctx.send(earlier, from, session);
      return undefined;
    }
    this.ctx.hub.seen(session);
    // Its first request after login shows the client has installed the session key: queued messages may go —
    // after this request's reply (its handler runs next), which the client may need first (a Qun's title).
    // Once: after that (or once the hold released them) a request has nothing to release, and must not pay for a
    // queued callback each — an idle session's keep-alives would.
    if (session.releasePendingOnRequest && (session.pendingLoaded || this.releasesPending(session, packet, plain))) {
      session.releasePendingOnRequest = false;
      if (!session.pendingLoaded) queueMicrotask(() => this.ctx.hub.deliverPending(session));
    }
    return { session, plain };
  }

  /** Whether this request, from a session holding its queued messages until a request, lets them go (any request does). */
  protected releasesPending(_session: Session, _packet: Packet, _plain: Buffer): boolean {
    return true;
  }

  /** A repeated final login request from the same endpoint gets the reply it already got (no second session). */
  resendLoginReply(packet: Packet, from: Endpoint): boolean {
    const existing = packet.uid === undefined ? undefined : this.ctx.hub.get(packet.uid);
    const earlier = existing?.isFrom(from) ? existing.earlierReply(packet.command, packet.seq) : undefined;
    if (!earlier) return false;
    this.ctx.metrics.duplicates++;
    this.ctx.send(earlier, from);
    return true;
  }

  /**
   * Sends the reply to a request (TEA(session key)) and remembers it for duplicates, except a keep-alive's: a
   * repeated keep-alive has no effect to avoid and is answered afresh, so an idle session holds no window.
   */
  reply(session: Session, packet: Packet, plain: Buffer, to: Endpoint): void {
    const bytes = this.encode(session, packet.command, packet.seq, teaEncrypt(plain, session, this.ctx.random));
    if (packet.command !== this.keepAliveCommand) session.remember(packet.command, packet.seq, bytes, this.ctx.clock.now());
    this.ctx.send(bytes, to, session);
  }

  /** Remembers a request that gets no reply (acks), so a repeat has no second effect. */
  noReply(session: Session, packet: Packet): void {
    session.remember(packet.command, packet.seq, NO_REPLY, this.ctx.clock.now());
  }

  /** Sends a server-initiated packet (push) to a session, TEA(session key), with the given server sequence. */
  push(session: Session, command: number, seq: number, plain: Buffer): void {
    this.ctx.send(this.encode(session, command, seq, teaEncrypt(plain, session, this.ctx.random)), session.endpoint, session);
  }
}
