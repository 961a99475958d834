// `npm run screenshots`: the console's pages in headless chromium over a live in-process server with some
// traffic (two raw classic clients, a message, a few bad datagrams), saved as docs/console/*.png for the README.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ClassicDriver } from '../test/helpers/classic-driver.js';
import { adminWorld, ALICE, BOB, TOKEN } from '../test/admin/harness.js';
import { haveChromium, launchChromium, CHROMIUM } from './lib/chromium.js';

const OUT = new URL('../docs/console/', import.meta.url).pathname;

if (!haveChromium()) {
  console.error(`screenshots: chromium is not installed at ${CHROMIUM} — apt-get install chromium`);
  process.exit(1);
}
mkdirSync(OUT, { recursive: true });
const w = await adminWorld({ openRegistration: true });
const browser = await launchChromium({ width: 1280, height: 760 });
const alice = await ClassicDriver.open(w.server.address.port, ALICE.uid, ALICE.password);
const bob = await ClassicDriver.open(w.server.address.port, BOB.uid, BOB.password);
try {
  await alice.login();
  await bob.login();
  for (let i = 0; i < 3; i++) {
    const got = alice.receive();
    await bob.send(ALICE.uid, `hello ${i}`);
    await got;
  }
  alice.peer.send(Buffer.from('02ffff', 'hex'));
  bob.peer.send(Buffer.from('4f494351206e6f7420717569746520726967687403', 'hex'));
  await w.call('POST', '/api/users', { uid: 10003, password: 'carol-pw', nick: '小红' });
  await w.call('POST', '/api/users/10003/ban', { reason: 'sending spam links' });
  // Fifteen seconds of varying traffic, so the dashboard's one-second samples have something to draw.
  for (let s = 0; s < 15; s++) {
    const end = Date.now() + 1000;
    for (let i = 0; i < 5 + 4 * (s % 5); i++) {
      const got = alice.receive();
      await bob.send(ALICE.uid, `message ${s}.${i}`);
      await got;
    }
    if (s % 4 === 0) alice.peer.send(Buffer.from('02abcdef', 'hex'));
    await new Promise((r) => setTimeout(r, Math.max(0, end - Date.now())));
  }

  const page = await browser.context.newPage();
  await page.goto(w.admin.url);
  await page.fill('#token', TOKEN);
  await page.click('button[type=submit]');
  await page.waitForSelector('#online-count');
  const shot = async (hash: string, name: string, ready: string) => {
    await page.goto(`${w.admin.url}#/${hash}`);
    await page.waitForSelector(ready);
    await page.waitForTimeout(1200);
    await page.screenshot({ path: join(OUT, `${name}.png`) });
    console.log(`docs/console/${name}.png`);
  };
  await shot('dashboard', 'dashboard', '#online-count');
  await shot('sessions', 'sessions', '#sessions tr[data-uid="10001"]');
  await shot('users/10001', 'user', '#user-session');
  await shot('drops', 'drops', '#drops');
  await shot('logs', 'log', '#log div');
  await page.goto(`${w.admin.url}#/inspector`);
  await page.click('details summary');
  await page.fill('#passwords', `${ALICE.uid}:${ALICE.password}`);
  await page.fill('#live-uid', String(ALICE.uid));
  await page.click('#load-live');
  await page.fill('#filter-command', 'receive message');
  await page.locator('#packets .prow').first().click();
  await page.click('.fieldname[data-field="text"]');
  await page.setViewportSize({ width: 1280, height: 1000 });
  await page.screenshot({ path: join(OUT, 'inspector.png') });
  console.log('docs/console/inspector.png');
  await page.fill('#filter-command', '');
  await page.click('#tab-ladder');
  await page.waitForSelector('#ladder .arrow');
  await page.screenshot({ path: join(OUT, 'ladder.png') });
  console.log('docs/console/ladder.png');
  const signup = await browser.context.newPage();
  await signup.goto(new URL('/signup', w.admin.url).href);
  await signup.waitForSelector('#nick');
  await signup.screenshot({ path: join(OUT, 'signup.png') });
  console.log('docs/console/signup.png');
} finally {
  alice.close();
  bob.close();
  await browser.close();
  await w.close();
}
