import { randomBytes } from 'node:crypto';
import { ModernCmd } from '../../src/protocol/commands.js';
import { teaDecrypt } from '../../src/protocol/tea.js';
import { passwordMd5 } from '../../src/protocol/keys.js';
import * as M from '../../src/protocol/bodies/modern/index.js';
import { ClassicDriver } from './classic-driver.js';
import { UdpPeer } from './udp.js';

/** MyQQ 3.30's version tag (modern framing: 22-byte client header, 14-byte server header). */
export const MYQQ_VERSION = 0x2227;

const random = (n: number): Buffer => randomBytes(n);

/**
 * A raw modern client for server tests: the login chain 0x0091 → 0x00BA → 0x00DD → 0x00E5 → 0x0030 built from
 * the protocol core, then the same raw requests and pushes as ClassicDriver (TEA(session key) both ways). Every
 * datagram is visible; nothing is retried or de-duplicated unless the test does it.
 */
export class ModernDriver extends ClassicDriver {
  /** The last login's 0x00E5 and 0x0030 reply plaintexts, and its 0x00E3 reply (pidgin-libqq's chain). */
  readonly chain: { info?: Buffer; done?: Buffer; e3?: M.VerifyE3Reply } = {};

  static async openModern(serverPort: number, uid: number, password: string, version = MYQQ_VERSION): Promise<ModernDriver> {
    return new ModernDriver(await UdpPeer.open(serverPort), uid, password, version);
  }

  private chainStep<T>(command: number, plain: Buffer, codec: { decode(b: Buffer): T }, replyKeys: Buffer[]): Promise<T> {
    const key = random(16);
    return this.raw(command, M.wrapKeyPrefixed(key, plain, random)).then((reply) => {
      for (const k of [...replyKeys, key]) {
        const p = teaDecrypt(reply, k);
        if (p) return codec.decode(p);
      }
      throw new Error(`reply to 0x${command.toString(16)} opens with no expected key`);
    });
  }

  /**
   * The whole modern login chain; resolves with the session key. `libqq`: as pidgin-libqq runs it (its 0x00E5
   * carries u16 length + 8, u16 2 instead of the echoed unknown1, then 0x00E3 before 0x0030).
   */
  async loginModern(mode: number = M.LoginMode.ONLINE, libqq = false): Promise<Buffer> {
    const touch = await this.chainStep(ModernCmd.TOUCH, M.touchRequest.encode(M.makeTouchRequest()), M.touchReply, []);
    if (!touch.ok) throw new Error(`touch result ${touch.result}`);
    const gate = await this.chainStep(ModernCmd.LOGIN_REQUEST, M.loginRequest.encode(M.makeLoginRequest(touch.loginToken)), M.loginReply, []);
    const verifyKey2 = random(16);
    const md5 = passwordMd5(this.password);
    const verifyCipher = M.buildVerifyBlock({ uid: this.uid, passwordMd5: md5, serverTime: touch.serverTime, serverIp: touch.serverIp, verifyKey1: random(16), verifyKey2 }, random);
    const verify = await this.chainStep(ModernCmd.VERIFY, M.verifyRequest.encode(M.makeVerifyRequest({ tokenC: gate.tokenC, verifyCipher }, random)), M.verifyReply, [verifyKey2]);
    if (!verify.ok) throw new Error(`verify refused: ${verify.message}`);
    const magic = (plain: Buffer) => M.wrapMagicPrefixed(verify.loginInfoMagic, verify.loginInfoKey1, plain, random);
    const infoReq = M.makeLoginInfoRequest(gate.tokenC, verify);
    if (libqq) infoReq.unknown1 = ((verify.loginInfoData.length + 8) << 16) | 0x0002;
    const infoBytes = await this.raw(ModernCmd.GET_LOGIN_INFO, magic(M.loginInfoRequest.encode(infoReq)));
    this.chain.info = teaDecrypt(infoBytes, verify.loginInfoKey3) ?? Buffer.alloc(0);
    const info = M.loginInfoReply.decode(this.chain.info);
    if (libqq) {
      const e3 = await this.raw(ModernCmd.VERIFY_E3, magic(M.verifyE3Request.encode(M.makeVerifyE3Request(gate.tokenC, info.e3Token ?? Buffer.alloc(0)))));
      this.chain.e3 = M.verifyE3Reply.decode(teaDecrypt(e3, info.e3Key ?? Buffer.alloc(16)) ?? Buffer.alloc(0));
    }
    const doneBytes = await this.raw(ModernCmd.SEND_LOGIN_INFO, magic(M.sendLoginInfoRequest.encode(M.makeSendLoginInfoRequest({ tokenC: gate.tokenC, info, mode }, random))));
    this.chain.done = teaDecrypt(doneBytes, info.loginInfoKey2) ?? Buffer.alloc(0);
    const done = M.sendLoginInfoReply.decode(this.chain.done);
    if (!done.ok) throw new Error(`login info result ${done.result}`);
    this.sessionKey = done.sessionKey;
    return done.sessionKey;
  }

  /** Waits for a 0x0017 push (Qun message or notice), acks it like MyQQ (its first 16 bytes), returns it decoded with its wire seq. */
  async qunPush(ms = 3000, ack = true): Promise<{ push: M.ReceiveIm; seq: number; plain: Buffer }> {
    const p = await this.push(ModernCmd.QUN_MESSAGE, ms);
    const push = M.receiveIm.decode(p.plain);
    if (ack) this.fire(ModernCmd.QUN_MESSAGE, M.imAck.encode(M.imAckFor(push)), p.seq);
    return { push, seq: p.seq, plain: p.plain };
  }
}
