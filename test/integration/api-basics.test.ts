// The API skeleton over real HTTP: health, readiness, OpenAPI, problem+json errors, request ids, auth.
import { startApi } from '../../api/serve';
import { createDb } from '../../db/database';
import { httpClient } from '../support/http';
import { createTestMerchant } from '../support/merchants';
import { validateOpenApi } from '../support/validate-openapi';
import { startTestStack, type TestStack } from '../support/stack';

let stack: TestStack;
let request: ReturnType<typeof httpClient>;

beforeAll(async () => {
  stack = await startTestStack({ roles: [] });
  request = httpClient(stack.api!.url);
});
afterAll(() => stack.close());

const expectProblem = (response: { status: number; headers: Headers; body: any }, status: number, slug: string) => {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  expect(response.body).toMatchObject({ type: `/problems/${slug}`, status });
  expect(typeof response.body.detail).toBe('string');
  expect(response.body.requestId).toEqual(response.headers.get('x-request-id'));
  expect(JSON.stringify(response.body)).not.toMatch(/\bat .*\.(ts|js):\d+/); // no stack traces
};

describe('health', () => {
  it('answers /healthz', async () => {
    expect(await request('GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('answers /readyz when Postgres and Temporal are reachable', async () => {
    expect(await request('GET', '/readyz')).toMatchObject({
      status: 200,
      body: { status: 'ready', checks: { postgres: 'up', temporal: 'up' } },
    });
  });

  it('answers 503 on /readyz when Postgres is not reachable', async () => {
    const unreachable = createDb('postgres://nobody:x@127.0.0.1:1/none', 1);
    const api = await startApi({ ...stack.apiDeps, db: unreachable }, 0);
    try {
      const response = await httpClient(api.url)('GET', '/readyz');
      expect(response).toMatchObject({ status: 503, body: { status: 'not-ready', checks: { postgres: 'down', temporal: 'up' } } });
    } finally {
      await api.close();
      await unreachable.destroy();
    }
  });
});

describe('OpenAPI', () => {
  it('serves a valid OpenAPI 3.1 document that lists every route', async () => {
    const response = await request('GET', '/openapi.json');
    expect(response.status).toBe(200);
    expect(validateOpenApi(response.body)).toBe('valid');
    expect(response.body.openapi).toBe('3.1.0');
    expect(Object.keys(response.body.paths)).toEqual(
      expect.arrayContaining(['/healthz', '/readyz', '/v1/payments', '/v1/payments/{paymentId}', '/v1/admin/merchants', '/v1/merchant']),
    );
    const create = response.body.paths['/v1/payments'].post;
    expect(create.security).toEqual([{ merchantApiKey: [] }, { consoleSession: [] }]);
    expect(create.requestBody.content['application/json'].schema.required).toEqual(['amount', 'currency', 'reference']);
    expect(create.parameters).toEqual([expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false })]);
  });

  it('describes each problem type', async () => {
    expect(await request('GET', '/problems/validation-error')).toMatchObject({ status: 200, body: { status: 400 } });
    expectProblem(await request('GET', '/problems/toString'), 404, 'not-found');
  });
});

describe('errors', () => {
  it('answers an unknown route with a problem', async () => {
    expectProblem(await request('GET', '/v1/nothing-here'), 404, 'not-found');
  });

  it('answers a wrong method with 405 and Allow', async () => {
    const response = await request('DELETE', '/healthz');
    expectProblem(response, 405, 'method-not-allowed');
    expect(response.headers.get('allow')).toContain('GET');
  });

  it('keeps a sane caller request id and replaces an unsafe one', async () => {
    const kept = await request('GET', '/healthz', { headers: { 'x-request-id': 'caller-req-0001' } });
    expect(kept.headers.get('x-request-id')).toBe('caller-req-0001');
    const replaced = await request('GET', '/healthz', { headers: { 'x-request-id': 'bad id <script>' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('merchants and API keys', () => {
  it('refuses admin routes without the admin key', async () => {
    expectProblem(await request('POST', '/v1/admin/merchants', { body: { name: 'X' } }), 401, 'unauthenticated');
    expectProblem(await request('POST', '/v1/admin/merchants', { key: 'wrong', body: { name: 'X' } }), 401, 'unauthenticated');
  });

  it('does not accept a merchant key as the admin key: a valid key of the wrong kind is 403, not a failed guess', async () => {
    const { apiKey } = await createTestMerchant(stack);
    expectProblem(await request('POST', '/v1/admin/merchants', { key: apiKey, body: { name: 'X' } }), 403, 'forbidden');
  });

  it('creates a merchant whose key is shown once and stored only as a hash', async () => {
    const { merchantId, apiKey } = await createTestMerchant(stack, 'Hash Check MSP');
    const me = await request('GET', '/v1/merchant', { key: apiKey });
    expect(me).toMatchObject({ status: 200, body: { id: merchantId, name: 'Hash Check MSP' } });
    const rows = await stack.db.selectFrom('merchant_api_keys').selectAll().where('merchant_id', '=', merchantId).execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(apiKey.slice(10));
  });

  it('rotates keys: a new key works, a revoked key stops at once', async () => {
    const { merchantId, apiKey, keyId } = await createTestMerchant(stack);
    const admin = stack.apiDeps.adminApiKey;
    const second = await request('POST', `/v1/admin/merchants/${merchantId}/api-keys`, { key: admin });
    expect(second.status).toBe(201);
    expect((await request('DELETE', `/v1/admin/merchants/${merchantId}/api-keys/${keyId}`, { key: admin })).status).toBe(204);
    expectProblem(await request('GET', '/v1/merchant', { key: apiKey }), 401, 'unauthenticated');
    expect((await request('GET', '/v1/merchant', { key: second.body.key })).status).toBe(200);
    expectProblem(await request('DELETE', `/v1/admin/merchants/${merchantId}/api-keys/${keyId}`, { key: admin }), 404, 'not-found');
  });

  it('refuses merchant routes without a valid key', async () => {
    const response = await request('GET', '/v1/merchant');
    expectProblem(response, 401, 'unauthenticated');
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expectProblem(await request('GET', '/v1/merchant', { key: 'sk_not-a-real-key' }), 401, 'unauthenticated');
  });

  it('validates the merchant body', async () => {
    const response = await request('POST', '/v1/admin/merchants', { key: stack.apiDeps.adminApiKey, body: { name: '  ' } });
    expectProblem(response, 400, 'validation-error');
    expect(response.body.errors).toEqual([expect.objectContaining({ in: 'body', path: 'name' })]);
    expectProblem(
      await request('POST', '/v1/admin/merchants/not-an-id/api-keys', { key: stack.apiDeps.adminApiKey }),
      400,
      'validation-error',
    );
  });
});
