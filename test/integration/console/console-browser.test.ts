// The merchant console in headless Chromium against the real stack (Temporal, Postgres, workers, API serving the
// built console) with the Xero, QuickBooks, ConnectWise Manage and BSS emulators. A merchant admin signs in, connects
// Xero through the consent page, enables CPQ and copies its key, retrieves a month, fixes a mapping, approves and
// applies it (the agreements change in Manage), finds a payment with its Xero link, resolves an action; a billing
// user cannot open Connections; no cookie goes to sign-in; a forged cross-site write is refused; another merchant's
// payment is not found by URL. Every screen is saved under test/artifacts/console-*.png.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { raiseMerchantAction } from '../../../db/actions';
import { postMerchantMessage } from '../../../db/messages';
import { ensureConsoleBuilt } from '../../../dev/console-build';
import { startBssEmulator, type BssAccount, type BssEmulator } from '../../../emulators/bss';
import { startManageEmulator, type ManageEmulator, type ManageTenant } from '../../../emulators/connectwise';
import { charge } from '../../support/billing-sync';
import { artifactPath, chromiumExecutable, expectText, NO_CHROMIUM_MESSAGE } from '../../support/browser';
import { consentEndpoints } from '../../support/consent';
import { CONSOLE_PASSWORD, consoleUser, signIn } from '../../support/console';
import { eventually } from '../../support/eventually';
import { httpClient } from '../../support/http';
import { createTestMerchant } from '../../support/merchants';
import { startQuickBooks, type QuickBooksFixture } from '../../support/quickbooks';
import { startTestStack, type TestStack } from '../../support/stack';
import { startXero, type XeroFixture } from '../../support/xero';

const executablePath = chromiumExecutable();
if (!executablePath) console.warn(NO_CHROMIUM_MESSAGE);

const ADMIN = 'ada@browser-msp.example';
const BILLING = 'bill@browser-msp.example';
const M365 = 'Microsoft 365 Business Basic';
const AZURE = 'Azure Plan';
// The month the console offers first: the one before this one.
const MONTH = (() => { const d = new Date(); return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1)).toISOString().slice(0, 7); })();
const today = () => new Date().toISOString().slice(0, 10);

let stack: TestStack;
let browser: Browser;
let xero: XeroFixture;
let qb: QuickBooksFixture;
let manage: ManageEmulator;
let bss: BssEmulator;
let tenant: ManageTenant;
let bssAccount: BssAccount;
let merchant: { merchantId: string; apiKey: string };
let api: ReturnType<typeof httpClient>;
let context: BrowserContext;
let page: Page;
let base: string;

const shot = (name: string, p: Page = page) => p.screenshot({ path: artifactPath(`console-${name}.png`), fullPage: true });
const open = async (path: string, p: Page = page) => {
  await p.goto(`${base}/console${path}`);
  await p.locator('#page-title').waitFor();
};

(executablePath ? describe : describe.skip)('the merchant console in Chromium', () => {
  beforeAll(async () => {
    await ensureConsoleBuilt();
    [xero, qb, manage, bss, browser] = await Promise.all([startXero(), startQuickBooks(), startManageEmulator({ requestsPerSecond: 200 }),
      startBssEmulator({ requestsPerSecond: 100 }), chromium.launch({ executablePath })]);
    stack = await startTestStack({ endpoints: consentEndpoints(xero.emu, qb.emu) });
    base = stack.api!.url;
    // What npm start sets: the console links each payment to its workflow there.
    stack.apiDeps.temporalUiUrl = 'http://localhost:8233';
    merchant = await createTestMerchant(stack, 'Browser MSP');
    api = httpClient(base, merchant.apiKey);
    await consoleUser(stack, merchant.merchantId, { email: ADMIN, role: 'admin' });
    // Manage and the BSS, connected with the merchant's key as in the billing sync tests.
    const created = manage.createTenant();
    tenant = created.tenant;
    bssAccount = bss.createAccount();
    expect((await api('PUT', '/v1/billing-sync/connections/manage', { body: { baseUrl: manage.apiBase, companyId: created.companyId, publicKey: created.publicKey,
      privateKey: created.privateKey, clientId: 'settle-test' } })).status).toBe(200);
    expect((await api('PUT', '/v1/billing-sync/connections/bss', { body: { baseUrl: bss.url, apiKey: bssAccount.apiKey } })).status).toBe(200);
    context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(base).origin });
    page = await context.newPage();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    await Promise.all([xero?.close(), qb?.close(), manage?.close(), bss?.close()]);
  });

  it('sends a browser without a session cookie to sign-in, then signs in to the screen it asked for', async () => {
    await page.goto(`${base}/console/payments`);
    await page.waitForURL((u) => u.pathname === '/console/sign-in');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/console/payments');
    await page.getByLabel('Email').fill(ADMIN);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectText(page.getByRole('alert'), /email or the password is wrong/);
    await shot('sign-in');
    await page.getByLabel('Password').fill(CONSOLE_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.pathname === '/console/payments');
    await page.getByRole('heading', { name: 'Payments', level: 1 }).waitFor();
    const cookie = (await context.cookies()).find((c) => c.name === 'settle_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    // The page's headers: the Pay Now pages' CSP and no framing.
    const response = await page.request.get(`${base}/console/`);
    expect(response.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(response.headers()['x-frame-options']).toBe('DENY');
  }, 60_000);

  it('shows the Overview with its navigation', async () => {
    await open('/');
    const nav = page.getByRole('navigation', { name: 'Console' });
    expect(await nav.getByRole('link').allTextContents()).toEqual(['Overview', 'Connections', 'Integrations', 'Billing sync', 'Payments', 'Customers', 'Reminders', 'Activity log', 'Actions', 'Messages', 'Account']);
    await page.getByRole('heading', { name: 'Last 30 days' }).waitFor();
    // Focus lands on the screen's heading, for keyboard and screen-reader users.
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.id)).toBe('page-title');
    await shot('overview');
  });

  it('connects Xero through the consent page', async () => {
    await open('/connections');
    await page.getByRole('button', { name: 'Connect wise-pay to Xero' }).click();
    await page.getByRole('button', { name: 'Allow access' }).waitFor();
    await shot('xero-consent');
    await page.getByRole('button', { name: 'Allow access' }).click();
    await page.waitForURL((u) => u.pathname === '/oauth/result');
    await page.getByRole('link', { name: /Back to Connections/ }).click();
    await page.waitForURL((u) => u.pathname === '/console/connections');
    const row = page.getByRole('row', { name: /^wise-pay/ });
    await expectText(row, /Xero/);
    await expectText(row, /connected/);
    // The organisation's name from the consent, not the platform's id.
    expect(await row.textContent()).toContain('Acme Managed Services');
    expect(await row.textContent()).not.toContain(xero.tenantId);
    await expectText(page.locator('#multi-connection'), /Multi-connection: off/);
    await shot('connections');
  }, 60_000);

  it('enables CPQ, generates its key and copies it', async () => {
    await open('/integrations');
    await page.getByLabel('Enable Accept and Pay from ConnectWise Sell quotes').check();
    await expectText(page.getByRole('status'), /ConnectWise Sell is enabled/);
    await page.getByRole('button', { name: 'Generate' }).click();
    const key = await (await waitForValue(page, '#cpq-key'));
    await page.getByRole('button', { name: 'Copy', exact: true }).click();
    await expectText(page.getByRole('status'), /copied/);
    expect(await page.evaluate(() => (globalThis as any).navigator.clipboard.readText())).toBe(key);
    // The key is CPQ's: it authenticates CPQ's routes (a quote Settle does not know is a 404, not a 401).
    expect((await httpClient(base)('GET', '/v1/cpq/quote-payments/Q-NONE', { key })).status).toBe(404);
    await shot('integrations');
  }, 60_000);

  it('retrieves a month, fixes a mapping, approves and applies it: the agreement changes in Manage', async () => {
    const contoso = tenant.addCompany('Contoso Ltd', 'Contoso');
    const agreement = tenant.addAgreement(contoso.id, 'Managed services');
    tenant.addProduct('M365-BB', M365, 6);
    const azure = tenant.addProduct('AZURE', AZURE, 100);
    bssAccount.setCharges(MONTH, [charge('Contoso Ltd', 'SUB-1', M365, 10, { effectiveDate: `${MONTH}-01` }),
      charge('Contoso Ltd', 'SUB-2', 'Azure subscription', 1, { unitCost: '100.00', effectiveDate: `${MONTH}-01` })]);
    await open('/billing-sync');
    expect(await page.getByLabel('Month').inputValue()).toBe(MONTH);
    await expectText(page.locator('.empty'), /Nothing retrieved/);
    await page.getByRole('button', { name: 'Retrieve from BSS' }).click();
    await expectText(page.locator('#run-status'), /awaiting links/, 30_000);
    const grid = page.getByTestId('billing-grid');
    await expectText(grid, /SUB-2/);
    await shot('billing-sync-links');
    // A grid to assistive technology: rows with their index among all the month's lines, cells by column.
    const rows = page.getByRole('grid', { name: 'Billing lines' }).getByRole('row');
    expect(await grid.getAttribute('aria-rowcount')).toBe('3');
    expect(await rows.nth(2).getAttribute('aria-rowindex')).toBe('3');
    await expectText(rows.nth(2).getByRole('gridcell').nth(4), /^Azure subscription$/);
    await rows.nth(2).getByRole('button', { name: 'Edit the links of line 2' }).waitFor();
    // The Azure line's product has no suggestion: link it by hand, reaching the line with the keyboard.
    await grid.focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: /^Links of line 2:/ }).waitFor();
    await page.getByLabel('Link', { exact: true }).selectOption('product');
    await page.getByLabel('Manage product id').fill(String(azure.id));
    await page.getByRole('button', { name: 'Save link' }).click();
    await expectText(page.locator('#run-status'), /awaiting approval/, 30_000);
    await page.getByRole('heading', { name: 'What will change in Manage' }).waitFor();
    await shot('billing-sync-proposal');
    expect(tenant.additions.all()).toHaveLength(0);
    await page.getByRole('button', { name: 'Approve and apply' }).click();
    await expectText(page.locator('#run-status'), /applied/, 30_000);
    await eventually('additions in Manage', async () => tenant.additions.all(), (a) => a.length === 2);
    expect(tenant.additions.all().map((a) => [a.serialNumber, a.agreementId]).sort())
      .toEqual([['SUB-1', agreement.id], ['SUB-2', agreement.id]]);
    await shot('billing-sync-applied');
  }, 120_000);

  it('finds a payment with its Xero link and its workflow', async () => {
    const platform = xero.platform;
    const contact = await platform.createContact({ name: 'Northwind Clinics' }, `ct-${randomBytes(4).toString('hex')}`);
    const invoice = await platform.createInvoice({ contactId: contact.id, date: today(), dueDate: today(), currency: 'AUD', status: 'authorised',
      lines: [{ description: 'Managed services', quantity: 1, unitAmountMinor: 42_000, accountCode: '200', taxType: 'NONE' }] }, `inv-${randomBytes(4).toString('hex')}`);
    const taken = await api('POST', '/v1/payments', { body: { amount: '420.00', currency: 'AUD', reference: 'INV-CONSOLE-1', invoices: [{ invoiceId: invoice.id, amount: '420.00' }] } });
    expect(taken.status).toBe(202);
    await eventually('the payment posts', () => api('GET', `/v1/payments/${taken.body.id}`), (r) => r.body.sync?.status === 'synced', { timeoutMs: 30_000 });
    await open('/payments');
    await page.getByLabel('Reference starts with').fill('INV-CONSOLE');
    await page.getByLabel('Accounting sync').selectOption('synced');
    await page.getByRole('button', { name: 'Filter' }).click();
    const row = page.getByRole('row', { name: /INV-CONSOLE-1/ });
    await expectText(row, /420\.00 AUD/);
    // The invoice by its number (not Xero's id), linked to it in Xero.
    expect(invoice.number).toMatch(/^INV-/);
    const link = row.getByRole('link', { name: invoice.number, exact: true });
    const invoiceHref = await link.getAttribute('href');
    expect(invoiceHref).toMatch(new RegExp(`^https?://.*InvoiceID=${invoice.id}$`));
    expect(await row.textContent()).not.toContain(invoice.id);
    expect(await row.getByRole('link', { name: 'Open in Temporal' }).getAttribute('href'))
      .toBe(`http://localhost:8233/namespaces/default/workflows/${encodeURIComponent(`payment/${merchant.merchantId}/${taken.body.id}`)}`);
    await shot('payments');
    await row.getByRole('link', { name: 'INV-CONSOLE-1' }).click();
    await page.getByRole('heading', { name: 'Payment INV-CONSOLE-1' }).waitFor();
    await expectText(page.locator('.facts'), /synced/);
    await shot('payment');
    // The workflow id is the link to it in the Temporal Web UI; the invoice is named by its number.
    const workflowId = `payment/${merchant.merchantId}/${taken.body.id}`;
    expect(await page.getByRole('link', { name: workflowId }).getAttribute('href'))
      .toBe(`http://localhost:8233/namespaces/default/workflows/${encodeURIComponent(workflowId)}`);
    expect(await page.getByRole('link', { name: invoice.number, exact: true }).getAttribute('href')).toBe(invoiceHref);
    expect(await page.locator('main').textContent()).not.toContain(invoice.id);
  }, 60_000);

  it('resolves an action, and shows customers, the activity log, messages and the account', async () => {
    const customer = await api('POST', '/v1/customers', { body: { customerReference: '40021', name: 'Fabrikam Pty Ltd' } });
    await raiseMerchantAction(stack.db, { merchantId: merchant.merchantId, kind: 'match-customer', subject: customer.body.id,
      detail: 'Two contacts are named Fabrikam: choose the one for customer 40021.' });
    await open('/actions');
    await page.getByLabel('Accounting contact id').fill('contact-fab-1');
    await shot('actions');
    await page.getByRole('button', { name: 'Resolve' }).click();
    await expectText(page.getByRole('status'), /Fabrikam Pty Ltd is matched to contact contact-fab-1/);
    await expectText(page.locator('.empty'), /Nothing needs you/);
    expect((await api('GET', `/v1/customers/${customer.body.id}`)).body).toMatchObject({ matchStatus: 'matched', contactId: 'contact-fab-1' });
    // Messages: unread until marked read, and the Overview counts the unread ones.
    await postMerchantMessage(stack.db, { merchantId: merchant.merchantId, kind: 'bpay-upload-disabled', text: 'BPAY upload is off until the file format is fixed.' });
    await postMerchantMessage(stack.db, { merchantId: merchant.merchantId, kind: 'rate-limit', text: 'Xero limits were reached at 09:10; the sync resumed at 09:11.' });
    await open('/');
    await expectText(page.getByRole('link', { name: /unread message/ }), /^2 unread messages$/);
    await page.getByRole('link', { name: /unread message/ }).click();
    await expectText(page.locator('#unread-count'), /2 unread/);
    await page.getByRole('listitem', { name: /^Unread message: rate limit/ }).getByRole('button', { name: 'Mark read' }).click();
    await expectText(page.locator('#unread-count'), /1 unread/);
    await page.getByRole('listitem', { name: /^Read message: rate limit/ }).waitFor();
    await open('/');
    await expectText(page.getByRole('link', { name: /unread message/ }), /^1 unread message$/);
    for (const [path, name] of [['/customers', 'customers'], ['/activity', 'activity-log'], ['/messages', 'messages'], ['/account', 'account']] as const) {
      await open(path);
      await page.waitForFunction(() => !(globalThis as any).document.body.innerText.includes('Loading'));
      await shot(name);
    }
    await expectText(page.locator('main'), /Fabrikam|Users/);
  }, 60_000);

  it('refuses a forged cross-site write that carries the session cookie', async () => {
    const keyBefore = (await api('GET', '/v1/integrations/cpq/api-key')).body.apiKey;
    // Another site on this machine (another port: the same site for SameSite, so the cookie is sent).
    const evil: Server = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<form id="f" method="POST" action="${base}/v1/integrations/cpq/api-key" enctype="text/plain"><input name="x" value="y"></form>
        <script>document.getElementById('f').submit()</script>`);
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    try {
      const forged = await context.newPage();
      const answer = forged.waitForResponse((r) => r.url().endsWith('/v1/integrations/cpq/api-key'));
      await forged.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
      const response = await answer;
      expect(response.request().headers()['cookie'] ?? (await response.request().allHeaders())['cookie']).toContain('settle_session=');
      expect(response.status()).toBe(403);
      expect(await response.json()).toMatchObject({ type: '/problems/csrf-refused' });
      await forged.close();
    } finally {
      evil.close();
    }
    expect((await api('GET', '/v1/integrations/cpq/api-key')).body.apiKey).toBe(keyBefore);
  }, 60_000);

  it("never shows another merchant's payment, even by its URL", async () => {
    const other = await createTestMerchant(stack, 'Other MSP');
    const theirs = await httpClient(base, other.apiKey)('POST', '/v1/payments', { body: { amount: '9.00', currency: 'AUD', reference: 'THEIRS-1' } });
    expect(theirs.status).toBe(202);
    await open(`/payments/${theirs.body.id}`);
    await expectText(page.getByRole('alert'), /Payment was not found\./);
    expect(await page.locator('main').textContent()).not.toContain('THEIRS-1');
    await shot('tampered-url');
  }, 60_000);

  it('keeps a billing user out of Connections', async () => {
    await consoleUser(stack, merchant.merchantId, { email: BILLING, role: 'billing', invitedBy: await signIn(stack, ADMIN) });
    const billing = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const p = await billing.newPage();
    await p.goto(`${base}/console/`);
    await p.waitForURL((u) => u.pathname === '/console/sign-in');
    await p.getByLabel('Email').fill(BILLING);
    await p.getByLabel('Password').fill(CONSOLE_PASSWORD);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    const links = await p.getByRole('navigation', { name: 'Console' }).getByRole('link').allTextContents();
    expect(links).not.toContain('Connections');
    expect(links).toContain('Billing sync');
    await shot('billing-user-overview', p);
    await open('/connections', p);
    await expectText(p.getByRole('alert'), /Only merchant admins can open this/);
    expect(await p.locator('table').count()).toBe(0);
    await shot('billing-user-connections', p);
    await billing.close();
  }, 60_000);
});


async function waitForValue(p: Page, selector: string): Promise<string> {
  await p.locator(selector).waitFor();
  return p.locator(selector).inputValue();
}
