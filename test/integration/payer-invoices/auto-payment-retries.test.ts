// Automatic payment retries on the time-skipping server: a declined charge emails the payer (with a Pay Now link)
// and is retried 3 days later, 3 attempts in all, then the merchant gets an action; an invoice paid by other means
// between attempts is not charged again; a charge whose answer is lost (Stripe hangs past the client's timeout,
// as when a worker dies mid-charge) is retried with the same key: one charge, one posting.
import { randomBytes } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { listOutboxEmails } from '../../../db/outbox';
import { taskQueueName } from '../../../lib/task-queues';
import type { RunningWorkers } from '../../../workers/start-workers';
import { invoiceAutoPaymentWorkflowId, type InvoiceAutoPaymentInput } from '../../../workflows/auto-payments/definitions';
import { invoiceAutoPaymentWorkflow } from '../../../workflows/auto-payments/invoice-auto-payment-workflow';
import { invoiceFor, payerWithTerms, useSavedMethod, type PayerWithTerms } from '../../support/payer-invoices';
import { setUpQuoteMerchant, startQuoteWorld, type QuoteMerchant, type QuoteWorld } from '../../support/quotes';
import { eventually } from '../../support/eventually';
import { recordHistory } from '../../support/histories';
import { resultWithin, startTimeSkippingServer, startTimeSkippingWorkers, type TimeSkippingServer } from '../../support/time-skipping';

const DAY_MS = 86_400_000;
// Bounded for a loaded two-core machine; 6 days of retries still pass in well under its 2 minutes.
jest.setTimeout(180_000);
let world: QuoteWorld;
let server: TimeSkippingServer;
let env: TestWorkflowEnvironment;
let workers: RunningWorkers;
let m: QuoteMerchant;

beforeAll(async () => {
  // The quote that sets up the terms runs on the dev server's workers; the auto-payments on the time-skipping server's.
  world = await startQuoteWorld();
  server = await startTimeSkippingServer(world.stack.apiDeps.keyring);
  env = server.env;
  workers = await startTimeSkippingWorkers(env, world.stack, `${world.stack.taskQueuePrefix}-ts`, ['workflows', 'wise-pay', 'service']);
  m = await setUpQuoteMerchant(world);
});
afterAll(async () => {
  // Workers first: the environment's connection cannot close while workers hold it.
  await workers?.shutdown();
  await server?.stop();
  await world?.close();
});

const today = () => new Date().toISOString().slice(0, 10);
const chargesFor = (invoiceId: string) => [...world.stripe.emu.state.all()].flatMap((a) => [...a.paymentIntents.values()]).filter((i) => i.metadata?.settle_invoice_id === invoiceId);

function start(p: PayerWithTerms, invoiceId: string) {
  const input: InvoiceAutoPaymentInput = { merchantId: m.merchantId, invoiceId, termsId: p.termsId, currency: 'USD', payerId: p.payerId,
    payNowUrl: `https://settle.example/pay/m/${m.merchantId}/invoices`, timezone: 'UTC', maxAttempts: 3, retryDays: 3 };
  return env.client.workflow.start(invoiceAutoPaymentWorkflow, { workflowId: invoiceAutoPaymentWorkflowId(m.merchantId, invoiceId),
    taskQueue: taskQueueName(`${world.stack.taskQueuePrefix}-ts`, 'workflows'), args: [input] });
}

async function timersOf(handle: Awaited<ReturnType<typeof start>>): Promise<number[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).flatMap((e) => (e.timerStartedEventAttributes?.startToFireTimeout ? [Number(e.timerStartedEventAttributes.startToFireTimeout.seconds ?? 0) * 1000] : []));
}

it('retries a declined charge 3 days apart, emails the payer after each failure, then raises an action', async () => {
  const p = await payerWithTerms(world, m);
  const inv = await invoiceFor(world, p.contactId, 8_000, today());
  await useSavedMethod(world, p.payerId, 'pm_card_chargeDeclinedInsufficientFunds');
  const realStart = Date.now();
  const handle = await start(p, inv.id);
  const result = await resultWithin(env, handle);
  expect(result).toMatchObject({ status: 'failed', attempt: 3 });
  expect(result.failures).toHaveLength(3);
  expect(Date.now() - realStart).toBeLessThan(120_000);
  expect(await timersOf(handle)).toEqual([3 * DAY_MS, 3 * DAY_MS]);
  expect(chargesFor(inv.id)).toHaveLength(3);
  expect(world.xero.ledger().paymentsOf(inv.id)).toHaveLength(0);
  const emails = (await listOutboxEmails(world.stack.db, world.stack.apiDeps.keyring, m.merchantId)).filter((e) => e.template === 'auto-payment-failed' && e.to === p.email);
  expect(emails).toHaveLength(3);
  expect(emails[0].text).toContain(`/pay/m/${m.merchantId}/invoices`);
  expect(emails[0].text).toMatch(/insufficient funds/);
  const actions = (await m.merchant('GET', '/v1/actions')).body.actions as Array<{ kind: string; subject: string }>;
  expect(actions).toContainEqual(expect.objectContaining({ kind: 'auto-payment-failed', subject: inv.id }));
  // A crash-free replay of days of waiting: the history guards the retries' determinism.
  await recordHistory(handle, 'invoiceAutoPaymentWorkflow.declined');
});

it('does not charge again an invoice paid by other means between attempts; a later success is posted once', async () => {
  const p = await payerWithTerms(world, m);
  const paidByHand = await invoiceFor(world, p.contactId, 4_000, today());
  await useSavedMethod(world, p.payerId, 'pm_card_chargeDeclined');
  const first = await start(p, paidByHand.id);
  // Time stands still until a result is awaited: the first attempt is declined, and the retry waits 3 days.
  await eventually('the first charge is declined', async () => chargesFor(paidByHand.id), (c) => c.length === 1);
  // Meanwhile the payer pays by bank transfer and the merchant records it in Xero.
  await world.xero.platform.createPayments([{ invoiceId: paidByHand.id, amountMinor: 4_000, date: today(), accountCode: '090' }], `hand-${randomBytes(6).toString('hex')}`);
  expect(await resultWithin(env, first)).toMatchObject({ status: 'not-charged', attempt: 2 });
  expect(chargesFor(paidByHand.id)).toHaveLength(1);

  const retried = await invoiceFor(world, p.contactId, 6_000, today());
  const second = await start(p, retried.id);
  await eventually('the first charge is declined', async () => chargesFor(retried.id), (c) => c.length === 1);
  // The payer updates the card after the first decline.
  await world.stack.db.updateTable('payer_payment_methods').set({ stripe_payment_method_id: 'pm_card_visa' }).where('payer_id', '=', p.payerId).execute();
  const outcome = await resultWithin(env, second);
  expect(outcome.status).toBe('paid');
  expect(world.xero.ledger().paymentsOf(retried.id).map((x) => x.amountCents)).toEqual([6_000]);
  expect(chargesFor(retried.id).map((i) => i.status)).toEqual(['requires_payment_method', 'succeeded']);
});

it('charges once and posts once when Stripe\'s answer is lost mid-charge', async () => {
  const p = await payerWithTerms(world, m);
  const inv = await invoiceFor(world, p.contactId, 2_500, today());
  // Every Stripe call hangs past the client's timeout for a while: the first charge lands but its answer is lost.
  world.stripe.emu.faults.set({ timeout: { rate: 1, ms: 16_000 } });
  const timedOutBefore = world.stripe.emu.faults.counts.timedOut;
  const handle = await start(p, inv.id);
  await eventually('a Stripe call hangs', async () => world.stripe.emu.faults.counts.timedOut, (n) => n > timedOutBefore, { timeoutMs: 60_000 });
  world.stripe.emu.faults.set({});
  expect(await resultWithin(env, handle)).toMatchObject({ status: 'paid', attempt: 1 });
  expect(chargesFor(inv.id)).toHaveLength(1);
  expect(world.xero.ledger().paymentsOf(inv.id)).toHaveLength(1);
});
