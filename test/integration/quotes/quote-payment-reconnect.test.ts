// A quote paid by card while the books are disconnected: the payer's payment stands (the quote payment is paid),
// the posting finds the grant dead, the connection becomes reconnect_required and the workflow waits (durably: no
// call to Xero, no retry every minute, no "posting failed" action) until the merchant consents again; then the quote
// payment invoice, its payment and the credit note are posted exactly once. Real Temporal and Postgres; Xero and
// Stripe emulated at HTTP level.
import { beginCheckoutUpdate, completeCheckoutUpdate, quotePaymentStateQuery } from '../../../workflows/quotes/definitions';
import { consent } from '../../support/consent';
import { eventually } from '../../support/eventually';
import { recordHistory } from '../../support/histories';
import { acceptBody, setUpQuoteMerchant, startQuoteWorld, untilQuoteStatus, type QuoteWorld } from '../../support/quotes';

let world: QuoteWorld;
beforeAll(async () => {
  world = await startQuoteWorld({ consent: true });
});
afterAll(() => world.close());

const xeroApiCalls = () => world.xero.emu.requests.filter((r) => r.path.startsWith('/api.xro')).length;

it('takes the card payment, waits for the merchant to reconnect (no calls meanwhile), then posts once', async () => {
  const m = await setUpQuoteMerchant(world);
  const accepted = await m.cpq('POST', '/v1/cpq/quote-payments', { body: acceptBody() });
  expect(accepted.status).toBe(201);
  const handle = world.stack.client.workflow.getHandle(`quote-payment/${m.merchantId}/${accepted.body.quoteId}`);

  // The organisation ends Settle's grant inside Xero before the payer pays.
  world.xero.emu.oauth.revokeTenant(world.xero.tenantId);
  const { paymentIntentId } = await handle.executeUpdate(beginCheckoutUpdate, { args: [{ checkout: 'guest', method: 'card' }] });
  await world.stripe.stripe.paymentIntents.confirm(paymentIntentId, { payment_method: 'pm_card_visa' }, { stripeAccount: m.stripeAccountId });
  expect((await handle.executeUpdate(completeCheckoutUpdate, { args: [{ paymentIntentId }] })).status).toBe('paid');

  await eventually('the quote payment waits for the connection', () => world.stack.db.selectFrom('accounting_connection_waiters').selectAll()
    .where('merchant_id', '=', m.merchantId).execute(), (rows) => rows.length === 1);
  const callsWhileWaiting = xeroApiCalls();
  expect(await handle.query(quotePaymentStateQuery)).toMatchObject({ status: 'paid', waitingForConnection: true });
  expect((await m.merchant('GET', `/v1/quote-payments/${accepted.body.id}`)).body.status).toBe('paid');
  expect((await m.merchant('GET', '/v1/connections')).body.connections[0].status).toBe('reconnect_required');
  const actions = (await m.merchant('GET', '/v1/actions')).body.actions.map((a: { kind: string }) => a.kind);
  expect(actions).toEqual(['reconnect-accounting']); // not "quote-posting-failed": nothing was refused, it waits
  const history = await handle.fetchHistory();
  expect(history.events!.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'bookQuotePayment')).toHaveLength(1);
  const pf = () => ({
    invoices: [...world.xero.ledger().invoices.values()].filter((i) => i.reference === 'PF'),
    creditNotes: [...world.xero.ledger().creditNotes.values()].filter((c) => c.reference === 'PF'),
  });
  expect(pf()).toEqual({ invoices: [], creditNotes: [] });

  // The merchant consents again: the posting carries on, once. Nothing went to Xero while it waited.
  expect(xeroApiCalls()).toBe(callsWhileWaiting);
  expect((await consent(world.stack.api!.url, m.apiKey, { platform: 'xero', tenantIds: [world.xero.tenantId] })).status).toBe(303);
  const posted = await untilQuoteStatus(handle, 'awaiting-downpayment-invoice');
  expect(posted.waitingForConnection).toBe(false);
  const { invoices, creditNotes } = pf();
  expect(invoices).toHaveLength(1);
  expect(creditNotes).toHaveLength(1);
  expect(creditNotes[0]).toMatchObject({ status: 'AUTHORISED', totalCents: 125_000 });
  expect(world.xero.ledger().paymentsOf(invoices[0].id).map((p) => p.amountCents)).toEqual([125_000]);
  expect((await m.merchant('GET', '/v1/actions')).body.actions).toEqual([]);
  await recordHistory(handle, 'quotePaymentWorkflow.reconnection');
});
