// A quote paid by card for a merchant whose books are in QuickBooks Online: the same workflow books a credit memo
// (QuickBooks' credit note) and a quote payment invoice paid into the bank account, both with reference PF, in the
// QuickBooks emulator; a bank debit's credit memo waits as a draft (QuickBooks has none: a marked memo) until it settles.
import { randomBytes } from 'node:crypto';
import { registerPayer } from '../../../db/payers';
import { beginCheckoutUpdate, completeCheckoutUpdate, type QuotePaymentStatus } from '../../../workflows/quotes/definitions';
import { createTestMerchant } from '../../support/merchants';
import { httpClient } from '../../support/http';
import { acceptBody, TEST_QUOTE_TIMING, untilQuoteStatus } from '../../support/quotes';
import { startQuickBooks, type QuickBooksFixture } from '../../support/quickbooks';
import { startTestStack, type TestStack } from '../../support/stack';
import { onboardStripeAccount, startStripe, type StripeFixture } from '../../support/stripe';

let qb: QuickBooksFixture;
let stripe: StripeFixture;
let stack: TestStack;
let merchantId: string;
let stripeAccountId: string;
let cpq: ReturnType<typeof httpClient>;

beforeAll(async () => {
  [qb, stripe] = await Promise.all([startQuickBooks(), startStripe()]);
  const endpoint = { apiBase: qb.emu.endpoint, tokenUrl: qb.emu.tokenUrl, clientId: 'settle', clientSecret: 'secret' };
  stack = await startTestStack({ endpoints: { xero: endpoint, quickbooks: endpoint }, stripe: { stripe: stripe.stripe, publishableKey: stripe.publishableKey }, quoteTiming: TEST_QUOTE_TIMING });
  const created = await createTestMerchant(stack, 'QBO MSP');
  merchantId = created.merchantId;
  await stack.accounting.connections.connect(merchantId, 'wise-pay', { platform: 'quickbooks', tenantId: qb.realmId, tokens: qb.emu.oauth.issue(qb.realmId) });
  const merchant = httpClient(stack.api!.url, created.apiKey);
  await merchant('PUT', '/v1/payment-methods', { body: { methods: ['card', 'bank_debit'] } });
  await merchant('PUT', '/v1/integrations/cpq', { body: { enabled: true, allowedMethods: ['card', 'bank_debit'] } });
  cpq = httpClient(stack.api!.url, (await merchant('POST', '/v1/integrations/cpq/api-key')).body.apiKey);
  stripeAccountId = await onboardStripeAccount(stack.api!.url, created.apiKey);
});
afterAll(async () => {
  await stack.close();
  await Promise.all([qb.close(), stripe.close()]);
});

const until = (quoteId: string, status: QuotePaymentStatus) => untilQuoteStatus(stack.client.workflow.getHandle(`quote-payment/${merchantId}/${quoteId}`), status);

async function pay(method: 'card' | 'bank_debit', paymentMethod: string) {
  const view = (await cpq('POST', '/v1/cpq/quote-payments', { body: acceptBody() })).body;
  const handle = stack.client.workflow.getHandle(`quote-payment/${merchantId}/${view.quoteId}`);
  const { payer } = await registerPayer(stack.db, stack.apiDeps.keyring, merchantId, { name: 'Quinn Books', email: `quinn+${randomBytes(3).toString('hex')}@example.com` });
  const { paymentIntentId } = await handle.executeUpdate(beginCheckoutUpdate, { args: [{ checkout: 'payer', payerId: payer.id, method }] });
  await stripe.stripe.paymentIntents.confirm(paymentIntentId, { payment_method: paymentMethod }, { stripeAccount: stripeAccountId });
  await handle.executeUpdate(completeCheckoutUpdate, { args: [{ paymentIntentId }] });
  return view;
}

it('books a credit memo and a paid quote payment invoice, both PF, for a card payment', async () => {
  const view = await pay('card', 'pm_card_visa');
  const state = await until(view.quoteId, 'awaiting-downpayment-invoice');
  const realm = qb.realm();
  const memo = realm.creditMemos.get(state.creditNote!.id)!;
  const invoice = realm.invoices.get(state.invoice!.id)!;
  expect(memo).toMatchObject({ totalCents: 125_000, balanceCents: 125_000 });
  expect(invoice).toMatchObject({ totalCents: 125_000, balanceCents: 0 });
  expect((await qb.platform.getInvoice(invoice.id))!.reference).toBe('PF');
  expect((await qb.platform.getCreditNote(memo.id))!.reference).toBe('PF');
  const payments = [...realm.payments.values()].filter((p) => p.lines.some((l) => l.txnId === invoice.id));
  // A card charge waits in Undeposited Funds (the Stripe clearing account) until its payout's deposit.
  expect(payments.map((p) => [p.totalCents, p.depositAccountId])).toEqual([[125_000, '4']]);
  expect(state.creditNote!.url).toMatch(/creditmemo/i);
});

it('keeps a bank debit\'s credit memo as a draft (not yet approved) while the debit is processing', async () => {
  const view = await pay('bank_debit', 'pm_usBankAccount');
  const state = await untilQuoteStatus(stack.client.workflow.getHandle(`quote-payment/${merchantId}/${view.quoteId}`), 'processing', (s) => Boolean(s.creditNote));
  const note = await qb.platform.getCreditNote(state.creditNote!.id);
  expect(note).toMatchObject({ status: 'draft', totalMinor: 125_000 });
  expect(qb.realm().invoices.get(state.invoice!.id)!.balanceCents).toBe(125_000);
});
