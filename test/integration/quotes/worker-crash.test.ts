// A worker dies (SIGKILL) in the middle of posting a quote payment: the wise-pay worker runs as a real process
// (the production entry point), is killed after the quote payment invoice reached Xero and before the rest, and a
// new worker finishes the job. The idempotency keys make the retry write nothing twice: the Xero emulator's
// ledger has one invoice, one payment and one credit note.
import { beginCheckoutUpdate, completeCheckoutUpdate } from '../../../workflows/quotes/definitions';
import type { RunningProcess } from '../../support/processes';
import { eventually } from '../../support/eventually';
import { acceptBody, setUpQuoteMerchant, startQuoteWorld, untilQuoteStatus, type QuoteWorld, wisePayWorkerProcess } from '../../support/quotes';

let world: QuoteWorld;
const running: RunningProcess[] = [];

beforeAll(async () => {
  // No wise-pay worker in this process: the test runs it as a process it can kill.
  world = await startQuoteWorld({ roles: ['workflows', 'company', 'service'] });
});
afterAll(async () => {
  await Promise.all(running.map((p) => p.stop('SIGKILL')));
  await world.close();
});

function startWisePayWorker(): RunningProcess {
  const worker = wisePayWorkerProcess(world);
  running.push(worker);
  return worker;
}

it('finishes posting after the worker is killed mid-flow, writing nothing twice', async () => {
  const m = await setUpQuoteMerchant(world);
  const first = startWisePayWorker();
  await first.waitForOutput(/"msg":"worker started"/);

  const accepted = await m.cpq('POST', '/v1/cpq/quote-payments', { body: acceptBody() });
  expect(accepted.status).toBe(201);
  const handle = world.stack.client.workflow.getHandle(`quote-payment/${m.merchantId}/${accepted.body.quoteId}`);
  const { paymentIntentId } = await handle.executeUpdate(beginCheckoutUpdate, { args: [{ checkout: 'guest', method: 'card' }] });
  await world.stripe.stripe.paymentIntents.confirm(paymentIntentId, { payment_method: 'pm_card_visa' }, { stripeAccount: m.stripeAccountId });

  // Slow Xero down so the posting is caught between its writes.
  world.xero.emu.faults.set({ latencyMs: 400 });
  const answered = (path: string) => world.xero.emu.requests.filter((r) => r.method === 'PUT' && r.path.endsWith(path) && r.status === 200).length;
  expect((await handle.executeUpdate(completeCheckoutUpdate, { args: [{ paymentIntentId }] })).status).toBe('paid');
  await eventually('the quote payment invoice reached Xero', async () => answered('/Invoices'), (n) => n > 0, { everyMs: 20 });
  expect(answered('/Invoices')).toBe(1);
  await first.stop('SIGKILL');
  expect(answered('/CreditNotes')).toBe(0); // killed before the credit note

  world.xero.emu.faults.clear();
  const second = startWisePayWorker();
  await second.waitForOutput(/"msg":"worker started"/);
  const state = await untilQuoteStatus(handle, 'awaiting-downpayment-invoice');

  const ledger = world.xero.ledger();
  const invoices = [...ledger.invoices.values()].filter((i) => i.contactId === state.contactId && i.reference === 'PF');
  const creditNotes = [...ledger.creditNotes.values()].filter((c) => c.contactId === state.contactId && c.reference === 'PF');
  expect(invoices).toHaveLength(1);
  expect(creditNotes).toHaveLength(1);
  expect(ledger.paymentsOf(invoices[0].id).map((p) => p.amountCents)).toEqual([125_000]);
  // The retry sent the invoice again with the same key, and Xero answered it from its idempotency store.
  expect(world.xero.emu.idempotency.replays).toBeGreaterThanOrEqual(1);
  await second.stop();
}, 90_000);
