// Role routing on real Temporal, Postgres and the QuickBooks emulator: an accounting activity uses the
// connection (and rate budget) of the queue it runs on; with multi-connection off every role uses
// wise-pay; a platform 429 delays the retry by the platform's Retry-After; background work waiting on its
// own queue does not hold up a payer's payment.
import { randomBytes } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import { createMerchant } from '../../../db/merchants';
import { taskQueueName, type AccountingRole } from '../../../lib/task-queues';
import { settleDataConverter } from '../../../lib/temporal/payload-codec';
import { startWorkers } from '../../../workers/start-workers';
import { postPaymentsAs } from '../../fixtures/workflows';
import { startQuickBooks, type QuickBooksFixture } from '../../support/quickbooks';
import { startTestStack, type TestStack } from '../../support/stack';

let qb: QuickBooksFixture;
let stack: TestStack;
let fixtureWorker: Worker;
let fixtureRun: Promise<void>;

beforeAll(async () => {
  qb = await startQuickBooks();
  const endpoint = { apiBase: qb.emu.endpoint, tokenUrl: qb.emu.tokenUrl, clientId: 'id', clientSecret: 'secret' };
  // No service worker: work routed to the service queue waits until a test starts one.
  stack = await startTestStack({ roles: ['wise-pay', 'company'], api: false, endpoints: { xero: endpoint, quickbooks: endpoint } });
  fixtureWorker = await Worker.create({
    connection: stack.nativeConnection,
    taskQueue: taskQueueName(stack.taskQueuePrefix, 'workflows'),
    workflowsPath: require.resolve('../../fixtures/workflows'),
    dataConverter: settleDataConverter(stack.apiDeps.keyring),
  });
  fixtureRun = fixtureWorker.run();
});
afterAll(async () => {
  fixtureWorker.shutdown();
  await fixtureRun;
  await stack.close();
  await qb.close();
});

let seq = 0;
async function merchantWithInvoice(multiConnection: boolean) {
  const { merchant } = await createMerchant(stack.db, `Routing MSP ${++seq}`);
  await stack.db.updateTable('merchants').set({ multi_connection: multiConnection }).where('id', '=', merchant.id).execute();
  const customer = await qb.platform.createContact({ name: `Routing customer ${seq}-${randomBytes(3).toString('hex')}` }, `c-${randomBytes(8).toString('hex')}`);
  const invoice = await qb.platform.createInvoice(
    { contactId: customer.id, date: '2026-03-01', dueDate: '2026-03-31', currency: 'USD', status: 'authorised',
      lines: [{ description: 'Managed services', quantity: 1, unitAmountMinor: 50_000, accountCode: '1' }] },
    `i-${randomBytes(8).toString('hex')}`,
  );
  return { merchantId: merchant.id, invoiceId: invoice.id };
}

async function connect(merchantId: string, role: AccountingRole) {
  const grant = qb.emu.oauth.issue(qb.realmId);
  return stack.accounting.connections.connect(merchantId, role, { platform: 'quickbooks', tenantId: qb.realmId, tokens: grant });
}

function pay(merchantId: string, role: AccountingRole, invoiceId: string, amountMinor: number) {
  return stack.client.workflow.start(postPaymentsAs, {
    workflowId: `routing-${randomBytes(6).toString('hex')}`,
    taskQueue: taskQueueName(stack.taskQueuePrefix, 'workflows'),
    args: [{ merchantId, role, payments: [{ invoiceId, amountMinor, date: '2026-03-05', accountCode: '35' }] }],
  });
}

async function callsOf(connectionId: string) {
  return stack.db.selectFrom('accounting_calls').select('id').where('connection_id', '=', connectionId).execute();
}

it('uses the wise-pay connection for every role while multi-connection is off', async () => {
  const { merchantId, invoiceId } = await merchantWithInvoice(false);
  const wisePay = await connect(merchantId, 'wise-pay');
  const results = await (await pay(merchantId, 'company', invoiceId, 10_000)).result();
  expect(results).toEqual([{ ok: true, paymentId: expect.any(String), invoiceNumber: expect.any(String) }]);
  expect(await callsOf(wisePay.id)).toHaveLength(1);
  expect(qb.realm().invoices.get(invoiceId)!.balanceCents).toBe(40_000);
});

it("uses the role's own connection when multi-connection is on, and keeps waiting background work apart", async () => {
  const { merchantId, invoiceId } = await merchantWithInvoice(true);
  const wisePay = await connect(merchantId, 'wise-pay');
  const service = await connect(merchantId, 'service');

  const background = await pay(merchantId, 'service', invoiceId, 5_000); // no service worker yet: it waits
  const payer = await pay(merchantId, 'wise-pay', invoiceId, 7_000);
  expect(await payer.result()).toEqual([{ ok: true, paymentId: expect.any(String), invoiceNumber: expect.any(String) }]);
  expect((await background.describe()).status.name).toBe('RUNNING');
  expect(await callsOf(wisePay.id)).toHaveLength(1);
  expect(await callsOf(service.id)).toHaveLength(0);

  const serviceWorker = await startWorkers({
    connection: stack.nativeConnection,
    namespace: 'default',
    taskQueuePrefix: stack.taskQueuePrefix,
    roles: ['service'],
    activities: stack.activities,
    keyring: stack.apiDeps.keyring,
  });
  try {
    expect(await background.result()).toEqual([{ ok: true, paymentId: expect.any(String), invoiceNumber: expect.any(String) }]);
  } finally {
    await serviceWorker.shutdown();
  }
  expect(await callsOf(service.id)).toHaveLength(1);
});

it("waits out the platform's Retry-After instead of the default backoff, and pays once", async () => {
  const { merchantId, invoiceId } = await merchantWithInvoice(false);
  await connect(merchantId, 'wise-pay');
  const before = qb.realm().payments.size;
  qb.emu.faults.set({ rateLimitBurst: { count: 1, retryAfterSeconds: 2 } });
  const started = Date.now();
  try {
    const results = await (await pay(merchantId, 'wise-pay', invoiceId, 3_000)).result();
    expect(results).toEqual([{ ok: true, paymentId: expect.any(String), invoiceNumber: expect.any(String) }]);
  } finally {
    qb.emu.faults.clear();
  }
  // The fixture's own retry policy would retry after 200 ms; the platform asked for 2 s.
  expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
  expect(qb.realm().payments.size - before).toBe(1);
});
