// A bare node:dgram echo server: the reference round trip for the server benchmark. Asked `count` over IPC, it
// tells how many datagrams it has answered (counted here, where the work is, not by the senders).
import { createSocket } from 'node:dgram';

let answered = 0;
const s = createSocket('udp4');
s.on('message', (b, r) => {
  answered++;
  s.send(b, r.port, r.address);
});
s.bind(0, '127.0.0.1', () => process.send?.({ port: s.address().port }));
process.on('message', (m) => {
  if (m === 'count') process.send?.({ answered });
});
