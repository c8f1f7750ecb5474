// The merchant console's people and sessions over real HTTP and Postgres: invitations through the outbox, passwords
// from the link, sign-in and its limits, the session cookie as one more way to call the same /v1 routes, CSRF on every
// cookie write, roles, idle expiry, sign-out, and one merchant's session never reaching another's data.
import { startApi } from '../../../api/serve';
import { httpClient } from '../../support/http';
import { consoleUser, CONSOLE_PASSWORD, invitationToken, sessionCookieOf, signIn, type ConsoleSession } from '../../support/console';
import { createTestMerchant } from '../../support/merchants';
import { startTestStack, type TestStack } from '../../support/stack';

let stack: TestStack;
let request: ReturnType<typeof httpClient>;
let merchant: { merchantId: string; apiKey: string };
let admin: ConsoleSession;

beforeAll(async () => {
  stack = await startTestStack({ roles: [] });
  request = httpClient(stack.api!.url);
  merchant = await createTestMerchant(stack, 'Console MSP');
  admin = await consoleUser(stack, merchant.merchantId, { email: 'ada@console-msp.example', role: 'admin' });
});
afterAll(() => stack.close());

describe('invitations and passwords', () => {
  it('creates the first admin with the admin key only, and emails a set-password link through the outbox', async () => {
    const byMerchantKey = await request('POST', `/v1/admin/merchants/${merchant.merchantId}/users`, { key: merchant.apiKey, body: { email: 'x@console-msp.example', name: 'X' } });
    expect(byMerchantKey.status).toBe(403);
    const created = await request('POST', `/v1/admin/merchants/${merchant.merchantId}/users`, { key: stack.apiDeps.adminApiKey, body: { email: 'second@console-msp.example', name: 'Second Admin' } });
    expect(created).toMatchObject({ status: 201, body: { merchantId: merchant.merchantId, email: 'second@console-msp.example', role: 'admin', passwordSet: false } });
    const token = await invitationToken(stack, merchant.merchantId, 'second@console-msp.example');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The link is the invitee's alone: the merchant's email listing never shows it.
    const listed = await request('GET', '/v1/outbox/emails', { key: merchant.apiKey });
    expect(listed.status).toBe(200);
    expect(listed.body.emails.map((e: any) => e.template)).not.toContain('console-invitation');
  });

  it('refuses a second account for the same email (any case), and unknown merchants', async () => {
    const again = await request('POST', `/v1/admin/merchants/${merchant.merchantId}/users`, { key: stack.apiDeps.adminApiKey, body: { email: 'ADA@console-msp.example', name: 'Ada Again' } });
    expect(again).toMatchObject({ status: 409, body: { type: '/problems/conflict' } });
    const nobody = await request('POST', '/v1/admin/merchants/mer_000000000000000000000000/users', { key: stack.apiDeps.adminApiKey, body: { email: 'n@nowhere.example', name: 'N' } });
    expect(nobody.status).toBe(404);
  });

  it('sets the password once from the link, and refuses short passwords', async () => {
    await request('POST', `/v1/admin/merchants/${merchant.merchantId}/users`, { key: stack.apiDeps.adminApiKey, body: { email: 'third@console-msp.example', name: 'Third' } });
    const token = await invitationToken(stack, merchant.merchantId, 'third@console-msp.example');
    expect((await request('POST', '/v1/session/password', { body: { token, password: 'short' } })).status).toBe(400);
    expect((await request('POST', '/v1/session/password', { body: { token, password: CONSOLE_PASSWORD } })).status).toBe(204);
    expect(await request('POST', '/v1/session/password', { body: { token, password: 'another long password' } })).toMatchObject({ status: 404 });
    // The first password stands.
    await expect(signIn(stack, 'third@console-msp.example')).resolves.toMatchObject({ email: 'third@console-msp.example' });
  });
});

describe('sign-in', () => {
  it('sets an HttpOnly, SameSite=Lax session cookie (not Secure over plain http) and answers the user and CSRF token', async () => {
    const response = await request('POST', '/v1/session', { body: { email: 'ada@console-msp.example', password: CONSOLE_PASSWORD } });
    expect(response).toMatchObject({ status: 201, body: { user: { role: 'admin', email: 'ada@console-msp.example' }, merchant: { id: merchant.merchantId, name: 'Console MSP' } } });
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith('settle_session='))!;
    expect(cookie).toMatch(/; httponly/i);
    expect(cookie).toMatch(/; samesite=lax/i);
    expect(cookie).toMatch(/; path=\//i);
    expect(cookie).not.toMatch(/; secure/i);
    // The database holds the session id's hash, never the id.
    const id = sessionCookieOf(response).split('=')[1];
    const rows = await stack.db.selectFrom('merchant_sessions').select('id_hash').execute();
    expect(rows.some((r) => r.id_hash.toString('base64url') === id || r.id_hash.toString() === id)).toBe(false);
  });

  it('marks the cookie Secure when the request came over https (behind a trusted proxy)', async () => {
    const previous = process.env.SETTLE_TRUST_PROXY;
    process.env.SETTLE_TRUST_PROXY = '1';
    const api = await startApi(stack.apiDeps, 0);
    try {
      const response = await httpClient(api.url)('POST', '/v1/session', { body: { email: 'ada@console-msp.example', password: CONSOLE_PASSWORD }, headers: { 'x-forwarded-proto': 'https' } });
      expect(response.status).toBe(201);
      expect(response.headers.getSetCookie().find((c) => c.startsWith('settle_session='))).toMatch(/; secure/i);
    } finally {
      await api.close();
      if (previous === undefined) delete process.env.SETTLE_TRUST_PROXY;
      else process.env.SETTLE_TRUST_PROXY = previous;
    }
  });

  it('answers the same 401 for a wrong password and an unknown email', async () => {
    const wrong = await request('POST', '/v1/session', { body: { email: 'ada@console-msp.example', password: 'not the password' } });
    const unknown = await request('POST', '/v1/session', { body: { email: 'nobody@console-msp.example', password: 'not the password' } });
    expect(wrong).toMatchObject({ status: 401, body: { type: '/problems/invalid-credentials' } });
    expect(unknown.body.detail).toBe(wrong.body.detail);
    expect(wrong.headers.getSetCookie()).toEqual([]);
  });

  it('slows and locks repeated failed sign-ins like failed API keys (429 with Retry-After), even for the right password then', async () => {
    const api = await startApi({ ...stack.apiDeps, authFailureLimits: { maxFailures: 3, windowMs: 60_000 } }, 0);
    try {
      const limited = httpClient(api.url);
      for (let i = 0; i < 3; i++) {
        expect((await limited('POST', '/v1/session', { body: { email: 'ada@console-msp.example', password: `guess number ${i}` } })).status).toBe(401);
      }
      const locked = await limited('POST', '/v1/session', { body: { email: 'ada@console-msp.example', password: CONSOLE_PASSWORD } });
      expect(locked).toMatchObject({ status: 429, body: { type: '/problems/too-many-failed-attempts' } });
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await api.close();
    }
  });

  it('refuses a sign-in posted from another site (no login CSRF)', async () => {
    const response = await request('POST', '/v1/session', { body: { email: 'ada@console-msp.example', password: CONSOLE_PASSWORD }, headers: { origin: 'https://evil.example' } });
    expect(response).toMatchObject({ status: 403, body: { type: '/problems/csrf-refused' } });
  });
});

describe('the session on merchant routes', () => {
  it('reads the same /v1 routes as the API key, for its own merchant', async () => {
    expect(await admin.request('GET', '/v1/merchant')).toMatchObject({ status: 200, body: { id: merchant.merchantId, name: 'Console MSP' } });
    const session = await admin.request('GET', '/v1/session');
    expect(session).toMatchObject({ status: 200, body: { csrfToken: admin.csrfToken, user: { email: 'ada@console-msp.example' } } });
  });

  it('refuses a cookie write without the CSRF token, with a wrong one, or from another origin; takes it with both', async () => {
    const body = { enabled: true, allowedMethods: ['card'] };
    const noToken = await admin.request('PUT', '/v1/integrations/cpq', { body, headers: { 'x-csrf-token': '' } });
    expect(noToken).toMatchObject({ status: 403, body: { type: '/problems/csrf-refused' } });
    const wrongToken = await admin.request('PUT', '/v1/integrations/cpq', { body, headers: { 'x-csrf-token': 'A'.repeat(43) } });
    expect(wrongToken).toMatchObject({ status: 403, body: { type: '/problems/csrf-refused' } });
    const foreign = await admin.request('PUT', '/v1/integrations/cpq', { body, headers: { origin: 'https://evil.example' } });
    expect(foreign).toMatchObject({ status: 403, body: { type: '/problems/csrf-refused' } });
    expect((await request('GET', '/v1/integrations/cpq', { key: merchant.apiKey })).body.enabled).toBe(false);
    const good = await admin.request('PUT', '/v1/integrations/cpq', { body });
    expect(good.status).toBe(200);
    expect((await request('GET', '/v1/integrations/cpq', { key: merchant.apiKey })).body.enabled).toBe(true);
  });

  it('gives a billing user the billing routes and 403 on admin routes', async () => {
    const billing = await consoleUser(stack, merchant.merchantId, { email: 'bill@console-msp.example', role: 'billing', invitedBy: admin });
    expect((await billing.request('GET', '/v1/actions')).status).toBe(200);
    expect((await billing.request('GET', '/v1/activity-log')).status).toBe(200);
    for (const [method, path] of [['GET', '/v1/connections'], ['GET', '/v1/integrations/cpq'], ['POST', '/v1/integrations/cpq/api-key'], ['GET', '/v1/users'],
      ['PUT', '/v1/merchant/settings/debug-logging']] as const) {
      const response = await billing.request(method, path, method === 'PUT' ? { body: { enabled: true } } : {});
      expect([method, path, response.status, response.body.type]).toEqual([method, path, 403, '/problems/forbidden']);
    }
    // A billing user cannot invite, and so cannot make themselves an admin.
    const invite = await billing.request('POST', '/v1/users', { body: { email: 'mole@console-msp.example', name: 'Mole', role: 'admin' } });
    expect(invite.status).toBe(403);
    // The admin sees both.
    const users = await admin.request('GET', '/v1/users');
    expect(users.body.users.map((u: any) => [u.email, u.role])).toEqual(expect.arrayContaining([['ada@console-msp.example', 'admin'], ['bill@console-msp.example', 'billing']]));
  });

  it('never reaches another merchant: its resources are 404 by id', async () => {
    const other = await createTestMerchant(stack, 'Other MSP');
    const customer = await request('POST', '/v1/customers', { key: other.apiKey, body: { customerReference: '77777', name: 'Other Customer Pty Ltd' } });
    expect(customer.status).toBe(201);
    expect((await admin.request('GET', `/v1/customers/${customer.body.id}`)).status).toBe(404);
    expect((await admin.request('PUT', `/v1/customers/${customer.body.id}/contact`, { body: { contactId: 'c-1' } })).status).toBe(404);
    expect((await admin.request('POST', `/v1/admin/merchants/${other.merchantId}/users`, { body: { email: 'in@other.example', name: 'In' } })).status).toBe(401);
  });

  it('ends after the idle time, and a malformed or unknown cookie is 401', async () => {
    const idle = await signIn(stack, 'ada@console-msp.example');
    expect((await idle.request('GET', '/v1/merchant')).status).toBe(200);
    await stack.db.updateTable('merchant_sessions').set({ last_seen_at: new Date(Date.now() - 31 * 60_000) }).execute();
    expect(await idle.request('GET', '/v1/merchant')).toMatchObject({ status: 401, body: { type: '/problems/unauthenticated' } });
    expect((await idle.request('GET', '/v1/session')).status).toBe(401);
    for (const cookie of ['settle_session=nope', `settle_session=${'x'.repeat(43)}`]) {
      expect((await request('GET', '/v1/merchant', { headers: { cookie } })).status).toBe(401);
    }
    admin = await signIn(stack, 'ada@console-msp.example');
  });

  it('signs out: the cookie is cleared and the old one no longer works', async () => {
    const session = await signIn(stack, 'ada@console-msp.example');
    const out = await session.request('DELETE', '/v1/session');
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie().find((c) => c.startsWith('settle_session='))).toMatch(/expires=Thu, 01 Jan 1970/i);
    expect((await session.request('GET', '/v1/merchant')).status).toBe(401);
    expect((await admin.request('GET', '/v1/merchant')).status).toBe(200);
  });
});
