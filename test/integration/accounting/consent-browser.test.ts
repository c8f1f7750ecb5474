// Connecting the books by consent in a real browser (headless Chromium): the merchant asks Settle for a consent URL,
// the emulator's consent screen offers two organisations, the test clicks one and "Allow access", Chromium follows the
// platform's redirect to Settle's callback and lands on the result page. Then a payment taken through the API posts
// into the organisation that was clicked, and never into the other. Xero (tenant from /connections of this consent)
// and QuickBooks (realm from the callback's realmId), with the real SDKs, Temporal workers and Postgres.
import { randomBytes } from 'node:crypto';
import { chromium, type Browser, type Page } from 'playwright-core';
import { artifactPath, chromiumExecutable, NO_CHROMIUM_MESSAGE } from '../../support/browser';
import { consentEndpoints, startConsent } from '../../support/consent';
import { eventually } from '../../support/eventually';
import { httpClient } from '../../support/http';
import { createTestMerchant } from '../../support/merchants';
import { startQuickBooks, type QuickBooksFixture } from '../../support/quickbooks';
import { startTestStack, type TestStack } from '../../support/stack';
import { startXero, type XeroFixture } from '../../support/xero';

const executablePath = chromiumExecutable();
if (!executablePath) console.warn(NO_CHROMIUM_MESSAGE);

let stack: TestStack;
let browser: Browser;
let xero: XeroFixture;
let qb: QuickBooksFixture;
// Each platform offers two organisations on its consent screen: the first (checked by default) and the one clicked.
let xeroOther: { tenantId: string; token: string };
let qbOther: { realmId: string; token: string };

const today = () => new Date().toISOString().slice(0, 10);
const key = (what: string) => `${what}-${randomBytes(8).toString('hex')}`;

(executablePath ? describe : describe.skip)('consent in Chromium', () => {
  beforeAll(async () => {
    [xero, qb, browser] = await Promise.all([startXero(), startQuickBooks(), chromium.launch({ executablePath })]);
    const holdings = xero.emu.createTenant('Acme Holdings');
    xeroOther = { tenantId: holdings.tenantId, token: holdings.tokens.access_token };
    const us = qb.emu.createRealm('Acme Managed Services US');
    qbOther = { realmId: us.realmId, token: us.tokens.access_token };
    stack = await startTestStack({ roles: ['workflows', 'wise-pay'], endpoints: consentEndpoints(xero.emu, qb.emu) });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    await xero?.close();
    await qb?.close();
  });

  /** Opens the consent URL and checks the screen offers exactly these organisations. */
  async function openConsentScreen(consentUrl: string, platform: string, organisations: string[]): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 900, height: 700 } });
    await page.goto(consentUrl);
    await page.getByRole('heading', { name: `Connect to ${platform}` }).waitFor();
    expect(await page.locator('fieldset label').allTextContents()).toEqual(organisations.map((name) => ` ${name}`));
    return page;
  }

  /**
   * Saves the consent screen as decided, clicks "Allow access", and follows the platform's redirect to Settle's
   * callback and on to the result page (saved too). Answers what the result page says.
   */
  async function allowAndLand(page: Page, platform: string): Promise<string> {
    await page.screenshot({ path: artifactPath(`consent-${platform}-screen.png`), fullPage: true });
    const callbacks: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith('/oauth/')) callbacks.push(r.url());
    });
    await page.getByRole('button', { name: 'Allow access' }).click();
    await page.waitForURL((url) => url.pathname === '/oauth/result');
    const outcome = (await page.locator('#outcome').textContent()) ?? '';
    await page.screenshot({ path: artifactPath(`consent-${platform}-result.png`), fullPage: true });
    expect(callbacks[0]).toMatch(new RegExp(`^${stack.api!.url}/oauth/${platform}/callback\\?`));
    return outcome;
  }

  /** The wise-pay connection as the merchant sees it (the other roles share it until they get their own). */
  async function wisePayConnection(apiKey: string) {
    const listed = await httpClient(stack.api!.url, apiKey)('GET', '/v1/connections');
    return listed.body.connections.find((c: { role: string }) => c.role === 'wise-pay');
  }

  async function payAndWait(apiKey: string, body: object) {
    const api = httpClient(stack.api!.url, apiKey);
    const taken = await api('POST', '/v1/payments', { body });
    expect(taken.status).toBe(202);
    const settled = await eventually(`payment ${taken.body.id} posts`, () => api('GET', `/v1/payments/${taken.body.id}`), (r) => r.body.sync?.status !== 'pending');
    return settled.body;
  }

  it('Xero: picks the second of two organisations by clicking, and a payment posts into it and not the other', async () => {
    const { apiKey } = await createTestMerchant(stack);
    // The same invoice in both organisations: only the connected one may receive the payment.
    const invoiceIn = async (tenantId: string, token: string) => {
      const platform = xero.platformFor(tenantId, token);
      const contact = await platform.createContact({ name: 'Northwind Clinics' }, key('ct'));
      return platform.createInvoice({ contactId: contact.id, date: today(), dueDate: today(), currency: 'AUD', status: 'authorised',
        lines: [{ description: 'Managed services', quantity: 1, unitAmountMinor: 42_000, accountCode: '200', taxType: 'NONE' }] }, key('inv'));
    };
    const inFirst = await invoiceIn(xero.tenantId, xero.tokens.access_token);
    const inChosen = await invoiceIn(xeroOther.tenantId, xeroOther.token);
    const grantsOfFirst = xero.emu.oauth.liveGrants(xero.tenantId);

    const consentUrl = await startConsent(stack.api!.url, apiKey, 'wise-pay', 'xero');
    const page = await openConsentScreen(consentUrl, 'Xero', ['Acme Managed Services', 'Acme Holdings']);
    const first = page.getByRole('checkbox', { name: 'Acme Managed Services' });
    const chosen = page.getByRole('checkbox', { name: 'Acme Holdings' });
    expect(await first.isChecked()).toBe(true); // Xero's screen comes with the first organisation ticked
    await first.uncheck();
    await chosen.check();
    const outcome = await allowAndLand(page, 'xero');
    expect(outcome).toBe('Xero is connected for wise-pay. You can close this page.');
    // One organisation ticked: it connects at once, no choice is left pending.
    expect((await httpClient(stack.api!.url, apiKey)('GET', '/v1/connections/wise-pay/pending-tenants')).status).toBe(404);
    await page.close();

    expect(await wisePayConnection(apiKey)).toMatchObject({ platform: 'xero', tenantId: xeroOther.tenantId, status: 'connected' });
    expect(xero.emu.oauth.liveGrants(xero.tenantId)).toBe(grantsOfFirst); // the unticked organisation was never granted

    const payment = await payAndWait(apiKey, {
      currency: 'AUD', reference: 'Browser consent', amount: '420.00', method: 'card', invoices: [{ invoiceId: inChosen.id, amount: '420.00' }],
    });
    expect(payment.sync.status).toBe('synced');
    expect(xero.emu.state.tenant(xeroOther.tenantId).paymentsOf(inChosen.id).map((p) => p.amountCents)).toEqual([42_000]);
    expect(xero.ledger().paymentsOf(inFirst.id)).toEqual([]);
    expect([...xero.ledger().payments.values()]).toEqual([]);
    const puts = xero.emu.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/Payments'));
    expect(puts.map((r) => [r.tenantId, r.status])).toEqual([[xeroOther.tenantId, 200]]);
  }, 60_000);

  it('QuickBooks: picks the second of two companies by clicking, and a payment posts into that realm and not the other', async () => {
    const { apiKey } = await createTestMerchant(stack);
    const invoiceIn = async (realmId: string, token: string) => {
      const platform = qb.platformFor(realmId, token);
      const customer = await platform.createContact({ name: `Northwind Clinics ${randomBytes(3).toString('hex')}` }, key('ct'));
      return platform.createInvoice({ contactId: customer.id, date: today(), dueDate: today(), currency: 'USD', status: 'authorised',
        lines: [{ description: 'Managed services', quantity: 1, unitAmountMinor: 31_500, accountCode: '1' }] }, key('inv'));
    };
    const inFirst = await invoiceIn(qb.realmId, qb.tokens.access_token);
    const inChosen = await invoiceIn(qbOther.realmId, qbOther.token);

    const consentUrl = await startConsent(stack.api!.url, apiKey, 'wise-pay', 'quickbooks');
    const page = await openConsentScreen(consentUrl, 'QuickBooks', ['Acme Managed Services', 'Acme Managed Services US']);
    const first = page.getByRole('radio', { name: 'Acme Managed Services', exact: true });
    const chosen = page.getByRole('radio', { name: 'Acme Managed Services US' });
    expect(await first.isChecked()).toBe(true);
    await chosen.check();
    expect(await first.isChecked()).toBe(false);
    const outcome = await allowAndLand(page, 'quickbooks');
    expect(outcome).toBe('QuickBooks Online is connected for wise-pay. You can close this page.');
    await page.close();

    expect(await wisePayConnection(apiKey)).toMatchObject({ platform: 'quickbooks', tenantId: qbOther.realmId, status: 'connected' });

    const payment = await payAndWait(apiKey, {
      currency: 'USD', reference: 'Browser consent', amount: '315.00', method: 'card', invoices: [{ invoiceId: inChosen.id, amount: '315.00' }],
    });
    expect(payment.sync.status).toBe('synced');
    const chosenRealm = qb.emu.state.realm(qbOther.realmId);
    expect(chosenRealm.paymentsLinking(inChosen.id).map((p) => p.totalCents)).toEqual([31_500]);
    expect(chosenRealm.invoices.get(inChosen.id)!.balanceCents).toBe(0);
    expect([...qb.realm().payments.values()]).toEqual([]);
    expect(qb.realm().invoices.get(inFirst.id)!.balanceCents).toBe(31_500);
    const posts = qb.emu.requests.filter((r) => r.method === 'POST' && /\/payment$/i.test(r.path));
    expect(posts.map((r) => [r.realmId, r.status])).toEqual([[qbOther.realmId, 200]]);
  }, 60_000);
});
