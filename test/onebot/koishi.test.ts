// A real bot framework unchanged: Koishi 4 with its OneBot v11 adapter (koishi-plugin-adapter-onebot, from npm)
// connects to the gateway's forward WebSocket with the access token. Its bot answers a private message typed in
// a real `oicq chat` process and a Qun message from an SDK user. Server, gateway, Koishi and chat run on loopback.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import type { Client, QunMessage } from '../../src/client/index.js';
import { QunPolicy } from '../../src/store/store.js';
import { childEnv, ROOT } from '../client/oicq-process.js';
import { until } from '../helpers/udp.js';
import { ALICE, BOB, CAROL } from '../client/fixtures.js';
import { startWorld, TOKEN, type World } from './harness.js';

// Koishi's ESM entry does not load on its own (its loader's ESM build); its CommonJS entry is what the adapter uses.
const require = createRequire(import.meta.url);

/** The parts of a Koishi session the bot below uses. */
interface KoishiSession {
  content?: string;
  userId?: string;
  guildId?: string;
  isDirect: boolean;
  send(text: string): Promise<string[]>;
}
interface KoishiApp {
  plugin(plugin: unknown, config?: unknown): { dispose(): void };
  on(event: 'message', fn: (s: KoishiSession) => void): void;
  on(event: 'login-updated', fn: (s: { bot: { status: number } }) => void): void;
  bots: { status: number; selfId: string }[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

let w: World;
let app: KoishiApp;
let adapter: { dispose(): void };
let carol: Client;
const seen: { direct: boolean; user?: string; guild?: string; content?: string }[] = [];

before(async () => {
  w = await startWorld([ALICE, BOB, CAROL], [[ALICE.uid, BOB.uid]], ALICE);
  carol = await w.clients.online(CAROL, w.port);
  const { Context } = require('koishi') as { Context: new () => KoishiApp };
  const { HTTP } = require('@koishijs/plugin-http') as { HTTP: unknown };
  const OneBotAdapter = (require('koishi-plugin-adapter-onebot') as { default: unknown }).default;
  app = new Context();
  app.plugin(HTTP);
  adapter = app.plugin(OneBotAdapter, { selfId: String(ALICE.uid), protocol: 'ws', endpoint: `ws://${w.gateway.ws!.address}/`, token: TOKEN });
  // The bot: "ping" → "pong" anywhere; "echo <text>" → "<nickname> said: <text>".
  app.on('message', (s) => {
    seen.push({ direct: s.isDirect, user: s.userId, guild: s.guildId, content: s.content });
    if (s.content === 'ping') void s.send('pong');
    else if (s.content?.startsWith('echo ')) void s.send(`${s.userId} said: ${s.content.slice(5)}`);
  });
  await app.start();
  // Koishi's bot is online once its get_login_info over the WebSocket was answered (status 1 = ONLINE).
  await until(() => app.bots.some((b) => b.selfId === String(ALICE.uid) && b.status === 1), 15_000, 'the Koishi bot online');
});

after(async () => {
  // The adapter first: stopping the whole app would dispose Koishi's bot list before its bots.
  adapter.dispose();
  await app.stop();
  await w.close();
});

test('Koishi answers a private message typed in oicq chat', async () => {
  const chat = spawn(process.execPath, ['bin/oicq.js', 'chat', '--uid', String(BOB.uid), '--server', `127.0.0.1:${w.port}`], {
    cwd: ROOT, env: childEnv({ OICQ_PASSWORD: BOB.password }), stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  chat.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  chat.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((r) => chat.on('close', r));
  try {
    await until(() => out.includes('logged in as Bob'), 15_000, `chat logged in (${err})`);
    chat.stdin.write(`/msg ${ALICE.uid} ping\n`);
    await until(() => /\] Alice \(10001\): pong$/m.test(out), 15_000, `the bot's answer in oicq chat (out: ${out} err: ${err})`);
  } finally {
    chat.stdin.end();
  }
  assert.equal(await exited, 0, err);
  assert.ok(seen.some((s) => s.direct && s.user === String(BOB.uid) && s.content === 'ping'), 'Koishi saw a direct message from Bob');
});

test('Koishi answers a Qun message in the Qun', async () => {
  const qun = await w.botClient.createQun('koishi club', QunPolicy.OPEN);
  assert.equal(await carol.joinQun(qun), 'joined');
  const answer = carol.next('qunMessage', (m: QunMessage) => m.from === ALICE.uid);
  await carol.sendQunMessage(qun, 'echo 你好 [world]');
  const m = await answer;
  assert.deepEqual([m.qun, m.text], [qun, `${CAROL.uid} said: 你好 [world]`]);
  assert.ok(seen.some((s) => !s.direct && s.guild === String(qun) && s.content === 'echo 你好 [world]'), 'Koishi saw the Qun message unescaped');
});
