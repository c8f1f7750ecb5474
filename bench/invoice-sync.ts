// Invoice sync: a Manage batch of 1,000 invoices (50 customers, contacts already in Xero) posted to one Xero
// organisation through the real workflow, activities, adapter and xero-node, on real Temporal and Postgres, against the
// Xero emulator at Xero's limits scaled in time (as bench/accounting.ts: a simulated minute lasts 1 s; 60 calls a
// minute, 5 at once; CALL_LATENCY_MS per call at the emulator). Measured: calls made against the fewest the design
// needs (contact lookups, then per 50 invoices one lookup by number and one create), 429s, and the time against the
// minimum the limits allow for those calls.
import { randomBytes } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { PlatformEndpoints } from '../activities/accounting/connections';
import { PLATFORM_LIMITS } from '../activities/accounting/limits';
import { platformFactory } from '../activities/accounting/platforms';
import { createAccountingServices } from '../activities/accounting/services';
import { createStripeClient } from '../activities/stripe/client';
import { saveManageConnection } from '../db/billing-sync';
import { replaceAccountMappings } from '../db/invoice-sync';
import { createMerchant } from '../db/merchants';
import { startManageEmulator } from '../emulators/connectwise';
import { startXeroEmulator } from '../emulators/xero';
import { createLogger } from '../lib/logger';
import { taskQueueName } from '../lib/task-queues';
import { settleDataConverter } from '../lib/temporal/payload-codec';
import { startWorkers } from '../workers/start-workers';
import { invoiceSyncWorkflow } from '../workflows/invoice-sync/invoice-sync-workflow';
import { callBreakdown } from './support/call-breakdown';
import { startBenchStack, type BenchStack } from './support/stack';

const SCALE = 60;
const MINUTE_MS = 60_000 / SCALE;
const DAY_MS = 86_400_000 / SCALE;
const CALL_LATENCY_MS = 500;
const INVOICES = 1_000;
const CUSTOMERS = 50;
const PREFIX = 'bench-invsync';

export async function invoiceSyncBenchmark(): Promise<Record<string, unknown>> {
  const [xero, manage] = await Promise.all([startXeroEmulator({ limits: { minuteMs: MINUTE_MS, dayMs: DAY_MS } }), startManageEmulator({ requestsPerSecond: 1000 })]);
  let stack: BenchStack | undefined;
  const running: Array<() => Promise<void>> = [];
  try {
    stack = await startBenchStack();
    const s = stack;
    const endpoint = { apiBase: xero.apiBasePath, tokenUrl: xero.tokenUrl, clientId: 'bench', clientSecret: 'bench' };
    const endpoints: PlatformEndpoints = { xero: endpoint, quickbooks: endpoint };
    const accounting = createAccountingServices({ db: s.db, encryptionKeys: s.encryptionKeys, endpoints, clock: { minuteMs: MINUTE_MS, dayMs: DAY_MS } });
    const stripe = createStripeClient({ secretKey: 'sk_test_bench', apiBase: 'http://127.0.0.1:9' });
    const activities = createActivities({ db: s.db, accounting, platformFor: platformFactory(endpoints), keyring: s.keyring, stripe, temporal: s.client,
      log: createLogger({ level: 'warn' }) });
    const workers = await startWorkers({ connection: s.nativeConnection, namespace: 'default', taskQueuePrefix: PREFIX, roles: ['company'], activities, keyring: s.keyring });
    running.push(() => workers.shutdown());
    const workflowWorker = await Worker.create({ connection: s.nativeConnection, taskQueue: taskQueueName(PREFIX, 'workflows'),
      workflowsPath: require.resolve('../workflows'), dataConverter: settleDataConverter(s.keyring) });
    const workflowRun = workflowWorker.run();
    running.push(async () => {
      if (workflowWorker.getState() === 'RUNNING') workflowWorker.shutdown();
      await workflowRun;
    });

    // Manage: 50 companies, 1,000 unposted invoices. Xero: the 50 contacts, seeded under another app's budget.
    const { tenant, companyId, publicKey, privateKey } = manage.createTenant();
    const { tenantId, tokens: seedTokens } = xero.createTenant(`Bench MSP ${randomBytes(3).toString('hex')}`);
    const companies = Array.from({ length: CUSTOMERS }, (_, i) => tenant.addCompany(`Bench Customer ${i} Pty Ltd`, `BENCH${i}`));
    const contacts = companies.map((c) => ({ Name: c.name, AccountNumber: c.identifier }));
    const seeded = await fetch(`${xero.apiBasePath}/Contacts`, { method: 'PUT', body: JSON.stringify({ Contacts: contacts }),
      headers: { authorization: `Bearer ${seedTokens.access_token}`, 'xero-tenant-id': tenantId, 'content-type': 'application/json' } });
    if (!seeded.ok) throw new Error(`seeding contacts: ${seeded.status}`);
    for (let i = 0; i < INVOICES; i++) {
      tenant.addStandardInvoice(companies[i % CUSTOMERS].id, { date: '2026-11-01', dueDate: '2026-11-30',
        lines: [{ description: 'Managed services', quantity: 1, unitPrice: 100 + (i % 7), productType: 'Service' }, { description: 'Licences', quantity: 3, unitPrice: 12.5, productType: 'Software' }] });
    }
    const { merchant } = await createMerchant(s.db, 'Bench MSP invoice sync');
    await saveManageConnection(s.db, s.keyring, merchant.id, { baseUrl: manage.apiBase, companyId, publicKey, privateKey, clientId: 'bench' });
    await replaceAccountMappings(s.db, merchant.id, [{ kind: 'product-type', value: 'Service', accountCode: '200', taxType: 'OUTPUT' },
      { kind: 'product-type', value: 'Software', accountCode: '260', taxType: 'OUTPUT' }]);
    const connection = await accounting.connections.connect(merchant.id, 'wise-pay', { platform: 'xero', tenantId, tokens: xero.oauth.issue(tenantId, 'settle-bench') });
    await new Promise((r) => setTimeout(r, MINUTE_MS)); // the seeding call leaves the minute window

    xero.faults.set({ latencyMs: CALL_LATENCY_MS });
    const before429 = xero.stats.http429;
    const startedAt = Date.now();
    const result = await s.client.workflow.execute(invoiceSyncWorkflow, { workflowId: `bench-invoice-sync-${randomBytes(4).toString('hex')}`,
      taskQueue: taskQueueName(PREFIX, 'workflows'), args: [{ merchantId: merchant.id, batchIdentifier: `BENCH-${randomBytes(3).toString('hex')}` }] });
    const wallSeconds = (Date.now() - startedAt) / 1000;
    xero.faults.clear();
    const answers = xero.requests.filter((r) => r.at >= startedAt && r.path.startsWith('/api.xro')).map((r) => r.at);
    const syncSeconds = (Math.max(...answers) - (Math.min(...answers) - CALL_LATENCY_MS)) / 1000;
    const rows = await s.db.selectFrom('accounting_calls').select(['started_at', 'finished_at']).where('connection_id', '=', connection.id).execute();
    const calls = rows.length;
    const spans = rows.map((r) => ({ startMs: r.started_at.getTime(), endMs: (r.finished_at ?? r.started_at).getTime() }));
    const xeroCalls = xero.requests.filter((r) => r.at >= startedAt && r.path.startsWith('/api.xro'));
    const contactsDone = Math.max(...xeroCalls.filter((r) => r.path.includes('/Contacts')).map((r) => r.at));
    const postingStarted = Math.min(...xeroCalls.filter((r) => r.path.includes('/Invoices')).map((r) => r.at)) - CALL_LATENCY_MS;
    const limits = PLATFORM_LIMITS.xero;
    const expectedCalls = CUSTOMERS + 2 * Math.ceil(INVOICES / 50);
    const minimumSeconds = Math.max((Math.ceil(calls / limits.perMinute) - 1) * (MINUTE_MS / 1000), Math.ceil(calls / limits.concurrent) * (CALL_LATENCY_MS / 1000));
    const inBooks = xero.state.tenant(tenantId).invoices.size;
    return {
      scale: `${SCALE}x: a simulated minute is ${MINUTE_MS} ms; limits 60/minute, 5 concurrent, 5000/day; ${CALL_LATENCY_MS} ms per call`,
      invoices: INVOICES,
      customers: CUSTOMERS,
      status: result.status,
      posted: result.posted,
      failed: result.failed,
      invoicesInLedger: inBooks,
      calls,
      expectedCalls,
      http429: xero.stats.http429 - before429,
      wallSeconds,
      syncSeconds,
      minimumSeconds,
      syncOverMinimum: Number((syncSeconds / minimumSeconds).toFixed(3)),
      // Calls go one after another within a batch (lookup, then create, per chunk of 50): the concurrency Xero allows
      // is left unused, which is what separates the time from the minimum.
      sequentialSeconds: calls * (CALL_LATENCY_MS / 1000),
      // Where the time went: calls in flight (and how many at once), none in flight (activity and workflow round trips),
      // waiting for the budget (summed over calls), and the two phases.
      breakdown: {
        ...callBreakdown(spans),
        budgetQueuedSeconds: accounting.budget.queuedMs / 1000,
        budgetWaitedSeconds: accounting.budget.waitedMs / 1000,
        contactsPhaseSeconds: (contactsDone - (Math.min(...answers) - CALL_LATENCY_MS)) / 1000,
        contactsToPostingGapSeconds: (postingStarted - contactsDone) / 1000,
        postingPhaseSeconds: (Math.max(...answers) - postingStarted) / 1000,
      },
      targets: { zero429: xero.stats.http429 - before429 === 0, everyInvoiceOnce: inBooks === INVOICES && result.posted === INVOICES, callsAsExpected: calls === expectedCalls },
    };
  } finally {
    for (const stop of running.reverse()) await stop();
    await stack?.close();
    await Promise.all([xero.close(), manage.close()]);
  }
}
