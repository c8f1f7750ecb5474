// A Settle platform admin in the console: made only through the platform admin API (a merchant admin's invitation
// cannot make one), it turns a merchant's multi-connection on and off from Connections; the merchant's admin sees the
// state read-only; anyone else — merchant admin, billing user, API key — gets 403 from the route. In headless
// Chromium against the real API serving the built console; screens saved under test/artifacts/.
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureConsoleBuilt } from '../../../dev/console-build';
import { artifactPath, chromiumExecutable, NO_CHROMIUM_MESSAGE } from '../../support/browser';
import { CONSOLE_PASSWORD, consoleUser, type ConsoleSession } from '../../support/console';
import { eventually } from '../../support/eventually';
import { httpClient } from '../../support/http';
import { createTestMerchant } from '../../support/merchants';
import { startTestStack, type TestStack } from '../../support/stack';

const executablePath = chromiumExecutable();
if (!executablePath) console.warn(NO_CHROMIUM_MESSAGE);

const PLATFORM = 'pat@settle-staff.example';
const ADMIN = 'ada@platform-msp.example';
const BILLING = 'bill@platform-msp.example';

let stack: TestStack;
let browser: Browser;
let base: string;
let merchant: { merchantId: string; apiKey: string };
let platform: ConsoleSession;
let admin: ConsoleSession;
let billing: ConsoleSession;

const multiConnection = async () => (await httpClient(base, merchant.apiKey)('GET', '/v1/connections')).body.multiConnection as boolean;

async function signedInPage(email: string): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
  await page.goto(`${base}/console/connections`);
  await page.waitForURL((u) => u.pathname === '/console/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(CONSOLE_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Connections', level: 1 }).waitFor();
  return page;
}

(executablePath ? describe : describe.skip)('a platform admin in the console', () => {
  beforeAll(async () => {
    await ensureConsoleBuilt();
    [stack, browser] = await Promise.all([startTestStack({ roles: [] }), chromium.launch({ executablePath })]);
    base = stack.api!.url;
    merchant = await createTestMerchant(stack, 'Platform MSP');
    admin = await consoleUser(stack, merchant.merchantId, { email: ADMIN, role: 'admin' });
    billing = await consoleUser(stack, merchant.merchantId, { email: BILLING, role: 'billing', invitedBy: admin });
    platform = await consoleUser(stack, merchant.merchantId, { email: PLATFORM, role: 'admin', platformAdmin: true });
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('is made only by the platform admin API: a merchant admin inviting one gets an ordinary user', async () => {
    expect((await platform.request('GET', '/v1/session')).body.user).toMatchObject({ email: PLATFORM, role: 'admin', platformAdmin: true });
    expect((await admin.request('GET', '/v1/session')).body.user).toMatchObject({ email: ADMIN, platformAdmin: false });
    const invited = await admin.request('POST', '/v1/users', { body: { email: 'eve@platform-msp.example', name: 'Eve', role: 'admin', platformAdmin: true } });
    expect(invited.status).toBe(201);
    expect(invited.body.platformAdmin).toBe(false);
  });

  it('lets only a platform admin change multi-connection: 403 for a merchant admin, a billing user and an API key', async () => {
    const body = { enabled: true };
    for (const [who, send] of [['merchant admin', admin.request], ['billing user', billing.request], ['API key', httpClient(base, merchant.apiKey)]] as const) {
      const refused = await send('PUT', '/v1/connections/multi-connection', { body });
      expect({ who, status: refused.status, type: refused.body.type }).toEqual({ who, status: 403, type: '/problems/forbidden' });
    }
    expect((await httpClient(base)('PUT', '/v1/connections/multi-connection', { key: null, body })).status).toBe(401);
    expect(await multiConnection()).toBe(false);
    const set = await platform.request('PUT', '/v1/connections/multi-connection', { body });
    expect(set).toMatchObject({ status: 200, body: { multiConnection: true } });
    expect(await multiConnection()).toBe(true);
    expect((await platform.request('PUT', '/v1/connections/multi-connection', { body: { enabled: false } })).status).toBe(200);
    expect(await multiConnection()).toBe(false);
  });

  it('turns multi-connection on from Connections; the merchant admin sees it on, read-only', async () => {
    const page = await signedInPage(PLATFORM);
    expect(await page.locator('.who').textContent()).toBe('Pat Platform (Settle platform admin)');
    const region = page.getByRole('region', { name: 'Platform admin' });
    const toggle = region.getByRole('checkbox', { name: 'Multi-connection for Platform MSP' });
    expect(await toggle.isChecked()).toBe(false);
    await toggle.click(); // a switch the server sets: it shows checked once the answer is back
    await expectChecked(toggle);
    await page.locator('#multi-connection', { hasText: 'Multi-connection: on.' }).waitFor();
    await eventually('multi-connection on', multiConnection, (on) => on);
    await page.screenshot({ path: artifactPath('console-platform-admin-connections.png'), fullPage: true });
    await page.context().close();

    const merchantPage = await signedInPage(ADMIN);
    await merchantPage.locator('#multi-connection', { hasText: 'Multi-connection: on.' }).waitFor();
    expect(await merchantPage.locator('#multi-connection').textContent()).toContain('A Settle platform admin turns it on or off');
    expect(await merchantPage.getByRole('checkbox', { name: /Multi-connection/ }).count()).toBe(0);
    expect(await merchantPage.getByRole('region', { name: 'Platform admin' }).count()).toBe(0);
    await merchantPage.screenshot({ path: artifactPath('console-connections-multi-on.png'), fullPage: true });
    await merchantPage.context().close();
  }, 60_000);
});

async function expectChecked(toggle: ReturnType<Page['getByRole']>): Promise<void> {
  await eventually('the switch shows on', () => toggle.isChecked(), (on) => on);
}
