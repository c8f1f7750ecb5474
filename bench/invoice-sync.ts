// Invoice sync: Manage batches of 1,000 and 5,000 invoices (50 customers, contacts already in the books but not yet
// known to Settle) posted to Xero and to QuickBooks Online through the real workflow, activities, adapters and SDKs,
// on real Temporal and Postgres, against the emulators at the platforms' limits scaled in time (as
// bench/accounting.ts: a simulated minute lasts 1 s; Xero 60 calls a minute and 5 at once; QuickBooks 500 a minute,
// 10 at once and 40 batch requests a minute of 30 items; CALL_LATENCY_MS per call at the emulator). Measured per
// case: calls made against the fewest the design needs, 429s, and the sync's time against the minimum the limits
// allow for those calls (calls ÷ per-minute budgets, or the concurrent ceiling × the latency, whichever binds),
// with where the time went (calls in flight and how many, none in flight, the phases).
// Then payments beside a sync: the e2e bench's card payments (wise-pay queue) at a steady rate, once alone and
// once while a 5,000-invoice Xero sync runs on the company queue (its worker its own process, as in production; the
// same Temporal, Postgres, host and Xero emulator); p99 of both.
import { randomBytes } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import type { PlatformEndpoints } from '../activities/accounting/connections';
import { PLATFORM_LIMITS, type PlatformLimits } from '../activities/accounting/limits';
import type { PlatformName } from '../activities/accounting/platform';
import { createAccountingServices, type AccountingServices } from '../activities/accounting/services';
import type { Db } from '../db/database';
import { saveManageConnection } from '../db/billing-sync';
import { replaceAccountMappings } from '../db/invoice-sync';
import { createMerchant } from '../db/merchants';
import { startManageEmulator, type ManageEmulator } from '../emulators/connectwise';
import { startQuickBooksEmulator, type QuickBooksEmulator } from '../emulators/quickbooks';
import { startXeroEmulator, type XeroEmulator } from '../emulators/xero';
import { parseKeyring, type Keyring } from '../lib/crypto/sealed-box';
import { inGroups, planChunks } from '../lib/invoice-sync/chunks';
import { taskQueueName, WORKER_ROLES } from '../lib/task-queues';
import { settleDataConverter } from '../lib/temporal/payload-codec';
import { runEntryPoint, runWorkerProcess, xeroWorkerEnv } from '../test/support/processes';
import { setUpQuoteMerchant, startQuoteWorld, type QuoteMerchant, type QuoteWorld } from '../test/support/quotes';
import { invoiceSyncWorkflow } from '../workflows/invoice-sync/invoice-sync-workflow';
import type { Client } from '@temporalio/client';
import { callBreakdown } from './support/call-breakdown';
import { runStep } from './e2e';
import { startBenchStack, type BenchStack } from './support/stack';
import { publishBenchServers, round } from './support/world';

const SCALE = 60;
const MINUTE_MS = 60_000 / SCALE;
const DAY_MS = 86_400_000 / SCALE;
const CALL_LATENCY_MS = 500;
const CUSTOMERS = 50;
const CASES: ReadonlyArray<{ platform: PlatformName; invoices: number }> = [
  { platform: 'xero', invoices: 1_000 }, { platform: 'xero', invoices: 5_000 }, { platform: 'quickbooks', invoices: 1_000 }, { platform: 'quickbooks', invoices: 5_000 },
];
/** Payments a second beside the sync (6 merchants, as the e2e bench), for its p99 with and without the sync. */
const PAYMENT_RATE = 4;
const PAYMENT_MERCHANTS = 6;
const P99_TARGET_MS = 1_000;
const RATIO_TARGET = 1.2;
const PREFIX = 'bench-invsync';
/** For working on one case: `BENCH_INVOICE_SYNC_CASES=xero-1000,quickbooks-1000` runs only those, and no payments. */
const ONLY = process.env.BENCH_INVOICE_SYNC_CASES?.split(',').map((c) => c.trim()).filter(Boolean);

/** The fewest calls the design makes for `invoices` of `customers` unknown customers, and how many are batch requests. */
export function expectedCalls(platform: PlatformName, invoices: number, customers: number): { calls: number; batchCalls: number } {
  const limits = PLATFORM_LIMITS[platform];
  const groups = planChunks(Array.from({ length: invoices }, (_, i) => i + 1)).reduce((n, c) => n + Math.ceil((c.lastId - c.firstId + 1) / limits.invoicesPerCall), 0);
  const contactLookups = inGroups(Array.from({ length: customers }), limits.accountNumbersPerLookup).length;
  return { calls: contactLookups + 2 * groups, batchCalls: groups };
}

/** The least time `calls` (of which `batchCalls` batch requests) can take within `limits`, at `latencyMs` a call. */
export function minimumSeconds(limits: PlatformLimits, calls: number, batchCalls: number, latencyMs: number): number {
  const windows = (n: number, perMinute: number) => (Math.ceil(n / perMinute) - 1) * (MINUTE_MS / 1000);
  return Math.max(windows(calls, limits.perMinute), limits.batchPerMinute ? windows(batchCalls, limits.batchPerMinute) : 0,
    Math.ceil(calls / limits.concurrent) * (latencyMs / 1000));
}

interface SyncWorld {
  db: Db;
  client: Client;
  keyring: Keyring;
  accounting: AccountingServices;
  manage: ManageEmulator;
  xero: XeroEmulator;
  qbo?: QuickBooksEmulator;
  workflowsQueue: string;
}

/** A merchant with `invoices` unposted invoices of CUSTOMERS companies in Manage, whose books already hold the contacts. */
async function seedMerchant(w: SyncWorld, platform: PlatformName, invoices: number) {
  const { tenant, companyId, publicKey, privateKey } = w.manage.createTenant();
  const suffix = randomBytes(3).toString('hex');
  const companies = Array.from({ length: CUSTOMERS }, (_, i) => tenant.addCompany(`Bench Customer ${i} ${suffix} Pty Ltd`, `BENCH${i}-${suffix}`));
  for (let i = 0; i < invoices; i++) {
    tenant.addStandardInvoice(companies[i % CUSTOMERS].id, { date: '2026-11-01', dueDate: '2026-11-30',
      lines: [{ description: 'Managed services', quantity: 1, unitPrice: 100 + (i % 7), productType: 'Service' }, { description: 'Licences', quantity: 3, unitPrice: 12.5, productType: 'Software' }] });
  }
  const { merchant } = await createMerchant(w.db, `Bench MSP invoice sync ${suffix}`);
  await saveManageConnection(w.db, w.keyring, merchant.id, { baseUrl: w.manage.apiBase, companyId, publicKey, privateKey, clientId: 'bench' });
  let ledger: () => number;
  let tenantId: string;
  if (platform === 'xero') {
    // The contacts, seeded under another app's grant (its own budget).
    const created = w.xero.createTenant(`Bench MSP ${suffix}`);
    tenantId = created.tenantId;
    const seeded = await fetch(`${w.xero.apiBasePath}/Contacts`, { method: 'PUT', body: JSON.stringify({ Contacts: companies.map((c) => ({ Name: c.name, AccountNumber: c.identifier })) }),
      headers: { authorization: `Bearer ${created.tokens.access_token}`, 'xero-tenant-id': tenantId, 'content-type': 'application/json' } });
    if (!seeded.ok) throw new Error(`seeding contacts: ${seeded.status}`);
    await replaceAccountMappings(w.db, merchant.id, [{ kind: 'product-type', value: 'Service', accountCode: '200', taxType: 'OUTPUT' },
      { kind: 'product-type', value: 'Software', accountCode: '260', taxType: 'OUTPUT' }]);
    await w.accounting.connections.connect(merchant.id, 'wise-pay', { platform: 'xero', tenantId, tokens: w.xero.oauth.issue(tenantId, 'settle-bench') });
    ledger = () => w.xero.state.tenant(tenantId).invoices.size;
  } else {
    const qbo = w.qbo!;
    const created = qbo.createRealm(`Bench MSP ${suffix}`, { homeCurrency: 'AUD' });
    tenantId = created.realmId;
    for (const group of inGroups(companies, 30)) {
      const seeded = await fetch(`${qbo.endpoint}${tenantId}/batch?minorversion=75`, { method: 'POST',
        body: JSON.stringify({ BatchItemRequest: group.map((c, i) => ({ bId: String(i), operation: 'create', Customer: { DisplayName: c.name, AcctNum: c.identifier } })) }),
        headers: { authorization: `Bearer ${created.tokens.access_token}`, 'content-type': 'application/json' } });
      if (!seeded.ok) throw new Error(`seeding customers: ${seeded.status}`);
    }
    // On QuickBooks an account code is an Item id (1 Services, 2 Managed services).
    await replaceAccountMappings(w.db, merchant.id, [{ kind: 'product-type', value: 'Service', accountCode: '2' }, { kind: 'product-type', value: 'Software', accountCode: '1' }]);
    await w.accounting.connections.connect(merchant.id, 'wise-pay', { platform: 'quickbooks', tenantId, tokens: qbo.oauth.issue(tenantId) });
    ledger = () => qbo.state.realm(tenantId).invoices.size;
  }
  const connection = await w.db.selectFrom('accounting_connections').select('id').where('merchant_id', '=', merchant.id).executeTakeFirstOrThrow();
  return { merchantId: merchant.id, tenantId, connectionId: connection.id, ledger };
}

/** Runs one batch to the end and measures it. */
async function syncCase(w: SyncWorld, platform: PlatformName, invoices: number, seeded: Awaited<ReturnType<typeof seedMerchant>>) {
  const emulatorRequests = () => (platform === 'xero'
    ? w.xero.requests.filter((r) => r.path.startsWith('/api.xro')).map((r) => ({ at: r.at, receivedAt: r.receivedAt, path: r.path, status: r.status }))
    : w.qbo!.requests.filter((r) => r.path.startsWith('/v3/')).map((r) => ({ at: r.at, receivedAt: r.receivedAt,
      path: /from%20customer|from\+customer/i.test(r.query) ? `${r.path}/contacts` : r.path, status: r.status })));
  const startedAt = Date.now();
  const result = await w.client.workflow.execute(invoiceSyncWorkflow, { workflowId: `bench-invoice-sync-${randomBytes(4).toString('hex')}`, workflowExecutionTimeout: '5 minutes',
    taskQueue: w.workflowsQueue, args: [{ merchantId: seeded.merchantId, batchIdentifier: `BENCH-${randomBytes(3).toString('hex')}` }] });
  const wallSeconds = (Date.now() - startedAt) / 1000;
  const answered = emulatorRequests().filter((r) => r.at >= startedAt);
  const answers = answered.map((r) => r.at);
  const seconds = (Math.max(...answers) - (Math.min(...answers) - CALL_LATENCY_MS)) / 1000;
  const rows = await w.db.selectFrom('accounting_calls').select(['started_at', 'finished_at', 'kind']).where('connection_id', '=', seeded.connectionId).execute();
  const calls = rows.length;
  const batchCalls = rows.filter((r) => r.kind === 'batch').length;
  const limits = PLATFORM_LIMITS[platform];
  const spans = rows.map((r) => ({ startMs: r.started_at.getTime(), endMs: (r.finished_at ?? r.started_at).getTime() }));
  const inCalls = callBreakdown(spans);
  // At the platform: from a request's arrival to its answer (latency, limits, its own work); the rest of a call's time
  // is on Settle's side (the SDK building and reading bodies, the token, the budget's release).
  const atPlatformSeconds = answered.reduce((sum, r) => sum + (r.at - r.receivedAt), 0) / 1000;
  const minimum = minimumSeconds(limits, calls, platform === 'quickbooks' ? batchCalls : 0, CALL_LATENCY_MS);
  const contactsDone = Math.max(...answered.filter((r) => /\/contacts/i.test(r.path)).map((r) => r.at));
  const expected = expectedCalls(platform, invoices, CUSTOMERS);
  const inBooks = seeded.ledger();
  const http429 = answered.filter((r) => r.status === 429).length;
  return {
    platform,
    invoices,
    seconds: round(seconds, 3),
    minimumSeconds: minimum,
    ratio: round(seconds / minimum, 3),
    http429,
    status: result.status,
    posted: result.posted,
    failed: result.failed,
    invoicesInBooks: inBooks,
    calls,
    batchCalls,
    expectedCalls: expected.calls,
    wallSeconds,
    breakdown: {
      ...inCalls,
      secondsPerCall: round(inCalls.callSeconds / calls, 3),
      secondsPerCallAtPlatform: round(atPlatformSeconds / answered.length, 3),
      // The ratio if the minimum counted the latency the emulator actually gave (it shares this process's CPU).
      ratioAtMeasuredLatency: round(seconds / minimumSeconds(limits, calls, platform === 'quickbooks' ? batchCalls : 0, (atPlatformSeconds / answered.length) * 1000), 3),
      contactsPhaseSeconds: round((contactsDone - (Math.min(...answers) - CALL_LATENCY_MS)) / 1000, 3),
      postingPhaseSeconds: round((Math.max(...answers) - contactsDone) / 1000, 3),
    },
    targets: { ratio: seconds / minimum <= RATIO_TARGET, zero429: http429 === 0, everyInvoiceOnce: inBooks === invoices && result.posted === invoices, callsAsExpected: calls === expected.calls },
  };
}

async function syncCases(): Promise<Array<Awaited<ReturnType<typeof syncCase>>>> {
  const [xero, qbo, manage] = await Promise.all([startXeroEmulator({ limits: { minuteMs: MINUTE_MS, dayMs: DAY_MS } }),
    startQuickBooksEmulator({ limits: { minuteMs: MINUTE_MS } }), startManageEmulator({ requestsPerSecond: 1000 })]);
  let stack: BenchStack | undefined;
  const running: Array<() => Promise<void>> = [];
  try {
    stack = await startBenchStack();
    const s = stack;
    const endpoints: PlatformEndpoints = {
      xero: { apiBase: xero.apiBasePath, tokenUrl: xero.tokenUrl, clientId: 'bench', clientSecret: 'bench' },
      quickbooks: { apiBase: qbo.endpoint, tokenUrl: qbo.tokenUrl, clientId: 'bench', clientSecret: 'bench' },
    };
    // Connecting the bench's merchants (their tokens sealed) happens here; the sync's activities run in the company
    // worker's own process, as in production (workers/run-worker.ts), so the emulators and the bench do not share its
    // event loop.
    const accounting = createAccountingServices({ db: s.db, encryptionKeys: s.encryptionKeys, endpoints, clock: { minuteMs: MINUTE_MS, dayMs: DAY_MS } });
    await publishBenchServers(s);
    const company = runEntryPoint('workers/run-worker.ts', { SETTLE_WORKER_ROLE: 'company', DATABASE_URL: s.databaseUrl, TEMPORAL_ADDRESS: s.temporalAddress,
      SETTLE_TASK_QUEUE_PREFIX: PREFIX, SETTLE_ENCRYPTION_KEYS: s.encryptionKeys, STRIPE_SECRET_KEY: 'sk_test_unused', LOG_LEVEL: 'info', SETTLE_RATE_LIMIT_MINUTE_MS: String(MINUTE_MS),
      ...xeroWorkerEnv(xero), QUICKBOOKS_API_BASE: qbo.endpoint, QUICKBOOKS_TOKEN_URL: qbo.tokenUrl, QUICKBOOKS_CLIENT_ID: 'bench', QUICKBOOKS_CLIENT_SECRET: 'bench' });
    running.push(async () => {
      await company.stop();
    });
    await company.waitForOutput(/worker started/);
    const workflowWorker = await Worker.create({ connection: s.nativeConnection, taskQueue: taskQueueName(PREFIX, 'workflows'),
      workflowsPath: require.resolve('../workflows'), dataConverter: settleDataConverter(s.keyring) });
    const workflowRun = workflowWorker.run();
    running.push(async () => {
      if (workflowWorker.getState() === 'RUNNING') workflowWorker.shutdown();
      await workflowRun;
    });
    const w: SyncWorld = { db: s.db, client: s.client, keyring: s.keyring, accounting, manage, xero, qbo, workflowsQueue: taskQueueName(PREFIX, 'workflows') };
    const results = [];
    for (const c of CASES.filter((k) => !ONLY || ONLY.includes(`${k.platform}-${k.invoices}`))) {
      const seeded = await seedMerchant(w, c.platform, c.invoices);
      await new Promise((r) => setTimeout(r, MINUTE_MS)); // the seeding calls leave the minute window
      xero.faults.set({ latencyMs: CALL_LATENCY_MS });
      qbo.faults.set({ latencyMs: CALL_LATENCY_MS });
      try {
        const r = await syncCase(w, c.platform, c.invoices, seeded);
        process.stdout.write(`  ${c.platform.padEnd(10)} ${String(c.invoices).padStart(5)} invoices  ${String(r.seconds).padStart(7)} s  minimum ${String(r.minimumSeconds).padStart(5)} s  ratio ${r.ratio}  calls ${r.calls}/${r.expectedCalls}  429s ${r.http429}  in books ${r.invoicesInBooks}\n`);
        results.push(r);
      } finally {
        xero.faults.clear();
        qbo.faults.clear();
      }
    }
    return results;
  } finally {
    for (const stop of running.reverse()) await stop();
    await stack?.close();
    await Promise.all([xero.close(), qbo.close(), manage.close()]);
  }
}

/** Card payments at PAYMENT_RATE, alone and then beside a 5,000-invoice Xero sync on the company queue of the same stack. */
async function paymentsBesideSync() {
  const s = await startBenchStack();
  let world: QuoteWorld | undefined;
  let stopCompany: (() => Promise<void>) | undefined;
  const manage = await startManageEmulator({ requestsPerSecond: 1000 });
  try {
    await publishBenchServers(s);
    // The company queue's worker as production runs it: its own process (workers/run-worker.ts), beside the others.
    world = await startQuoteWorld({ timing: { abandonAfterMs: 3_600_000, downpaymentCheckEveryMs: 3_600_000, downpaymentGiveUpAfterMs: 7_200_000 },
      roles: WORKER_ROLES.filter((r) => r !== 'company') });
    const company = runWorkerProcess(world.stack, 'company', { ...xeroWorkerEnv(world.xero.emu), SETTLE_RATE_LIMIT_MINUTE_MS: String(MINUTE_MS) });
    stopCompany = async () => {
      await company.stop();
    };
    await company.waitForOutput(/worker started/);
    const merchants: QuoteMerchant[] = [];
    for (let i = 0; i < PAYMENT_MERCHANTS; i++) merchants.push(await setUpQuoteMerchant(world, { methods: ['card'], cpqMethods: ['card'] }));
    await runStep(world, merchants, 1); // warm-up: JIT, connections, token caches
    const alone = await runStep(world, merchants, PAYMENT_RATE);

    const stack = world.stack;
    const w: SyncWorld = { db: stack.db, client: stack.client, keyring: parseKeyring(stack.encryptionKeys), accounting: stack.accounting, manage, xero: world.xero.emu,
      workflowsQueue: taskQueueName(stack.taskQueuePrefix, 'workflows') };
    const seeded = await seedMerchant(w, 'xero', 5_000);
    await new Promise((r) => setTimeout(r, MINUTE_MS));
    // Only the sync's organisation answers slowly: the payments' organisations keep the e2e bench's conditions.
    world.xero.emu.tenantLatencyMs.set(seeded.tenantId, CALL_LATENCY_MS);
    const sync = syncCase(w, 'xero', 5_000, seeded);
    // Into its posting before the payments start, so they run beside the sync's busiest part.
    const postingBy = Date.now() + 30_000;
    while (Date.now() < postingBy) {
      const posted = await stack.db.selectFrom('invoice_sync_records').select((eb) => eb.fn.countAll<string>().as('n')).where('merchant_id', '=', seeded.merchantId).where('status', '=', 'posted').executeTakeFirst();
      if (Number(posted?.n ?? 0) > 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const paymentsStartedAt = Date.now();
    const beside = await runStep(world, merchants, PAYMENT_RATE);
    const paymentsEndedAt = Date.now();
    const synced = await sync;
    const lastSyncAnswer = Math.max(...world.xero.emu.requests.filter((r) => r.tenantId === seeded.tenantId).map((r) => r.at));
    return {
      ratePerSecond: PAYMENT_RATE,
      alone: { p50Ms: alone.p50Ms, p99Ms: alone.p99Ms, completed: alone.completed, payments: alone.payments },
      besideSync: { p50Ms: beside.p50Ms, p99Ms: beside.p99Ms, completed: beside.completed, payments: beside.payments },
      // How much of the payments' step the sync was still running for (1: all of it).
      overlap: round(Math.max(0, Math.min(paymentsEndedAt, lastSyncAnswer) - paymentsStartedAt) / (paymentsEndedAt - paymentsStartedAt), 2),
      sync: { invoices: synced.invoices, seconds: synced.seconds, minimumSeconds: synced.minimumSeconds, ratio: synced.ratio, http429: synced.http429,
        invoicesInBooks: synced.invoicesInBooks, calls: synced.calls },
      targets: { p99BesideSyncUnder1s: beside.p99Ms < P99_TARGET_MS, everyPayment: beside.completed === beside.payments },
    };
  } finally {
    await stopCompany?.();
    await world?.close();
    await manage.close();
    await s.close();
  }
}

export async function invoiceSyncBenchmark(): Promise<Record<string, unknown>> {
  const cases = await syncCases();
  if (ONLY) return { partial: `only ${ONLY.join(', ')}`, cases };
  const payments = await paymentsBesideSync();
  process.stdout.write(`  payments at ${payments.ratePerSecond}/s: p99 alone ${payments.alone.p99Ms} ms, beside a 5,000-invoice sync ${payments.besideSync.p99Ms} ms (overlap ${payments.overlap})\n`);
  return {
    scale: `${SCALE}x: a simulated minute is ${MINUTE_MS} ms; Xero 60/minute, 5 concurrent, 5000/day; QuickBooks 500/minute, 10 concurrent, 40 batches/minute of 30; ${CALL_LATENCY_MS} ms per call`,
    cases,
    paymentsBesideSync: payments,
    worstRatio: Math.max(...cases.map((c) => c.ratio)),
    http429: cases.reduce((n, c) => n + c.http429, 0) + payments.sync.http429,
    p99AloneMs: payments.alone.p99Ms,
    p99BesideSyncMs: payments.besideSync.p99Ms,
    allTargetsMet: cases.every((c) => Object.values(c.targets).every(Boolean)) && Object.values(payments.targets).every(Boolean),
  };
}
