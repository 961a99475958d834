// Prometheus metrics of a running server (prom-client): counters are read from the server's own Metrics and
// the console's Traffic at scrape time, so the datagram path pays nothing extra; the two histograms are fed
// by the core's Timings hook. Process metrics (event-loop delay, memory, CPU) are prom-client's defaults.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { OicqServer } from '../server/server.js';
import type { Timings } from '../server/metrics.js';
import type { Traffic } from './traffic.js';

/**
 * When the most recent 65 536 messages were stored, by store id, for the delivery-latency histogram: a ring of
 * typed arrays indexed by the id's low bits (ids only grow), so a message costs no allocation. A Map there (an
 * insert and a delete per message) had V8 rebuild its table every few hundred messages, and each table lived
 * long enough to be promoted: a quarter of what the old generation grew by while users chatted.
 */
class StoredAt {
  private static readonly MASK = 0xffff;
  private readonly ids = new Float64Array(StoredAt.MASK + 1).fill(-1);
  private readonly at = new Float64Array(StoredAt.MASK + 1);

  set(id: number, atMs: number): void {
    const i = id & StoredAt.MASK;
    this.ids[i] = id;
    this.at[i] = atMs;
  }

  /** The store time of `id`, once (undefined: stored before this process started, or 65 536 messages ago). */
  take(id: number): number | undefined {
    const i = id & StoredAt.MASK;
    if (this.ids[i] !== id) return undefined;
    this.ids[i] = -1;
    return this.at[i];
  }
}

/** Builds the registry for one server; `registry.metrics()` renders the text format. */
export function serverRegistry(server: OicqServer, traffic: Traffic): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const m = server.metrics;
  const counter = (name: string, help: string, labelNames: string[], fill: (c: Counter) => void) =>
    new Counter({ name, help, labelNames, registers: [registry], collect() { this.reset(); fill(this); } });

  counter('oicq_datagrams_total', 'Datagrams received (in) and sent (out), by framing and command.', ['direction', 'framing', 'command'], (c) => {
    for (const x of traffic.commands()) c.inc({ direction: x.direction, framing: x.framing, command: x.command }, x.count);
  });
  counter('oicq_dropped_datagrams_total', 'Datagrams dropped, by reason.', ['reason'], (c) => {
    for (const [reason, n] of Object.entries(m.dropped)) c.inc({ reason }, n);
  });
  counter('oicq_logins_total', 'Logins, by result.', ['result'], (c) => {
    c.inc({ result: 'ok' }, m.loginsOk);
    c.inc({ result: 'failed' }, m.loginsFailed);
  });
  counter('oicq_messages_stored_total', 'Message fragments committed to the store.', [], (c) => c.inc(m.messagesStored));
  counter('oicq_messages_unstored_total', 'Message fragments acked by their online receiver within the ack hold, never written.', [], (c) => c.inc(m.messagesUnstored));
  counter('oicq_messages_delivered_total', 'Message pushes acked by their receivers.', [], (c) => c.inc(m.messagesDelivered));
  counter('oicq_push_retransmits_total', 'Message pushes sent again for want of an ack.', [], (c) => c.inc(m.pushRetransmits));
  counter('oicq_duplicate_requests_total', 'Repeated requests answered from the duplicate window.', [], (c) => c.inc(m.duplicates));
  new Gauge({
    name: 'oicq_sessions',
    help: 'Users online, by framing and client version tag.',
    labelNames: ['framing', 'client_tag'],
    registers: [registry],
    collect() {
      this.reset();
      for (const c of server.hub.sessions.clients()) this.set({ framing: c.framing, client_tag: '0x' + c.version.toString(16).padStart(4, '0') }, c.count);
    },
  });

  const latency = new Histogram({
    name: 'oicq_message_delivery_seconds',
    help: 'From a message fragment committed (delivered unstored: submitted) to its push acked by the receiver.',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600],
    registers: [registry],
  });
  const commit = new Histogram({
    name: 'oicq_store_commit_seconds',
    help: 'Duration of one group commit of messages and delivery marks.',
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const storedAt = new StoredAt();
  const timings: Timings = {
    stored: (id, at) => storedAt.set(id, at),
    delivered(id, at) {
      const t = storedAt.take(id);
      if (t !== undefined) latency.observe((at - t) / 1000);
    },
    deliveredIn: (ms) => latency.observe(ms / 1000),
    storeCommit: (seconds) => commit.observe(seconds),
  };
  m.timings = timings;
  return registry;
}
