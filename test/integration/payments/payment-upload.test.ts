// Payment upload on real Temporal and Postgres against the Xero emulator: a payment that pays invoices is posted
// against them at once on the wise-pay queue; a payment applied to no invoice, a batch debit and a payment made
// before the accounting start date are recorded as not uploaded, with why; a refused posting raises an action.
// Each payment's receipt view says whether, when and where it went.
import { randomBytes } from 'node:crypto';
import { taskQueueName } from '../../../lib/task-queues';
import { paymentWorkflowId, type PaymentInput } from '../../../workflows/payments/definitions';
import { paymentWorkflow } from '../../../workflows/payments/payment-workflow';
import { eventually } from '../../support/eventually';
import { recordHistory } from '../../support/histories';
import { httpClient } from '../../support/http';
import { createTestMerchant } from '../../support/merchants';
import { startQuoteWorld, type QuoteWorld } from '../../support/quotes';

let world: QuoteWorld;
beforeAll(async () => {
  world = await startQuoteWorld();
});
afterAll(() => world.close());

const today = () => new Date().toISOString().slice(0, 10);
type Api = ReturnType<typeof httpClient>;

async function connectedMerchant() {
  const { merchantId, apiKey } = await createTestMerchant(world.stack, `Upload MSP ${randomBytes(3).toString('hex')}`);
  const tokens = world.xero.emu.oauth.issue(world.xero.tenantId, `settle-${merchantId}`);
  await world.stack.accounting.connections.connect(merchantId, 'wise-pay', { platform: 'xero', tenantId: world.xero.tenantId, tokens });
  return { merchantId, api: httpClient(world.stack.api!.url, apiKey) };
}

async function invoice(amountMinor: number) {
  const contact = await world.xero.platform.createContact({ name: `Payer ${randomBytes(4).toString('hex')}` }, `ct-${randomBytes(8).toString('hex')}`);
  return world.xero.platform.createInvoice({ contactId: contact.id, date: today(), dueDate: today(), currency: 'AUD', status: 'authorised',
    lines: [{ description: 'Managed services', quantity: 1, unitAmountMinor: amountMinor, accountCode: '200', taxType: 'NONE' }] }, `inv-${randomBytes(8).toString('hex')}`);
}

const paymentsOn = (invoiceId: string) => world.xero.ledger().paymentsOf(invoiceId);

async function take(api: Api, body: Record<string, unknown>) {
  const res = await api('POST', '/v1/payments', { body: { currency: 'AUD', reference: 'Receipt 1', ...body } });
  expect(res.status).toBe(202);
  return res.body.id as string;
}
async function settled(api: Api, id: string): Promise<any> {
  const res = await eventually(`payment ${id} leaves pending`, () => api('GET', `/v1/payments/${id}`), (r) => r.status === 200 && r.body.sync.status !== 'pending');
  return res.body;
}

it('posts a virtual-terminal payment against the invoices it pays, once, and the receipt links to them', async () => {
  const { merchantId, api } = await connectedMerchant();
  const [a, b] = [await invoice(10_000), await invoice(5_000)];
  const id = await take(api, { amount: '120.00', method: 'card', invoices: [{ invoiceId: a.id, amount: '100.00' }, { invoiceId: b.id, amount: '20.00' }] });
  const payment = await settled(api, id);
  expect(payment.sync).toMatchObject({ status: 'synced', reason: null, postings: [
    { invoiceId: a.id, invoiceNumber: a.number, amount: '100.00', url: expect.stringContaining(a.id) },
    { invoiceId: b.id, invoiceNumber: b.number, amount: '20.00', url: expect.stringContaining(b.id) },
  ] });
  expect(Date.parse(payment.sync.syncedAt)).not.toBeNaN();
  expect(paymentsOn(a.id).map((p) => p.amountCents)).toEqual([10_000]);
  expect(paymentsOn(b.id).map((p) => p.amountCents)).toEqual([2_000]);
  expect(world.xero.ledger().invoices.get(a.id)!.status).toBe('PAID');
  const log = (await api('GET', '/v1/activity-log')).body.entries as Array<{ kind: string; subject: string; detail: string }>;
  expect(log.find((e) => e.subject === id)).toMatchObject({ kind: 'payment-uploaded', detail: expect.stringContaining(a.id) });

  // The workflow ran on the wise-pay queue and finished; its history guards the patched upload on replay.
  const handle = world.stack.client.workflow.getHandle(paymentWorkflowId(merchantId, id));
  await handle.result();
  const history = await handle.fetchHistory();
  const queues = history.events!.filter((e) => e.activityTaskScheduledEventAttributes)
    .map((e) => [e.activityTaskScheduledEventAttributes!.activityType!.name, e.activityTaskScheduledEventAttributes!.taskQueue!.name]);
  expect(queues).toEqual([['recordPayment', taskQueueName(world.stack.taskQueuePrefix, 'wise-pay')], ['uploadPayment', taskQueueName(world.stack.taskQueuePrefix, 'wise-pay')]]);
  await recordHistory(handle, 'paymentWorkflow.upload');
});

it('posts a Pay Now card payment straight against its invoice', async () => {
  const { merchantId } = await connectedMerchant();
  const inv = await invoice(7_700);
  // The Pay Now pages start the same workflow with the payer's choice and the invoice's amount due.
  const input: PaymentInput = { paymentId: `pay_${randomBytes(12).toString('hex')}`, merchantId, amountMinor: 7_700, currency: 'AUD', reference: 'Pay Now',
    channel: 'pay_now', method: 'card', applications: [{ invoiceId: inv.id, amountMinor: 7_700 }] };
  const state = await world.stack.client.workflow.execute(paymentWorkflow, {
    workflowId: paymentWorkflowId(merchantId, input.paymentId), taskQueue: taskQueueName(world.stack.taskQueuePrefix, 'workflows'), args: [input],
  });
  expect(state.sync).toMatchObject({ status: 'synced', records: [{ invoiceId: inv.id, amountMinor: 7_700 }] });
  expect(paymentsOn(inv.id)).toHaveLength(1);
});

it('does not upload a payment applied to no invoice, a batch debit, or a payment from before the start date', async () => {
  const { merchantId, api } = await connectedMerchant();
  const before = world.xero.ledger().payments.size;
  const unapplied = await settled(api, await take(api, { amount: '50.00', method: 'bank_debit' }));
  expect(unapplied.sync).toMatchObject({ status: 'not-uploaded', reason: expect.stringMatching(/not applied to an invoice/), postings: [] });
  const batch = await settled(api, await take(api, { amount: '75.00', method: 'bank_debit', channel: 'batch_debit' }));
  expect(batch.sync).toMatchObject({ status: 'not-uploaded', reason: expect.stringMatching(/batch debits/) });

  // Connected today: a payment dated yesterday is before the start date.
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const inv = await invoice(3_000);
  const early = await settled(api, await take(api, { amount: '30.00', paidOn: yesterday, invoices: [{ invoiceId: inv.id, amount: '30.00' }] }));
  expect(early.sync).toMatchObject({ status: 'not-uploaded', reason: expect.stringMatching(/start date/) });
  expect(world.xero.ledger().payments.size).toBe(before);
  expect(paymentsOn(inv.id)).toHaveLength(0);
  void merchantId;
});

it('does not upload for a merchant that never connected an accounting platform', async () => {
  const { apiKey } = await createTestMerchant(world.stack, 'Unconnected MSP');
  const api = httpClient(world.stack.api!.url, apiKey);
  const payment = await settled(api, await take(api, { amount: '10.00', invoices: [{ invoiceId: 'b5b8f3e2-0000-4000-8000-000000000001', amount: '10.00' }] }));
  expect(payment.sync).toMatchObject({ status: 'not-uploaded', reason: expect.stringMatching(/no accounting platform/) });
});

it('records what the platform refused and raises an action, posting nothing twice', async () => {
  const { api } = await connectedMerchant();
  const inv = await invoice(1_000);
  const payment = await settled(api, await take(api, { amount: '25.00', invoices: [{ invoiceId: inv.id, amount: '25.00' }] }));
  expect(payment.sync.status).toBe('failed');
  expect(payment.sync.reason).toContain(inv.id);
  expect(paymentsOn(inv.id)).toHaveLength(0);
  const actions = (await api('GET', '/v1/actions')).body.actions as Array<{ kind: string; subject: string }>;
  expect(actions).toContainEqual(expect.objectContaining({ kind: 'payment-upload-failed', subject: payment.id }));
});

it('refuses applications it cannot honour with a problem that says why, starting nothing', async () => {
  const { api } = await connectedMerchant();
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ amount: '10.00', invoices: [{ invoiceId: 'inv-1', amount: '11.00' }] }, /add up to more/],
    [{ amount: '10.00', channel: 'batch_debit', method: 'bank_debit', invoices: [{ invoiceId: 'inv-1', amount: '5.00' }] }, /batch debit/],
    [{ amount: '10.00', invoices: [{ invoiceId: 'inv-1', amount: '5.00' }, { invoiceId: 'inv-1', amount: '5.00' }] }, /once/],
    [{ amount: '10.00', invoices: [{ invoiceId: 'inv-1', amount: '5.001' }] }, /./],
    [{ amount: '10.00', paidOn: '2999-01-01' }, /future/],
  ];
  for (const [body, reason] of cases) {
    const res = await api('POST', '/v1/payments', { body: { currency: 'AUD', reference: 'Bad', ...body }, headers: { 'Idempotency-Key': `bad-${randomBytes(4).toString('hex')}` } });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(JSON.stringify(res.body)).toMatch(reason);
  }
});
