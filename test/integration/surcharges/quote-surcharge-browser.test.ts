// A card surcharge on a CPQ quote's Pay Now checkout, in a real browser (headless Chromium) against the whole stack
// (Temporal, Postgres, workers, API) with the Xero and Stripe emulators. The merchant surcharges Visa 3 % + 0.30 (its
// 3 % maximum wins); a guest payer picks a Visa debit card (no surcharge: US rules, told why), then a Visa credit
// card, sees the surcharge and the total before confirming, pays, and lands back on the quote in CPQ. Stripe holds
// ONE payment of the total; in Xero the quote's PF invoice and credit note keep the quote's amount exactly, and the
// surcharge is its own invoice on the surcharge account and tax code, paid. A page that skips the review pays what
// the server computes for the card confirmed.
import type { Browser } from 'playwright-core';
import { quotePaymentStateQuery, quotePaymentWorkflowId } from '../../../workflows/quotes/definitions';
import { artifactPath, chromiumExecutable, NO_CHROMIUM_MESSAGE } from '../../support/browser';
import { openQuoteAsGuestByCard, startQuoteBrowserWorld, type CpqReturnPage } from '../../support/cpq-return';
import { formBrowser } from '../../support/form-browser';
import { payQuoteByCard } from '../../support/refunds';
import { decodePayloadsInPlace, recordHistory } from '../../support/histories';
import { acceptBody, untilQuoteStatus, type QuoteMerchant, type QuoteWorld } from '../../support/quotes';

const executablePath = chromiumExecutable();
if (!executablePath) console.warn(NO_CHROMIUM_MESSAGE);

let world: QuoteWorld;
let m: QuoteMerchant;
let browser: Browser;
let cpq: CpqReturnPage;
let close: (() => Promise<void>) | undefined;
const intentsOf = (quotePaymentId: string) => [...world.stripe.emu.state.all()].flatMap((a) => [...a.paymentIntents.values()])
  .filter((i) => i.metadata?.settle_quote_payment_id === quotePaymentId);
const chargesOf = (intentId: string) => [...world.stripe.emu.state.all()].flatMap((a) => [...a.charges.values()]).filter((c) => c.payment_intent === intentId);

(executablePath ? describe : describe.skip)('quote surcharges in Chromium', () => {
  beforeAll(async () => {
    ({ world, m, browser, cpq, close } = await startQuoteBrowserWorld(executablePath!));
    const saved = await m.merchant('PUT', '/v1/merchant/settings/surcharges', { body: {
      enabled: true, currency: 'USD', merchantCountry: 'US', merchantState: 'NY',
      cards: { visa: { percent: '3.00', fixed: '0.30' }, amex: { percent: '2.00', fixed: '0.00' } },
      books: { revenueAccountCode: '260', taxCode: 'NONE' }, refundSurcharge: true,
    } });
    expect(saved.status).toBe(200);
  });
  afterAll(() => close?.());

  it('shows the surcharge for the card chosen before the payer confirms, charges quote + surcharge once, and books the surcharge apart', async () => {
    const { quoteId, handle, page, refused } = await openQuoteAsGuestByCard({ world, m, browser, cpq }, '200.00');
    await page.locator('#sandbox-checkout').waitFor();
    await page.screenshot({ path: artifactPath('quote-surcharge-1-choose-card.png'), fullPage: true });
    expect(await page.textContent('#sandbox-checkout')).toContain('card surcharge');

    // A US debit card: no surcharge, and the payer is told why.
    await page.getByRole('button', { name: 'Visa debit (US)' }).click();
    await page.waitForSelector('#surcharge-breakdown');
    await page.screenshot({ path: artifactPath('quote-surcharge-2-debit-none.png'), fullPage: true });
    expect(await page.textContent('#amount-before')).toBe('200.00 USD');
    expect(await page.textContent('#surcharge')).toBe('0.00 USD');
    expect(await page.textContent('#total')).toBe('200.00 USD');
    expect(await page.textContent('#surcharge-why')).toContain('debit and prepaid cards may not be surcharged');

    // Another card: a US Visa credit card, 3 % + 0.30 capped at the 3 % maximum.
    await page.getByRole('link', { name: 'Use another card' }).click();
    await page.getByRole('button', { name: 'Visa credit (US)' }).click();
    await page.waitForSelector('#surcharge-breakdown');
    await page.screenshot({ path: artifactPath('quote-surcharge-3-visa-credit.png'), fullPage: true });
    expect(await page.textContent('#surcharge-breakdown')).toContain(`Quote ${quoteId}`);
    expect(await page.textContent('#surcharge')).toBe('6.00 USD');
    expect(await page.textContent('#total')).toBe('206.00 USD');
    const { quotePaymentId } = await handle.query(quotePaymentStateQuery);
    expect(intentsOf(quotePaymentId)).toHaveLength(1);
    expect(intentsOf(quotePaymentId)[0]).toMatchObject({ amount: 206_00, status: 'requires_confirmation' });

    await page.getByRole('button', { name: 'Pay 206.00 USD' }).click();
    await page.waitForURL((url) => url.href.startsWith(cpq.url));
    await page.locator('#back').waitFor();
    expect(Object.fromEntries(cpq.returns.at(-1)!)).toEqual({ settle_status: 'paid', quote_id: quoteId });
    expect(refused).toEqual([]);
    await page.close();

    // Stripe: one intent, one successful charge, of the total.
    const [intent] = intentsOf(quotePaymentId);
    expect(intent).toMatchObject({ amount: 206_00, amount_received: 206_00, status: 'succeeded', metadata: expect.objectContaining({ settle_surcharge_minor: '600' }) });
    expect(chargesOf(intent.id).filter((c) => c.status === 'succeeded').map((c) => c.amount)).toEqual([206_00]);

    // The books: the PF invoice is paid exactly the quote's amount, its credit note is the quote's amount…
    const state = await untilQuoteStatus(handle, 'awaiting-downpayment-invoice', (s) => s.surchargeSync !== undefined);
    expect(state).toMatchObject({ amountMinor: 200_00, surchargeSync: 'synced', surcharge: { surchargeMinor: 600, totalMinor: 206_00, method: { brand: 'visa', funding: 'credit', country: 'US' } } });
    const ledger = world.xero.ledger();
    expect(ledger.invoices.get(state.invoice!.id)).toMatchObject({ totalCents: 200_00 });
    expect(ledger.amountDue(ledger.invoices.get(state.invoice!.id)!)).toBe(0);
    expect(ledger.paymentsOf(state.invoice!.id).map((p) => p.amountCents)).toEqual([200_00]);
    expect(ledger.creditNotes.get(state.creditNote!.id)).toMatchObject({ totalCents: 200_00 });
    // …and the surcharge is its own invoice to the same customer, on the surcharge account and tax code, paid.
    const row = await world.stack.db.selectFrom('payment_surcharges').selectAll().where('quote_payment_id', '=', quotePaymentId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ payment_id: null, surcharge_minor: 600, currency: 'USD', sync_status: 'synced' });
    const surchargeInvoice = ledger.invoices.get(row.accounting_invoice_id!)!;
    expect(surchargeInvoice).toMatchObject({ contactId: state.contactId, totalCents: 600, currency: 'USD' });
    expect(surchargeInvoice.lines.map((l) => [l.accountCode, l.taxType, l.lineAmountCents])).toEqual([['260', 'NONE', 600]]);
    expect(ledger.amountDue(surchargeInvoice)).toBe(0);
    expect(ledger.paymentsOf(surchargeInvoice.id).map((p) => p.amountCents)).toEqual([600]);

    const history = await handle.fetchHistory();
    await decodePayloadsInPlace(history, handle.client.options.loadedDataConverter.payloadCodecs);
    const patches = history.events!.flatMap((e) => e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads ?? []).map((p) => Buffer.from(p.data ?? []).toString());
    expect(patches.some((p) => p.includes('quote-surcharges'))).toBe(true);
    await recordHistory(handle, 'quotePaymentWorkflow.surcharge');
  }, 60_000);

  it('charges what the server computes for the card confirmed, whatever the page skipped or said', async () => {
    const accepted = await m.cpq('POST', '/v1/cpq/quote-payments', { body: acceptBody({ returnUrl: cpq.url, oneTime: { amount: '50.00', currency: 'USD' } }) });
    const b = formBrowser(world.stack.api!.url);
    const at = new URL(accepted.body.payNowUrl).pathname;
    expect((await b.post(`${at}/guest`, {})).status).toBe(303);
    expect((await b.post(`${at}/checkout`, { method: 'card' })).status).toBe(303);
    // A payment method that is not one offered is refused; an Amex posted straight to confirm pays its 2 % surcharge.
    expect((await b.post(`${at}/sandbox-confirm`, { payment_method: 'pm_1NotReviewed' })).status).toBe(409);
    const confirmed = await b.post(`${at}/sandbox-confirm`, { payment_method: 'pm_card_amex', surcharge: '0', amount: '50.00' });
    expect(confirmed.status).toBe(303);
    await b.get(confirmed.location);
    const handle = world.stack.client.workflow.getHandle(quotePaymentWorkflowId(m.merchantId, accepted.body.quoteId));
    const state = await untilQuoteStatus(handle, 'awaiting-downpayment-invoice', (s) => s.surchargeSync !== undefined);
    expect(state.surcharge).toMatchObject({ surchargeMinor: 100, totalMinor: 51_00, method: { brand: 'amex' } });
    expect(intentsOf(state.quotePaymentId)).toEqual([expect.objectContaining({ amount: 51_00, amount_received: 51_00, status: 'succeeded' })]);
    expect(world.xero.ledger().paymentsOf(state.invoice!.id).map((p) => p.amountCents)).toEqual([50_00]);
  }, 60_000);

  it('puts a card payment confirmed without the review (as a page that skips it with Stripe.js would) to the merchant as an Action', async () => {
    // Confirmed straight at Stripe, as a browser that never asked the server for the surcharge would: no surcharge was charged.
    const paid = await payQuoteByCard(world, m, '40.00');
    expect(intentsOf((await paid.handle.query(quotePaymentStateQuery)).quotePaymentId)[0]).toMatchObject({ amount: 40_00, status: 'succeeded' });
    const actions = await world.stack.db.selectFrom('merchant_actions').select(['kind', 'detail']).where('merchant_id', '=', m.merchantId).where('subject', '=', paid.paymentIntentId).execute();
    expect(actions).toEqual([{ kind: 'surcharge-not-reviewed', detail: expect.stringContaining('without the surcharge review') }]);
    // A reviewed payment raises none (the first test's and the second's).
    expect(await world.stack.db.selectFrom('merchant_actions').select('subject').where('merchant_id', '=', m.merchantId).where('kind', '=', 'surcharge-not-reviewed').execute()).toHaveLength(1);
  }, 60_000);

  it('tells a payer by bank debit, before paying, that bank debits carry no surcharge', async () => {
    const accepted = await m.cpq('POST', '/v1/cpq/quote-payments', { body: acceptBody({ returnUrl: cpq.url, oneTime: { amount: '75.00', currency: 'USD' } }) });
    const b = formBrowser(world.stack.api!.url);
    const at = new URL(accepted.body.payNowUrl).pathname;
    expect((await b.post(`${at}/register`, { name: 'Bank Payer', email: `bank.${Date.now()}@payer.example`, phone: '' })).status).toBe(303);
    expect((await b.post(`${at}/checkout`, { method: 'bank_debit' })).status).toBe(303);
    const pay = await b.get(`${at}/pay`);
    expect(pay.status).toBe(200);
    expect(pay.text).toContain('No surcharge: bank debits are not surcharged.');
    expect(pay.text).toContain('75.00 USD');
  }, 60_000);
});
