// A raw receiver's view of message pushes: every RECV_IM push on the wire, by store id and server sequence,
// with no de-duplication (the SDK hides repeats; the server's promises are checked here, below it).
import { decodePacket } from '../../src/protocol/framing.js';
import { teaDecrypt } from '../../src/protocol/tea.js';
import { ClassicCmd as Cmd } from '../../src/protocol/commands.js';
import { receiveImAckCodec, receiveImAckFor, receiveImPushCodec, keepAliveRequestCodec } from '../../src/protocol/bodies/classic/index.js';
import type { ClassicDriver } from './classic-driver.js';
import { fragmentString } from '../../src/protocol/text.js';

/** One push as it arrived. */
export interface WirePush {
  /** The store id the push carries as its server sequence. */
  storeId: number;
  /** The packet's server sequence (what the ack echoes). */
  seq: number;
  text: string;
}

/** Records every message push a ClassicDriver gets and acks the ones `ackIf` allows. */
export class PushRecorder {
  readonly pushes: WirePush[] = [];
  /** Decides per push whether to ack it (default: always). */
  ackIf: (p: WirePush) => boolean = () => true;

  constructor(readonly driver: ClassicDriver) {
    driver.peer.socket.on('message', (b) => {
      const r = decodePacket(b, 's2c');
      if (!r.ok || r.value.command !== Cmd.RECV_IM) return;
      const plain = teaDecrypt(r.value.body, driver.sessionKey);
      if (!plain) return;
      const push = receiveImPushCodec.decode(plain);
      const text = push.content.kind === 'im' ? fragmentString(push.content.message.text) : '';
      const rec = { storeId: push.serverSeq, seq: r.value.seq, text };
      this.pushes.push(rec);
      if (this.ackIf(rec)) this.ack(rec, receiveImAckCodec.encode(receiveImAckFor(push)));
    });
  }

  private readonly acks = new Map<number, Buffer>();

  private ack(p: WirePush, body: Buffer): void {
    this.acks.set(p.seq, body);
    this.driver.fire(Cmd.RECV_IM, body, p.seq);
  }

  /** Acks (again) a push seen earlier under server sequence `seq`. */
  reack(seq: number): void {
    const p = this.pushes.find((x) => x.seq === seq);
    if (!p) throw new Error(`no push with sequence ${seq} was seen`);
    this.driver.fire(Cmd.RECV_IM, this.acks.get(seq) ?? receiveImAckCodec.encode({ sender: 0, receiver: this.driver.uid, serverSeq: p.storeId, senderIp: 0 }), seq);
  }

  /** Sends a keep-alive (the receiver shows it is alive) without waiting for the reply. */
  keepAlive(): void {
    this.driver.fire(Cmd.KEEP_ALIVE, keepAliveRequestCodec.encode({ uid: this.driver.uid, form: 'u32' }));
  }

  /** How many distinct server sequences each store id was pushed under. */
  seqsPerStoreId(): Map<number, number> {
    const m = new Map<number, Set<number>>();
    for (const p of this.pushes) m.set(p.storeId, (m.get(p.storeId) ?? new Set()).add(p.seq));
    return new Map([...m].map(([id, s]) => [id, s.size]));
  }

  /** Texts in order of first arrival (what a client that de-duplicates by store id would show). */
  shown(): string[] {
    const seen = new Set<number>();
    const out: string[] = [];
    for (const p of this.pushes) {
      if (seen.has(p.storeId)) continue;
      seen.add(p.storeId);
      out.push(p.text);
    }
    return out;
  }
}
