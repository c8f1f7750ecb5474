// A test file's own slice of the shared servers: its own database (copied from the migrated template),
// its own task-queue prefix on the shared Temporal, real workers, and optionally the API on a free port.
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { sql } from 'kysely';
import { createActivities, type Activities } from '../../activities';
import type { PlatformEndpoints } from '../../activities/accounting/connections';
import type { BudgetClock } from '../../activities/accounting/limits';
import { platformFactory } from '../../activities/accounting/platforms';
import { createAccountingServices, type AccountingServices } from '../../activities/accounting/services';
import type Stripe from 'stripe';
import { createStripeClient } from '../../activities/stripe/client';
import { newKeyringText, parseKeyring, type Keyring } from '../../lib/crypto/sealed-box';
import type { QuotePaymentTiming, SettlementTiming } from '../../workflows/quotes/definitions';
import type { ApiDeps } from '../../api/deps';
import type { StripeJsSource } from '../../api/pay-now/layout';
import { ApiKeyCache } from '../../api/middleware/api-key-cache';
import { startApi, type RunningApi } from '../../api/serve';
import { createDb, type Db } from '../../db/database';
import type { Logger } from '../../lib/logger';
import { ensureMailRelay, mailWaker } from '../../lib/mail/relay';
import { createMailSender, type MailConfig } from '../../lib/mail/transport';
import { WORKER_ROLES, type WorkerRole } from '../../lib/task-queues';
import { settleDataConverter } from '../../lib/temporal/payload-codec';
import { installTemporalRuntime } from '../../lib/temporal/runtime';
import { startWorkers, type RunningWorkers } from '../../workers/start-workers';
import { scanDatabase } from './leak-scan-db';
import { recordDatabase, recordDatabaseScan, scansEnabled, testLogger } from './run-logs';
import { testServers } from './servers';

export const NAMESPACE = 'default';

export interface TestDatabase {
  db: Db;
  url: string;
  /**
   * Scans the database for leaks (recorded for the run's final check, test/global-teardown.ts), then drops it.
   * `keyring`: the one its sealed columns were written with, so the scan knows their secrets and payers.
   */
  drop(opts?: { keyring?: Keyring }): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const servers = testServers();
  const name = `settle_test_${randomBytes(6).toString('hex')}`;
  const admin = createDb(servers.postgresUrl, 1);
  await sql`create database ${sql.id(name)} template ${sql.id(servers.templateDatabase)}`.execute(admin);
  recordDatabase(name);
  const url = new URL(servers.postgresUrl);
  url.pathname = `/${name}`;
  const db = createDb(url.toString(), 5);
  return {
    db,
    url: url.toString(),
    async drop(opts = {}) {
      if (scansEnabled()) {
        recordDatabaseScan(await scanDatabase(db, name, opts.keyring).catch((err: Error) => ({
          database: name,
          leaks: [{ kind: 'scan failed', where: name, excerpt: err.message }],
          identities: { names: [], emails: [] },
        })));
      }
      await db.destroy();
      await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin);
      await admin.destroy();
    },
  };
}

export function uniquePrefix(): string {
  return `test-${randomBytes(5).toString('hex')}`;
}

export interface TestStack {
  db: Db;
  databaseUrl: string;
  /** The SETTLE_ENCRYPTION_KEYS this stack's processes use. */
  encryptionKeys: string;
  client: Client;
  nativeConnection: NativeConnection;
  taskQueuePrefix: string;
  workers?: RunningWorkers;
  accounting: AccountingServices;
  /** The activities the stack's workers run (for starting more workers in a test). */
  activities: Activities;
  /** The same activities with another Temporal client: for workers on another server (the time-skipping one), whose
   * activities must signal the workflows there. */
  activitiesFor(temporal: Client): Activities;
  api?: RunningApi;
  apiDeps: ApiDeps;
  close(): Promise<void>;
}

// Nothing listens on port 9 (discard): a test that needs an accounting platform passes its emulators' endpoints.
const UNREACHABLE = { apiBase: 'http://127.0.0.1:9/', tokenUrl: 'http://127.0.0.1:9/token', clientId: 'test', clientSecret: 'test' };

export async function startTestStack(
  opts: {
    roles?: readonly WorkerRole[];
    api?: boolean;
    endpoints?: PlatformEndpoints;
    clock?: BudgetClock;
    /** Stripe for the activities and the API (an emulator's client and keys); unreachable when not given. */
    stripe?: { stripe: Stripe; publishableKey: string; connectWebhookSecret?: string };
    /** The payer pages use the real-Stripe checkout with this Stripe.js (the emulator's), instead of the sandbox checkout. */
    stripeJs?: StripeJsSource;
    quoteTiming?: QuotePaymentTiming;
    settlementTiming?: SettlementTiming;
    /** The activities' sync log (invoice sync), e.g. a logger writing to a stream the test reads. */
    activityLog?: Logger;
    /** SMTP (an in-process server, emulators/mail/smtp-sink.ts): the stack then runs the mail relay. Without it emails stay in the outbox. */
    mail?: MailConfig & { pollMs?: number; wake?: boolean };
  } = {},
): Promise<TestStack> {
  const servers = testServers();
  const database = await createTestDatabase();
  const taskQueuePrefix = uniquePrefix();
  // The SDK (and so activities and workflows) logs at info into the run's log files, like the API: the run's final
  // check reads them for payer data (test/support/run-logs.ts). The console stays quiet unless LOG_LEVEL is set.
  installTemporalRuntime(testLogger('worker'));
  const encryptionKeys = newKeyringText('test');
  const keyring = parseKeyring(encryptionKeys);
  const connection = await Connection.connect({ address: servers.temporalAddress });
  const client = new Client({ connection, namespace: NAMESPACE, dataConverter: settleDataConverter(keyring) });
  const nativeConnection = await NativeConnection.connect({ address: servers.temporalAddress });
  const roles = opts.roles ?? WORKER_ROLES;
  const endpoints = opts.endpoints ?? { xero: UNREACHABLE, quickbooks: UNREACHABLE };
  const mailSender = opts.mail ? createMailSender(opts.mail) : undefined;
  // The relay is woken after commits that write emails, as in production, unless a test measures the poll alone.
  const wakeMail = mailSender && opts.mail?.wake !== false ? mailWaker(client, taskQueuePrefix) : undefined;
  const accounting = createAccountingServices({ db: database.db, encryptionKeys, endpoints, clock: opts.clock, wakeMail });
  const stripe = opts.stripe?.stripe ?? createStripeClient({ secretKey: 'sk_test_unreachable', apiBase: 'http://127.0.0.1:9', maxNetworkRetries: 0 });
  // Pay Now links in emails point at this stack's API, whose port is known only once it listens (below).
  let publicUrl = 'http://127.0.0.1';
  const activitiesFor = (temporal: Client) => createActivities({ db: database.db, accounting, platformFor: platformFactory(endpoints), keyring, stripe, temporal,
    log: opts.activityLog ?? testLogger('invoice-sync'), mail: mailSender, publicUrl: () => publicUrl,
    wakeMail });
  const activities = activitiesFor(client);
  const workers = roles.length
    ? await startWorkers({
        connection: nativeConnection,
        namespace: NAMESPACE,
        taskQueuePrefix,
        roles,
        activities,
        keyring,
        workflowBundle: { codePath: servers.workflowBundlePath },
      })
    : undefined;
  if (mailSender && workers) await ensureMailRelay(client, taskQueuePrefix, { pollMs: opts.mail?.pollMs ?? 500 });
  const apiKeys = await ApiKeyCache.start(database.url, database.db, testLogger('api'));
  const apiDeps: ApiDeps = {
    db: database.db,
    apiKeys,
    temporal: client,
    accounting,
    log: testLogger('api'),
    taskQueuePrefix,
    adminApiKey: `admin-${randomBytes(24).toString('hex')}`,
    maxBodyBytes: 16 * 1024,
    keyring,
    stripe,
    stripePublishableKey: opts.stripe?.publishableKey ?? 'pk_test_unreachable',
    stripeConnectWebhookSecret: opts.stripe?.connectWebhookSecret,
    publicUrl: 'http://127.0.0.1',
    sandbox: !opts.stripeJs,
    ...(opts.stripeJs ? { stripeJs: opts.stripeJs } : {}),
    quoteTiming: opts.quoteTiming,
    settlementTiming: opts.settlementTiming,
  };
  const api = opts.api === false ? undefined : await startApi(apiDeps, 0);
  // Pay Now links point at this API (its port is known only now; routes read the setting per request).
  if (api) apiDeps.publicUrl = publicUrl = api.url;
  return {
    db: database.db,
    databaseUrl: database.url,
    encryptionKeys,
    client,
    nativeConnection,
    taskQueuePrefix,
    workers,
    accounting,
    activities,
    activitiesFor,
    api,
    apiDeps,
    async close() {
      await api?.close();
      await apiKeys.close();
      if (mailSender) await client.workflow.getHandle(`mail-relay/${taskQueuePrefix}`).terminate('test stack closed').catch(() => undefined);
      await workers?.shutdown();
      mailSender?.close();
      await nativeConnection.close();
      await connection.close();
      await database.drop({ keyring });
    },
  };
}
