// Reverse WebSocket: the gateway connects out to a bot framework (Universal role) with X-Self-ID and
// X-Client-Role, and connects again every few seconds (3 s by default) while the framework is down or after it left.
import { WebSocket } from 'ws';
import type { OneBot } from './bot.js';
import { serveSocket, MAX_FRAME } from './ws.js';
import { version } from '../version.js';

/** Default wait before connecting again (ms). */
export const DEFAULT_RECONNECT_MS = 3_000;

/** One reverse connection, kept up until stop(). */
export class ReverseWs {
  private ws?: WebSocket;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  /** Connections opened so far (the first one counts). */
  connects = 0;

  constructor(
    private readonly bot: OneBot,
    readonly url: string,
    private readonly opts: { token?: string; reconnectMs?: number; log?: (line: string) => void } = {},
  ) {}

  /** Starts connecting (returns at once; a framework that is down is tried again later). */
  start(): void {
    this.connect();
  }

  private connect(): void {
    if (this.stopped) return;
    const headers: Record<string, string> = {
      'X-Self-ID': String(this.bot.selfId),
      'X-Client-Role': 'Universal',
      'User-Agent': `oicq-kit/${version()} OneBot/v11`,
    };
    if (this.opts.token) headers.Authorization = `Bearer ${this.opts.token}`;
    const ws = new WebSocket(this.url, { headers, maxPayload: MAX_FRAME });
    this.ws = ws;
    ws.on('open', () => {
      this.connects++;
      this.opts.log?.(`reverse WebSocket connected to ${this.url}`);
      serveSocket(this.bot, ws, 'Universal');
    });
    // 'error' always comes with (or before) 'close'; the retry is scheduled from 'close' alone.
    ws.on('error', (e) => this.opts.log?.(`reverse WebSocket ${this.url}: ${e.message}`));
    ws.on('close', () => {
      if (this.ws !== ws || this.stopped) return;
      this.ws = undefined;
      this.timer = setTimeout(() => this.connect(), this.opts.reconnectMs ?? DEFAULT_RECONNECT_MS);
    });
  }

  /** Closes the connection and stops reconnecting. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.ws?.terminate();
    this.ws = undefined;
  }
}
