// A Stripe payout reconciled in Xero against the real stack: 50 card payments (49 Pay Now payments and the quote
// payment that gave the payer billing terms), 2 refunds and Stripe's fees on them, paid out by Stripe (payout.paid on
// the Connect webhook): one transfer of the payout from the clearing account to the bank and the fees spent from
// clearing, so the deposit lines sum to the payout and clearing nets to zero for the payout's transactions; a second
// payout.paid posts nothing more.
import { payoutWorkflowId, type PayoutState } from '../../../workflows/payouts/definitions';
import { eventually } from '../../support/eventually';
import { recordHistory } from '../../support/histories';
import { setUpQuoteMerchant, startQuoteWorld, type QuoteMerchant, type QuoteWorld } from '../../support/quotes';
import { invoicesFor, payInvoice, signedInPayer, xeroBooks, type PaidInvoice } from '../../support/refunds';

let world: QuoteWorld;
let m: QuoteMerchant;

beforeAll(async () => {
  world = await startQuoteWorld({ connectWebhook: true });
  m = await setUpQuoteMerchant(world);
});
afterAll(() => world.close());

it('posts one deposit for a payout of 50 payments, 2 refunds and their fees, once even when payout.paid arrives twice', async () => {
  const p = await signedInPayer(xeroBooks(world), m);
  const amounts = Array.from({ length: 49 }, (_, i) => 1_000 + 137 * i);
  const invoiceIds = await invoicesFor(xeroBooks(world), m, p, amounts);
  const paid: PaidInvoice[] = [];
  for (const id of invoiceIds) paid.push(await payInvoice(xeroBooks(world), m, p, id));

  for (const [payment, body, key] of [[paid[3], { amount: '5.00' }, 'po-refund-1'], [paid[10], {}, 'po-refund-2']] as const) {
    const asked = await m.merchant('POST', `/v1/payments/${payment.paymentId}/refunds`, { body, headers: { 'Idempotency-Key': key } });
    expect(asked.status).toBe(202);
    await world.stack.client.workflow.getHandle(`refund/${m.merchantId}/${asked.body.id}`).result();
  }

  const account = world.stripe.emu.state.connectedAccount(m.stripeAccountId)!;
  const carried = [...account.balanceTransactions.values()].filter((t) => !t.payout);
  expect(carried.filter((t) => t.type === 'charge')).toHaveLength(50);
  expect(carried.filter((t) => t.type === 'refund')).toHaveLength(2);
  const payout = world.stripe.emu.payout(m.stripeAccountId, 'usd');

  const handle = world.stack.client.workflow.getHandle(payoutWorkflowId(m.merchantId, payout.id));
  const state = await eventually('payout workflow started', async () => handle.describe().then(() => true, () => false), (ok) => ok).then(() => handle.result()) as PayoutState;
  const gross = carried.filter((t) => t.type === 'charge').reduce((s, t) => s + t.amount, 0);
  const refunds = carried.filter((t) => t.type === 'refund').reduce((s, t) => s + t.amount, 0);
  const fees = carried.reduce((s, t) => s + t.fee, 0);
  expect(state).toMatchObject({ status: 'posted', amountMinor: payout.amount, currency: 'USD' });
  expect(state.lines).toEqual([
    { kind: 'payments', amountMinor: gross, count: 50 },
    { kind: 'refunds', amountMinor: refunds, count: 2 },
    { kind: 'fees', amountMinor: -fees, count: 50 },
  ]);
  expect(state.lines.reduce((s, l) => s + l.amountMinor, 0)).toBe(payout.amount);

  // Xero: the payout moved from clearing (090) to the bank (091), the fees spent from clearing to Bank Fees (404).
  const ledger = world.xero.ledger();
  const transfers = [...ledger.bankTransfers.values()];
  expect(transfers).toEqual([expect.objectContaining({ fromAccountCode: '090', toAccountCode: '091', amountCents: payout.amount })]);
  const feeSpends = [...ledger.bankTransactions.values()].filter((t) => t.type === 'SPEND');
  expect(feeSpends).toHaveLength(1);
  expect(feeSpends[0]).toMatchObject({ bankAccountCode: '090', totalCents: fees });
  expect(feeSpends[0].lines.map((l) => l.accountCode)).toEqual(['404']);
  // Clearing nets to zero for the payout's transactions: what leaves it (the transfer, the fees, the refunds paid back
  // to payers) is the gross of the payout's charges, and the Pay Now ones among them came into it at their gross.
  const refundedOut = [...ledger.payments.values()].filter((x) => x.accountCode === '090' && x.creditNoteId).reduce((s, x) => s + x.amountCents, 0);
  expect(refundedOut).toBe(-refunds);
  expect(transfers[0].amountCents + feeSpends[0].totalCents + refundedOut).toBe(gross);
  const payNowIn = [...ledger.payments.values()].filter((x) => x.accountCode === '090' && paid.some((pi) => x.reference?.includes(pi.paymentIntentId))).reduce((s, x) => s + x.amountCents, 0);
  expect(payNowIn).toBe(amounts.reduce((s, a) => s + a, 0));

  // payout.paid again (Stripe redelivers it): nothing more is posted.
  const paidEvent = account.events.find((e) => e.type === 'payout.paid' && (e.data.object as { id: string }).id === payout.id)!;
  world.stripe.emu.resend(paidEvent.id);
  await world.stripe.emu.webhooks.idle();
  expect(ledger.bankTransfers.size).toBe(1);
  expect([...ledger.bankTransactions.values()].filter((t) => t.type === 'SPEND')).toHaveLength(1);
  await recordHistory(handle, 'payoutWorkflow');
}, 180_000);
