// A loopback UDP proxy for reliability tests: clients talk to it, it talks to the server (one upstream
// socket per client, so the server still sees one endpoint per client). Each datagram can be dropped,
// duplicated, delayed or reordered — by seeded probabilities, or by a hook that picks specific datagrams.
// Everything that passes is logged, so tests can also assert on exact bytes and sizes.
import { createSocket, type Socket } from 'node:dgram';
import { seededRandom } from '../../src/protocol/random.js';

/** c2s = client → server, s2c = server → client. */
export type ProxyDirection = 'c2s' | 's2c';

/** A client endpoint as the proxy sees it. */
export interface ProxyPeer {
  address: string;
  port: number;
}

/** One datagram going through the proxy. */
export interface ProxyDatagram {
  direction: ProxyDirection;
  bytes: Buffer;
  client: ProxyPeer;
  /** 0-based count of datagrams in this direction so far. */
  index: number;
}

/** What happens to a datagram. `delay` holds it for `ms`; `reorder` lets the next one in its direction overtake it. */
export type ProxyAction = 'pass' | 'drop' | 'duplicate' | 'reorder' | { delay: number };

/** Probabilities (0..1) per direction; checked in this order: drop, duplicate, reorder, delay. */
export interface ProxyRates {
  drop?: number;
  duplicate?: number;
  reorder?: number;
  delay?: number;
  /** Delay range in ms for `delay` (default [5, 50]). */
  delayMs?: [number, number];
}

/** Proxy settings. */
export interface UdpProxyOptions {
  /** The server's port on 127.0.0.1. */
  targetPort: number;
  /** Seed of the probabilities (same seed, same fate for the same sequence of datagrams). */
  seed?: number;
  c2s?: ProxyRates;
  s2c?: ProxyRates;
  /** Decides first; returning undefined falls through to the probabilities. */
  hook?: (d: ProxyDatagram) => ProxyAction | undefined;
  /** A reordered datagram is released after this long if nothing overtakes it (default 50 ms). */
  reorderFlushMs?: number;
  /** Keep every datagram in `log` (default true); long runs turn it off and read `stats` instead. */
  logging?: boolean;
}

/** A logged datagram with the action taken. */
export interface ProxyLogEntry extends ProxyDatagram {
  action: ProxyAction;
}

interface Upstream {
  socket: Socket;
  client: ProxyPeer;
}

/** The proxy. Start with `UdpProxy.start`, point clients at `port`, close when done. */
export class UdpProxy {
  readonly log: ProxyLogEntry[] = [];
  /** What was done to how many datagrams, per direction. */
  readonly stats: Record<ProxyDirection, Record<'pass' | 'drop' | 'duplicate' | 'reorder' | 'delay', number>> = {
    c2s: { pass: 0, drop: 0, duplicate: 0, reorder: 0, delay: 0 },
    s2c: { pass: 0, drop: 0, duplicate: 0, reorder: 0, delay: 0 },
  };
  hook: UdpProxyOptions['hook'];
  private readonly front: Socket;
  private readonly upstreams = new Map<string, Upstream>();
  private readonly counts = { c2s: 0, s2c: 0 };
  private readonly held: Partial<Record<ProxyDirection, { send: () => void; timer: NodeJS.Timeout }>> = {};
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly rand: () => number;
  private targetPort: number;
  private closed = false;

  private constructor(private readonly opts: UdpProxyOptions) {
    this.hook = opts.hook;
    this.targetPort = opts.targetPort;
    const r = seededRandom(opts.seed ?? 1);
    this.rand = () => r(4).readUInt32BE(0) / 0x1_0000_0000;
    this.front = createSocket('udp4');
    this.front.on('message', (bytes, rinfo) => this.fromClient(bytes, { address: rinfo.address, port: rinfo.port }));
  }

  /** Binds the proxy on 127.0.0.1, random port. */
  static async start(opts: UdpProxyOptions): Promise<UdpProxy> {
    const p = new UdpProxy(opts);
    await new Promise<void>((r) => p.front.bind(0, '127.0.0.1', r));
    return p;
  }

  /** The port clients should talk to. */
  get port(): number {
    return this.front.address().port;
  }

  /** Points the proxy at another server port (upstream sockets keep their ports: the server sees the same clients). */
  retarget(port: number): void {
    this.targetPort = port;
  }

  /** Datagrams logged in one direction (optionally only those whose action was not drop). */
  seen(direction: ProxyDirection, deliveredOnly = false): ProxyLogEntry[] {
    return this.log.filter((e) => e.direction === direction && (!deliveredOnly || e.action !== 'drop'));
  }

  /** Sends bytes as if they had come through (e.g. replays a server push to a client); not logged. */
  inject(direction: ProxyDirection, bytes: Buffer, client: ProxyPeer): void {
    if (direction === 's2c') this.front.send(bytes, client.port, client.address);
    else this.upstreamFor(client).socket.send(bytes, this.targetPort, '127.0.0.1');
  }

  private upstreamFor(client: ProxyPeer): Upstream {
    const key = `${client.address}:${client.port}`;
    let u = this.upstreams.get(key);
    if (!u) {
      const socket = createSocket('udp4');
      socket.bind(0, '127.0.0.1');
      u = { socket, client };
      socket.on('message', (bytes) => this.route('s2c', bytes, client, () => this.front.send(bytes, client.port, client.address)));
      this.upstreams.set(key, u);
    }
    return u;
  }

  private fromClient(bytes: Buffer, client: ProxyPeer): void {
    const u = this.upstreamFor(client);
    this.route('c2s', bytes, client, () => u.socket.send(bytes, this.targetPort, '127.0.0.1'));
  }

  private decide(d: ProxyDatagram): ProxyAction {
    const fromHook = this.hook?.(d);
    if (fromHook !== undefined) return fromHook;
    const r = this.opts[d.direction] ?? {};
    if (r.drop && this.rand() < r.drop) return 'drop';
    if (r.duplicate && this.rand() < r.duplicate) return 'duplicate';
    if (r.reorder && this.rand() < r.reorder) return 'reorder';
    if (r.delay && this.rand() < r.delay) {
      const [lo, hi] = r.delayMs ?? [5, 50];
      return { delay: Math.round(lo + this.rand() * (hi - lo)) };
    }
    return 'pass';
  }

  private route(direction: ProxyDirection, bytes: Buffer, client: ProxyPeer, send: () => void): void {
    if (this.closed) return;
    const d: ProxyDatagram = { direction, bytes: Buffer.from(bytes), client, index: this.counts[direction]++ };
    const action = this.decide(d);
    const kind = typeof action === 'string' ? action : 'delay';
    this.stats[d.direction][kind]++;
    if (this.opts.logging !== false) this.log.push({ ...d, action });
    const held = this.held[direction];
    if (action === 'reorder' && !held) {
      const timer = setTimeout(() => this.release(direction), this.opts.reorderFlushMs ?? 50);
      this.held[direction] = { send, timer };
      return;
    }
    if (action === 'drop') return;
    if (typeof action === 'object') {
      const t = setTimeout(() => {
        this.timers.delete(t);
        if (!this.closed) send();
      }, action.delay);
      this.timers.add(t);
    } else {
      send();
      if (action === 'duplicate') send();
    }
    // Whatever was held is overtaken by this one.
    if (held) this.release(direction);
  }

  private release(direction: ProxyDirection): void {
    const h = this.held[direction];
    if (!h) return;
    delete this.held[direction];
    clearTimeout(h.timer);
    if (!this.closed) h.send();
  }

  /** Datagrams the proxy holds back right now (delayed or waiting to be overtaken): a quiescence probe. */
  get holding(): number {
    return this.timers.size + Object.keys(this.held).length;
  }

  /** Stops forwarding and closes every socket. */
  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    for (const h of Object.values(this.held)) clearTimeout(h.timer);
    for (const u of this.upstreams.values()) u.socket.close();
    this.front.close();
  }
}
