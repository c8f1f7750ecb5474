// Card payments the way a payer makes them, for the refund and payout tests: a payer with billing terms (from a
// quote, itself paid by card) signs in to the merchant's invoice pages and pays invoices by card on the sandbox
// checkout (the merchant's connected account), one checkout per invoice; Settle records each payment and posts it to
// the books.
import { randomBytes } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { beginCheckoutUpdate, completeCheckoutUpdate } from '../../workflows/quotes/definitions';
import { eventually } from './eventually';
import { formBrowser, type FormBrowser } from './form-browser';
import type { AccountingPlatform } from '../../activities/accounting/platform';
import { payerWithTerms, type PayerWithTerms } from './payer-invoices';
import { httpClient } from './http';
import { createTestMerchant } from './merchants';
import { startQuickBooks, type QuickBooksFixture } from './quickbooks';
import { acceptBody, CONNECT_WEBHOOK_SECRET, setUpQuoteMerchant, startQuoteWorld, TEST_QUOTE_TIMING, untilQuoteStatus, type QuoteMerchant, type QuoteWorld } from './quotes';
import { startTestStack } from './stack';
import { onboardStripeAccount, startStripe } from './stripe';

const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

export interface PaidInvoice {
  paymentId: string;
  paymentIntentId: string;
  invoiceId: string;
  payer: PayerWithTerms;
}

/** What the tests need of a world: the stack, Stripe, and the merchant's books (Xero or QuickBooks). */
export interface BooksWorld extends Pick<QuoteWorld, 'stack' | 'stripe'> {
  books: AccountingPlatform;
  /** The sales line of an invoice: a Xero account code or a QuickBooks Item id. */
  salesLine: string;
}
export type PayingMerchant = Pick<QuoteMerchant, 'merchantId' | 'stripeAccountId' | 'cpq' | 'merchant'>;

/** A quote world's Xero organisation as the books. */
export const xeroBooks = (world: QuoteWorld): BooksWorld => ({ stack: world.stack, stripe: world.stripe, books: world.xero.platform, salesLine: '200' });

/** A world and a merchant taking card payments into its books, Xero or QuickBooks, for tests run on both. */
export interface PayingWorld {
  world: BooksWorld;
  m: PayingMerchant;
  /** The payments the books hold against an invoice (cents, in the order they were made). */
  paymentsOf(invoiceId: string): number[];
  close(): Promise<void>;
}

/** The quote world (Xero) with a merchant set up through the API. */
export async function xeroPayingWorld(): Promise<PayingWorld & { quoteWorld: QuoteWorld }> {
  const q = await startQuoteWorld();
  const m = await setUpQuoteMerchant(q);
  return { quoteWorld: q, world: xeroBooks(q), m, paymentsOf: (id) => q.xero.ledger().paymentsOf(id).map((p) => p.amountCents), close: () => q.close() };
}

/** The stack on a QuickBooks company (emulator), with a merchant connected to it that takes cards. */
export async function quickBooksPayingWorld(): Promise<PayingWorld & { qb: QuickBooksFixture }> {
  const [qb, stripe] = await Promise.all([startQuickBooks(), startStripe()]);
  const endpoint = { apiBase: qb.emu.endpoint, tokenUrl: qb.emu.tokenUrl, clientId: 'settle', clientSecret: 'secret' };
  const stack = await startTestStack({ endpoints: { xero: endpoint, quickbooks: endpoint },
    stripe: { stripe: stripe.stripe, publishableKey: stripe.publishableKey, connectWebhookSecret: CONNECT_WEBHOOK_SECRET }, quoteTiming: TEST_QUOTE_TIMING });
  const created = await createTestMerchant(stack, `QBO MSP ${randomBytes(3).toString('hex')}`);
  await stack.accounting.connections.connect(created.merchantId, 'wise-pay', { platform: 'quickbooks', tenantId: qb.realmId, tokens: qb.emu.oauth.issue(qb.realmId) });
  const merchant = httpClient(stack.api!.url, created.apiKey);
  await merchant('PUT', '/v1/payment-methods', { body: { methods: ['card'] } });
  await merchant('PUT', '/v1/integrations/cpq', { body: { enabled: true, allowedMethods: ['card'] } });
  const cpq = httpClient(stack.api!.url, (await merchant('POST', '/v1/integrations/cpq/api-key')).body.apiKey);
  const m = { merchantId: created.merchantId, stripeAccountId: await onboardStripeAccount(stack.api!.url, created.apiKey), merchant, cpq };
  return {
    qb, world: { stack, stripe, books: qb.platform as AccountingPlatform, salesLine: '1' }, m,
    paymentsOf: (id) => [...qb.realm().payments.values()].flatMap((p) => p.lines.filter((l) => l.txnType === 'Invoice' && l.txnId === id).map((l) => l.amountCents)),
    close: async () => {
      await stack.close();
      await Promise.all([qb.close(), stripe.close()]);
    },
  };
}

export interface SignedInPayer {
  payer: PayerWithTerms;
  b: FormBrowser;
}

export async function signedInPayer(world: BooksWorld, m: PayingMerchant): Promise<SignedInPayer> {
  const payer = await payerWithTerms(world, m);
  const b = formBrowser(world.stack.api!.url);
  const password = `pw ${randomBytes(8).toString('hex')}`;
  await b.post('/pay/set-password', { token: payer.passwordToken, password, confirmation: password });
  await b.post(`/pay/m/${m.merchantId}/invoices/login`, { email: payer.email, password });
  return { payer, b };
}

/** Invoices for the payer's contact, copied into Settle (what the invoice pages list). */
export async function invoicesFor(world: BooksWorld, m: PayingMerchant, p: SignedInPayer, amountsMinor: number[]): Promise<string[]> {
  const ids: string[] = [];
  for (const amount of amountsMinor) {
    const invoice = await world.books.createInvoice({ contactId: p.payer.contactId, date: inDays(10), dueDate: inDays(10), currency: 'USD', status: 'authorised',
      lines: [{ description: 'Managed services', quantity: 1, unitAmountMinor: amount, accountCode: world.salesLine, taxType: 'NONE' }] }, `inv-${randomBytes(8).toString('hex')}`);
    ids.push(invoice.id);
  }
  const refreshed = await m.merchant('POST', '/v1/accounting/refresh');
  if (refreshed.status !== 202) throw new Error(`refresh: ${refreshed.status}`);
  await eventually('invoices copied', () => world.stack.db.selectFrom('accounting_invoices').select('id').where('id', 'in', ids).execute(), (r) => r.length === ids.length);
  return ids;
}

/** Pays one copied invoice by card on the sandbox checkout; the payment once it is posted to the books. */
export async function payInvoice(world: BooksWorld, m: PayingMerchant, p: SignedInPayer, invoiceId: string, testMethod = 'pm_card_visa'): Promise<PaidInvoice> {
  const base = `/pay/m/${m.merchantId}/invoices`;
  const pay = await p.b.post(`${base}/pay`, [['invoice', invoiceId], ['method', 'card']]);
  const checkoutId = /\/checkouts\/(chk_[0-9a-f]{24})$/.exec(pay.location ?? '')?.[1];
  if (!checkoutId) throw new Error(`pay: ${pay.status} ${pay.location}`);
  const confirmed = await p.b.post(`${base}/checkouts/${checkoutId}/sandbox-confirm`, { payment_method: testMethod });
  await p.b.get(confirmed.location);
  const payment = await eventually('payment synced', () => world.stack.db.selectFrom('payments').selectAll().where('merchant_id', '=', m.merchantId)
    .where('applications', '@>', JSON.stringify([{ invoiceId }]) as never).executeTakeFirst(), (row) => row?.sync_status === 'synced');
  return { paymentId: payment!.id, paymentIntentId: payment!.stripe_payment_intent_id!, invoiceId, payer: p.payer };
}

/** A new payer who pays one invoice of `amountMinor` by card. */
export async function payInvoiceByCard(world: BooksWorld, m: PayingMerchant, amountMinor: number, testMethod = 'pm_card_visa'): Promise<PaidInvoice> {
  const p = await signedInPayer(world, m);
  const [invoiceId] = await invoicesFor(world, m, p, [amountMinor]);
  return payInvoice(world, m, p, invoiceId, testMethod);
}

export interface PaidQuote {
  quotePaymentId: string;
  paymentIntentId: string;
  contactId: string;
  /** The quote payment's own invoice (reference PF) in the books, and its credit note. */
  invoiceId: string;
  creditNoteId: string;
  handle: WorkflowHandle;
}

/** A CPQ quote accepted and paid by card as a guest on its Pay Now page; once it is posted to the books. */
export async function payQuoteByCard(world: Pick<BooksWorld, 'stack' | 'stripe'>, m: PayingMerchant, amount = '1250.00'): Promise<PaidQuote> {
  const accepted = await m.cpq('POST', '/v1/cpq/quote-payments', { body: acceptBody({ oneTime: { amount, currency: 'USD' } }) });
  if (accepted.status !== 201) throw new Error(`accept: ${accepted.status} ${JSON.stringify(accepted.body)}`);
  const handle = world.stack.client.workflow.getHandle(`quote-payment/${m.merchantId}/${accepted.body.quoteId}`);
  const { paymentIntentId } = await handle.executeUpdate(beginCheckoutUpdate, { args: [{ checkout: 'guest', method: 'card' }] });
  await world.stripe.stripe.paymentIntents.confirm(paymentIntentId, { payment_method: 'pm_card_visa' }, { stripeAccount: m.stripeAccountId });
  await handle.executeUpdate(completeCheckoutUpdate, { args: [{ paymentIntentId }] });
  const state = await untilQuoteStatus(handle, 'awaiting-downpayment-invoice');
  return { quotePaymentId: state.quotePaymentId, paymentIntentId, contactId: state.contactId!, invoiceId: state.invoice!.id, creditNoteId: state.creditNote!.id, handle };
}

/**
 * A CPQ quote accepted and paid by card as a guest through its Pay Now pages (the sandbox checkout), so a merchant's
 * card surcharge applies as it does for a payer; once it is posted to the books (surcharge included, when there is one).
 */
export async function payQuoteOnPage(world: Pick<BooksWorld, 'stack' | 'stripe'>, m: PayingMerchant, amount: string, testMethod = 'pm_card_visa'): Promise<PaidQuote> {
  const accepted = await m.cpq('POST', '/v1/cpq/quote-payments', { body: acceptBody({ oneTime: { amount, currency: 'USD' } }) });
  if (accepted.status !== 201) throw new Error(`accept: ${accepted.status} ${JSON.stringify(accepted.body)}`);
  const b = formBrowser(world.stack.api!.url);
  const at = new URL(accepted.body.payNowUrl).pathname;
  await b.post(`${at}/guest`, {});
  await b.post(`${at}/checkout`, { method: 'card' });
  const confirmed = await b.post(`${at}/sandbox-confirm`, { payment_method: testMethod });
  if (confirmed.status !== 303) throw new Error(`sandbox-confirm: ${confirmed.status}`);
  await b.get(confirmed.location);
  const handle = world.stack.client.workflow.getHandle(`quote-payment/${m.merchantId}/${accepted.body.quoteId}`);
  const state = await untilQuoteStatus(handle, 'awaiting-downpayment-invoice', (s) => !s.surcharge?.surchargeMinor || s.surchargeSync !== undefined);
  return { quotePaymentId: state.quotePaymentId, paymentIntentId: state.paymentIntentId!, contactId: state.contactId!, invoiceId: state.invoice!.id, creditNoteId: state.creditNote!.id, handle };
}
