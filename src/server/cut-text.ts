import { StringDecoder } from 'node:string_decoder';
import iconv from 'iconv-lite';
import { fragmentBytes, type Charset, type FragmentText, type TextBytes } from '../protocol/text.js';
import type { StoredMessage } from '../store/store.js';

// The text of a fragment cut inside a character. Its bytes are relayed as they are to receivers of the sender's
// charset; a receiver of the other charset (and the admin views) gets text, which a fragment alone cannot give: a
// GB18030 fragment that starts inside a character reads as other characters until the next ASCII byte. The sender
// sends a message's fragments in order, each after the reply to the one before, so the bytes a fragment leaves over
// are kept (in memory, per message) and read with the next: each fragment's text is the characters that end in it.

/** What a stream decoder does (iconv-lite's and Node's StringDecoder): complete characters out, the rest kept. */
interface Decoder {
  write(b: Buffer): string;
  end(): string | undefined;
}

interface Open {
  charset: Charset;
  /** The fragment index that continues this message. */
  next: number;
  decoder: Decoder;
}

function decoderFor(charset: Charset): Decoder {
  return charset === 'utf8' ? new StringDecoder('utf8') : iconv.getDecoder('gb18030');
}

/** Messages being cut followed at most (the oldest is forgotten first: its next fragment reads as if alone). */
export const MAX_OPEN_CUTS = 1024;

/** The texts of cut fragments, read with what the fragment before left over. */
export class CutTexts {
  private readonly open = new Map<string, Open>();

  constructor(private readonly capacity = MAX_OPEN_CUTS) {}

  /**
   * The text of fragment `index` of `count` of the message `key` (sender, receiver, send time, message id): a string
   * fragment is its own text unless the message is being cut; bytes are read after the bytes left over before.
   */
  textOf(key: string, index: number, count: number, t: FragmentText): string {
    let o = this.open.get(key);
    if (typeof t === 'string' && !o) return t;
    const charset = typeof t === 'string' ? o!.charset : t.charset;
    if (!o || o.next !== index || o.charset !== charset) o = { charset, next: index, decoder: decoderFor(charset) };
    this.open.delete(key);
    const text = o.decoder.write(fragmentBytes(t, charset));
    if (index + 1 >= count) return text + (o.decoder.end() ?? '');
    o.next = index + 1;
    this.open.set(key, o);
    if (this.open.size > this.capacity) this.open.delete(this.open.keys().next().value!);
    return text;
  }

  /** Messages being followed now. */
  get size(): number {
    return this.open.size;
  }
}

/** What a push to a receiver whose framing speaks `charset` carries: the bytes as sent when they are in it, else the text. */
export function pushedText(m: Pick<StoredMessage, 'text' | 'raw'>, charset: Charset): string | TextBytes {
  return m.raw && m.raw.charset === charset ? m.raw : m.text;
}
