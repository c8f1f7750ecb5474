// A part payment on the Pay Now invoice page in a real browser (headless Chromium), against the whole stack
// (Temporal, Postgres, workers, API) with the Xero and Stripe emulators (issue 27). The merchant allows part payments
// (at least 10.00) and surcharges Visa credit cards 3 % + 0.30 (its 3 % maximum wins). A payer types 50.00 for a
// 120.00 invoice, sees the surcharge worked out on the 50.00, pays 51.50 in one payment, and finds the invoice still
// listed with 70.00 to pay; Xero has the 50.00 against the invoice (still open) and the surcharge apart. The merchant's
// console shows the payment as a part payment: 50.00 of the invoice's 120.00.
import { chromium, type Browser } from 'playwright-core';
import { ensureConsoleBuilt } from '../../../dev/console-build';
import { invoicePaymentWorkflowId, type InvoicePaymentState } from '../../../workflows/invoice-payments/definitions';
import { accountingRefreshWorkflowId } from '../../../workflows/accounting-data/definitions';
import { artifactPath, chromiumExecutable, cspRefusals, NO_CHROMIUM_MESSAGE } from '../../support/browser';
import { CONSOLE_PASSWORD, consoleUser } from '../../support/console';
import { invoiceFor, payerWithTerms, signInOnInvoicePages } from '../../support/payer-invoices';
import { setUpQuoteMerchant, startQuoteWorld, type QuoteMerchant, type QuoteWorld } from '../../support/quotes';

const executablePath = chromiumExecutable();
if (!executablePath) console.warn(NO_CHROMIUM_MESSAGE);

let world: QuoteWorld;
let m: QuoteMerchant;
let browser: Browser;
const PASSWORD = 'correct horse battery staple';
const ADMIN = 'ada@partial-browser.example';
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
const intentsOf = (checkoutId: string) => [...world.stripe.emu.state.all()].flatMap((a) => [...a.paymentIntents.values()]).filter((i) => i.metadata?.settle_checkout_id === checkoutId);
const stateOf = (checkoutId: string) => world.stack.client.workflow.getHandle(invoicePaymentWorkflowId(m.merchantId, checkoutId)).query<InvoicePaymentState>('invoicePaymentState');

(executablePath ? describe : describe.skip)('a part payment in Chromium', () => {
  beforeAll(async () => {
    await ensureConsoleBuilt();
    [world, browser] = await Promise.all([startQuoteWorld(), chromium.launch({ executablePath })]);
    m = await setUpQuoteMerchant(world);
    await consoleUser(world.stack, m.merchantId, { email: ADMIN, role: 'admin' });
    expect((await m.merchant('PUT', '/v1/merchant/settings/partial-payments', { body: { enabled: true, minimumMinor: 10_00 } })).status).toBe(200);
    expect((await m.merchant('PUT', '/v1/merchant/settings/surcharges', { body: {
      enabled: true, currency: 'USD', merchantCountry: 'US', merchantState: 'NY', cards: { visa: { percent: '3.00', fixed: '0.30' } },
      books: { revenueAccountCode: '260', taxCode: 'NONE' }, refundSurcharge: false,
    } })).status).toBe(200);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await world?.close();
  });

  it('pays part of an invoice: the amount typed, surcharged on that amount, the rest still owed', async () => {
    const p = await payerWithTerms(world, m);
    const invoice = await invoiceFor(world, p.contactId, 120_00, inDays(10));
    expect((await m.merchant('POST', '/v1/accounting/refresh')).status).toBe(202);
    await world.stack.client.workflow.getHandle(accountingRefreshWorkflowId(m.merchantId)).result();

    const page = await browser.newPage({ viewport: { width: 900, height: 1000 } });
    const refused = cspRefusals(page);
    await signInOnInvoicePages(page, world.stack.api!.url, m.merchantId, p, PASSWORD);

    // The amount to pay is the balance until the payer changes it; too much is refused with the reason.
    const amount = page.getByLabel(/Amount to pay of invoice/);
    expect(await amount.inputValue()).toBe('120.00');
    expect(await page.textContent('#partial-hint')).toContain('at least 10.00 USD');
    await page.check(`#invoice-${invoice.id}`);
    await amount.fill('150.00');
    await page.getByRole('button', { name: 'Pay selected' }).click();
    await page.waitForSelector('#notice');
    await page.screenshot({ path: artifactPath('partial-1-too-much.png'), fullPage: true });
    expect(await page.textContent('#notice')).toContain('That is more than is due: at most 120.00 USD.');
    const checkoutIntents = () => [...world.stripe.emu.state.all()].flatMap((a) => [...a.paymentIntents.values()])
      .filter((i) => i.metadata?.settle_checkout_id && i.metadata?.settle_payer_id === p.payerId);
    expect(checkoutIntents()).toEqual([]); // nothing started

    await page.getByLabel(/Amount to pay of invoice/).fill('50.00');
    await page.check(`#invoice-${invoice.id}`);
    await page.screenshot({ path: artifactPath('partial-2-part-typed.png'), fullPage: true });
    await page.getByRole('button', { name: 'Pay selected' }).click();
    await page.waitForURL(/\/checkouts\/chk_[0-9a-f]{24}$/);
    const checkoutId = /\/checkouts\/(chk_[0-9a-f]{24})$/.exec(page.url())![1];
    expect(await page.textContent('main')).toContain('50.00 USD');
    expect(await page.textContent('main')).toContain('(part)');

    // The surcharge is worked out on what is paid: 3 % of 50.00.
    await page.getByRole('button', { name: 'Visa credit (US)' }).click();
    await page.waitForSelector('#surcharge-breakdown');
    await page.screenshot({ path: artifactPath('partial-3-surcharge-on-part.png'), fullPage: true });
    expect(await page.textContent('#amount-before')).toBe('50.00 USD');
    expect(await page.textContent('#surcharge')).toBe('1.50 USD');
    expect(await page.textContent('#total')).toBe('51.50 USD');
    await page.getByRole('button', { name: 'Pay 51.50 USD' }).click();
    await page.waitForURL(new RegExp(`\\?checkout=${checkoutId}$`));
    // Its end, not a query: the invoice is offered again only once the checkout releases it, after the books are read.
    const ended = await world.stack.client.workflow.getHandle(invoicePaymentWorkflowId(m.merchantId, checkoutId)).result() as InvoicePaymentState;
    expect(ended).toMatchObject({ status: 'paid', surchargeSync: 'synced' });
    await page.reload();
    await page.screenshot({ path: artifactPath('partial-4-paid-rest-owed.png'), fullPage: true });
    expect(await page.textContent('.notice')).toContain('your payment of 51.50 USD (including a 1.50 USD card surcharge)');
    // Still owed: 70.00, offered as the amount to pay.
    expect(await page.textContent('#outstanding')).toContain('70.00 USD');
    expect(await page.getByLabel(/Amount to pay of invoice/).inputValue()).toBe('70.00');
    expect(refused).toEqual([]);

    expect(intentsOf(checkoutId)).toEqual([expect.objectContaining({ amount: 51_50, amount_received: 51_50, status: 'succeeded' })]);
    const ledger = world.xero.ledger();
    expect(ledger.paymentsOf(invoice.id).map((x) => x.amountCents)).toEqual([50_00]);
    expect(await world.xero.platform.getInvoice(invoice.id)).toMatchObject({ totalMinor: 120_00, amountDueMinor: 70_00, status: 'authorised' });
    expect((await stateOf(checkoutId)).surchargeSync).toBe('synced');

    // The merchant's console: the payment's page says it paid part of the invoice.
    const paymentId = (await stateOf(checkoutId)).paymentId!;
    const consolePage = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    await consolePage.goto(`${world.stack.api!.url}/console/payments/${paymentId}`);
    await consolePage.waitForURL((u) => u.pathname === '/console/sign-in');
    await consolePage.getByLabel('Email').fill(ADMIN);
    await consolePage.getByLabel('Password').fill(CONSOLE_PASSWORD);
    await consolePage.getByRole('button', { name: 'Sign in' }).click();
    await consolePage.waitForURL((u) => u.pathname === `/console/payments/${paymentId}`);
    await consolePage.locator('#paid-invoices').waitFor();
    await consolePage.screenshot({ path: artifactPath('partial-5-console-payment.png'), fullPage: true });
    expect((await consolePage.textContent('#paid-invoices'))!.replace(/\s+/g, ' ')).toMatch(/INV-\d+: 50\.00 USD of 120\.00 USD \(part payment\)/);
  }, 120_000);
});
