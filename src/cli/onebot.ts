// `oicq onebot`: a OneBot v11 gateway for one bot account, so bot frameworks (Koishi, NoneBot2, …) talk to an
// `oicq serve` network unchanged. One SDK session; the transports asked for (HTTP API and forward WebSocket by
// default); runs until SIGINT/SIGTERM, or exits 1 when the account is logged in elsewhere or cannot log in again.
import { Client } from '../client/index.js';
import { OneBot, DEFAULT_HEARTBEAT_MS } from '../onebot/bot.js';
import { startGateway, type GatewayOptions } from '../onebot/gateway.js';
import { DEFAULT_RECONNECT_MS } from '../onebot/reverse-ws.js';
import { checkPositionals, parseIntArg, parseListenAddress, parseOptions, USAGE_EXIT } from './args.js';
import { CliError } from './errors.js';
import { readPassword } from './password.js';
import { CLIENT_OPTIONS, CLIENT_OPTIONS_HELP, clientOptionsOf, explain } from './send.js';

const DEFAULT_HTTP = '127.0.0.1:5700';
const DEFAULT_WS = '127.0.0.1:6700';

const HELP = `usage: oicq onebot --uid <n> [options]

A OneBot v11 gateway for the account --uid: bot frameworks (Koishi, NoneBot2, …) use it as they use go-cqhttp.
Without any of --http, --ws, --ws-reverse, --post it serves the HTTP API on ${DEFAULT_HTTP} and WebSocket on
${DEFAULT_WS}; with any of them, exactly those.

options:
  --http <host:port>        HTTP API: GET/POST /<action> (port 0 picks a free one)
  --ws <host:port>          forward WebSocket: / (universal), /api, /event
  --ws-reverse <url>        connect out to a framework (universal role), again every ${DEFAULT_RECONNECT_MS / 1000} s while it is down; repeatable
  --post <url>              push events by HTTP POST; repeatable
  --access-token <token>    required of every HTTP and WebSocket request (Authorization: Bearer, or ?access_token=)
  --secret <secret>         sign event pushes: X-Signature: sha1=<HMAC-SHA1 of the body>
  --message-format string|array   how events carry messages: CQ-code string (default) or segment array
  --heartbeat <ms>          heartbeat meta event interval (default ${DEFAULT_HEARTBEAT_MS}; 0 = none)
${CLIENT_OPTIONS_HELP}
`;

const OPTIONS = {
  ...CLIENT_OPTIONS,
  http: { type: 'string' },
  ws: { type: 'string' },
  'ws-reverse': { type: 'string', multiple: true },
  post: { type: 'string', multiple: true },
  'access-token': { type: 'string' },
  secret: { type: 'string' },
  'message-format': { type: 'string' },
  heartbeat: { type: 'string' },
} as const;

function urlArg(s: string, option: string, schemes: string[]): string {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new CliError(`${option} '${s}' is not a URL (e.g. ${schemes[0]}://127.0.0.1:8080/onebot)`, USAGE_EXIT);
  }
  if (!schemes.includes(u.protocol.slice(0, -1))) throw new CliError(`${option} '${s}' must be a ${schemes.join(' or ')} URL`, USAGE_EXIT);
  return s;
}

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || host.startsWith('127.');

/** `oicq onebot`. */
export async function run(argv: string[]): Promise<number> {
  const { values: o, positionals } = parseOptions(argv, OPTIONS, 'oicq onebot');
  if (o.help) {
    process.stdout.write(HELP);
    return 0;
  }
  checkPositionals(positionals, 0, 0, 'oicq onebot --uid <n> [options]');
  const any = o.http !== undefined || o.ws !== undefined || o['ws-reverse'] !== undefined || o.post !== undefined;
  const format = o['message-format'] ?? 'string';
  if (format !== 'string' && format !== 'array') throw new CliError(`--message-format '${format}' must be string or array`, USAGE_EXIT);
  const gw: GatewayOptions = {
    http: any ? (o.http === undefined ? undefined : parseListenAddress(o.http, '--http', DEFAULT_HTTP)) : parseListenAddress(DEFAULT_HTTP, '--http', DEFAULT_HTTP),
    ws: any ? (o.ws === undefined ? undefined : parseListenAddress(o.ws, '--ws', DEFAULT_WS)) : parseListenAddress(DEFAULT_WS, '--ws', DEFAULT_WS),
    wsReverse: (o['ws-reverse'] ?? []).map((u) => urlArg(u, '--ws-reverse', ['ws', 'wss'])),
    post: (o.post ?? []).map((u) => urlArg(u, '--post', ['http', 'https'])),
    accessToken: o['access-token'],
    secret: o.secret,
    log: (line) => process.stderr.write(`oicq onebot: ${line}\n`),
  };
  const heartbeatMs = o.heartbeat === undefined ? DEFAULT_HEARTBEAT_MS : parseIntArg(o.heartbeat, 0, 3_600_000, '--heartbeat');
  const exposed = [gw.http, gw.ws].filter((a) => a && !isLoopback(a.host));
  if (exposed.length && !gw.accessToken) {
    process.stderr.write('oicq onebot: warning: listening beyond this machine without --access-token: anyone who reaches the port can send as this account\n');
  }

  const client = new Client({ ...clientOptionsOf(o, await readPassword(o, 'oicq onebot'), 'oicq onebot'), reconnect: true });
  const bot = new OneBot(client, { messageFormat: format, heartbeatMs });
  bot.on('asyncError', ({ action, error }) => process.stderr.write(`oicq onebot: ${action} failed: ${error.message}\n`));
  try {
    await client.login();
    await bot.start();
  } catch (e) {
    await client.close();
    throw explain(e, client.server, client.uid);
  }
  let gateway;
  try {
    gateway = await startGateway(bot, gw);
  } catch (e) {
    bot.stop();
    await client.logout();
    const err = e as NodeJS.ErrnoException;
    throw new CliError(err.code === 'EADDRINUSE' ? `a port is already in use (${err.message}) — pick another --http / --ws, or port 0` : `cannot listen: ${err.message}`);
  }
  const where = [
    gateway.http && `HTTP API on http://${gateway.http.address}`,
    gateway.ws && `WebSocket on ws://${gateway.ws.address}`,
    ...gateway.reverse.map((r) => `reverse WebSocket to ${r.url}`),
    ...gateway.posters.map((p) => `event push to ${p.url}`),
  ].filter(Boolean);
  // Tests and scripts wait for this line.
  process.stdout.write(`onebot ${client.uid} (${bot.nickname || 'no nickname'}) on ${client.server}: ${where.join(', ') || 'no transport'}\n`);

  const code = await new Promise<number>((resolve) => {
    process.once('SIGINT', () => resolve(0));
    process.once('SIGTERM', () => resolve(0));
    client.on('kicked', () => {
      process.stderr.write(`oicq onebot: ${client.uid} logged in from another place — exiting\n`);
      resolve(1);
    });
    client.on('offline', ({ reason, error }) => {
      if (reason === 'login-failed') {
        process.stderr.write(`oicq onebot: could not log in again: ${error?.message ?? 'unknown error'}\n`);
        resolve(1);
      } else if (reason === 'timeout') process.stderr.write('oicq onebot: connection to the server lost — logging in again…\n');
    });
  });
  bot.stop();
  await gateway.close();
  await client.logout();
  return code;
}
