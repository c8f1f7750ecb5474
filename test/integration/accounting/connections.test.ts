// Connections and their tokens against a real OAuth token endpoint (emulated, rotating refresh tokens) and
// real Postgres: sealed at rest, refreshed once however many processes ask, disconnected on invalid_grant
// with an action for the merchant, and reconnected through the admin import (migrating existing grants).
import { ConnectionStore, ConnectionUnavailable, type PlatformEndpoints } from '../../../activities/accounting/connections';
import { createDb, type Db } from '../../../db/database';
import { parseKeyring } from '../../../lib/crypto/sealed-box';
import { OAuthEmulator } from '../../../emulators/support/oauth';
import { EmulatorServer } from '../../../emulators/support/server';
import { httpClient } from '../../support/http';
import { createTestMerchant } from '../../support/merchants';
import { startTestStack, type TestStack } from '../../support/stack';

let stack: TestStack;
let oauth: OAuthEmulator;
let tokenServer: EmulatorServer;
let endpoints: PlatformEndpoints;
let request: ReturnType<typeof httpClient>;

beforeAll(async () => {
  oauth = new OAuthEmulator();
  tokenServer = new EmulatorServer().route('POST', '/connect/token', async (req) => {
    await new Promise((r) => setTimeout(r, 50)); // a real token endpoint takes a moment: long enough for a race
    return oauth.tokenEndpoint(req);
  });
  const url = await tokenServer.listen();
  const endpoint = { apiBase: `${url}/api.xro/2.0`, tokenUrl: `${url}/connect/token`, clientId: 'id', clientSecret: 'secret' };
  endpoints = { xero: endpoint, quickbooks: endpoint };
  stack = await startTestStack({ roles: [], endpoints });
  request = httpClient(stack.api!.url);
});
afterAll(async () => {
  await stack.close();
  await tokenServer.close();
});

async function connectedMerchant(expiresIn: number) {
  const merchant = await createTestMerchant(stack);
  const tenantId = `tenant-${merchant.merchantId}`;
  const tokens = oauth.issue(tenantId);
  const response = await request('PUT', `/v1/admin/merchants/${merchant.merchantId}/connections/wise-pay`, {
    key: stack.apiDeps.adminApiKey,
    body: { platform: 'xero', tenantId, tokens: { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, expiresIn } },
  });
  expect(response.status).toBe(200);
  return { ...merchant, tenantId, tokens };
}

it('lists one connection per role, all served by wise-pay until multi-connection is on', async () => {
  const merchant = await connectedMerchant(1800);
  const listed = await request('GET', '/v1/connections', { key: merchant.apiKey });
  expect(listed.body.multiConnection).toBe(false);
  expect(listed.body.connections.map((c: any) => [c.role, c.usesConnectionOf, c.status])).toEqual([
    ['wise-pay', 'wise-pay', 'connected'],
    ['company', 'wise-pay', 'connected'],
    ['service', 'wise-pay', 'connected'],
  ]);
  expect(listed.body.connections[0]).toMatchObject({ platform: 'xero', tenantId: merchant.tenantId, budget: { minuteRemaining: 60, dayRemaining: 5000 } });

  const enabled = await request('PUT', `/v1/admin/merchants/${merchant.merchantId}/multi-connection`, { key: stack.apiDeps.adminApiKey, body: { enabled: true } });
  expect(enabled).toMatchObject({ status: 200, body: { multiConnection: true } });
  const after = await request('GET', '/v1/connections', { key: merchant.apiKey });
  expect(after.body.connections.map((c: any) => [c.role, c.usesConnectionOf, c.status])).toEqual([
    ['wise-pay', 'wise-pay', 'connected'],
    ['company', 'company', 'not-connected'],
    ['service', 'service', 'not-connected'],
  ]);
  await expect(stack.apiDeps.accounting.connections.resolve(merchant.merchantId, 'company')).rejects.toBeInstanceOf(ConnectionUnavailable);
  expect((await stack.apiDeps.accounting.connections.resolve(merchant.merchantId, 'wise-pay')).role).toBe('wise-pay');
});

it('stores tokens sealed, never in clear', async () => {
  const merchant = await connectedMerchant(1800);
  const row = await stack.db.selectFrom('accounting_connections').selectAll().where('merchant_id', '=', merchant.merchantId).executeTakeFirstOrThrow();
  expect(row.token_sealed).not.toContain(merchant.tokens.refresh_token);
  expect(row.token_sealed).not.toContain(merchant.tokens.access_token);
  expect(await stack.apiDeps.accounting.connections.accessToken(row)).toBe(merchant.tokens.access_token);
});

describe('refresh', () => {
  let secondPool: Db;
  beforeAll(() => {
    secondPool = createDb(stack.databaseUrl, 5);
  });
  afterAll(() => secondPool.destroy());

  it('refreshes an expiring token once, however many processes ask at the same time', async () => {
    const merchant = await connectedMerchant(60); // inside the refresh margin: the next use refreshes
    const keyring = parseKeyring(stack.encryptionKeys);
    const stores = [new ConnectionStore(stack.db, keyring, endpoints), new ConnectionStore(secondPool, keyring, endpoints)];
    const connection = await stores[0].resolve(merchant.merchantId, 'wise-pay');
    const before = oauth.refreshCount;
    const tokens = await Promise.all(Array.from({ length: 8 }, (_, i) => stores[i % 2].accessToken(connection)));
    expect(oauth.refreshCount - before).toBe(1);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(merchant.tokens.access_token);
    // The new token works at the platform; the connection stays connected.
    expect(oauth.authenticate({ headers: { authorization: `Bearer ${tokens[0]}` } } as never)).toMatchObject({ tenantId: merchant.tenantId });
    const row = await stack.db.selectFrom('accounting_connections').selectAll().where('id', '=', connection.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('connected');
    expect(row.access_expires_at.getTime()).toBeGreaterThan(Date.now() + 1000_000);
  });

  it('marks the connection reconnect_required on invalid_grant, raises one action, and resumes after reconnecting', async () => {
    const merchant = await connectedMerchant(60);
    oauth.revokeTenant(merchant.tenantId); // the merchant disconnected Settle inside Xero
    const store = stack.apiDeps.accounting.connections;
    const connection = await store.resolve(merchant.merchantId, 'wise-pay');
    await expect(store.accessToken(connection)).rejects.toMatchObject({ reason: 'reconnect_required' });
    await expect(store.accessToken(connection)).rejects.toBeInstanceOf(ConnectionUnavailable); // again: still one action
    await expect(store.resolve(merchant.merchantId, 'service')).rejects.toMatchObject({ reason: 'reconnect_required' });

    const actions = await request('GET', '/v1/actions', { key: merchant.apiKey });
    expect(actions.body.actions).toEqual([expect.objectContaining({ kind: 'reconnect-accounting', subject: connection.id })]);
    const messages = await request('GET', '/v1/messages', { key: merchant.apiKey });
    expect(messages.body.messages).toEqual([expect.objectContaining({ kind: 'accounting-disconnected', text: expect.stringContaining('disconnected') })]);
    const listed = await request('GET', '/v1/connections', { key: merchant.apiKey });
    expect(listed.body.connections[0].status).toBe('reconnect_required');

    const fresh = oauth.issue(merchant.tenantId);
    await request('PUT', `/v1/admin/merchants/${merchant.merchantId}/connections/wise-pay`, {
      key: stack.apiDeps.adminApiKey,
      body: { platform: 'xero', tenantId: merchant.tenantId, tokens: { accessToken: fresh.access_token, refreshToken: fresh.refresh_token, expiresIn: 1800 } },
    });
    expect((await request('GET', '/v1/actions', { key: merchant.apiKey })).body.actions).toEqual([]);
    const reconnected = await store.resolve(merchant.merchantId, 'wise-pay');
    expect(reconnected.id).toBe(connection.id);
    expect(await store.accessToken(reconnected)).toBe(fresh.access_token);
  });
});

it('scopes connections to the merchant and validates the grant', async () => {
  const a = await connectedMerchant(1800);
  const b = await createTestMerchant(stack, 'Other');
  const listed = await request('GET', '/v1/connections', { key: b.apiKey });
  expect(listed.body.connections.every((c: any) => c.status === 'not-connected')).toBe(true);
  expect(JSON.stringify(listed.body)).not.toContain(a.tenantId);
  const bad = await request('PUT', `/v1/admin/merchants/${b.merchantId}/connections/admin`, { key: stack.apiDeps.adminApiKey, body: { platform: 'sage', tenantId: 'x', tokens: {} } });
  expect(bad.status).toBe(400);
  expect(bad.body.errors.map((e: any) => `${e.in}:${e.path}`)).toEqual(expect.arrayContaining(['path:role', 'body:platform']));
});

it('imports grants only with the admin key, and records each import in the merchant\'s activity log', async () => {
  const merchant = await connectedMerchant(1800);
  const tokens = oauth.issue(merchant.tenantId);
  const body = { platform: 'xero', tenantId: merchant.tenantId, tokens: { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, expiresIn: 1800 } };
  // The merchant's own key cannot paste tokens any more (the old route is gone; connecting is by consent).
  expect((await request('PUT', '/v1/connections/wise-pay', { key: merchant.apiKey, body })).status).toBe(405);
  // A merchant key on the admin route: a valid key of the wrong kind (403), not a failed guess.
  expect((await request('PUT', `/v1/admin/merchants/${merchant.merchantId}/connections/wise-pay`, { key: merchant.apiKey, body })).status).toBe(403);
  const log = await request('GET', '/v1/activity-log', { key: merchant.apiKey });
  expect(log.body.entries).toEqual(expect.arrayContaining([
    expect.objectContaining({ kind: 'connection-imported', subject: 'wise-pay', detail: expect.stringContaining('administrator imported an existing Xero grant') }),
  ]));
  expect(JSON.stringify(log.body)).not.toContain(merchant.tokens.refresh_token);
});
