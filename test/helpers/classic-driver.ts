import { decodePacket, encodePacket } from '../../src/protocol/framing.js';
import { teaDecrypt, teaEncrypt } from '../../src/protocol/tea.js';
import { passwordKey, passwordMd5, imKey } from '../../src/protocol/keys.js';
import { ClassicCmd } from '../../src/protocol/commands.js';
import {
  buildLoginBody, loginReplyCodec, tokenReplyCodec, tokenRequestCodec, sendImRequestCodec, receiveImPushCodec,
  receiveImAckFor, receiveImAckCodec, IM_TEXT, systemMessageCodec, systemMessageAckCodec, type LoginReply, type ReceiveImPush,
  type SystemMessage, selectServerReplyCodec, tokenExReplyCodec, tokenExRequestCodec, checkPasswordReplyCodec,
  checkPasswordRequestCodec, login2007RequestCodec, login2007ReplyCodec, type CheckPasswordReply, type Login2007Reply,
  keepAliveRequestCodec,
} from '../../src/protocol/bodies/classic/index.js';
import { wrapKeyPrefixed } from '../../src/protocol/bodies/modern/wrap.js';
import { UdpPeer } from './udp.js';

/** A pushed packet the driver received. */
export interface Pushed {
  command: number;
  seq: number;
  plain: Buffer;
}

/**
 * A raw classic client for server tests, built on the protocol core only: every datagram is visible,
 * nothing is retried unless the test says so. (The SDK is the real client.)
 */
export class ClassicDriver {
  seq = 0x1000;
  sessionKey: Buffer = Buffer.alloc(16);
  loginReply?: LoginReply;
  readonly pushes: Pushed[] = [];

  constructor(readonly peer: UdpPeer, readonly uid: number, readonly password: string, readonly version = 0x0d55) {}

  static async open(serverPort: number, uid: number, password: string, host?: string, version = 0x0d55, serverHost?: string): Promise<ClassicDriver> {
    return new ClassicDriver(await UdpPeer.open(serverPort, host, serverHost), uid, password, version);
  }

  packet(command: number, body: Buffer, seq = ++this.seq): Buffer {
    return encodePacket({ direction: 'c2s', version: this.version, command, seq, uid: this.uid, body });
  }

  /** Sends a request and waits for the server packet with the same command and sequence. */
  async raw(command: number, body: Buffer, seq = ++this.seq, ms = 3000): Promise<Buffer> {
    this.peer.send(this.packet(command, body, seq));
    const bytes = await this.peer.next((b) => {
      const r = decodePacket(b, 's2c');
      return r.ok && r.value.command === command && r.value.seq === seq;
    }, ms);
    const r = decodePacket(bytes, 's2c');
    if (!r.ok) throw r.error;
    return r.value.body;
  }

  /** Token + login; returns the decoded login reply (throws if it does not open). */
  async login(status = 10): Promise<LoginReply> {
    const tok = tokenReplyCodec.decode(await this.raw(ClassicCmd.REQUEST_LOGIN_TOKEN, tokenRequestCodec.encode({ sub: 0 })));
    const initialKey = Buffer.alloc(16, 7);
    const pk = passwordKey(this.password);
    const body = buildLoginBody({ initialKey, passwordKey: pk, token: tok.token, status });
    const reply = await this.raw(ClassicCmd.LOGIN, body);
    const plain = teaDecrypt(reply, pk) ?? teaDecrypt(reply, initialKey);
    if (!plain) throw new Error('login reply does not open');
    this.loginReply = loginReplyCodec.decode(plain);
    if (this.loginReply.kind === 'success') this.sessionKey = this.loginReply.sessionKey;
    return this.loginReply;
  }

  /** A key-prefixed request of the 2007/2008 chain; returns the reply opened with the request key. */
  async keyed(command: number, plain: Buffer, key = Buffer.alloc(16, 9)): Promise<Buffer> {
    const reply = await this.raw(command, wrapKeyPrefixed(key, plain, (n) => Buffer.alloc(n)));
    const p = teaDecrypt(reply, key);
    if (!p) throw new Error(`reply to 0x${command.toString(16)} does not open with the request key`);
    return p;
  }

  /**
   * The 2007/2008 chain as pidgin's qq2007/qq2008 modes run it: 0x0091 → 0x0062 → 0x00BA → 0x00DD → 0x0022.
   * Returns the 0x00DD reply on a refused password, else the decoded login reply.
   */
  async login2007(status = 10): Promise<{ check: CheckPasswordReply; login?: Login2007Reply }> {
    const select = selectServerReplyCodec.decode(await this.keyed(ClassicCmd.SELECT_SERVER, Buffer.alloc(15)));
    if (select.result !== 0) throw new Error(`select server result ${select.result}`);
    const tok = tokenReplyCodec.decode(await this.raw(ClassicCmd.REQUEST_LOGIN_TOKEN, tokenRequestCodec.encode({ sub: 0 })));
    const ex = tokenExReplyCodec.decode(await this.keyed(ClassicCmd.LOGIN_TOKEN_EX, tokenExRequestCodec.encode({
      token: tok.token, sub: 3, unknown1: 5, unknown2: 0, fragmentIndex: 0, captchaToken: Buffer.alloc(0),
    })));
    const pwMd5 = passwordMd5(this.password);
    const pk = passwordKey(this.password);
    const pwBlock = teaEncrypt(Buffer.concat([pwMd5, Buffer.from([0, 0, 0x12, 0x34])]), pk);
    const check = checkPasswordReplyCodec.decode(await this.keyed(ClassicCmd.CHECK_PASSWORD, checkPasswordRequestCodec.encode({
      head: 0, length: 0x5f, locale: Buffer.from('0000080401e0', 'hex'), tokenEx: ex.tokenEx,
      passwordCipher: pwBlock, unknown: Buffer.alloc(20), tail: Buffer.from([0, 3, 0, pwMd5[1]!, pwMd5[2]!]),
    })));
    if (!check.success) return { check };
    const plain = login2007RequestCodec.encode({
      unknown: 0, passwordCipher: teaEncrypt(Buffer.concat([pwMd5, Buffer.from([0, 0, 0xff, 0xff])]), pk),
      proof: teaEncrypt(Buffer.alloc(0), pk), filler: Buffer.alloc(36), status,
      rest: Buffer.concat([Buffer.alloc(10 + 15 + 16), Buffer.from([ex.tokenEx.length]), ex.tokenEx, Buffer.alloc(249)]),
    });
    const body = Buffer.concat([Buffer.from([0, check.success.loginToken.length]), check.success.loginToken, teaEncrypt(plain, check.success.loginKey)]);
    const reply = await this.raw(ClassicCmd.LOGIN, body);
    const opened = teaDecrypt(reply, pk);
    if (!opened) throw new Error('2007 login reply does not open with the password key');
    const login = login2007ReplyCodec.decode(opened);
    if (login.kind === 'success') this.sessionKey = login.sessionKey;
    return { check, login };
  }

  /** A session request: TEA(session key) both ways. */
  async request(command: number, plain: Buffer, seq = ++this.seq): Promise<Buffer> {
    const reply = await this.raw(command, teaEncrypt(plain, this.sessionKey), seq);
    const p = teaDecrypt(reply, this.sessionKey);
    if (!p) throw new Error(`reply to 0x${command.toString(16)} does not open with the session key`);
    return p;
  }

  /** A keep-alive (u32 form), answered; the first request after a login also releases the session's queued messages. */
  async keepAlive(): Promise<Buffer> {
    return this.request(ClassicCmd.KEEP_ALIVE, keepAliveRequestCodec.encode({ uid: this.uid, form: 'u32' }));
  }

  /** Sends without waiting for anything. */
  fire(command: number, plain: Buffer, seq = ++this.seq): void {
    this.peer.send(this.packet(command, teaEncrypt(plain, this.sessionKey), seq));
  }

  /** The next push of `command` (server-initiated, decrypted). */
  async push(command: number, ms = 3000): Promise<Pushed> {
    const bytes = await this.peer.next((b) => {
      const r = decodePacket(b, 's2c');
      return r.ok && r.value.command === command;
    }, ms);
    const r = decodePacket(bytes, 's2c');
    if (!r.ok) throw r.error;
    const plain = teaDecrypt(r.value.body, this.sessionKey);
    if (!plain) throw new Error('push does not open with the session key');
    return { command, seq: r.value.seq, plain };
  }

  /** Waits for a message push, acks it, and returns it decoded. */
  async receive(ms = 3000, ack = true): Promise<{ push: ReceiveImPush; seq: number }> {
    const p = await this.push(ClassicCmd.RECV_IM, ms);
    const push = receiveImPushCodec.decode(p.plain);
    if (ack) this.fire(ClassicCmd.RECV_IM, receiveImAckCodec.encode(receiveImAckFor(push)), p.seq);
    return { push, seq: p.seq };
  }

  /** Waits for a system message push (0x0080) and acks it as pidgin does (0x0012: code, sender, the push's seq). */
  async system(ms = 3000): Promise<SystemMessage> {
    const p = await this.push(ClassicCmd.SYSTEM_MESSAGE, ms);
    const m = systemMessageCodec.decode(p.plain);
    this.fire(ClassicCmd.ACK_SYSTEM_MESSAGE, systemMessageAckCodec.encode({ code: m.code, from: m.from, seq: p.seq }));
    return m;
  }

  /** Sends a text message; resolves with the reply's result byte. */
  async send(to: number, text: string, opts: { msgSeq?: number; time?: number; seq?: number } = {}): Promise<number> {
    const msgSeq = opts.msgSeq ?? this.seq + 1;
    const body = sendImRequestCodec.encode({
      sender: this.uid, receiver: to,
      message: {
        senderVersion: this.version, sender: this.uid, receiver: to, imKey: imKey(this.uid, this.sessionKey), imType: IM_TEXT,
        msgSeq: msgSeq & 0xffff, sendTime: opts.time ?? Math.floor(Date.now() / 1000), face: 0, fragCount: 1, fragIndex: 0, msgId: 1,
        replyType: 1, text, font: undefined,
      },
    });
    const reply = await this.request(ClassicCmd.SEND_IM, body, opts.seq);
    return reply[0]!;
  }

  close(): void {
    this.peer.close();
  }
}
