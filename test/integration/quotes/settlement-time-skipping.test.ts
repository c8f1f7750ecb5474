// The settlement's real timers on the time-skipping server: 4 business days before asking Stripe (no webhook ever
// arrives here), a daily re-check while Stripe still says processing, and the 60-day return window: each in
// seconds of real time. Activities are the real ones, against the Xero and Stripe emulators and Postgres.
import { randomBytes } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { taskQueueName } from '../../../lib/task-queues';
import type { RunningWorkers } from '../../../workers/start-workers';
import { bankDebitSettlementWorkflow } from '../../../workflows/quotes/bank-debit-settlement-workflow';
import { DEFAULT_SETTLEMENT_TIMING, settlementStateQuery, settlementWorkflowId } from '../../../workflows/quotes/definitions';
import { acceptBody, setUpQuoteMerchant, startQuoteWorld, type QuoteMerchant, type QuoteWorld } from '../../support/quotes';
import { resultWithin, startTimeSkippingServer, startTimeSkippingWorkers, type TimeSkippingServer } from '../../support/time-skipping';

const DAY_MS = 86_400_000;
// Days of timers run in seconds, but the Java server shares two cores with the suite's heaviest files (the chaos
// slice, the 5,000-line month): the bounds leave room for that and still prove time was skipped (64 days ≫ 2 min).
jest.setTimeout(180_000);
let world: QuoteWorld;
let server: TimeSkippingServer;
let env: TestWorkflowEnvironment;
let workers: RunningWorkers;
let m: QuoteMerchant;

beforeAll(async () => {
  world = await startQuoteWorld({ roles: [] });
  server = await startTimeSkippingServer(world.stack.apiDeps.keyring);
  env = server.env;
  workers = await startTimeSkippingWorkers(env, world.stack, world.stack.taskQueuePrefix, ['workflows', 'wise-pay']);
  // No webhook endpoint: the outcome is only ever learnt by asking Stripe.
  m = await setUpQuoteMerchant(world, { stripeWebhook: false });
});
afterAll(async () => {
  // Workers first: the environment's connection cannot close while workers hold it.
  await workers?.shutdown();
  await server?.stop();
  await world?.close();
});

/** A submitted ACH debit of 1,250.00 with its PF invoice and draft credit note in Xero, and its settlement started. */
async function startSettlement() {
  const accepted = await m.cpq('POST', '/v1/cpq/quote-payments', { body: acceptBody() });
  if (accepted.status !== 201) throw new Error(`accept: ${accepted.status} ${JSON.stringify(accepted.body)}`);
  const view = accepted.body;
  const { platform } = world.xero;
  const contact = await platform.createContact({ name: `Settle TS ${randomBytes(3).toString('hex')}` }, `c-${view.id}`);
  const line = { description: `Payment for quote ${view.quoteId}`, quantity: 1, unitAmountMinor: 125_000, accountCode: '200', taxType: 'NONE' };
  const invoice = await platform.createInvoice({ contactId: contact.id, reference: 'PF', date: '2026-11-02', dueDate: '2026-11-02', currency: 'USD', status: 'authorised', lines: [line] }, `i-${view.id}`);
  const creditNote = await platform.createCreditNote({ contactId: contact.id, reference: 'PF', date: '2026-11-02', currency: 'USD', status: 'draft', lines: [line] }, `cn-${view.id}`);
  const intent = await world.stripe.stripe.paymentIntents.create({
    amount: 125_000, currency: 'usd', allowed_payment_method_types: ['us_bank_account'],
    metadata: { settle_merchant_id: m.merchantId, settle_quote_payment_id: view.id, settle_attempt: '1' },
  }, { stripeAccount: m.stripeAccountId });
  await world.stripe.stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_usBankAccount' }, { stripeAccount: m.stripeAccountId });
  const handle = await env.client.workflow.start(bankDebitSettlementWorkflow, {
    workflowId: settlementWorkflowId(m.merchantId, intent.id), taskQueue: taskQueueName(world.stack.taskQueuePrefix, 'workflows'),
    args: [{ merchantId: m.merchantId, quotePaymentId: view.id, quoteId: view.quoteId, attempt: 1, paymentIntentId: intent.id, scheme: 'ach',
      invoiceId: invoice.id, creditNoteId: creditNote.id, timing: DEFAULT_SETTLEMENT_TIMING }],
  });
  return { handle, intentId: intent.id, invoiceId: invoice.id, creditNoteId: creditNote.id };
}

async function timersOf(handle: Awaited<ReturnType<typeof startSettlement>>['handle']): Promise<number[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).flatMap((e) => {
    const timeout = e.timerStartedEventAttributes?.startToFireTimeout;
    return timeout ? [Number(timeout.seconds ?? 0) * 1000] : [];
  });
}

it('asks Stripe after 4 business days, approves the credit note, then keeps the 60-day return window', async () => {
  const { handle, intentId, invoiceId, creditNoteId } = await startSettlement();
  await world.stripe.emu.settle(intentId, 'succeeded'); // the bank settled; no webhook tells Settle
  const realStart = Date.now();
  const result = await resultWithin(env, handle);
  expect(result.status).toBe('settled');
  expect(Date.now() - realStart).toBeLessThan(120_000);
  const [window, returnWindow] = await timersOf(handle);
  expect(window).toBeGreaterThanOrEqual(4 * DAY_MS - 1_000); // 4 business days: 4 to 6 calendar days
  expect(window).toBeLessThanOrEqual(6 * DAY_MS);
  expect(returnWindow).toBeGreaterThanOrEqual(60 * DAY_MS - 60_000);
  const ledger = world.xero.ledger();
  expect(ledger.creditNotes.get(creditNoteId)!.status).toBe('AUTHORISED');
  expect(ledger.paymentsOf(invoiceId).map((p) => p.amountCents)).toEqual([125_000]);
});

it('tells the merchant when Stripe still says processing, re-checks daily, and removes the draft when the debit fails', async () => {
  const { handle, intentId, invoiceId, creditNoteId } = await startSettlement();
  await env.sleep('7 days');
  const waiting = await handle.query(settlementStateQuery);
  expect(waiting).toMatchObject({ status: 'awaiting-outcome', outcomeUnknownActionRaised: true });
  const actions = await world.stack.db.selectFrom('merchant_actions').selectAll().where('merchant_id', '=', m.merchantId).where('kind', '=', 'bank-debit-outcome-unknown').execute();
  expect(actions.map((a) => a.subject)).toContain(intentId);

  await world.stripe.emu.settle(intentId, 'failed');
  const result = await resultWithin(env, handle);
  expect(result.status).toBe('failed');
  expect(world.xero.ledger().creditNotes.get(creditNoteId)!.status).toBe('DELETED');
  expect(world.xero.ledger().paymentsOf(invoiceId)).toHaveLength(0);
});
