// reconnect_required with the worker killed during the wait: a payment whose Xero grant died waits for the merchant
// to reconnect; meanwhile the wise-pay worker (its own process, the production entry point) is killed with SIGKILL and
// a new one starts. The wait is the workflow's, durable in Temporal, so after the merchant consents again the new
// worker posts the payment, exactly once. Real Temporal, Postgres and the Xero emulator over HTTP.
import { paymentWorkflowId } from '../../../workflows/payments/definitions';
import { consent, organisationLetsGo, XERO_APP, xeroConsentEndpoint, xeroInvoice } from '../../support/consent';
import { eventually } from '../../support/eventually';
import { httpClient } from '../../support/http';
import { createTestMerchant } from '../../support/merchants';
import { runWorkerProcess, type RunningProcess } from '../../support/processes';
import { startTestStack, type TestStack } from '../../support/stack';
import { startXero, type XeroFixture } from '../../support/xero';

let stack: TestStack;
let xero: XeroFixture;
const running: RunningProcess[] = [];

beforeAll(async () => {
  xero = await startXero();
  const endpoint = xeroConsentEndpoint(xero.emu);
  // Workflows run in this process; the wise-pay activities (recording, posting, registering the wait) run only in
  // the worker process the test kills.
  stack = await startTestStack({ roles: ['workflows'], endpoints: { xero: endpoint, quickbooks: endpoint } });
});
afterAll(async () => {
  await Promise.all(running.map((p) => p.stop('SIGKILL')));
  await stack?.close();
  await xero?.close();
});

/** A wise-pay worker process with Settle's Xero app, pointed at the emulator as configuration would point it. */
async function startWisePayWorker(): Promise<RunningProcess> {
  const { emu } = xero;
  const worker = runWorkerProcess(stack, 'wise-pay', {
    XERO_API_BASE: emu.apiBasePath, XERO_TOKEN_URL: emu.tokenUrl, XERO_AUTHORIZE_URL: emu.authorizeUrl, XERO_REVOCATION_URL: emu.revocationUrl,
    XERO_CONNECTIONS_URL: emu.connectionsUrl, XERO_CLIENT_ID: XERO_APP.clientId, XERO_CLIENT_SECRET: XERO_APP.clientSecret,
  });
  running.push(worker);
  await worker.waitForOutput(/"msg":"worker started"/);
  return worker;
}


/** Activities of the payment's workflow by name: how often scheduled, and how often completed. */
async function activityCounts(workflowId: string, name: string) {
  const events = (await stack.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const scheduledIds = new Set(events
    .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === name)
    .map((e) => String(e.eventId)));
  const completed = events.filter((e) => scheduledIds.has(String(e.activityTaskCompletedEventAttributes?.scheduledEventId))).length;
  return { scheduled: scheduledIds.size, completed };
}

it('posts the payment once after the merchant reconnects, though the worker was killed while the payment waited', async () => {
  const first = await startWisePayWorker();
  const { merchantId, apiKey } = await createTestMerchant(stack);
  const api = httpClient(stack.api!.url, apiKey);
  expect((await consent(stack.api!.url, apiKey, { platform: 'xero', tenantIds: [xero.tenantId] })).status).toBe(303);
  const target = await xeroInvoice(xero, 10_000);
  await organisationLetsGo(stack, xero, merchantId);
  const paymentsAnswered = () => xero.emu.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/Payments') && r.status === 200).length;

  const taken = await api('POST', '/v1/payments', { body: { currency: 'AUD', reference: 'Receipt 1', amount: '100.00', method: 'card', invoices: [{ invoiceId: target.id, amount: '100.00' }] } });
  expect(taken.status).toBe(202);
  const paymentId = taken.body.id as string;
  const workflowId = paymentWorkflowId(merchantId, paymentId);

  // The first posting met Xero's 403 and the workflow registered its wait (the registering activity completed, so
  // nothing of the wait is left with the worker): it now sleeps on the reconnect signal.
  await eventually('the payment waits for the connection', () => activityCounts(workflowId, 'awaitAccountingConnection'), (c) => c.completed === 1);
  expect(await stack.db.selectFrom('accounting_connection_waiters').select('workflow_id').where('merchant_id', '=', merchantId).execute()).toEqual([{ workflow_id: workflowId }]);
  expect((await api('GET', '/v1/connections')).body.connections.find((c: { role: string }) => c.role === 'wise-pay').status).toBe('reconnect_required');
  expect((await api('GET', `/v1/payments/${paymentId}`)).body.sync.status).toBe('pending');
  expect(paymentsAnswered()).toBe(0);

  // The worker dies (no drain, no goodbye), and another takes its place.
  await first.stop('SIGKILL');
  expect(first.child.signalCode).toBe('SIGKILL');
  await startWisePayWorker();

  // The merchant consents again: the waiting workflow is woken and the new worker posts the payment.
  expect((await consent(stack.api!.url, apiKey, { platform: 'xero', tenantIds: [xero.tenantId] })).status).toBe(303);
  const settled = await eventually(`payment ${paymentId} posts`, () => api('GET', `/v1/payments/${paymentId}`), (r) => r.body.sync.status !== 'pending', { timeoutMs: 30_000 });
  expect(settled.body.sync.status).toBe('synced');

  // Exactly once: one payment on the invoice in Xero's ledger, one PUT /Payments answered 200, and the workflow
  // tried the posting twice in all (the 403, then after the reconnect), never in a loop.
  expect(xero.ledger().paymentsOf(target.id).map((p) => p.amountCents)).toEqual([10_000]);
  expect(paymentsAnswered()).toBe(1);
  expect(await activityCounts(workflowId, 'uploadPayment')).toEqual({ scheduled: 2, completed: 1 });
  expect((await stack.client.workflow.getHandle(workflowId).result()).sync).toMatchObject({ status: 'synced' });
  expect((await api('GET', '/v1/actions')).body.actions).toEqual([]);
  expect((await api('GET', '/v1/connections')).body.connections.find((c: { role: string }) => c.role === 'wise-pay').status).toBe('connected');
}, 120_000);
