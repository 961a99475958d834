// One in-process cluster node for tests: an OicqServer on its own PostgreSQL store, joined to Redis presence.
import pino from 'pino';
import { OicqServer } from '../../src/server/server.js';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres.js';
import { ClusterNode, type ClusterOptions } from '../../src/cluster/node.js';
import { systemClock } from '../../src/transport/clock.js';

/** A node started by `startClusterNode`. */
export interface InProcessNode {
  server: OicqServer;
  store: PostgresStore;
  cluster: ClusterNode;
  host: string;
  port: number;
}

/** Starts node `id` at host:port (port 0: a random one) on the given PostgreSQL and Redis, with its lease ticking. */
export async function startClusterNode(pgUrl: string, redisUrl: string, id: string, host: string, port: number, opts: ClusterOptions): Promise<InProcessNode> {
  const store = openPostgresStore(pgUrl);
  const log = pino({ level: 'silent' });
  const server = new OicqServer({ store, host, port, log });
  const bound = (await server.listen()).port;
  const cluster = new ClusterNode(server.hub, store.db, redisUrl, id, `${host}:${bound}`, systemClock, log, opts);
  await cluster.presence.ready();
  cluster.start();
  return { server, store, cluster, host, port: bound };
}

/** Stops a node: its socket, its cluster membership, then its store. */
export async function stopClusterNode(n: InProcessNode): Promise<void> {
  await n.server.close();
  await n.cluster.stop();
  n.store.close();
}
