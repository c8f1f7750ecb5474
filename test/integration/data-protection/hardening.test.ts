// Failed authentication slows the guesser without refusing anyone whose key is good (429 problem+json with
// Retry-After for failures from an address that keeps failing, before lookup for one key prefix guessed from one
// address; a valid key of the wrong kind is a 403, never a failure), and the Pay Now pages go out with their security
// headers (HSTS only over https).
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

/** An API that takes the client address from X-Forwarded-For (SETTLE_TRUST_PROXY=1), so a test can speak from many. */
async function apiBehindProxy(maxFailures = 3): Promise<(from: string) => ReturnType<typeof httpClient>> {
  process.env.SETTLE_TRUST_PROXY = '1';
  try {
    apis.push(await startApi({ ...stack.apiDeps, authFailureLimits: { maxFailures, windowMs: 60_000 } }, 0));
  } finally {
    delete process.env.SETTLE_TRUST_PROXY;
  }
  const url = apis[apis.length - 1].url;
  return (from) => {
    const request = httpClient(url);
    return ((method, path, opts = {}) => request(method, path, { ...opts, headers: { ...opts.headers, 'x-forwarded-for': from } })) as ReturnType<typeof httpClient>;
  };
}

it('answers 429 with Retry-After to an address that keeps failing, but never refuses a key that authenticates', async () => {
  const { apiKey } = await createTestMerchant(stack);
  const from = await apiBehindProxy();
  const office = from('198.51.100.7'); // one NAT address: a bad script and the billing team behind it
  for (let i = 0; i < 5; i++) expect((await office('GET', '/v1/merchant', { key: apiKey })).status).toBe(200);
  expect((await office('GET', '/v1/merchant', { key: 'sk_wrong_1' })).status).toBe(401);
  expect((await office('GET', '/v1/merchant', { key: null })).status).toBe(401);
  expect((await office('POST', '/v1/admin/merchants', { key: 'not-the-admin-key', body: { name: 'x' } })).status).toBe(401);
  const limited = await office('GET', '/v1/merchant', { key: 'sk_wrong_2' });
  expect(limited.status).toBe(429);
  expect(limited.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(limited.body).toMatchObject({ type: '/problems/too-many-failed-attempts', status: 429 });
  expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  // The valid key from the same address still works: failures slow the guesser, not the office.
  expect((await office('GET', '/v1/merchant', { key: apiKey })).status).toBe(200);
  // Another address is not affected at all.
  expect((await from('203.0.113.1')('GET', '/v1/merchant', { key: 'sk_wrong_3' })).status).toBe(401);
});

it('stops guesses at one key prefix from one address before looking anything up, and only there', async () => {
  const { apiKey } = await createTestMerchant(stack);
  const from = await apiBehindProxy();
  const guesser = from('198.51.100.20');
  const prefix = apiKey.slice(0, 10); // shown to merchants: an attacker may know it and guess the rest
  for (let i = 0; i < 3; i++) expect((await guesser('GET', '/v1/merchant', { key: `${prefix}guess${i}` })).status).toBe(401);
  expect((await guesser('GET', '/v1/merchant', { key: `${prefix}guess9` })).status).toBe(429);
  // The same prefix from another address, and another prefix from this one, are still looked up.
  expect((await from('198.51.100.21')('GET', '/v1/merchant', { key: `${prefix}guess10` })).status).toBe(401);
  expect((await from('198.51.100.21')('GET', '/v1/merchant', { key: apiKey })).status).toBe(200);
});

it('answers a valid key on a route it may not use with 403, never counted as a failed guess', async () => {
  const { apiKey } = await createTestMerchant(stack);
  const from = await apiBehindProxy();
  for (const [i, address] of ['198.51.100.30', '198.51.100.31', '198.51.100.32'].entries()) {
    for (let attempt = 0; attempt < 20; attempt++) {
      const res = await from(address)('POST', '/v1/admin/merchants', { key: apiKey, body: { name: `x${i}` } });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ type: '/problems/forbidden', detail: expect.stringContaining('merchant API key') });
    }
  }
  // Sixty uses on the wrong route later, the key works everywhere.
  for (const address of ['198.51.100.30', '203.0.113.50']) expect((await from(address)('GET', '/v1/merchant', { key: apiKey })).status).toBe(200);
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
