// A grant that dies while a payment is in flight: the connection becomes reconnect_required (a message and an action
// for the merchant), the payment's workflow waits without calling Xero, and once the merchant consents again it
// posts the payment, exactly once. Real Temporal, Postgres and the Xero emulator over HTTP.
import { paymentWorkflowId } from '../../../workflows/payments/definitions';
import { consent, organisationLetsGo, xeroConsentEndpoint, xeroInvoice } from '../../support/consent';
import { eventually } from '../../support/eventually';
import { httpClient } from '../../support/http';
import { createTestMerchant } from '../../support/merchants';
import { startTestStack, type TestStack } from '../../support/stack';
import { startXero, type XeroFixture } from '../../support/xero';

let stack: TestStack;
let xero: XeroFixture;

beforeAll(async () => {
  xero = await startXero();
  const endpoint = xeroConsentEndpoint(xero.emu);
  stack = await startTestStack({ endpoints: { xero: endpoint, quickbooks: endpoint } });
});
afterAll(async () => {
  await stack?.close();
  await xero?.close();
});


it('waits for the merchant to reconnect (no calls meanwhile), then posts the payment once', async () => {
  const { merchantId, apiKey } = await createTestMerchant(stack);
  const api = httpClient(stack.api!.url, apiKey);
  expect((await consent(stack.api!.url, apiKey, { platform: 'xero', tenantIds: [xero.tenantId] })).status).toBe(303);
  const target = await xeroInvoice(xero, 10_000);
  await organisationLetsGo(stack, xero, merchantId);

  const taken = await api('POST', '/v1/payments', { body: { currency: 'AUD', reference: 'Receipt 1', amount: '100.00', method: 'card', invoices: [{ invoiceId: target.id, amount: '100.00' }] } });
  expect(taken.status).toBe(202);
  const paymentId = taken.body.id as string;

  // Xero's 403 AuthenticationUnsuccessful: reconnect_required, one message and one action; the workflow waits.
  await eventually('the workflow waits for the connection', () => stack.db.selectFrom('accounting_connection_waiters').selectAll().where('merchant_id', '=', merchantId).execute(), (rows) => rows.length === 1);
  const listed = await api('GET', '/v1/connections');
  expect(listed.body.connections[0].status).toBe('reconnect_required');
  expect((await api('GET', '/v1/actions')).body.actions).toEqual([expect.objectContaining({ kind: 'reconnect-accounting' })]);
  expect((await api('GET', '/v1/messages')).body.messages).toEqual([expect.objectContaining({ kind: 'accounting-disconnected' })]);
  expect((await api('GET', `/v1/payments/${paymentId}`)).body.sync.status).toBe('pending');

  // While it waits, nothing goes to Xero for this organisation on Settle's behalf.
  const callsBefore = xero.emu.requests.filter((r) => r.path.startsWith('/api.xro')).length;
  await new Promise((r) => setTimeout(r, 2_500));
  expect(xero.emu.requests.filter((r) => r.path.startsWith('/api.xro')).length).toBe(callsBefore);
  // The history shows one failed attempt, not a retry every minute.
  const history = await stack.client.workflow.getHandle(paymentWorkflowId(merchantId, paymentId)).fetchHistory();
  const scheduled = history.events!.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'uploadPayment').length;
  expect(scheduled).toBe(1);

  // The merchant consents again: the payment posts, once, and the action is resolved.
  expect((await consent(stack.api!.url, apiKey, { platform: 'xero', tenantIds: [xero.tenantId] })).status).toBe(303);
  const settled = await eventually(`payment ${paymentId} posts`, () => api('GET', `/v1/payments/${paymentId}`), (r) => r.body.sync.status !== 'pending');
  expect(settled.body.sync.status).toBe('synced');
  expect(xero.ledger().paymentsOf(target.id).map((p) => p.amountCents)).toEqual([10_000]);
  expect((await api('GET', '/v1/actions')).body.actions).toEqual([]);
  expect((await api('GET', '/v1/connections')).body.connections[0].status).toBe('connected');
});
