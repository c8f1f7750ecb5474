// The world an invoice sync test needs: the real stack (Temporal, Postgres, workers, API) whose sync log a test can
// read, a ConnectWise Manage emulator, and Xero and QuickBooks emulators; merchants connected to Manage through the
// API and to their own Xero organisation or QuickBooks company (wise-pay serves the company role until multi-connection).
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { AccountingPlatform } from '../../activities/accounting/platform';
import { startManageEmulator, type ManageEmulator, type ManageTenant } from '../../emulators/connectwise';
import { createLogger } from '../../lib/logger';
import type { WorkerRole } from '../../lib/task-queues';
import { xeroConsentEndpoint } from './consent';
import { eventually } from './eventually';
import { httpClient } from './http';
import { createTestMerchant } from './merchants';
import { startQuickBooks, type QuickBooksFixture } from './quickbooks';
import { startTestStack, type TestStack } from './stack';
import { startXero, type XeroFixture } from './xero';

export interface InvoiceSyncWorld {
  stack: TestStack;
  manage: ManageEmulator;
  xero: XeroFixture;
  qb: QuickBooksFixture;
  /** Every line the sync log wrote, parsed. */
  logLines: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/** `consent`: Settle's Xero app is registered at the emulator, so a merchant can (re)connect through the consent flow. */
export async function startInvoiceSyncWorld(opts: { roles?: readonly WorkerRole[]; consent?: boolean } = {}): Promise<InvoiceSyncWorld> {
  const clock = { minuteMs: 1_000, dayMs: 86_400_000 };
  const [manage, xero, qb] = await Promise.all([startManageEmulator({ requestsPerSecond: 200 }), startXero({ limits: { minuteMs: clock.minuteMs } }), startQuickBooks()]);
  const logLines: Array<Record<string, unknown>> = [];
  const sink = new Writable({ write(chunk, _enc, done) {
    for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
    done();
  } });
  const stack = await startTestStack({
    endpoints: { xero: opts.consent ? xeroConsentEndpoint(xero.emu) : { apiBase: xero.emu.apiBasePath, tokenUrl: xero.emu.tokenUrl, clientId: 'settle', clientSecret: 'secret' },
      quickbooks: { apiBase: qb.emu.endpoint, tokenUrl: qb.emu.tokenUrl, clientId: 'settle', clientSecret: 'secret' } },
    clock, activityLog: createLogger({ level: 'info', name: 'invoice-sync', destination: sink }), ...(opts.roles ? { roles: opts.roles } : {}),
  });
  return { stack, manage, xero, qb, logLines, async close() {
    await stack.close();
    await Promise.all([manage.close(), xero.close(), qb.close()]);
  } };
}

export interface SyncMerchant {
  merchantId: string;
  apiKey: string;
  api: ReturnType<typeof httpClient>;
  tenant: ManageTenant;
  /** The merchant's books, through Settle's adapter with the merchant's own grant (for setting up and checking). */
  books: AccountingPlatform;
  xeroTenantId?: string;
  realmId?: string;
}

export async function setUpSyncMerchant(world: InvoiceSyncWorld, platform: 'xero' | 'quickbooks' = 'xero'): Promise<SyncMerchant> {
  const { merchantId, apiKey } = await createTestMerchant(world.stack, `Sync MSP ${randomBytes(3).toString('hex')}`);
  const api = httpClient(world.stack.api!.url, apiKey);
  const { tenant, companyId, publicKey, privateKey } = world.manage.createTenant();
  const connected = await api('PUT', '/v1/billing-sync/connections/manage', { body: { baseUrl: world.manage.apiBase, companyId, publicKey, privateKey, clientId: 'settle-test' } });
  if (connected.status !== 200) throw new Error(`connecting Manage failed: ${connected.status}`);
  if (platform === 'xero') {
    const { tenantId } = world.xero.emu.createTenant(`Books of ${merchantId}`);
    const tokens = world.xero.emu.oauth.issue(tenantId, `settle-${merchantId}`);
    await world.stack.accounting.connections.connect(merchantId, 'wise-pay', { platform: 'xero', tenantId, tokens });
    const own = world.xero.emu.oauth.issue(tenantId, `test-${merchantId}`);
    return { merchantId, apiKey, api, tenant, books: world.xero.platformFor(tenantId, own.access_token), xeroTenantId: tenantId };
  }
  const { realmId, tokens } = world.qb.emu.createRealm(`Books of ${merchantId}`, { homeCurrency: 'AUD' });
  await world.stack.accounting.connections.connect(merchantId, 'wise-pay', { platform: 'quickbooks', tenantId: realmId, tokens });
  return { merchantId, apiKey, api, tenant, books: world.qb.platformFor(realmId, tokens.access_token), realmId };
}

/** Runs a batch through the API (the same identifier re-runs it) and waits until its workflow has finished. */
export async function syncBatch(world: InvoiceSyncWorld, m: SyncMerchant, batchIdentifier: string): Promise<any> {
  const started = await m.api('POST', '/v1/invoice-sync/runs', { body: { batchIdentifier } });
  if (started.status !== 202) throw new Error(`sync failed to start: ${started.status} ${JSON.stringify(started.body)}`);
  await world.stack.client.workflow.getHandle(started.body.workflowId).result();
  return (await m.api('GET', `/v1/invoice-sync/batches/${batchIdentifier}`)).body;
}

export async function paymentSync(world: InvoiceSyncWorld, m: SyncMerchant): Promise<{ checked: number; carried: number; failed: number }> {
  const started = await m.api('POST', '/v1/invoice-sync/payment-sync');
  if (started.status !== 202) throw new Error(`payment sync failed to start: ${started.status}`);
  return world.stack.client.workflow.getHandle(started.body.workflowId).result();
}

export { eventually };
