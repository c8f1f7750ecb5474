// Failed authentication is rate limited per address (429 problem+json with Retry-After; successes do not count),
// and the Pay Now pages go out with their security headers (HSTS only over https).
import { startApi, type RunningApi } from '../../../api/serve';
import { httpClient } from '../../support/http';
import { createTestMerchant } from '../../support/merchants';
import { startTestStack, type TestStack } from '../../support/stack';

let stack: TestStack;
const apis: RunningApi[] = [];
afterAll(async () => {
  await Promise.all(apis.map((a) => a.close()));
  await stack.close();
});
beforeAll(async () => {
  stack = await startTestStack({ roles: [] });
});

it('answers 429 with Retry-After after too many failed authentications from an address; successes do not count', async () => {
  const { apiKey } = await createTestMerchant(stack);
  const api = await startApi({ ...stack.apiDeps, authFailureLimits: { maxFailures: 3, windowMs: 60_000 } }, 0);
  apis.push(api);
  const request = httpClient(api.url);
  for (let i = 0; i < 5; i++) expect((await request('GET', '/v1/merchant', { key: apiKey })).status).toBe(200);
  expect((await request('GET', '/v1/merchant', { key: 'sk_wrong_1' })).status).toBe(401);
  expect((await request('GET', '/v1/merchant', { key: null })).status).toBe(401);
  expect((await request('POST', '/v1/admin/merchants', { key: 'not-the-admin-key', body: { name: 'x' } })).status).toBe(401);
  const limited = await request('GET', '/v1/merchant', { key: 'sk_wrong_2' });
  expect(limited.status).toBe(429);
  expect(limited.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(limited.body).toMatchObject({ type: '/problems/too-many-failed-attempts', status: 429 });
  expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  // Blocked means blocked: not even a valid key from this address is looked up until the window ends.
  expect((await request('GET', '/v1/merchant', { key: apiKey })).status).toBe(429);
  // Another API process has its own count (the limit is per process; see api/middleware/auth-failures.ts).
  expect((await httpClient(stack.api!.url)('GET', '/v1/merchant', { key: apiKey })).status).toBe(200);
});

it('sends the Pay Now security headers, and HSTS only over https', async () => {
  const page = await fetch(`${stack.api!.url}/pay/q/not-a-real-token`);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  expect(page.headers.get('x-frame-options')).toBe('DENY');
  expect(page.headers.get('referrer-policy')).toBe('same-origin');
  expect(page.headers.get('x-content-type-options')).toBe('nosniff');
  expect(page.headers.get('strict-transport-security')).toBeNull();

  // Behind a TLS-terminating proxy that is trusted (SETTLE_TRUST_PROXY=1, read when the app is made).
  process.env.SETTLE_TRUST_PROXY = '1';
  try {
    apis.push(await startApi(stack.apiDeps, 0));
  } finally {
    delete process.env.SETTLE_TRUST_PROXY;
  }
  const secure = await fetch(`${apis[apis.length - 1].url}/pay/q/not-a-real-token`, { headers: { 'x-forwarded-proto': 'https' } });
  expect(secure.headers.get('strict-transport-security')).toMatch(/^max-age=\d{7,}/);
});

it('limits failed Pay Now sign-ins per payer email and address with a "try again later" page, checking no password', async () => {
  const { merchantId } = await createTestMerchant(stack);
  const api = await startApi({ ...stack.apiDeps, authFailureLimits: { maxFailures: 3, windowMs: 60_000 } }, 0);
  apis.push(api);
  const signIn = (password: string) => fetch(`${api.url}/pay/m/${merchantId}/invoices/login`, {
    method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: 'nobody@payer.example', password }).toString(),
  });
  for (let i = 0; i < 3; i++) expect((await signIn(`wrong ${i}`)).status).toBe(401);
  const limited = await signIn('wrong again');
  expect(limited.status).toBe(429);
  expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(await limited.text()).toContain('Too many failed sign-ins');
});
