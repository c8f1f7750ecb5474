// The real (non-sandbox) Stripe.js checkout with a card surcharge, in headless Chromium against the whole stack and
// the Stripe emulator's small Stripe.js (served at /_emulator/js/v3 and pointed at by the API's config, as the page
// would load js.stripe.com/v3). The payer types a card; Stripe.js makes the PaymentMethod; the server works out the
// surcharge for it (the workflow's applySurcharge) and sets the one PaymentIntent to the total; the page shows it;
// Stripe.js confirms the intent from the browser with the publishable key. A debit card is told why there is none.
import type { Browser } from 'playwright-core';
import { quotePaymentStateQuery } from '../../../workflows/quotes/definitions';
import { artifactPath, chromiumExecutable, cspRefusals, NO_CHROMIUM_MESSAGE } from '../../support/browser';
import { openQuoteAsGuestByCard, startQuoteBrowserWorld, type CpqReturnPage } from '../../support/cpq-return';
import { eventually } from '../../support/eventually';
import { invoiceFor, payerWithTerms, signInOnInvoicePages } from '../../support/payer-invoices';
import { accountingRefreshWorkflowId } from '../../../workflows/accounting-data/definitions';
import { invoicePaymentWorkflowId, type InvoicePaymentState } from '../../../workflows/invoice-payments/definitions';
import { untilQuoteStatus, type QuoteMerchant, type QuoteWorld } from '../../support/quotes';

const executablePath = chromiumExecutable();
if (!executablePath) console.warn(NO_CHROMIUM_MESSAGE);

let world: QuoteWorld;
let m: QuoteMerchant;
let browser: Browser;
let cpq: CpqReturnPage;
let close: (() => Promise<void>) | undefined;
const intentsOf = (quotePaymentId: string) => [...world.stripe.emu.state.all()].flatMap((a) => [...a.paymentIntents.values()])
  .filter((i) => i.metadata?.settle_quote_payment_id === quotePaymentId);

(executablePath ? describe : describe.skip)('surcharges on the Stripe.js checkout in Chromium', () => {
  beforeAll(async () => {
    ({ world, m, browser, cpq, close } = await startQuoteBrowserWorld(executablePath!, { stripeJs: true }));
    const saved = await m.merchant('PUT', '/v1/merchant/settings/surcharges', { body: {
      enabled: true, currency: 'USD', merchantCountry: 'US', merchantState: 'NY', cards: { visa: { percent: '3.00', fixed: '0.30' } },
      books: { revenueAccountCode: '260', taxCode: 'NONE' }, refundSurcharge: true,
    } });
    expect(saved.status).toBe(200);
  });
  afterAll(() => close?.());

  it('makes the PaymentMethod with Stripe.js, shows the server\'s surcharge and total, and confirms the one intent with Stripe.js', async () => {
    const requests = world.stripe.emu.recordRequests();
    const { quoteId, handle, page, refused } = await openQuoteAsGuestByCard({ world, m, browser, cpq }, '200.00');
    await page.getByLabel('Card number').waitFor();
    expect(await page.locator('#sandbox-checkout').count()).toBe(0); // the real checkout, not the sandbox's

    // A US debit card: no surcharge, and why.
    await page.getByLabel('Card number').fill('4000 0566 5566 5556');
    await page.getByRole('button', { name: 'Review the total' }).click();
    await page.locator('#surcharge-review').waitFor();
    await page.screenshot({ path: artifactPath('stripe-js-surcharge-1-debit.png'), fullPage: true });
    expect(await page.textContent('#surcharge')).toBe('0.00 USD');
    expect(await page.textContent('#total')).toBe('200.00 USD');
    expect(await page.textContent('#surcharge-why')).toContain('debit and prepaid cards may not be surcharged');

    // Another card: a US Visa credit card, surcharged 3 % (its 3 % + 0.30 capped by the merchant's maximum).
    await page.getByRole('link', { name: 'Use another card' }).click();
    await page.getByLabel('Card number').fill('4242 4242 4242 4242');
    await page.getByRole('button', { name: 'Review the total' }).click();
    await page.getByRole('button', { name: 'Pay 206.00 USD' }).waitFor();
    await page.screenshot({ path: artifactPath('stripe-js-surcharge-2-visa-credit.png'), fullPage: true });
    expect(await page.textContent('#amount-before')).toBe('200.00 USD');
    expect(await page.textContent('#surcharge')).toBe('6.00 USD');
    expect(await page.textContent('#surcharge-card')).toBe('(Visa credit card issued in US)');
    const { quotePaymentId } = await handle.query(quotePaymentStateQuery);
    expect(intentsOf(quotePaymentId)).toEqual([expect.objectContaining({ amount: 206_00, status: 'requires_confirmation' })]);

    await page.getByRole('button', { name: 'Pay 206.00 USD' }).click();
    await page.waitForURL((url) => url.href.startsWith(cpq.url));
    expect(Object.fromEntries(cpq.returns.at(-1)!)).toEqual({ settle_status: 'paid', quote_id: quoteId });
    expect(refused).toEqual([]);
    await page.close();

    const [intent] = intentsOf(quotePaymentId);
    expect(intent).toMatchObject({ amount: 206_00, amount_received: 206_00, status: 'succeeded', payment_method: (await handle.query(quotePaymentStateQuery)).surcharge?.paymentMethodId });
    // Stripe.js, not Settle, made the PaymentMethods and confirmed: with the publishable key, from the browser.
    const browserCalls = requests.filter((r) => r.caller === 'publishable').map((r) => `${r.method} ${r.path}`);
    expect(browserCalls).toEqual(['POST /v1/payment_methods', 'POST /v1/payment_methods', `POST /v1/payment_intents/${intent.id}/confirm`]);
    const state = await untilQuoteStatus(handle, 'awaiting-downpayment-invoice', (s) => s.surchargeSync !== undefined);
    expect(state).toMatchObject({ amountMinor: 200_00, surchargeSync: 'synced', surcharge: { surchargeMinor: 600, totalMinor: 206_00 } });
    expect(world.xero.ledger().paymentsOf(state.invoice!.id).map((p) => p.amountCents)).toEqual([200_00]);
  }, 60_000);

  it('does the same on the Pay Now invoice checkout: one intent of invoice + surcharge, confirmed by Stripe.js', async () => {
    const p = await payerWithTerms(world, m);
    const invoice = await invoiceFor(world, p.contactId, 100_00, new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10));
    expect((await m.merchant('POST', '/v1/accounting/refresh')).status).toBe(202);
    await world.stack.client.workflow.getHandle(accountingRefreshWorkflowId(m.merchantId)).result();
    const page = await browser.newPage({ viewport: { width: 900, height: 1000 } });
    const refused = cspRefusals(page);
    await signInOnInvoicePages(page, world.stack.api!.url, m.merchantId, p, 'correct horse battery staple');
    await page.check(`#invoice-${invoice.id}`);
    await page.getByRole('button', { name: 'Pay selected' }).click();
    await page.waitForURL(/\/checkouts\/chk_[0-9a-f]{24}$/);
    const checkoutId = /\/checkouts\/(chk_[0-9a-f]{24})$/.exec(page.url())![1];
    await page.getByLabel('Card number').fill('4242424242424242');
    await page.getByRole('button', { name: 'Review the total' }).click();
    await page.getByRole('button', { name: 'Pay 103.00 USD' }).waitFor();
    await page.screenshot({ path: artifactPath('stripe-js-surcharge-3-invoice.png'), fullPage: true });
    expect(await page.textContent('#surcharge')).toBe('3.00 USD');
    await page.getByRole('button', { name: 'Pay 103.00 USD' }).click();
    await page.waitForURL(new RegExp(`\\?checkout=${checkoutId}$`));
    expect(refused).toEqual([]);
    await page.close();
    const handle = world.stack.client.workflow.getHandle(invoicePaymentWorkflowId(m.merchantId, checkoutId));
    const state = await eventually('the checkout is paid', () => handle.query<InvoicePaymentState>('invoicePaymentState'), (s) => s.status === 'paid' && s.surchargeSync !== undefined);
    expect(state).toMatchObject({ amountMinor: 100_00, surchargeSync: 'synced', surcharge: { surchargeMinor: 300, totalMinor: 103_00 } });
    const intents = [...world.stripe.emu.state.all()].flatMap((a) => [...a.paymentIntents.values()]).filter((i) => i.metadata?.settle_checkout_id === checkoutId);
    expect(intents).toEqual([expect.objectContaining({ amount: 103_00, amount_received: 103_00, status: 'succeeded', payment_method: state.surcharge!.paymentMethodId })]);
    expect(world.xero.ledger().paymentsOf(invoice.id).map((x) => x.amountCents)).toEqual([100_00]);
  }, 60_000);
});
