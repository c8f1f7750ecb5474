// Every Stripe request Settle's servers send, checked against Stripe's own stripe-mock (built from Stripe's OpenAPI
// document): the real stack runs the money flows on the stateful emulator, which keeps each API request as the SDK
// sent it, and each kind of request (method and path shape) is then sent again to stripe-mock, which answers 400 to
// a path, parameter or value Stripe does not know. The emulator answers what Settle asks; this says Stripe would too.
//
// The flows: onboarding a connected account, a card and a bank-debit quote payment (customers, payment intents,
// cancel), a Pay Now invoice payment, a partial refund, and a payout (payout, balance transactions by payout).
import { randomBytes } from 'node:crypto';
import { registerPayer } from '../../../db/payers';
import type { RecordedStripeRequest } from '../../../emulators/stripe';
import { findStripeMock, startStripeMock, type RunningStripeMock } from '../../../lib/stripe-mock';
import { beginCheckoutUpdate, completeCheckoutUpdate } from '../../../workflows/quotes/definitions';
import { payoutWorkflowId } from '../../../workflows/payouts/definitions';
import { eventually } from '../../support/eventually';
import { acceptBody, setUpQuoteMerchant, startQuoteWorld, untilQuoteStatus, type QuoteMerchant, type QuoteWorld } from '../../support/quotes';
import { payInvoice, signedInPayer, invoicesFor, xeroBooks } from '../../support/refunds';

let world: QuoteWorld;
let m: QuoteMerchant;
let mock: RunningStripeMock;
let recorded: RecordedStripeRequest[];

beforeAll(async () => {
  const executable = await findStripeMock();
  // Go is one of the machine's required tools (.ci/run installs it); without it this contract cannot be checked.
  if (!executable) throw new Error('stripe-mock is not available: install Go (it is built with go install) or set STRIPE_MOCK_PATH');
  [world, mock] = await Promise.all([startQuoteWorld({ connectWebhook: true }), startStripeMock(executable)]);
  recorded = world.stripe.emu.recordRequests();
  m = await setUpQuoteMerchant(world);
}, 180_000);
afterAll(() => Promise.all([world?.close(), mock?.close()]));

/** `/v1/payment_intents/pi_abc123/cancel` → `/v1/payment_intents/{id}/cancel`: one check per kind of request. */
const shapeOf = (r: RecordedStripeRequest) => `${r.method} ${r.path.replace(/\/(?:acct|ch|cus|dp|pi|pm|po|re|txn)_[A-Za-z0-9]+(?=\/|$)/g, '/{id}')}`;

async function quotePayment(method: 'card' | 'bank_debit', paymentMethod: string) {
  const { payer } = await registerPayer(world.stack.db, world.stack.apiDeps.keyring, m.merchantId, { name: 'Cora Contract', email: `cora+${randomBytes(4).toString('hex')}@example.com` });
  const view = (await m.cpq('POST', '/v1/cpq/quote-payments', { body: acceptBody() })).body;
  const handle = world.stack.client.workflow.getHandle(`quote-payment/${m.merchantId}/${view.quoteId}`);
  const { paymentIntentId } = await handle.executeUpdate(beginCheckoutUpdate, { args: [{ checkout: 'payer', payerId: payer.id, method }] });
  await world.stripe.stripe.paymentIntents.confirm(paymentIntentId, { payment_method: paymentMethod }, { stripeAccount: m.stripeAccountId });
  await handle.executeUpdate(completeCheckoutUpdate, { args: [{ paymentIntentId }] });
  return untilQuoteStatus(handle, method === 'card' ? 'paid' : 'processing');
}

it("sends only requests Stripe's API accepts, in every money flow", async () => {
  await quotePayment('card', 'pm_card_visa');
  await quotePayment('bank_debit', 'pm_usBankAccount');

  const books = xeroBooks(world);
  const payer = await signedInPayer(books, m);
  const [first, second] = await invoicesFor(books, m, payer, [12_500, 8_000]);
  const paid = await payInvoice(books, m, payer, first);
  await payInvoice(books, m, payer, second);
  const refund = await m.merchant('POST', `/v1/payments/${paid.paymentId}/refunds`, { body: { amount: '20.00', reason: 'requested_by_customer' }, headers: { 'Idempotency-Key': 'contract-refund' } });
  expect(refund.status).toBe(202);
  await world.stack.client.workflow.getHandle(`refund/${m.merchantId}/${refund.body.id}`).result();

  const payout = world.stripe.emu.payout(m.stripeAccountId, 'usd');
  const payoutHandle = world.stack.client.workflow.getHandle(payoutWorkflowId(m.merchantId, payout.id));
  await eventually('payout workflow started', () => payoutHandle.describe().then(() => true, () => false), Boolean);
  await payoutHandle.result();

  // Settle's servers hold the secret key; the publishable key's calls are Stripe.js's in a payer's browser, not ours.
  const ours = recorded.filter((r) => r.caller === 'secret');
  const byShape = new Map<string, RecordedStripeRequest>();
  for (const r of ours) if (!byShape.has(shapeOf(r))) byShape.set(shapeOf(r), r);
  // The flows reach every kind of call Settle makes; a flow that stopped calling one would shrink this silently.
  expect([...byShape.keys()].sort()).toEqual(expect.arrayContaining([
    'GET /v1/accounts/{id}',
    'GET /v1/balance_transactions',
    'GET /v1/payment_intents/{id}',
    'GET /v1/payouts/{id}',
    'POST /v1/account_links',
    'POST /v1/accounts',
    'POST /v1/customers',
    'POST /v1/payment_intents',
    'POST /v1/payment_intents/{id}/confirm',
    'POST /v1/refunds',
  ]));

  const refused: string[] = [];
  for (const [shape, r] of byShape) {
    const res = await fetch(`${mock.url}${r.path}${r.query ? `?${r.query}` : ''}`, {
      method: r.method,
      headers: {
        authorization: 'Bearer sk_test_123',
        ...(r.contentType ? { 'content-type': r.contentType } : {}),
        ...(r.stripeAccount ? { 'stripe-account': r.stripeAccount } : {}),
        ...(r.idempotencyKey ? { 'idempotency-key': r.idempotencyKey } : {}),
      },
      ...(r.method === 'GET' || r.method === 'DELETE' ? {} : { body: r.rawBody }),
    });
    const body = await res.text();
    if (res.status >= 400) refused.push(`${shape} → ${res.status} ${body.replace(/\s+/g, ' ').slice(0, 300)}\n  sent: ${r.query || r.rawBody}`);
  }
  expect(refused).toEqual([]);
}, 240_000);
