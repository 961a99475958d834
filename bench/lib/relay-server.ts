// A bare node:dgram relay with a delivered message's datagram pattern and none of its work (no crypto, no
// codec, no store): the ceiling any single-threaded node:dgram server can reach on this machine.
// A datagram is [kind, partner port (u16 BE), ...]: kind 1 (send) is answered to its sender and forwarded to
// the partner as kind 2 (push); kind 3 (the push's ack) is absorbed.
import { createSocket } from 'node:dgram';

const s = createSocket('udp4');
s.on('message', (b, r) => {
  if (b[0] !== 1) return;
  s.send(b, r.port, r.address);
  const push = Buffer.from(b);
  push[0] = 2;
  s.send(push, push.readUInt16BE(1), '127.0.0.1');
});
s.bind(0, '127.0.0.1', () => process.send?.({ port: s.address().port }));
