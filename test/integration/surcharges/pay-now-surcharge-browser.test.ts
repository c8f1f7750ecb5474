// A card surcharge on the Pay Now invoice pages, in a real browser (headless Chromium) against the whole stack
// (Temporal, Postgres, workers, API) with the Xero and Stripe emulators. The merchant surcharges Visa 3 % + 0.30
// (its 3 % maximum wins) and Amex 2 %; a payer picks a Visa debit card (no surcharge: US rules), then a Visa credit
// card, sees the surcharge and the total before confirming, and pays: Stripe holds ONE payment of the total, the
// invoice is paid exactly in Xero. A form posted straight to confirm (skipping the review) is charged what the
// server computes for that card, never what the page says.
import { chromium, type Browser } from 'playwright-core';
import { invoicePaymentWorkflowId, type InvoicePaymentState } from '../../../workflows/invoice-payments/definitions';
import { accountingRefreshWorkflowId } from '../../../workflows/accounting-data/definitions';
import { artifactPath, chromiumExecutable, cspRefusals, NO_CHROMIUM_MESSAGE } from '../../support/browser';
import { eventually } from '../../support/eventually';
import { formBrowser } from '../../support/form-browser';
import { recordHistory } from '../../support/histories';
import { invoiceFor, payerWithTerms, signInOnInvoicePages } from '../../support/payer-invoices';
import { setUpQuoteMerchant, startQuoteWorld, type QuoteMerchant, type QuoteWorld } from '../../support/quotes';

const executablePath = chromiumExecutable();
if (!executablePath) console.warn(NO_CHROMIUM_MESSAGE);

let world: QuoteWorld;
let m: QuoteMerchant;
let browser: Browser;
let base: string;
const PASSWORD = 'correct horse battery staple';
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
const intentsOf = (checkoutId: string) => [...world.stripe.emu.state.all()].flatMap((a) => [...a.paymentIntents.values()]).filter((i) => i.metadata?.settle_checkout_id === checkoutId);
const chargesOf = (intentId: string) => [...world.stripe.emu.state.all()].flatMap((a) => [...a.charges.values()]).filter((c) => c.payment_intent === intentId);
const stateOf = (checkoutId: string) => world.stack.client.workflow.getHandle(invoicePaymentWorkflowId(m.merchantId, checkoutId)).query<InvoicePaymentState>('invoicePaymentState');

async function refreshCopies() {
  expect((await m.merchant('POST', '/v1/accounting/refresh')).status).toBe(202);
  await world.stack.client.workflow.getHandle(accountingRefreshWorkflowId(m.merchantId)).result();
}

(executablePath ? describe : describe.skip)('Pay Now surcharges in Chromium', () => {
  beforeAll(async () => {
    [world, browser] = await Promise.all([startQuoteWorld(), chromium.launch({ executablePath })]);
    m = await setUpQuoteMerchant(world);
    base = `/pay/m/${m.merchantId}/invoices`;
    const saved = await m.merchant('PUT', '/v1/merchant/settings/surcharges', { body: {
      enabled: true, currency: 'USD', merchantCountry: 'US', merchantState: 'NY',
      cards: { visa: { percent: '3.00', fixed: '0.30' }, amex: { percent: '2.00', fixed: '0.00' } },
      books: { revenueAccountCode: '260', taxCode: 'NONE' }, refundSurcharge: false,
    } });
    expect(saved.status).toBe(200);
  });
  afterAll(async () => {
    await browser?.close();
    await world?.close();
  });

  it('shows the surcharge for the card chosen before the payer confirms, and charges the total in one payment', async () => {
    const p = await payerWithTerms(world, m);
    const invoice = await invoiceFor(world, p.contactId, 100_00, inDays(10));
    await refreshCopies();

    const page = await browser.newPage({ viewport: { width: 900, height: 1000 } });
    const refused = cspRefusals(page);
    await signInOnInvoicePages(page, world.stack.api!.url, m.merchantId, p, PASSWORD);
    await page.check(`#invoice-${invoice.id}`);
    await page.getByRole('button', { name: 'Pay selected' }).click();
    await page.waitForURL(/\/checkouts\/chk_[0-9a-f]{24}$/);
    const checkoutId = /\/checkouts\/(chk_[0-9a-f]{24})$/.exec(page.url())![1];
    await page.screenshot({ path: artifactPath('surcharge-1-choose-card.png'), fullPage: true });
    expect(await page.textContent('#sandbox-checkout')).toContain('card surcharge');

    // A US debit card: no surcharge, and the payer is told why.
    await page.getByRole('button', { name: 'Visa debit (US)' }).click();
    await page.waitForSelector('#surcharge-breakdown');
    await page.screenshot({ path: artifactPath('surcharge-2-debit-none.png'), fullPage: true });
    expect(await page.textContent('#surcharge')).toBe('0.00 USD');
    expect(await page.textContent('#total')).toBe('100.00 USD');
    expect(await page.textContent('#surcharge-why')).toContain('debit and prepaid cards may not be surcharged');

    // Another card: a US Visa credit card, 3 % + 0.30 capped at the 3 % maximum.
    await page.getByRole('link', { name: 'Use another card' }).click();
    await page.getByRole('button', { name: 'Visa credit (US)' }).click();
    await page.waitForSelector('#surcharge-breakdown');
    await page.screenshot({ path: artifactPath('surcharge-3-visa-credit.png'), fullPage: true });
    expect(await page.textContent('#amount-before')).toBe('100.00 USD');
    expect(await page.textContent('#surcharge')).toBe('3.00 USD');
    expect(await page.textContent('#total')).toBe('103.00 USD');
    expect(intentsOf(checkoutId)).toHaveLength(1);
    expect(intentsOf(checkoutId)[0]).toMatchObject({ amount: 103_00, status: 'requires_confirmation' });

    await page.getByRole('button', { name: 'Pay 103.00 USD' }).click();
    await page.waitForURL(new RegExp(`\\?checkout=${checkoutId}$`));
    await eventually('the checkout is paid', () => stateOf(checkoutId), (s) => s.status === 'paid');
    await page.reload();
    await page.screenshot({ path: artifactPath('surcharge-4-paid.png'), fullPage: true });
    expect(await page.textContent('.notice')).toContain('your payment of 103.00 USD (including a 3.00 USD card surcharge)');
    expect(refused).toEqual([]);

    // Stripe: one intent, one successful charge, of the total.
    const [intent] = intentsOf(checkoutId);
    expect(intentsOf(checkoutId)).toHaveLength(1);
    expect(intent).toMatchObject({ amount: 103_00, amount_received: 103_00, status: 'succeeded', metadata: expect.objectContaining({ settle_surcharge_minor: '300' }) });
    expect(chargesOf(intent.id).filter((c) => c.status === 'succeeded').map((c) => c.amount)).toEqual([103_00]);
    const state = await stateOf(checkoutId);
    expect(state).toMatchObject({ amountMinor: 100_00, surcharge: { surchargeMinor: 300, totalMinor: 103_00, method: { kind: 'card', brand: 'visa', funding: 'credit', country: 'US' } } });
    // The books: the invoice is paid exactly (the surcharge is not applied to it).
    expect(await eventually('the invoice is paid in Xero', () => world.xero.platform.getInvoice(invoice.id), (i) => i?.amountDueMinor === 0)).toMatchObject({ amountDueMinor: 0, totalMinor: 100_00, status: 'paid' });
    const ledger = world.xero.emu.state.tenant(world.xero.tenantId);
    expect([...ledger.payments.values()].filter((p) => p.invoiceId === invoice.id).map((p) => p.amountCents)).toEqual([100_00]);
    // …and the surcharge is its own invoice to the same customer, on the surcharge revenue account and tax code, paid.
    const done = await eventually('the surcharge is in the books', () => stateOf(checkoutId), (s) => s.surchargeSync !== undefined);
    expect(done.surchargeSync).toBe('synced');
    const row = await world.stack.db.selectFrom('payment_surcharges').selectAll().where('payment_id', '=', done.paymentId!).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ surcharge_minor: 300, currency: 'USD', sync_status: 'synced' });
    const surchargeInvoice = ledger.invoices.get(row.accounting_invoice_id!)!;
    expect(surchargeInvoice).toMatchObject({ contactId: p.contactId, totalCents: 300, currency: 'USD' });
    expect(surchargeInvoice.lines.map((l) => [l.accountCode, l.taxType, l.lineAmountCents])).toEqual([['260', 'NONE', 300]]);
    expect(ledger.amountDue(surchargeInvoice)).toBe(0);
    const surchargePayments = [...ledger.payments.values()].filter((p) => p.invoiceId === surchargeInvoice.id);
    expect(surchargePayments.map((p) => p.amountCents)).toEqual([300]);
    await recordHistory(world.stack.client.workflow.getHandle(invoicePaymentWorkflowId(m.merchantId, checkoutId)), 'invoicePaymentWorkflow.surcharge');
  });

  it('charges what the server computes for the card confirmed, whatever the page skipped', async () => {
    const p = await payerWithTerms(world, m);
    const invoice = await invoiceFor(world, p.contactId, 50_00, inDays(10));
    await refreshCopies();
    const b = formBrowser(world.stack.api!.url);
    expect((await b.post('/pay/set-password', { token: p.passwordToken, password: PASSWORD, confirmation: PASSWORD })).status).toBe(303);
    expect((await b.post(`${base}/login`, { email: p.email, password: PASSWORD })).status).toBe(303);
    const opened = await b.post(`${base}/pay`, [['invoice', invoice.id], ['method', 'card']]);
    const checkoutId = /\/checkouts\/(chk_[0-9a-f]{24})$/.exec(opened.location)![1];
    const at = `${base}/checkouts/${checkoutId}`;
    // A payment method that is not one offered is refused; an Amex posted straight to confirm pays its 2 % surcharge.
    expect((await b.post(`${at}/sandbox-confirm`, { payment_method: 'pm_1NotReviewed' })).status).toBe(409);
    const confirmed = await b.post(`${at}/sandbox-confirm`, { payment_method: 'pm_card_amex', surcharge: '0', amount: '50.00' });
    expect(confirmed.status).toBe(303);
    await b.get(confirmed.location);
    await eventually('the checkout is paid', () => stateOf(checkoutId), (s) => s.status === 'paid');
    const [intent] = intentsOf(checkoutId);
    expect(intent).toMatchObject({ amount: 51_00, amount_received: 51_00, status: 'succeeded' });
    expect((await stateOf(checkoutId)).surcharge).toMatchObject({ surchargeMinor: 100, method: { brand: 'amex' } });
  });
});
