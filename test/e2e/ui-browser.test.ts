/**
 * What an operator sees: a real Chromium opens the Temporal Web UI of the running stack, finds a payout by its
 * search attribute, and reads its input decoded through the codec server's own loopback listener (the gateway has none).
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';
import { FINAN_SOURCE_ACCOUNT_ID } from '../../sandbox/server';
import type { TestStack } from '../helpers/stack';
import { eventually, gatewayApi, startTestStack } from '../helpers/stack';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// `.ci/run` installs Debian's chromium, so CI always runs this; a developer machine without it skips, saying why.
const browserTest = existsSync(CHROMIUM) || process.env.CI ? test : test.skip;
if (!existsSync(CHROMIUM) && !process.env.CI) {
  process.stderr.write(`ui-browser.test: ${CHROMIUM} not found (apt-get install chromium, or set CHROMIUM_PATH): the browser test is skipped\n`);
}

let stack: TestStack | undefined;
let browser: Browser | undefined;

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

browserTest('the Temporal UI finds a payout by DongflowReference and shows its input decoded', async () => {
  stack = await startTestStack();
  const api = gatewayApi(stack);
  const referenceId = `UI-${Date.now().toString(36)}`;
  const marker = 'MARKER PHAM VAN UIQX';
  const created = await api.post('/v1/payouts', {
    referenceId,
    accountId: FINAN_SOURCE_ACCOUNT_ID,
    amount: 3_300_000,
    beneficiaryAccountName: marker,
    beneficiaryAccountNumber: '4440001111',
    beneficiaryBankId: '161',
    description: 'ui check',
  });
  expect(created.status).toBe(202);
  await eventually(async () => (await api.get(`/v1/payouts/${referenceId}`)).body.status, (s) => s === 'waiting_confirm');

  // Playwright launches with a fresh, throw-away profile; the flags keep Chromium off the (closed) network.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage();
  const query = encodeURIComponent(`DongflowReference="${referenceId}"`);
  await page.goto(`${stack.temporalUiUrl}/namespaces/default/workflows?query=${query}`);

  // The list, filtered by our search attribute, shows the payout; open it.
  const link = page.getByRole('link', { name: `payout-${referenceId}` }).first();
  await link.waitFor({ timeout: 60_000 });
  await link.click();

  // Its input is shown decoded: the beneficiary's name is only readable through the codec server.
  await page.getByText(marker).first().waitFor({ timeout: 60_000 });
  // Left for a human to look at: what the operator saw.
  await page.screenshot({ path: join(tmpdir(), 'dongflow-ui-payout.png'), fullPage: true });
  expect(await page.content()).toContain(marker);
}, 180_000);
