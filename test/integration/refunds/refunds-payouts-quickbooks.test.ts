// Refunds and a payout for a merchant whose books are in QuickBooks Online, against the real stack and the Stripe and
// QuickBooks emulators: Pay Now card payments land in Undeposited Funds (the clearing account); a full and a partial
// refund each become one RefundReceipt paid from it, once per key; a payout becomes one Deposit into Checking with
// Stripe's fees as a negative line, totalling the payout, once even when payout.paid arrives twice. A quote payment's
// card charge lands in Undeposited Funds too, is refunded through the same route, and its payout empties it.
import { randomBytes } from 'node:crypto';
import { payoutWorkflowId, type PayoutState } from '../../../workflows/payouts/definitions';
import { refundWorkflowId } from '../../../workflows/refunds/definitions';
import { eventually } from '../../support/eventually';
import { httpClient } from '../../support/http';
import { createTestMerchant } from '../../support/merchants';
import type { QuickBooksFixture } from '../../support/quickbooks';
import { CONNECT_WEBHOOK_SECRET } from '../../support/quotes';
import { invoicesFor, payInvoice, payQuoteByCard, quickBooksPayingWorld, signedInPayer, type BooksWorld, type PayingMerchant } from '../../support/refunds';

let qb: QuickBooksFixture;
let world: BooksWorld & { close(): Promise<void> };
let m: PayingMerchant;

beforeAll(async () => {
  const paying = await quickBooksPayingWorld();
  ({ qb, m } = paying);
  world = { ...paying.world, close: paying.close };
  // Refunds and payouts are driven by the connected account's events.
  world.stripe.emu.addWebhookEndpoint(`${world.stack.api!.url}/webhooks/stripe/connect`, CONNECT_WEBHOOK_SECRET, { connect: true });
});
afterAll(() => world.close());

const refundReceiptsOf = (customerId: string) => [...qb.realm().refundReceipts.values()].filter((r) => r.customerId === customerId);

it('reverses a full and a partial refund as one RefundReceipt each, from Undeposited Funds, once per key; then deposits the payout once', async () => {
  const p = await signedInPayer(world, m);
  const [a, b] = await invoicesFor(world, m, p, [20_000, 9_000]);
  const full = await payInvoice(world, m, p, a);
  const partial = await payInvoice(world, m, p, b);
  expect([...qb.realm().payments.values()].filter((x) => x.privateNote?.includes(full.paymentIntentId)))
    .toEqual([expect.objectContaining({ depositAccountId: '4', totalCents: 20_000 })]);

  for (const [paid, body, key] of [[full, {}, 'qb-refund-full'], [partial, { amount: '25.00' }, 'qb-refund-part']] as const) {
    const asked = await m.merchant('POST', `/v1/payments/${paid.paymentId}/refunds`, { body, headers: { 'Idempotency-Key': key } });
    expect(asked.status).toBe(202);
    expect(await world.stack.client.workflow.getHandle(refundWorkflowId(m.merchantId, asked.body.id)).result()).toMatchObject({ status: 'reversed' });
    const again = await m.merchant('POST', `/v1/payments/${paid.paymentId}/refunds`, { body, headers: { 'Idempotency-Key': key } });
    expect(again).toMatchObject({ status: 200, body: { id: asked.body.id, books: { status: 'reversed' } } });
  }
  const receipts = refundReceiptsOf(p.payer.contactId);
  expect(receipts.map((r) => [r.totalCents, r.depositAccountId]).sort((x, y) => Number(x[0]) - Number(y[0]))).toEqual([[2_500, '4'], [20_000, '4']]);
  expect((await m.merchant('POST', `/v1/payments/${partial.paymentId}/refunds`, { body: { amount: '65.01' } })).status).toBe(422);

  const account = world.stripe.emu.state.connectedAccount(m.stripeAccountId)!;
  const carried = [...account.balanceTransactions.values()].filter((t) => !t.payout);
  const payout = world.stripe.emu.payout(m.stripeAccountId, 'usd');
  const handle = world.stack.client.workflow.getHandle(payoutWorkflowId(m.merchantId, payout.id));
  const state = await eventually('payout workflow started', async () => handle.describe().then(() => true, () => false), (ok) => ok).then(() => handle.result()) as PayoutState;
  expect(state.status).toBe('posted');
  const deposits = [...qb.realm().deposits.values()];
  expect(deposits).toHaveLength(1);
  expect(deposits[0]).toMatchObject({ depositToAccountId: '35', totalCents: payout.amount });
  const fees = carried.reduce((s, t) => s + t.fee, 0);
  expect(deposits[0].lines.filter((l) => l.accountId === '57').map((l) => l.amountCents)).toEqual([-fees]);
  // Out of Undeposited Funds goes what the payout's transactions put in (charges) less the refunds paid from it.
  const fromClearing = deposits[0].lines.filter((l) => l.accountId === '4').reduce((s, l) => s + l.amountCents, 0);
  expect(fromClearing).toBe(carried.reduce((s, t) => s + t.amount, 0));
  expect(fromClearing - fees).toBe(payout.amount);

  const paidEvent = account.events.find((e) => e.type === 'payout.paid' && (e.data.object as { id: string }).id === payout.id)!;
  world.stripe.emu.resend(paidEvent.id);
  await world.stripe.emu.webhooks.idle();
  expect(qb.realm().deposits.size).toBe(1);
}, 120_000);

it('books a quote payment\'s card charge into Undeposited Funds, refunds it through the same route from there, and its payout nets Undeposited Funds to zero', async () => {
  const quote = await payQuoteByCard(world, m, '600.00');
  // Into clearing (Undeposited Funds, 4), not Checking (35): the payout's deposit is what moves it to the bank.
  const quotePayments = [...qb.realm().payments.values()].filter((x) => x.customerId === quote.contactId && x.lines.some((l) => l.txnId === quote.invoiceId));
  expect(quotePayments.map((x) => [x.totalCents, x.depositAccountId])).toEqual([[60_000, '4']]);

  const asked = await m.merchant('POST', `/v1/payments/${quote.quotePaymentId}/refunds`, { body: { amount: '100.00' }, headers: { 'Idempotency-Key': 'qb-quote-refund' } });
  expect(asked.status).toBe(202);
  expect(await world.stack.client.workflow.getHandle(refundWorkflowId(m.merchantId, asked.body.id)).result()).toMatchObject({ status: 'reversed' });
  expect(refundReceiptsOf(quote.contactId).map((r) => [r.totalCents, r.depositAccountId])).toEqual([[10_000, '4']]);

  // The payout of the quote charge and its refund: out of Undeposited Funds goes exactly what they put in and took out.
  const account = world.stripe.emu.state.connectedAccount(m.stripeAccountId)!;
  const carried = [...account.balanceTransactions.values()].filter((t) => !t.payout);
  expect(carried.map((t) => [t.type, t.amount]).sort()).toEqual([['charge', 60_000], ['refund', -10_000]]);
  const before = new Set(qb.realm().deposits.keys());
  const payout = world.stripe.emu.payout(m.stripeAccountId, 'usd');
  const handle = world.stack.client.workflow.getHandle(payoutWorkflowId(m.merchantId, payout.id));
  await eventually('payout workflow started', async () => handle.describe().then(() => true, () => false), (ok) => ok).then(() => handle.result());
  const deposits = [...qb.realm().deposits.values()].filter((d) => !before.has(d.id));
  expect(deposits).toHaveLength(1);
  const fromClearing = deposits[0].lines.filter((l) => l.accountId === '4').reduce((s, l) => s + l.amountCents, 0);
  const intoClearing = quotePayments[0].totalCents - refundReceiptsOf(quote.contactId)[0].totalCents;
  expect(fromClearing).toBe(intoClearing);
  expect(deposits[0]).toMatchObject({ depositToAccountId: '35', totalCents: payout.amount });
}, 120_000);

it("reads the payout accounts' defaults from the QuickBooks company (Account query) and refuses the wrong type", async () => {
  const got = await m.merchant('GET', '/v1/integrations/stripe/payout-accounts');
  expect(got.body).toEqual({
    platform: 'quickbooks',
    clearing: { id: '4', name: 'Undeposited Funds', type: 'Other Current Asset', source: 'default' },
    bank: { id: '35', name: 'Checking', type: 'Bank', source: 'default' },
    fees: { id: '57', name: 'Merchant Fees', type: 'Expense', source: 'default' },
  });
  const wrong = await m.merchant('PUT', '/v1/integrations/stripe/payout-accounts', { body: { bank: '4' } });
  expect(wrong.status).toBe(422);
  expect(wrong.body).toMatchObject({ type: '/problems/payout-account-invalid', problems: [{ role: 'bank', id: '4', problem: 'wrong-type' }] });
  const fees = await m.merchant('PUT', '/v1/integrations/stripe/payout-accounts', { body: { fees: '8' } });
  expect(fees.body.fees).toEqual({ id: '8', name: 'Bank Charges', type: 'Expense', source: 'setting' });
});

it('lists the payouts with their deposit in the books, and shows one; another merchant gets 404', async () => {
  const account = world.stripe.emu.state.connectedAccount(m.stripeAccountId)!;
  const stripePayouts = [...account.payouts.values()];
  expect(stripePayouts.length).toBeGreaterThanOrEqual(2); // the two tests above each paid one out
  const listed = await m.merchant('GET', '/v1/payouts');
  expect(listed.status).toBe(200);
  expect(listed.body.total).toBe(stripePayouts.length);
  const deposits = [...qb.realm().deposits.values()];
  for (const sp of stripePayouts) {
    const row = listed.body.payouts.find((p: { stripePayoutId: string }) => p.stripePayoutId === sp.id);
    const deposit = deposits.find((d) => d.privateNote?.includes(sp.id))!;
    expect(row).toMatchObject({ amount: (sp.amount / 100).toFixed(2), currency: 'USD', arrivalDate: new Date(sp.arrival_date * 1000).toISOString().slice(0, 10),
      books: { status: 'posted', documentId: deposit.id, records: [{ kind: 'deposit', id: deposit.id }], failure: null } });
  }
  const one = await m.merchant('GET', `/v1/payouts/${listed.body.payouts[0].id}`);
  expect(one).toMatchObject({ status: 200, body: listed.body.payouts[0] });
  expect((await m.merchant('GET', '/v1/payouts?status=failed')).body).toMatchObject({ total: 0, payouts: [] });

  const other = await createTestMerchant(world.stack, `Other MSP ${randomBytes(3).toString('hex')}`);
  const otherApi = httpClient(world.stack.api!.url, other.apiKey);
  expect((await otherApi('GET', `/v1/payouts/${listed.body.payouts[0].id}`)).status).toBe(404);
  expect((await otherApi('GET', '/v1/payouts')).body).toMatchObject({ total: 0, payouts: [] });
});
