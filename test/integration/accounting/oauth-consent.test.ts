// Connecting the books by OAuth consent, end to end over HTTP: Settle's API, the real SDKs (xero-node's OpenID
// client), the emulators' consent screens, token, revocation and /connections endpoints, and real Postgres.
// Every bad input is a problem+json with a reason, and nothing is stored for it.
import { decideConsent } from '../../../emulators/support/consent';
import { startQuickBooksEmulator, type QuickBooksEmulator } from '../../../emulators/quickbooks';
import { startXeroEmulator, type XeroEmulator } from '../../../emulators/xero';
import { consent, consentEndpoints, followCallback, startConsent } from '../../support/consent';
import { httpClient } from '../../support/http';
import { createTestMerchant } from '../../support/merchants';
import { startTestStack, type TestStack } from '../../support/stack';

let stack: TestStack;
let xero: XeroEmulator;
let qbo: QuickBooksEmulator;
let orgA: string;
let orgB: string;
let realm: string;

beforeAll(async () => {
  xero = await startXeroEmulator();
  qbo = await startQuickBooksEmulator();
  orgA = xero.state.addTenant('Acme Managed Services').id;
  orgB = xero.state.addTenant('Acme Holdings').id;
  realm = qbo.state.addRealm('Acme Managed Services US').id;
  stack = await startTestStack({ roles: [], endpoints: consentEndpoints(xero, qbo) });
});
afterAll(async () => {
  await stack?.close();
  await xero?.close();
  await qbo?.close();
});

const api = (key?: string) => httpClient(stack.api!.url, key);

async function storedFor(merchantId: string) {
  const connections = await stack.db.selectFrom('accounting_connections').selectAll().where('merchant_id', '=', merchantId).execute();
  const pending = await stack.db.selectFrom('oauth_pending_consents').selectAll().where('merchant_id', '=', merchantId).execute();
  return { connections, pending };
}

function expectRefused(answer: { status: number; body: any }, reason: string, status = 400) {
  expect(answer.status).toBe(status);
  expect(answer.body).toMatchObject({ reason, status });
}

describe('Xero', () => {
  it('connects the one organisation of a consent, tokens sealed, and the browser lands on a page saying so', async () => {
    const merchant = await createTestMerchant(stack);
    const answer = await consent(stack.api!.url, merchant.apiKey, { platform: 'xero', tenantIds: [orgA] });
    expect(answer.status).toBe(303);
    expect(answer.location).toBe('/oauth/result?outcome=connected&platform=xero&role=wise-pay');
    const page = await fetch(`${stack.api!.url}${answer.location}`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('Xero is connected for wise-pay');

    const listed = await api(merchant.apiKey)('GET', '/v1/connections');
    expect(listed.body.connections[0]).toMatchObject({ role: 'wise-pay', platform: 'xero', tenantId: orgA, status: 'connected' });
    const [row] = (await storedFor(merchant.merchantId)).connections;
    expect(row.platform_connection_id).toEqual(expect.any(String));
    expect(row.token_sealed).not.toMatch(/at_|rt_/);
    // The sealed access token opens the organisation at Xero.
    const token = await stack.accounting.connections.accessToken(row);
    const orgs = await fetch(xero.connectionsUrl, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json() as Promise<any[]>);
    expect(orgs.map((o: any) => o.tenantId)).toEqual([orgA]);
  });

  it('offers the organisations of a consent that opened several; the pick connects and the others are let go', async () => {
    const merchant = await createTestMerchant(stack);
    const other = await createTestMerchant(stack, 'Other MSP');
    const answer = await consent(stack.api!.url, merchant.apiKey, { platform: 'xero', tenantIds: [orgA, orgB] });
    expect(answer.location).toBe('/oauth/result?outcome=choose&platform=xero&role=wise-pay');
    expect((await storedFor(merchant.merchantId)).connections).toEqual([]);

    const pending = await api(merchant.apiKey)('GET', '/v1/connections/wise-pay/pending-tenants');
    expect(pending.status).toBe(200);
    expect(pending.body.tenants).toEqual([{ tenantId: orgA, name: 'Acme Managed Services' }, { tenantId: orgB, name: 'Acme Holdings' }]);
    const { consentId } = pending.body;

    // A tenant not in this consent, and another merchant naming this consent: refused, nothing changes.
    expectRefused(await api(merchant.apiKey)('POST', '/v1/connections/wise-pay/pending-tenants/choice', { body: { consentId, tenantId: 'not-a-tenant' } }), 'tenant-not-in-consent', 422);
    expectRefused(await api(other.apiKey)('POST', '/v1/connections/wise-pay/pending-tenants/choice', { body: { consentId, tenantId: orgB } }), 'no-pending-consent', 404);
    expect((await api(other.apiKey)('GET', '/v1/connections/wise-pay/pending-tenants')).status).toBe(404);
    expect((await storedFor(other.merchantId)).connections).toEqual([]);
    expect((await storedFor(merchant.merchantId)).connections).toEqual([]);

    const chosen = await api(merchant.apiKey)('POST', '/v1/connections/wise-pay/pending-tenants/choice', { body: { consentId, tenantId: orgB } });
    expect(chosen).toMatchObject({ status: 200, body: { platform: 'xero', tenantId: orgB, status: 'connected' } });
    const stored = await storedFor(merchant.merchantId);
    expect(stored.pending).toEqual([]);
    expect(stored.connections[0]).toMatchObject({ tenant_id: orgB, status: 'connected' });
    // The unpicked organisation was disconnected from the app: only the pick remains on the grant.
    const token = await stack.accounting.connections.accessToken(stored.connections[0]);
    const orgs = await fetch(xero.connectionsUrl, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json() as Promise<any[]>);
    expect(orgs.map((o: any) => o.tenantId)).toEqual([orgB]);
    // Choosing again: the consent is gone.
    expectRefused(await api(merchant.apiKey)('POST', '/v1/connections/wise-pay/pending-tenants/choice', { body: { consentId, tenantId: orgA } }), 'no-pending-consent', 404);
  });

  it('refuses unknown, expired and replayed states, a denied consent and a refused code, storing nothing', async () => {
    const merchant = await createTestMerchant(stack);
    const base = `${stack.api!.url}/oauth/xero/callback`;

    expectRefused(await followCallback(`${base}?code=whatever&state=never-issued`), 'state-unknown');
    expectRefused(await followCallback(`${base}?code=whatever`), 'state-unknown');

    expectRefused(await consent(stack.api!.url, merchant.apiKey, { platform: 'xero', tenantIds: [orgA], allow: false }), 'access-denied');

    const refused = await consent(stack.api!.url, merchant.apiKey, { platform: 'xero', tenantIds: [orgA], tamper: (u) => u.searchParams.set('code', 'code_forged') });
    expectRefused(refused, 'code-refused');

    // Expired: a consent started more than 10 minutes ago.
    const consentUrl = await startConsent(stack.api!.url, merchant.apiKey, 'wise-pay', 'xero');
    await stack.db.updateTable('oauth_states').set({ expires_at: new Date(Date.now() - 1000) }).where('merchant_id', '=', merchant.merchantId).where('used_at', 'is', null).execute();
    expectRefused(await followCallback(await decideConsent(consentUrl, { allow: true, tenantIds: [orgA] })), 'state-expired');

    // A QuickBooks state at Xero's callback is not Xero's.
    const qbUrl = new URL(await startConsent(stack.api!.url, merchant.apiKey, 'wise-pay', 'quickbooks'));
    expectRefused(await followCallback(`${base}?code=x&state=${qbUrl.searchParams.get('state')}`), 'state-unknown');

    expect(await storedFor(merchant.merchantId)).toEqual({ connections: [], pending: [] });

    // Replayed: the same callback twice. The first connects; the second is refused and changes nothing.
    const first = await consent(stack.api!.url, merchant.apiKey, { platform: 'xero', tenantIds: [orgA] });
    expect(first.status).toBe(303);
    const before = (await storedFor(merchant.merchantId)).connections;
    expectRefused(await followCallback(first.callbackUrl), 'state-used');
    expect((await storedFor(merchant.merchantId)).connections).toEqual(before);
  });

  it('of two consents racing for one role, the later wins and the earlier grant is revoked', async () => {
    const merchant = await createTestMerchant(stack);
    const [urlA, urlB] = [await startConsent(stack.api!.url, merchant.apiKey, 'wise-pay', 'xero'), await startConsent(stack.api!.url, merchant.apiKey, 'wise-pay', 'xero')];
    const [callbackA, callbackB] = [await decideConsent(urlA, { allow: true, tenantIds: [orgA] }), await decideConsent(urlB, { allow: true, tenantIds: [orgB] })];
    const liveBefore = xero.oauth.liveGrants(orgA);
    expect((await followCallback(callbackA)).status).toBe(303);
    expect(xero.oauth.liveGrants(orgA)).toBe(liveBefore + 1);
    expect((await followCallback(callbackB)).status).toBe(303);
    const [row] = (await storedFor(merchant.merchantId)).connections;
    expect(row).toMatchObject({ tenant_id: orgB, status: 'connected' });
    expect(xero.oauth.liveGrants(orgA)).toBe(liveBefore); // A's grant was revoked
  });

  it('disconnects: Xero lets go of the organisation, the tokens are erased', async () => {
    const merchant = await createTestMerchant(stack);
    await consent(stack.api!.url, merchant.apiKey, { platform: 'xero', tenantIds: [orgA] });
    const [row] = (await storedFor(merchant.merchantId)).connections;
    const token = await stack.accounting.connections.accessToken(row);
    const gone = await api(merchant.apiKey)('DELETE', '/v1/connections/wise-pay');
    expect(gone.status).toBe(204);
    const [after] = (await storedFor(merchant.merchantId)).connections;
    expect(after).toMatchObject({ status: 'disconnected', token_sealed: null });
    // The old token no longer opens the organisation (Xero's 403 AuthenticationUnsuccessful).
    const probe = await fetch(`${xero.apiBasePath}/Contacts`, { headers: { authorization: `Bearer ${token}`, 'xero-tenant-id': orgA, accept: 'application/json' } });
    expect(probe.status).toBe(403);
    expect(((await probe.json()) as any).Detail).toBe('AuthenticationUnsuccessful');
    expect((await api(merchant.apiKey)('GET', '/v1/connections')).body.connections[0].status).toBe('disconnected');
    expect((await api(merchant.apiKey)('DELETE', '/v1/connections/wise-pay')).status).toBe(404);
  });
});

describe('QuickBooks', () => {
  it('connects the company of the callback\'s realmId and keeps the refresh token\'s expiries', async () => {
    const merchant = await createTestMerchant(stack);
    const answer = await consent(stack.api!.url, merchant.apiKey, { platform: 'quickbooks', tenantIds: [realm] });
    expect(answer.location).toBe('/oauth/result?outcome=connected&platform=quickbooks&role=wise-pay');
    const [row] = (await storedFor(merchant.merchantId)).connections;
    expect(row).toMatchObject({ platform: 'quickbooks', tenant_id: realm, status: 'connected' });
    const day = 86_400_000;
    expect(row.refresh_expires_at!.getTime()).toBeGreaterThan(Date.now() + 99 * day);
    expect(row.refresh_hard_expires_at!.getTime()).toBeGreaterThan(Date.now() + 4 * 365 * day);
  });

  it('keeps the latest refresh token\'s expiries on refresh, and tells the merchant 30 days before either, once', async () => {
    const merchant = await createTestMerchant(stack);
    await consent(stack.api!.url, merchant.apiKey, { platform: 'quickbooks', tenantIds: [realm] });
    const store = stack.accounting.connections;
    const day = 86_400_000;
    const rowOf = () => stack.db.selectFrom('accounting_connections').selectAll().where('merchant_id', '=', merchant.merchantId).executeTakeFirstOrThrow();
    // A refresh (token about to expire) stores the new token's lifetimes, hard expiry included.
    await stack.db.updateTable('accounting_connections').set({ access_expires_at: new Date(0), refresh_expires_at: new Date(Date.now() + day), refresh_hard_expires_at: null })
      .where('merchant_id', '=', merchant.merchantId).execute();
    await store.accessToken(await rowOf());
    const refreshed = await rowOf();
    expect(refreshed.refresh_expires_at!.getTime()).toBeGreaterThan(Date.now() + 99 * day);
    expect(refreshed.refresh_hard_expires_at).not.toBeNull();

    const messages = async () => (await api(merchant.apiKey)('GET', '/v1/messages')).body.messages.filter((m: any) => m.kind === 'accounting-grant-expiring');
    expect(await messages()).toEqual([]);
    // The hard expiry 20 days away: one message, however often the connection is used.
    await stack.db.updateTable('accounting_connections').set({ refresh_hard_expires_at: new Date(Date.now() + 20 * day) }).where('merchant_id', '=', merchant.merchantId).execute();
    await store.resolve(merchant.merchantId, 'wise-pay');
    await store.resolve(merchant.merchantId, 'wise-pay');
    expect(await store.warnOfExpiringGrants()).toBe(0);
    expect(await messages()).toEqual([expect.objectContaining({ text: expect.stringContaining('five years') })]);
    // The rolling expiry comes nearer still (unused): a second message, from the sweep.
    await stack.db.updateTable('accounting_connections').set({ refresh_expires_at: new Date(Date.now() + 10 * day) }).where('merchant_id', '=', merchant.merchantId).execute();
    expect(await store.warnOfExpiringGrants()).toBe(1);
    expect((await messages()).length).toBe(2);
  });

  it('refuses a denied consent and a refused code, storing nothing', async () => {
    const merchant = await createTestMerchant(stack);
    expectRefused(await consent(stack.api!.url, merchant.apiKey, { platform: 'quickbooks', tenantIds: [realm], allow: false }), 'access-denied');
    expectRefused(await consent(stack.api!.url, merchant.apiKey, { platform: 'quickbooks', tenantIds: [realm], tamper: (u) => u.searchParams.set('code', 'code_forged') }), 'code-refused');
    expect(await storedFor(merchant.merchantId)).toEqual({ connections: [], pending: [] });
  });

  it('disconnects: the grant is revoked at Intuit and the tokens erased', async () => {
    const merchant = await createTestMerchant(stack);
    const liveBefore = qbo.oauth.liveGrants(realm);
    await consent(stack.api!.url, merchant.apiKey, { platform: 'quickbooks', tenantIds: [realm] });
    expect(qbo.oauth.liveGrants(realm)).toBe(liveBefore + 1);
    expect((await api(merchant.apiKey)('DELETE', '/v1/connections/wise-pay')).status).toBe(204);
    expect(qbo.oauth.liveGrants(realm)).toBe(liveBefore);
    expect((await storedFor(merchant.merchantId)).connections[0]).toMatchObject({ status: 'disconnected', token_sealed: null });
  });
});

it('validates the authorize request and requires the merchant\'s key', async () => {
  const merchant = await createTestMerchant(stack);
  const bad = await api(merchant.apiKey)('POST', '/v1/connections/admin/authorize', { body: { platform: 'sage' } });
  expect(bad.status).toBe(400);
  const unauthenticated = await api()('POST', '/v1/connections/wise-pay/authorize', { body: { platform: 'xero' } });
  expect(unauthenticated.status).toBe(401);
});

describe('refusals at the callback, to a browser and to an API client', () => {
  // What Chromium sends for a navigation: text/html first, anything else at a lower quality.
  const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
  /** The callback URL a consent sends the browser to, as a path on Settle's API (its answer is checked against /openapi.json). */
  const callbackPath = async (apiKey: string, platform: 'xero' | 'quickbooks', decision: { allow: boolean; tenantIds: string[] }) => {
    const url = new URL(await decideConsent(await startConsent(stack.api!.url, apiKey, 'wise-pay', platform), decision));
    return `${url.pathname}${url.search}`;
  };
  const page = async (path: string, accept = BROWSER) => {
    const answer = await api()('GET', path, { headers: { accept } });
    expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
    expect(answer.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    return { status: answer.status, text: answer.body as string };
  };

  it('renders the refusal as a page with the same status for a browser, and keeps problem+json for everyone else', async () => {
    const merchant = await createTestMerchant(stack);

    const denied = await page(await callbackPath(merchant.apiKey, 'xero', { allow: false, tenantIds: [orgA] }));
    expect(denied.status).toBe(400);
    expect(denied.text).toContain('<h1>Xero was not connected</h1>');
    expect(denied.text).toContain('The consent was cancelled on the consent screen; nothing was connected.');
    expect(denied.text).toContain('choose Allow on the consent screen');

    const unknown = await page('/oauth/xero/callback?code=whatever&state=never-issued');
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('Settle did not start this consent');

    const forged = new URL(`http://x${await callbackPath(merchant.apiKey, 'quickbooks', { allow: true, tenantIds: [realm] })}`);
    forged.searchParams.set('code', 'code_forged');
    const refused = await page(`${forged.pathname}${forged.search}`);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('<h1>QuickBooks Online was not connected</h1>');
    expect(refused.text).toContain('Start again from Settle');

    // Whatever the platform put in the address is shown escaped, never as markup.
    const state = new URL(await startConsent(stack.api!.url, merchant.apiKey, 'wise-pay', 'xero')).searchParams.get('state')!;
    const hostile = await page(`/oauth/xero/callback?state=${encodeURIComponent(state)}&error=${encodeURIComponent('<script>alert(1)</script>')}`);
    expect(hostile.status).toBe(400);
    expect(hostile.text).not.toContain('<script>alert');
    expect(hostile.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');

    // An API client (JSON, or no preference at all) gets problem+json, as before.
    for (const accept of ['application/json', 'application/problem+json', '*/*']) {
      const answer = await api()('GET', await callbackPath(merchant.apiKey, 'xero', { allow: false, tenantIds: [orgA] }), { headers: { accept } });
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expectRefused(answer, 'access-denied');
    }
    expectRefused(await followCallback(`${stack.api!.url}/oauth/xero/callback?code=whatever&state=never-issued`), 'state-unknown');
    expect(await storedFor(merchant.merchantId)).toEqual({ connections: [], pending: [] });
  });
});
