// A payment's page in headless Chromium lists its refunds on the timeline, against the real stack with the Stripe and
// Xero emulators: a card payment is refunded in two parts through the API (each reaches Stripe and is reversed in
// Xero by its workflow), then a merchant admin opens the payment in the console and reads both with their outcomes.
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureConsoleBuilt } from '../../../dev/console-build';
import { refundWorkflowId } from '../../../workflows/refunds/definitions';
import { artifactPath, chromiumExecutable, NO_CHROMIUM_MESSAGE } from '../../support/browser';
import { CONSOLE_PASSWORD, consoleUser } from '../../support/console';
import { setUpQuoteMerchant, startQuoteWorld, type QuoteMerchant, type QuoteWorld } from '../../support/quotes';
import { payInvoiceByCard, xeroBooks } from '../../support/refunds';

const executablePath = chromiumExecutable();
if (!executablePath) console.warn(NO_CHROMIUM_MESSAGE);

const ADMIN = 'ada@refunds-browser.example';

let world: QuoteWorld;
let m: QuoteMerchant;
let browser: Browser;

(executablePath ? describe : describe.skip)("a payment's refunds in the console", () => {
  beforeAll(async () => {
    await ensureConsoleBuilt();
    [world, browser] = await Promise.all([startQuoteWorld(), chromium.launch({ executablePath })]);
    m = await setUpQuoteMerchant(world);
    await consoleUser(world.stack, m.merchantId, { email: ADMIN, role: 'admin' });
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await world?.close();
  });

  it('shows each refund on the payment timeline with its outcome at Stripe and in the books', async () => {
    const paid = await payInvoiceByCard(xeroBooks(world), m, 10_000);
    for (const [amount, key] of [['30.00', 'console-refund-1'], ['15.00', 'console-refund-2']]) {
      const asked = await m.merchant('POST', `/v1/payments/${paid.paymentId}/refunds`, { body: { amount }, headers: { 'Idempotency-Key': key } });
      expect(asked.status).toBe(202);
      await world.stack.client.workflow.getHandle(refundWorkflowId(m.merchantId, asked.body.id)).result();
    }
    const page: Page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    const base = world.stack.api!.url;
    // What npm start sets: the page links the payment's workflow there.
    world.stack.apiDeps.temporalUiUrl = 'http://localhost:8233';
    await page.goto(`${base}/console/payments/${paid.paymentId}`);
    await page.waitForURL((u) => u.pathname === '/console/sign-in');
    await page.getByLabel('Email').fill(ADMIN);
    await page.getByLabel('Password').fill(CONSOLE_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.pathname === `/console/payments/${paid.paymentId}`);
    const timeline = page.getByRole('list', { name: 'What happened to this payment' });
    await timeline.getByText(/Refund of 15\.00 USD/).waitFor();
    const items = (await timeline.getByRole('listitem').allTextContents()).map((t) => t.replace(/\s+/g, ' '));
    expect(items[0]).toMatch(/Recorded: 100\.00 USD by card/);
    const refunds = items.filter((t) => t.includes('Refund of'));
    expect(refunds).toHaveLength(2);
    expect(refunds[0]).toMatch(/Refund of 30\.00 USD.*succeeded.*reversed in the books/);
    expect(refunds[1]).toMatch(/Refund of 15\.00 USD.*succeeded.*reversed in the books/);
    // The payment's workflow id links to it in the Temporal Web UI.
    expect(await page.getByRole('link', { name: `payment/${m.merchantId}/${paid.paymentId}` }).getAttribute('href'))
      .toBe(`http://localhost:8233/namespaces/default/workflows/${encodeURIComponent(`payment/${m.merchantId}/${paid.paymentId}`)}`);
    await page.screenshot({ path: artifactPath('console-payment-refunds.png'), fullPage: true });
  }, 120_000);
});
