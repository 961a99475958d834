// The running server: info and configuration (secrets masked), rate samples, drops, log tail.
import { defineCommand, liveOf, liveView } from '../context.js';
import { LOG_LEVELS } from '../log-ring.js';
import { AdminError } from '../params.js';

export const serverInfo = liveView('server.info', '/api/server', 'server address, uptime, counts and configuration (secrets masked)', (live, ctx) => {
  const { server } = live;
  return {
    udp: `${server.address.address}:${server.address.port}`,
    udpSocket: server.udpSocket,
    publicIp: server.publicIp,
    startedAt: live.startedAt,
    uptimeSeconds: Math.floor((Date.now() - live.startedAt) / 1000),
    users: ctx.store.countUsers(),
    online: server.hub.onlineCount(),
    counters: server.metrics.snapshot(),
    config: live.config,
  };
});

export const serverRates = liveView('server.rates', '/api/rates', 'one-second samples of the last ten minutes: datagrams, drops, logins, messages, online', (live) => live.traffic.samples());

export const dropList = liveView('drop.list', '/api/drops', 'datagrams dropped, by reason, with the last few of each in hex', (live) => live.traffic.dropped());

export const commandCounts = liveView('traffic.commands', '/api/traffic/commands', 'datagrams in and out by framing and command', (live) =>
  live.traffic.commands().sort((a, b) => b.count - a.count),
);

export const logTail = defineCommand({
  name: 'log.tail',
  summary: 'recent log lines, newest last: at a level or above, of one uid, after a line number',
  method: 'GET',
  path: '/api/logs',
  params: {
    level: { type: 'string', doc: `lowest level shown: ${LOG_LEVELS.join(' | ')}`, required: false },
    uid: { type: 'uid', doc: 'only lines about this uid', required: false },
    after: { type: 'int', doc: 'only lines after this line number', required: false },
    limit: { type: 'int', doc: 'most lines (default 500)', required: false, min: 1, max: 5000 },
  },
  live: true,
  run: (ctx, a) => {
    if (a.level !== undefined && !(LOG_LEVELS as readonly string[]).includes(a.level)) {
      throw new AdminError('bad_param', `parameter 'level' must be one of ${LOG_LEVELS.join(', ')}, got "${a.level}"`);
    }
    return liveOf(ctx).logs.tail(a);
  },
});
