// The quote payment's timers, shortened: an abandoned checkout releases its open payment and ends; a downpayment
// invoice that never arrives ends in an action for the merchant (the credit note waits to be applied by hand).
import { beginCheckoutUpdate, completeCheckoutUpdate, quotePaymentStateQuery } from '../../../workflows/quotes/definitions';
import { acceptBody, setUpQuoteMerchant, startQuoteWorld, type QuoteMerchant, type QuoteWorld } from '../../support/quotes';

let world: QuoteWorld;
let m: QuoteMerchant;

beforeAll(async () => {
  world = await startQuoteWorld({ timing: { abandonAfterMs: 3_000, downpaymentCheckEveryMs: 300, downpaymentGiveUpAfterMs: 1_500 } });
  m = await setUpQuoteMerchant(world);
});
afterAll(() => world.close());

const handleOf = (quoteId: string) => world.stack.client.workflow.getHandle(`quote-payment/${m.merchantId}/${quoteId}`);

it('abandons a checkout nobody finishes, cancelling its payment; payer activity keeps it alive meanwhile', async () => {
  const view = (await m.cpq('POST', '/v1/cpq/quote-payments', { body: acceptBody() })).body;
  const handle = handleOf(view.quoteId);
  // The payer arrives half-way to the deadline (the pause is the scenario, not a wait): the clock starts again from here.
  await new Promise((r) => setTimeout(r, 1_500));
  const { paymentIntentId } = await handle.executeUpdate(beginCheckoutUpdate, { args: [{ checkout: 'guest', method: 'card' }] });
  expect((await handle.query(quotePaymentStateQuery)).status).toBe('checkout-open');

  const result = await handle.result();
  expect(result.status).toBe('abandoned');
  // The history shows the restart whatever the machine's load: the timer before the visit had the full 3 s, the one
  // after it the full 3 s again (not the 1.5 s left), and nothing was abandoned until it fired.
  const events = (await handle.fetchHistory()).events ?? [];
  const visit = events.findIndex((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
  const timerMs = (e: (typeof events)[number]) => Number(e.timerStartedEventAttributes!.startToFireTimeout!.seconds ?? 0) * 1000 +
    Math.round((e.timerStartedEventAttributes!.startToFireTimeout!.nanos ?? 0) / 1e6);
  const timersAfterVisit = events.slice(visit).filter((e) => e.timerStartedEventAttributes);
  expect(timersAfterVisit.length).toBeGreaterThan(0);
  expect(timerMs(timersAfterVisit[0])).toBeGreaterThan(2_500);
  expect(events.slice(visit).some((e) => e.timerFiredEventAttributes)).toBe(true);
  expect((await world.stripe.stripe.paymentIntents.retrieve(paymentIntentId, {}, { stripeAccount: m.stripeAccountId })).status).toBe('canceled');
  expect((await m.merchant('GET', `/v1/quote-payments/${view.id}`)).body.status).toBe('abandoned');
  // Nothing was posted.
  expect([...world.xero.ledger().creditNotes.values()].filter((c) => c.lines[0]?.description?.includes(view.quoteId))).toHaveLength(0);
});

it('raises an action when no downpayment invoice arrives in time, and ends', async () => {
  const view = (await m.cpq('POST', '/v1/cpq/quote-payments', { body: acceptBody() })).body;
  const handle = handleOf(view.quoteId);
  const { paymentIntentId } = await handle.executeUpdate(beginCheckoutUpdate, { args: [{ checkout: 'guest', method: 'card' }] });
  await world.stripe.stripe.paymentIntents.confirm(paymentIntentId, { payment_method: 'pm_card_visa' }, { stripeAccount: m.stripeAccountId });
  await handle.executeUpdate(completeCheckoutUpdate, { args: [{ paymentIntentId }] });
  const result = await handle.result();
  expect(result.status).toBe('awaiting-downpayment-invoice');
  const actions = (await m.merchant('GET', '/v1/actions')).body;
  expect(JSON.stringify(actions)).toContain(`No downpayment invoice for quote ${view.quoteId}`);
});
