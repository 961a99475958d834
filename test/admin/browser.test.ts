// The console in real Chromium (Debian's package, driven by playwright-core): log in with the token, watch a
// raw UDP client appear in the sessions table, kick it and see the client get the notice.
// Skipped when chromium is not installed, unless CI is set (.ci/run installs it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClassicDriver } from '../helpers/classic-driver.js';
import { ClassicCmd } from '../../src/protocol/commands.js';
import { systemMessageCodec } from '../../src/protocol/bodies/classic/index.js';
import { haveChromium, launchChromium, CHROMIUM } from '../../scripts/lib/chromium.js';
import { buildPcap } from '../../src/capture/pcap-writer.js';
import { ALICE, TOKEN, adminWorld, recordWire } from './harness.js';

const have = haveChromium();
const skip = have ? false : `chromium is not installed at ${CHROMIUM} (apt-get install chromium); the browser tests need it`;
if (!have && process.env.CI) {
  test('chromium must be installed in CI', () => assert.fail(`chromium not found at ${CHROMIUM} but CI is set: install it (apt-get install chromium)`));
}

test('console: token login, a UDP login appears in the sessions table, kick notifies the client, the inspector highlights a field', { skip }, async () => {
  const w = await adminWorld();
  const browser = await launchChromium();
  const alice = await ClassicDriver.open(w.server.address.port, ALICE.uid, ALICE.password);
  const wire = recordWire(w.server);
  try {
    const page = await browser.context.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') violations.push(m.text());
    });
    await page.goto(w.admin.url);
    await page.fill('#token', 'wrong-token-123');
    await page.click('button[type=submit]');
    await page.waitForSelector('text=wrong token');
    await page.fill('#token', TOKEN);
    await page.click('button[type=submit]');
    await page.waitForSelector('#online-count');
    violations.length = 0; // the wrong token's 401 was expected
    // The dashboard's first poll answers with nobody online.
    await page.locator('#online-count', { hasText: /^0$/ }).waitFor();

    await page.click('#nav-sessions');
    await page.waitForSelector('#sessions');
    assert.equal(await page.locator('#sessions tbody tr').count(), 0);
    await alice.login();
    const row = page.locator('#sessions tr[data-uid="10001"]');
    await row.waitFor();
    const cells = await row.locator('td').allTextContents();
    assert.deepEqual(cells.slice(0, 6), ['10001', 'Alice', `127.0.0.1:${alice.peer.port}`, 'classic', '0x0d55', 'online']);

    const notice = alice.push(ClassicCmd.SYSTEM_MESSAGE);
    await row.locator('button.kick').click();
    const msg = systemMessageCodec.decode((await notice).plain);
    assert.match(msg.text, /另一地点登录/);
    await row.waitFor({ state: 'detached' });
    assert.equal(w.server.hub.get(ALICE.uid), undefined);

    // The inspector: open a capture of that session (uploaded, with Alice's password), pick the login reply,
    // click its sessionKey field and see exactly those 16 bytes highlighted in the decrypted pane.
    await page.click('#nav-inspector');
    await page.setInputFiles('#capture-file', { name: 'alice.pcap', mimeType: 'application/octet-stream', buffer: buildPcap(wire) });
    await page.click('details summary');
    await page.fill('#passwords', `${ALICE.uid}:${ALICE.password}`);
    await page.click('#upload');
    await page.waitForSelector('#packets .prow');
    assert.equal(await page.locator('#packets .prow').count(), wire.length);
    await page.selectOption('#filter-direction', 's2c');
    await page.fill('#filter-command', '0x0022');
    await page.locator('#packets .prow').first().click();
    await page.click('.fieldname[data-field="sessionKey"]');
    const lit = await page.locator('#hex-plain span.hl').allTextContents();
    assert.equal(lit.map((t) => t.trim()).join(''), alice.sessionKey.toString('hex'));
    await page.click('.fieldname[data-field="command"]');
    assert.deepEqual((await page.locator('#hex-wire span.hl').allTextContents()).map((t) => t.trim()), ['00', '22']);
    assert.equal(await page.locator('#hex-plain span.hl').count(), 0);
    await page.click('#tab-sizes');
    await page.waitForSelector('#sizes tbody tr');
    await page.click('#tab-ladder');
    await page.waitForSelector('#ladder .arrow');
    assert.deepEqual(violations, [], 'no console errors (CSP included)');
  } finally {
    alice.close();
    await browser.close();
    await w.close();
  }
});
