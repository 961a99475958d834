// `npm install` runs this: builds the server's native UDP socket (native/udp.c, Linux only). Without it the
// server uses node:dgram and says so at start; nothing else changes.
import { spawnSync } from 'node:child_process';

if (process.platform !== 'linux') {
  console.log('oicq: the native UDP socket is built on Linux only; the server will use node:dgram');
  process.exit(0);
}
const r = spawnSync('node-gyp', ['rebuild'], { stdio: 'inherit' });
if (r.status !== 0) {
  console.warn(
    `oicq: could not build the native UDP socket (${r.error ? r.error.message : `node-gyp exited with ${r.status}`}); ` +
      'the server will use node:dgram. To build it: install python3, make and a C compiler, then run npm run build:native',
  );
}
