// A bare node:dgram echo server: the reference round trip for the server benchmark.
import { createSocket } from 'node:dgram';

const s = createSocket('udp4');
s.on('message', (b, r) => s.send(b, r.port, r.address));
s.bind(0, '127.0.0.1', () => process.send?.({ port: s.address().port }));
