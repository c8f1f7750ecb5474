// Accounting drain: 1,000 payments for one Xero organisation through the real activities, adapter and
// xero-node, on real Temporal and Postgres, against the Xero emulator at Xero's limits scaled in time.
//
// Scale: 60 — a simulated minute lasts 1 s; the limits stay Xero's (60 calls a minute, 5 at once, 5,000 a
// day), and each call takes CALL_LATENCY_MS at the emulator (a 50-payment batch is slow at Xero too).
// Measured in the same run:
// - the drain: calls made against ceil(payments / 50), 429s, and its time against the minimum the limits allow
//   (ceil(calls / 5 at once) × call latency, or the minute windows when they bind): `drainSeconds` from the first
//   call's arrival at the emulator to the last answer, and `wallSeconds` from starting the workflow to its result;
// - a payer's payment issued mid-drain, with multi-connection on (its own wise-pay connection) and, as the
//   baseline, off (sharing the connection the drain is using);
// - pacing under a binding minute limit: 180 one-payment calls at 60 a (5-second) minute.
import { randomBytes } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { ConnectionStore, type PlatformEndpoints } from '../activities/accounting/connections';
import { RateBudget } from '../activities/accounting/rate-budget';
import { createXeroPlatform } from '../activities/accounting/xero';
import { PLATFORM_LIMITS } from '../activities/accounting/limits';
import { PlatformRateLimited, type NewPayment } from '../activities/accounting/platform';
import { platformFactory } from '../activities/accounting/platforms';
import { createAccountingServices } from '../activities/accounting/services';
import { createStripeClient } from '../activities/stripe/client';
import { createMerchant } from '../db/merchants';
import { startXeroEmulator, type XeroEmulator } from '../emulators/xero';
import { newKeyringText, parseKeyring } from '../lib/crypto/sealed-box';
import { taskQueueName, type AccountingRole } from '../lib/task-queues';
import { settleDataConverter } from '../lib/temporal/payload-codec';
import { startWorkers } from '../workers/start-workers';
import { postPaymentsAs } from '../test/fixtures/workflows';
import { startBenchStack, type BenchStack } from './support/stack';

const SCALE = 60;
const MINUTE_MS = 60_000 / SCALE;
const DAY_MS = 86_400_000 / SCALE;
const CALL_LATENCY_MS = 500;
const PAYMENTS = 1_000;
const PACED_CALLS = 180;
const PACED_MINUTE_MS = 5_000;
const PREFIX = 'bench';

interface Org {
  tenantId: string;
  contactId: string;
  invoiceIds: string[];
}

/** An organisation with one customer and `count` authorised invoices of 100.00, created in batches of 50. */
async function seedOrganisation(emulator: XeroEmulator, count: number): Promise<Org> {
  // Seeded under the default app: its calls count against a budget the connections below do not share.
  const { tenantId, tokens } = emulator.createTenant(`Bench MSP ${randomBytes(3).toString('hex')}`);
  const call = async (method: string, path: string, body: unknown) => {
    const response = await fetch(`${emulator.apiBasePath}${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens.access_token}`, 'xero-tenant-id': tenantId, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`seeding ${path}: ${response.status} ${await response.text()}`);
    return response.json() as Promise<any>;
  };
  const contact = (await call('PUT', '/Contacts', { Contacts: [{ Name: 'Bench Customer Pty Ltd' }] })).Contacts[0];
  const invoiceIds: string[] = [];
  for (let i = 0; i < count; i += 50) {
    const Invoices = Array.from({ length: Math.min(50, count - i) }, () => ({
      Type: 'ACCREC', Contact: { ContactID: contact.ContactID }, Date: '2026-11-01', DueDate: '2026-11-30', Status: 'AUTHORISED',
      LineItems: [{ Description: 'Managed services', Quantity: 1, UnitAmount: 100, AccountCode: '200', TaxType: 'NONE' }],
    }));
    invoiceIds.push(...(await call('PUT', '/Invoices', { Invoices })).Invoices.map((inv: any) => inv.InvoiceID));
  }
  return { tenantId, contactId: contact.ContactID, invoiceIds };
}

/**
 * Pacing where the minute limit binds: PACED_CALLS one-payment calls at once, each through the rate budget and
 * the adapter, against an organisation whose minute lasts PACED_MINUTE_MS. (Through Temporal this machine starts
 * about 20 activities a second, below the 60 a scaled minute allows, so the limit would never bind there.)
 */
async function pacedCalls(s: BenchStack) {
  const emulator = await startXeroEmulator({ limits: { minuteMs: PACED_MINUTE_MS, dayMs: DAY_MS } });
  try {
    const org = await seedOrganisation(emulator, PACED_CALLS);
    await new Promise((r) => setTimeout(r, PACED_MINUTE_MS)); // the seeding calls leave the minute window
    const { merchant } = await createMerchant(s.db, 'Bench MSP paced');
    const tokens = emulator.oauth.issue(org.tenantId, 'settle-paced');
    const connection = await new ConnectionStore(s.db, parseKeyring(newKeyringText('paced')), {} as PlatformEndpoints)
      .connect(merchant.id, 'wise-pay', { platform: 'xero', tenantId: org.tenantId, tokens });
    const budget = new RateBudget(s.db, { clock: { minuteMs: PACED_MINUTE_MS, dayMs: DAY_MS }, maxWaitMs: 10 * PACED_MINUTE_MS });
    const platform = createXeroPlatform({ basePath: emulator.apiBasePath, tenantId: org.tenantId, accessToken: async () => tokens.access_token });
    const started = Date.now();
    // As an activity would: a 429 that still happens waits out its Retry-After and tries again (and is counted).
    const results = await Promise.all(org.invoiceIds.map(async (id, i) => {
      for (;;) {
        const lease = await budget.acquire(connection, PLATFORM_LIMITS.xero);
        try {
          return await platform.createPayments([payment(id, 10_000)], `paced-${i}-${org.tenantId}`);
        } catch (err) {
          if (!(err instanceof PlatformRateLimited)) throw err;
          await new Promise((r) => setTimeout(r, err.retryAfterMs));
        } finally {
          await lease.release();
        }
      }
    }));
    const limits = PLATFORM_LIMITS.xero;
    const seconds = (Date.now() - started) / 1000;
    const minimumSeconds = (Math.ceil(PACED_CALLS / limits.perMinute) - 1) * (PACED_MINUTE_MS / 1000);
    return {
      calls: PACED_CALLS,
      minuteMs: PACED_MINUTE_MS,
      seconds,
      minimumSeconds,
      overMinimum: Number((seconds / minimumSeconds).toFixed(3)),
      http429: emulator.stats.http429,
      failed: results.flat().filter((r) => !r.ok).length,
    };
  } finally {
    await emulator.close();
  }
}

const payment = (invoiceId: string, amountMinor: number): NewPayment => ({ invoiceId, amountMinor, date: '2026-11-20', accountCode: '090' });

export async function accountingBenchmark(): Promise<Record<string, unknown>> {
  const emulator = await startXeroEmulator({ limits: { minuteMs: MINUTE_MS, dayMs: DAY_MS } });
  let stack: BenchStack | undefined;
  // Stopped before the stack closes, however the run ends: a connection cannot close under running workers.
  const running: Array<() => Promise<void>> = [];
  try {
    stack = await startBenchStack();
    const s = stack;
    const endpoint = { apiBase: emulator.apiBasePath, tokenUrl: emulator.tokenUrl, clientId: 'bench', clientSecret: 'bench' };
    const endpoints: PlatformEndpoints = { xero: endpoint, quickbooks: endpoint };
    const accounting = createAccountingServices({ db: s.db, encryptionKeys: s.encryptionKeys, endpoints, clock: { minuteMs: MINUTE_MS, dayMs: DAY_MS } });
    // No Stripe call happens in this benchmark.
    const stripe = createStripeClient({ secretKey: 'sk_test_bench', apiBase: 'http://127.0.0.1:9' });
    const activities = createActivities({ db: s.db, accounting, platformFor: platformFactory(endpoints), keyring: s.keyring, stripe, temporal: s.client, publicUrl: () => 'http://localhost:3000' });
    const workers = await startWorkers({ connection: s.nativeConnection, namespace: 'default', taskQueuePrefix: PREFIX,
      roles: ['wise-pay', 'company', 'service'], activities, keyring: s.keyring });
    running.push(() => workers.shutdown());
    const workflowWorker = await Worker.create({ connection: s.nativeConnection, taskQueue: taskQueueName(PREFIX, 'workflows'),
      workflowsPath: require.resolve('../test/fixtures/workflows'), dataConverter: settleDataConverter(s.keyring) });
    const workflowRun = workflowWorker.run();
    running.push(async () => {
      if (workflowWorker.getState() === 'RUNNING') workflowWorker.shutdown();
      await workflowRun;
    });

    const post = (merchantId: string, role: AccountingRole, payments: NewPayment[]) =>
      s.client.workflow.execute(postPaymentsAs, {
        workflowId: `bench-${randomBytes(6).toString('hex')}`, taskQueue: taskQueueName(PREFIX, 'workflows'),
        args: [{ merchantId, role, payments }],
      });

    /** A merchant whose roles each connect with their own grant (Xero counts limits per app and tenant). */
    async function merchantFor(org: Org, multiConnection: boolean) {
      const { merchant } = await createMerchant(s.db, 'Bench MSP');
      await s.db.updateTable('merchants').set({ multi_connection: multiConnection }).where('id', '=', merchant.id).execute();
      const ids: Partial<Record<AccountingRole, string>> = {};
      const accessTokens: Partial<Record<AccountingRole, string>> = {};
      for (const role of ['wise-pay', 'service'] as const) {
        const tokens = emulator.oauth.issue(org.tenantId, `settle-${role}`);
        accessTokens[role] = tokens.access_token;
        ids[role] = (await accounting.connections.connect(merchant.id, role, { platform: 'xero', tenantId: org.tenantId, tokens })).id;
      }
      return { merchantId: merchant.id, connectionIds: ids, accessTokens };
    }

    async function drainWithPayer(multiConnection: boolean) {
      const org = await seedOrganisation(emulator, PAYMENTS + 1);
      await new Promise((r) => setTimeout(r, MINUTE_MS)); // let the seeding calls leave the minute window
      const { merchantId, connectionIds, accessTokens } = await merchantFor(org, multiConnection);
      const drainToken = multiConnection ? accessTokens.service : accessTokens['wise-pay'];
      emulator.faults.set({ latencyMs: CALL_LATENCY_MS });
      const before429 = emulator.stats.http429;
      const started = Date.now();
      const drain = post(merchantId, 'service', org.invoiceIds.slice(0, PAYMENTS).map((id) => payment(id, 10_000)));
      await new Promise((r) => setTimeout(r, 600)); // mid-drain: the first calls are in flight
      const payerStarted = Date.now();
      const payerResult = await post(merchantId, 'wise-pay', [payment(org.invoiceIds[PAYMENTS], 10_000)]);
      const payerSeconds = (Date.now() - payerStarted) / 1000;
      const results = await drain;
      const wallSeconds = (Date.now() - started) / 1000;
      // The drain as the platform saw it: from the first call's arrival to the last answer. The minimum bounds this
      // span; the wall time adds starting the workflow and reading its result.
      const drainAnswers = emulator.requests
        .filter((r) => r.at >= started && r.headers.authorization === `Bearer ${drainToken}` && r.path.endsWith('/Payments'))
        .map((r) => r.at);
      const drainSeconds = (Math.max(...drainAnswers) - (Math.min(...drainAnswers) - CALL_LATENCY_MS)) / 1000;
      emulator.faults.clear();
      const usedConnection = multiConnection ? connectionIds.service! : connectionIds['wise-pay']!;
      const calls = (await s.db.selectFrom('accounting_calls').select('id').where('connection_id', '=', usedConnection).execute()).length
        - (multiConnection ? 0 : 1); // the payer's call shares the connection when multi-connection is off
      const paid = emulator.state.tenant(org.tenantId).payments.size;
      return { results, payerResult, payerSeconds, wallSeconds, drainSeconds, calls, http429: emulator.stats.http429 - before429, paid };
    }

    const limits = PLATFORM_LIMITS.xero;
    const multi = await drainWithPayer(true);
    const single = await drainWithPayer(false);
    const expectedCalls = Math.ceil(PAYMENTS / limits.paymentsPerCall);
    const minimumSeconds = Math.max(
      (Math.ceil(multi.calls / limits.perMinute) - 1) * (MINUTE_MS / 1000),
      Math.ceil(multi.calls / limits.concurrent) * (CALL_LATENCY_MS / 1000),
    );

    const paced = await pacedCalls(s);

    const failed = multi.results.filter((r) => !r.ok).length + single.results.filter((r) => !r.ok).length;
    return {
      scale: `${SCALE}x: a simulated minute is ${MINUTE_MS} ms; limits 60/minute, 5 concurrent, 5000/day; ${CALL_LATENCY_MS} ms per call`,
      payments: PAYMENTS,
      calls: multi.calls,
      expectedCalls,
      http429: multi.http429,
      failedPayments: failed,
      paymentsInLedger: multi.paid,
      wallSeconds: multi.wallSeconds,
      drainSeconds: multi.drainSeconds,
      minimumSeconds,
      drainOverMinimum: Number((multi.drainSeconds / minimumSeconds).toFixed(3)),
      wallOverMinimum: Number((multi.wallSeconds / minimumSeconds).toFixed(3)),
      payerPaymentSeconds: multi.payerSeconds,
      payerPaymentSecondsSingleConnection: single.payerSeconds,
      singleConnection: { wallSeconds: single.wallSeconds, drainSeconds: single.drainSeconds, calls: single.calls, http429: single.http429 },
      paced,
      targets: {
        zero429: multi.http429 === 0 && single.http429 === 0 && paced.http429 === 0,
        callsWithin2Percent: Math.abs(multi.calls - expectedCalls) <= Math.ceil(expectedCalls * 0.02),
        timeWithin10Percent: multi.drainSeconds <= minimumSeconds * 1.1,
        payerWithin2Seconds: multi.payerSeconds < 2,
      },
    };
  } finally {
    for (const stop of running.reverse()) await stop();
    await stack?.close();
    await emulator.close();
  }
}
