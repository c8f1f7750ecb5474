// What a consent leaves behind when it does not end in a connection: a grant exchanged but not kept (Xero's
// /connections failing, Postgres refusing the row) is revoked at the platform at once; a pick of organisations
// never made is revoked and deleted by the daily upkeep, with the spent states. No orphan grant stays live.
// Real Postgres and Settle's API; the platforms' identity side emulated over HTTP, faults injected there.
import { sql } from 'kysely';
import { startQuickBooksEmulator, type QuickBooksEmulator } from '../../../emulators/quickbooks';
import { startXeroEmulator, type XeroEmulator } from '../../../emulators/xero';
import { issueState } from '../../../activities/accounting/oauth/states';
import { consent, consentEndpoints } from '../../support/consent';
import { createTestMerchant } from '../../support/merchants';
import { startTestStack, type TestStack } from '../../support/stack';

let stack: TestStack;
let xero: XeroEmulator;
let qbo: QuickBooksEmulator;

beforeAll(async () => {
  xero = await startXeroEmulator();
  qbo = await startQuickBooksEmulator();
  stack = await startTestStack({ roles: [], endpoints: consentEndpoints(xero, qbo) });
});
afterAll(async () => {
  await stack?.close();
  await xero?.close();
  await qbo?.close();
});

async function storedFor(merchantId: string) {
  const connections = await stack.db.selectFrom('accounting_connections').selectAll().where('merchant_id', '=', merchantId).execute();
  const pending = await stack.db.selectFrom('oauth_pending_consents').selectAll().where('merchant_id', '=', merchantId).execute();
  return { connections: connections.length, pending: pending.length };
}

it("revokes the fresh Xero grant when Xero's /connections fails after the exchange; nothing is stored", async () => {
  const org = xero.state.addTenant('Contoso Books').id;
  const { merchantId, apiKey } = await createTestMerchant(stack);
  const revocations = xero.oauth.revocations;
  xero.faults.set({ errorRate: 1, only: ['GET /connections'] });
  try {
    const answer = await consent(stack.api!.url, apiKey, { platform: 'xero', tenantIds: [org] });
    expect(answer.status).toBe(500);
    expect(answer.body).toMatchObject({ type: expect.stringContaining('internal-error') });
  } finally {
    xero.faults.clear();
  }
  expect(xero.faults.counts.errors).toBeGreaterThan(0);
  expect(xero.oauth.codeExchanges).toBeGreaterThan(0);
  expect(xero.oauth.revocations).toBe(revocations + 1);
  expect(xero.oauth.liveGrants(org)).toBe(0);
  expect(await storedFor(merchantId)).toEqual({ connections: 0, pending: 0 });
});

it('revokes the fresh QuickBooks grant when Postgres refuses to store it; nothing is stored', async () => {
  const realm = qbo.state.addRealm('Fabrikam US').id;
  const { merchantId, apiKey } = await createTestMerchant(stack);
  // A fault in the test's own database: the connection row of this company cannot be written.
  await sql`create function refuse_connection() returns trigger language plpgsql as $$ begin raise exception 'storage refused'; end $$`.execute(stack.db);
  await sql`create trigger refuse_connection before insert on accounting_connections for each row when (new.tenant_id = ${sql.lit(realm)}) execute function refuse_connection()`.execute(stack.db);
  try {
    const answer = await consent(stack.api!.url, apiKey, { platform: 'quickbooks', tenantIds: [realm] });
    expect(answer.status).toBe(500);
  } finally {
    await sql`drop trigger refuse_connection on accounting_connections`.execute(stack.db);
    await sql`drop function refuse_connection`.execute(stack.db);
  }
  expect(qbo.oauth.codeExchanges).toBeGreaterThan(0);
  expect(qbo.oauth.liveGrants(realm)).toBe(0);
  expect(await storedFor(merchantId)).toEqual({ connections: 0, pending: 0 });

  // The same consent once Postgres takes it again connects, and its grant is the one live.
  expect((await consent(stack.api!.url, apiKey, { platform: 'quickbooks', tenantIds: [realm] })).status).toBe(303);
  expect(qbo.oauth.liveGrants(realm)).toBe(1);
});

it('the upkeep revokes and deletes a pick of organisations never made, and deletes spent states', async () => {
  const [orgC, orgD] = [xero.state.addTenant('Northwind One').id, xero.state.addTenant('Northwind Two').id];
  const { merchantId, apiKey } = await createTestMerchant(stack);
  const answer = await consent(stack.api!.url, apiKey, { platform: 'xero', tenantIds: [orgC, orgD] });
  expect(answer.location).toMatch(/outcome=choose/);
  expect(xero.oauth.liveGrants(orgC)).toBe(1);
  await issueState(stack.db, { merchantId, role: 'wise-pay', platform: 'xero' }, new Date(Date.now() - 2 * 86_400_000));
  await issueState(stack.db, { merchantId, role: 'wise-pay', platform: 'xero' });
  const states = async () => (await stack.db.selectFrom('oauth_states').select('expires_at').where('merchant_id', '=', merchantId).execute()).length;
  expect(await states()).toBe(3); // the consent's (used), the spent one, the fresh one

  // The spent state goes; the consent's own and the fresh one stay until a day past their expiry. The pick is still
  // within its 25 minutes: the upkeep leaves it alone.
  expect(await stack.activities.sweepConsents()).toEqual({ statesDeleted: 1, pendingConsentsEnded: 0 });
  expect(await states()).toBe(2);
  expect(xero.oauth.liveGrants(orgC)).toBe(1);

  await stack.db.updateTable('oauth_pending_consents').set({ expires_at: new Date(Date.now() - 1000) }).where('merchant_id', '=', merchantId).execute();
  expect(await stack.activities.sweepConsents()).toEqual({ statesDeleted: 0, pendingConsentsEnded: 1 });
  expect(xero.oauth.liveGrants(orgC)).toBe(0);
  expect(xero.oauth.liveGrants(orgD)).toBe(0);
  expect(await storedFor(merchantId)).toEqual({ connections: 0, pending: 0 });
});
