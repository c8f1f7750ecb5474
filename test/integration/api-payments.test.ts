// POST /v1/payments → payment workflow → activity on the wise-pay queue → Postgres; GET answers from the
// workflow while it runs and from Postgres once it has closed. Real API, Temporal, workers and Postgres.
import { paymentWorkflowId } from '../../workflows/payments/definitions';
import { httpClient } from '../support/http';
import { createTestMerchant } from '../support/merchants';
import { startTestStack, type TestStack } from '../support/stack';

let stack: TestStack;
let request: ReturnType<typeof httpClient>;
let merchant: { merchantId: string; apiKey: string };

beforeAll(async () => {
  stack = await startTestStack();
  request = httpClient(stack.api!.url);
  merchant = await createTestMerchant(stack);
});
afterAll(() => stack.close());

const newPayment = { amount: '125.50', currency: 'AUD', reference: 'INV-1001' };

async function paymentsOf(merchantId: string) {
  return stack.db.selectFrom('payments').selectAll().where('merchant_id', '=', merchantId).execute();
}

async function workflowCountFor(merchantId: string) {
  const { count } = await stack.client.workflow.count(`SettleMerchantId = '${merchantId}'`);
  return count;
}

it('takes a payment end to end and answers from Postgres once the workflow has closed', async () => {
  const created = await request('POST', '/v1/payments', { key: merchant.apiKey, body: newPayment });
  expect(created.status).toBe(202);
  expect(created.body).toMatchObject({ status: 'received', amount: '125.50', currency: 'AUD', reference: 'INV-1001' });
  expect(created.headers.get('location')).toBe(`/v1/payments/${created.body.id}`);

  const result = await stack.client.workflow.getHandle(paymentWorkflowId(merchant.merchantId, created.body.id)).result();
  expect(result.status).toBe('recorded');

  const rows = await paymentsOf(merchant.merchantId);
  expect(rows).toEqual([expect.objectContaining({ id: created.body.id, amount_minor: 12550, currency: 'AUD', status: 'recorded' })]);

  const read = await request('GET', `/v1/payments/${created.body.id}`, { key: merchant.apiKey });
  expect(read).toMatchObject({ status: 200, body: { id: created.body.id, status: 'recorded', amount: '125.50' } });
  expect(read.body.recordedAt).toBe(rows[0].recorded_at!.toISOString());
});

it('makes the payment findable in Temporal by merchant, payment and status', async () => {
  const created = await request('POST', '/v1/payments', { key: merchant.apiKey, body: { ...newPayment, reference: 'SA-1' } });
  const handle = stack.client.workflow.getHandle(paymentWorkflowId(merchant.merchantId, created.body.id));
  await handle.result();
  const { typedSearchAttributes } = await handle.describe();
  const attrs = Object.fromEntries(typedSearchAttributes.getAll().map((p) => [p.key.name, p.value]));
  expect(attrs).toMatchObject({
    SettleMerchantId: merchant.merchantId,
    SettlePaymentId: created.body.id,
    SettleStatus: 'recorded',
    SettleAmount: 125.5,
  });
});

it('never lets one merchant see another merchant’s payment', async () => {
  const other = await createTestMerchant(stack, 'Other MSP');
  const created = await request('POST', '/v1/payments', { key: merchant.apiKey, body: { ...newPayment, reference: 'PRIVATE' } });
  await stack.client.workflow.getHandle(paymentWorkflowId(merchant.merchantId, created.body.id)).result();
  const response = await request('GET', `/v1/payments/${created.body.id}`, { key: other.apiKey });
  expect(response).toMatchObject({ status: 404, body: { type: '/problems/not-found' } });
});

describe('idempotency', () => {
  it('answers a replay with the same payment and starts nothing twice', async () => {
    const { merchantId, apiKey } = await createTestMerchant(stack, 'Replay MSP');
    const headers = { 'idempotency-key': 'order-42-attempt-1' };
    const first = await request('POST', '/v1/payments', { key: apiKey, body: newPayment, headers });
    expect(first.status).toBe(202);
    await stack.client.workflow.getHandle(paymentWorkflowId(merchantId, first.body.id)).result();
    const second = await request('POST', '/v1/payments', { key: apiKey, body: newPayment, headers });
    expect(second.status).toBe(200);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body).toMatchObject({ id: first.body.id, status: 'recorded' });
    expect(await paymentsOf(merchantId)).toHaveLength(1);
    expect(await workflowCountFor(merchantId)).toBe(1);
  });

  it('gives concurrent requests with one key one payment', async () => {
    const { merchantId, apiKey } = await createTestMerchant(stack, 'Race MSP');
    const headers = { 'idempotency-key': 'race-key' };
    const responses = await Promise.all(
      Array.from({ length: 6 }, () => request('POST', '/v1/payments', { key: apiKey, body: newPayment, headers })),
    );
    const ids = new Set(responses.map((r) => r.body.id));
    expect(ids.size).toBe(1);
    expect(responses.every((r) => r.status === 202 || r.status === 200)).toBe(true);
    await stack.client.workflow.getHandle(paymentWorkflowId(merchantId, [...ids][0])).result();
    expect(await paymentsOf(merchantId)).toHaveLength(1);
  });

  it('refuses a reused key with different details', async () => {
    const { merchantId, apiKey } = await createTestMerchant(stack, 'Reuse MSP');
    const headers = { 'idempotency-key': 'reused' };
    const first = await request('POST', '/v1/payments', { key: apiKey, body: newPayment, headers });
    const changed = await request('POST', '/v1/payments', { key: apiKey, body: { ...newPayment, amount: '999.00' }, headers });
    expect(changed).toMatchObject({ status: 409, body: { type: '/problems/idempotency-key-reused', paymentId: first.body.id } });
    await stack.client.workflow.getHandle(paymentWorkflowId(merchantId, first.body.id)).result();
    expect(await paymentsOf(merchantId)).toEqual([expect.objectContaining({ amount_minor: 12550 })]);
  });

  it('keeps the same key of two merchants apart', async () => {
    const a = await createTestMerchant(stack, 'A');
    const b = await createTestMerchant(stack, 'B');
    const headers = { 'idempotency-key': 'shared-key' };
    const fromA = await request('POST', '/v1/payments', { key: a.apiKey, body: newPayment, headers });
    const fromB = await request('POST', '/v1/payments', { key: b.apiKey, body: { ...newPayment, amount: '1.00' }, headers });
    expect(fromA.status).toBe(202);
    expect(fromB.status).toBe(202);
    expect(fromA.body.id).not.toBe(fromB.body.id);
  });
});

describe('bad input is refused with a reason and writes nothing', () => {
  let rejecter: { merchantId: string; apiKey: string };
  beforeAll(async () => {
    rejecter = await createTestMerchant(stack, 'Rejected MSP');
  });
  afterAll(async () => {
    expect(await paymentsOf(rejecter.merchantId)).toEqual([]);
    expect(await workflowCountFor(rejecter.merchantId)).toBe(0);
  });

  it.each([
    [{ ...newPayment, amount: '12.345' }, 'amount', 'at most 2 decimal places'],
    [{ ...newPayment, amount: '-5.00' }, 'amount', 'positive decimal'],
    [{ ...newPayment, amount: '0.00' }, 'amount', 'greater than zero'],
    [{ ...newPayment, amount: '99999999999.00' }, 'amount', 'larger than Settle accepts'],
    [{ ...newPayment, amount: 12.5 }, 'amount', 'expected string'],
    [{ ...newPayment, currency: 'XBT' }, 'currency', 'AUD'],
    [{ ...newPayment, reference: '' }, 'reference', ''],
    [{ ...newPayment, reference: 'a\u0000b' }, 'reference', 'control characters'],
    [{ ...newPayment, reference: 'x'.repeat(256) }, 'reference', ''],
    [{ amount: '1.00', currency: 'AUD' }, 'reference', ''],
  ])('%j', async (body, field, reason) => {
    const response = await request('POST', '/v1/payments', { key: rejecter.apiKey, body });
    expect(response.status).toBe(400);
    expect(response.body.type).toBe('/problems/validation-error');
    expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ in: 'body', path: field })]));
    expect(response.body.detail).toContain(reason);
  });

  it('refuses malformed JSON, other media types, oversized bodies and bad idempotency keys', async () => {
    const key = rejecter.apiKey;
    const malformed = await request('POST', '/v1/payments', { key, rawBody: '{"amount":', headers: { 'content-type': 'application/json' } });
    expect(malformed).toMatchObject({ status: 400, body: { type: '/problems/malformed-json' } });
    const form = await request('POST', '/v1/payments', { key, rawBody: 'amount=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form).toMatchObject({ status: 415, body: { type: '/problems/unsupported-media-type' } });
    const huge = await request('POST', '/v1/payments', { key, body: { ...newPayment, padding: 'x'.repeat(64 * 1024) } });
    expect(huge).toMatchObject({ status: 413, body: { type: '/problems/body-too-large' } });
    const empty = await request('POST', '/v1/payments', { key, headers: { 'content-type': 'application/json' } });
    expect(empty).toMatchObject({ status: 400, body: { type: '/problems/validation-error' } });
    const badKey = await request('POST', '/v1/payments', { key, body: newPayment, headers: { 'idempotency-key': 'has space' } });
    expect(badKey).toMatchObject({ status: 400, body: { errors: [expect.objectContaining({ in: 'header', path: 'idempotency-key' })] } });
  });

  it('refuses a malformed payment id', async () => {
    const response = await request('GET', '/v1/payments/../../etc', { key: rejecter.apiKey });
    expect([400, 404]).toContain(response.status);
    const bad = await request('GET', '/v1/payments/pay_nothex', { key: rejecter.apiKey });
    expect(bad).toMatchObject({ status: 400, body: { errors: [expect.objectContaining({ in: 'path', path: 'paymentId' })] } });
  });
});
