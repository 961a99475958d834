// HTTP POST event push: every event goes to the framework's URL as JSON, in order, with X-Self-ID and, when a
// secret is set, X-Signature: sha1=<HMAC-SHA1 of the exact body with the secret, hex>. A JSON answer is a quick
// operation (v11): `reply` to a message, `approve` a request.
import { createHmac } from 'node:crypto';
import type { OneBot } from './bot.js';
import type { OneBotEvent } from './events.js';
import { version } from '../version.js';
import { runAction } from './actions.js';

/** How long one push may take before it counts as failed (ms). */
export const POST_TIMEOUT_MS = 5_000;

/** The X-Signature value of `body` under `secret`. */
export function signature(secret: string, body: string): string {
  return `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`;
}

/** Pushes the bot's events to one URL until stop(). */
export class EventPoster {
  private chain: Promise<void> = Promise.resolve();
  private readonly onEvent = (ev: OneBotEvent) => {
    this.chain = this.chain.then(() => this.post(ev));
  };
  /** Pushes that failed (no answer, or a status other than 2xx). */
  failures = 0;

  constructor(
    private readonly bot: OneBot,
    readonly url: string,
    private readonly opts: { secret?: string; log?: (line: string) => void } = {},
  ) {}

  /** Starts pushing. */
  start(): void {
    this.bot.on('event', this.onEvent);
  }

  /** Stops pushing; resolves once the pushes under way are done. */
  async stop(): Promise<void> {
    this.bot.off('event', this.onEvent);
    await this.chain;
  }

  private async post(ev: OneBotEvent): Promise<void> {
    const body = JSON.stringify(ev);
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'X-Self-ID': String(this.bot.selfId),
      'User-Agent': `oicq-kit/${version()} OneBot/v11`,
    };
    if (this.opts.secret) headers['X-Signature'] = signature(this.opts.secret, body);
    try {
      const res = await fetch(this.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(POST_TIMEOUT_MS) });
      const answer = await res.text();
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      if (res.status === 200 && answer.trim().startsWith('{')) await this.quick(ev, JSON.parse(answer) as Record<string, unknown>);
    } catch (e) {
      this.failures++;
      this.opts.log?.(`event push to ${this.url} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Carries out a push answer: `{reply, auto_escape}` to a message, `{approve, remark|reason}` to a request. */
  private async quick(ev: OneBotEvent, op: Record<string, unknown>): Promise<void> {
    let call: [string, Record<string, unknown>] | undefined;
    if (ev.post_type === 'message' && op.reply !== undefined) {
      const to = ev.message_type === 'group' ? { group_id: ev.group_id } : { user_id: ev.user_id };
      call = [ev.message_type === 'group' ? 'send_group_msg' : 'send_private_msg', { ...to, message: op.reply, auto_escape: op.auto_escape }];
    } else if (ev.post_type === 'request' && op.approve !== undefined) {
      call = ev.request_type === 'friend'
        ? ['set_friend_add_request', { flag: ev.flag, approve: op.approve }]
        : ['set_group_add_request', { flag: ev.flag, sub_type: ev.sub_type, approve: op.approve, reason: op.reason }];
    }
    if (!call) return;
    const r = await runAction(this.bot, ...call);
    if (r.retcode !== 0) this.opts.log?.(`quick operation ${call[0]} from ${this.url} failed: ${r.message}`);
  }
}
