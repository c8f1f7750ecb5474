// kill -9 of the wise-pay worker (the production entry point, as its own process) in the middle of a refund: after
// the refund exists at Stripe and before its reversal reached Xero. A new worker finishes the refund workflow; the
// refund's own id keys the Stripe refund and the reversal, so Stripe holds one refund and Xero one credit note
// refunded once. CI's slice kills after Stripe's outcome was recorded (the reversal's activity is what the dead
// worker held); the full run also kills while the Stripe refund call itself is in flight (the retry sends the same
// idempotency key, or reads back the refund it stored).
import type { RunningProcess } from '../support/processes';
import { eventually } from '../support/eventually';
import { setUpQuoteMerchant, startQuoteWorld, type QuoteMerchant, type QuoteWorld, wisePayWorkerProcess } from '../support/quotes';
import { payInvoiceByCard, xeroBooks } from '../support/refunds';
import { refundWorkflowId, type RefundState } from '../../workflows/refunds/definitions';
import { FULL } from './support';

type KillPoint = 'stripe-refund-made' | 'stripe-outcome-recorded';
const KILL_POINTS: KillPoint[] = FULL ? ['stripe-refund-made', 'stripe-outcome-recorded'] : ['stripe-outcome-recorded'];

let world: QuoteWorld;
let m: QuoteMerchant;
let worker: RunningProcess | undefined;
const running: RunningProcess[] = [];

async function startWisePayWorker(): Promise<RunningProcess> {
  const w = wisePayWorkerProcess(world);
  running.push(w);
  await w.waitForOutput(/"msg":"worker started"/);
  return w;
}

beforeAll(async () => {
  // No wise-pay worker in this process: the test runs it as a process it can kill.
  world = await startQuoteWorld({ roles: ['workflows', 'company', 'service'] });
  m = await setUpQuoteMerchant(world);
  worker = await startWisePayWorker();
}, 120_000);
afterAll(async () => {
  await Promise.all(running.map((p) => p.stop('SIGKILL')));
  await world.close();
});

const stripeRefunds = (intentId: string) => [...world.stripe.emu.state.all()].flatMap((a) => [...a.refunds.values()]).filter((r) => r.payment_intent === intentId);
const creditNotesOf = (contactId: string) => [...world.xero.ledger().creditNotes.values()].filter((n) => n.contactId === contactId && n.reference?.startsWith('Refund '));
const refundPaymentsOf = (noteId: string) => [...world.xero.ledger().payments.values()].filter((p) => p.creditNoteId === noteId);

it.each(KILL_POINTS)('refunds once at Stripe and reverses once in Xero when the worker is killed mid-refund (%s)', async (killPoint) => {
  const paid = await payInvoiceByCard(xeroBooks(world), m, 9_000);
  // Slow Xero so the reversal is still on its way when the worker dies.
  world.xero.emu.faults.set({ latencyMs: 1_500 });
  const asked = await m.merchant('POST', `/v1/payments/${paid.paymentId}/refunds`, { body: { amount: '40.00' }, headers: { 'Idempotency-Key': `chaos-refund-${killPoint}` } });
  expect(asked.status).toBe(202);
  const refundId: string = asked.body.id;

  if (killPoint === 'stripe-refund-made') {
    await eventually('the refund exists at Stripe', async () => stripeRefunds(paid.paymentIntentId).length, (n) => n > 0, { everyMs: 5, timeoutMs: 30_000 });
  } else {
    await eventually("Stripe's outcome recorded", () => world.stack.db.selectFrom('payment_refunds').select(['status', 'books_status']).where('id', '=', refundId).executeTakeFirstOrThrow(),
      (r) => r.status === 'succeeded', { everyMs: 10, timeoutMs: 30_000 });
  }
  await worker!.stop('SIGKILL');
  expect(creditNotesOf(paid.payer.contactId)).toEqual([]); // killed before the reversal reached the books
  const atKill = await world.stack.db.selectFrom('payment_refunds').select('books_status').where('id', '=', refundId).executeTakeFirstOrThrow();
  expect(atKill.books_status).toBe('pending');

  world.xero.emu.faults.clear();
  worker = await startWisePayWorker();
  const state = await world.stack.client.workflow.getHandle(refundWorkflowId(m.merchantId, refundId)).result() as RefundState;
  expect(state).toMatchObject({ status: 'reversed', books: { status: 'reversed' } });

  expect(stripeRefunds(paid.paymentIntentId)).toEqual([expect.objectContaining({ amount: 4_000, status: 'succeeded' })]);
  const notes = creditNotesOf(paid.payer.contactId);
  expect(notes).toHaveLength(1);
  expect(notes[0]).toMatchObject({ totalCents: 4_000, status: 'PAID' });
  expect(refundPaymentsOf(notes[0].id).map((p) => p.amountCents)).toEqual([4_000]);
  const row = await world.stack.db.selectFrom('payment_refunds').selectAll().where('id', '=', refundId).executeTakeFirstOrThrow();
  expect(row).toMatchObject({ status: 'succeeded', books_status: 'reversed', stripe_refund_id: stripeRefunds(paid.paymentIntentId)[0].id });
  process.stderr.write(`[chaos] refund worker kill (${killPoint}): 1 Stripe refund, 1 credit note; Stripe idempotent replays ${world.stripe.emu.idempotency.replays}, Xero ${world.xero.emu.idempotency.replays}\n`);
}, 180_000);
