// A junk flooder (its own process): sends hostile datagrams to 127.0.0.1:<port> as fast as it can until told to stop.
import { createSocket } from 'node:dgram';
import { seededRandom } from '../../src/protocol/random.js';
import { datagramFuzzer } from '../../test/helpers/fuzz-gen.js';

const port = Number(process.argv[2]);
const next = datagramFuzzer(seededRandom(99));
const sock = createSocket('udp4');
let sent = 0;
let running = true;
process.on('message', () => {
  running = false;
});
// From another loopback address: a stranger's host, not the users' (127.0.0.0/8 is all loopback on Linux).
sock.bind(0, process.argv[3] ?? '127.0.0.2', () => {
  const burst = () => {
    if (!running) {
      process.send?.({ sent });
      sock.close();
      setTimeout(() => process.exit(0), 50);
      return;
    }
    for (let i = 0; i < 500; i++, sent++) sock.send(next(), port, '127.0.0.1');
    setImmediate(burst);
  };
  burst();
});
