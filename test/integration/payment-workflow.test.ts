// The payment workflow on the real dev server: its activity runs on the wise-pay queue and nowhere else,
// it is queryable while it waits, and its activity is idempotent against Postgres.
import { createMerchant } from '../../db/merchants';
import { newId } from '../../lib/ids';
import { taskQueueName } from '../../lib/task-queues';
import { paymentStateQuery, paymentWorkflowId, type PaymentInput } from '../../workflows/payments/definitions';
import { paymentWorkflow } from '../../workflows/payments/payment-workflow';
import { recordHistory } from '../support/histories';
import { httpClient } from '../support/http';
import { startTestStack, type TestStack } from '../support/stack';
import { startWorkers } from '../../workers/start-workers';

let stack: TestStack;
let merchant: { id: string; apiKey: string };

beforeAll(async () => {
  // Every queue but wise-pay has a worker: the payment's activity must wait for wise-pay.
  stack = await startTestStack({ roles: ['workflows', 'company', 'service'] });
  const created = await createMerchant(stack.db, 'Workflow MSP');
  merchant = { id: created.merchant.id, apiKey: created.apiKey.key };
});
afterAll(() => stack.close());

function input(): PaymentInput {
  return { paymentId: newId('pay'), merchantId: merchant.id, amountMinor: 4200, currency: 'NZD', reference: 'WF-1' };
}

it('runs its activity on the wise-pay queue only, and answers queries while it waits', async () => {
  const payment = input();
  const handle = await stack.client.workflow.start(paymentWorkflow, {
    workflowId: paymentWorkflowId(merchant.id, payment.paymentId),
    taskQueue: taskQueueName(stack.taskQueuePrefix, 'workflows'),
    args: [payment],
  });

  // Wait until the workflow task has scheduled the activity, then check nobody else took it.
  let description = await handle.describe();
  while ((description.raw.pendingActivities ?? []).length === 0) {
    await new Promise((r) => setTimeout(r, 50)); // server-side state change; nothing to await on
    description = await handle.describe();
  }
  expect(description.raw.pendingActivities![0].activityType?.name).toBe('recordPayment');
  expect(await handle.query(paymentStateQuery)).toMatchObject({ status: 'received', amountMinor: 4200 });

  // The API answers from the workflow while the payment is not yet in Postgres.
  const read = await httpClient(stack.api!.url)('GET', `/v1/payments/${payment.paymentId}`, { key: merchant.apiKey });
  expect(read).toMatchObject({ status: 200, body: { status: 'received', amount: '42.00', currency: 'NZD', recordedAt: null } });

  const wisePay = await startWorkers({
    connection: stack.nativeConnection,
    namespace: 'default',
    taskQueuePrefix: stack.taskQueuePrefix,
    roles: ['wise-pay'],
    activities: stack.activities,
    keyring: stack.apiDeps.keyring,
  });
  try {
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'recorded', paymentId: payment.paymentId });
  } finally {
    await wisePay.shutdown();
  }
  const row = await stack.db.selectFrom('payments').selectAll().where('id', '=', payment.paymentId).executeTakeFirstOrThrow();
  expect(row).toMatchObject({ merchant_id: merchant.id, amount_minor: 4200, status: 'recorded', workflow_id: handle.workflowId });

  // The history for the replay test (guards determinism of the shipped workflow).
  await recordHistory(handle, 'paymentWorkflow');
});

it('records a payment once however often its activity runs', async () => {
  const { recordPayment } = stack.activities;
  const payment = { ...input(), workflowId: 'payment/test/once' };
  const first = await recordPayment(payment);
  const again = await recordPayment({ ...payment, amountMinor: 1 }); // a retry never rewrites the first row
  expect(again).toEqual(first);
  const rows = await stack.db.selectFrom('payments').selectAll().where('id', '=', payment.paymentId).execute();
  expect(rows).toEqual([expect.objectContaining({ amount_minor: 4200 })]);
});
