// `npm start`: all of Settle on one machine — Temporal dev server with Web UI, Postgres, migrations,
// one worker per task queue, the API, and sandbox credentials — then stops it all, in order, on Ctrl-C.
//
// Anything already configured is used instead: TEMPORAL_ADDRESS (a running Temporal), DATABASE_URL
// (a running Postgres), SETTLE_ADMIN_API_KEY.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createActivities } from '../activities';
import { ApiKeyCache } from '../api/middleware/api-key-cache';
import { startApi } from '../api/serve';
import { createDb, migrateToLatest } from '../db/database';
import { startEmbeddedPostgres } from '../db/embedded-postgres';
import { configureCpqIntegration, displayCpqApiKey, findCpqIntegration, generateCpqApiKey } from '../db/cpq-integrations';
import { createMerchant, hashApiKey, issueApiKey, merchantIdForKeyHash } from '../db/merchants';
import { createMerchantUser, findMerchantUserByEmail, setMerchantUserPassword } from '../db/merchant-users';
import { blindIndexCandidates } from '../lib/crypto/blind-index';
import { ensureConsoleBuilt } from './console-build';
import { platformFactory } from '../activities/accounting/platforms';
import { createAccountingServices, platformEndpoints } from '../activities/accounting/services';
import { createStripeClient } from '../activities/stripe/client';
import { completeAccountLink } from '../emulators/stripe';
import { accountingEnv, ConfigError, loadConfig, logEnv, mailConfig, mailEnv, stripeEnv, temporalEnv } from '../lib/config';
import { ensureMailRelay, mailWaker, noMailWaker, type MailWaker } from '../lib/mail/relay';
import { ensureConnectionUpkeepSchedule } from '../lib/schedules/connection-upkeep';
import { ensureReminderSchedule } from '../lib/schedules/invoice-reminders';
import { createMailSender } from '../lib/mail/transport';
import { decideConsent } from '../emulators/support/consent';
import { newKeyringText, parseKeyring } from '../lib/crypto/sealed-box';
import { ensureBpaySchedule } from '../lib/schedules/bpay-upload';
import { createLogger } from '../lib/logger';
import { dataDir } from '../lib/paths';
import { WORKER_ROLES, taskQueueName } from '../lib/task-queues';
import { startSandboxEmulators } from '../emulators/sandbox';
import { seedBillingDemo } from '../emulators/billing-demo';
import { saveBssConnection, saveManageConnection } from '../db/billing-sync';
import { findTemporalCli } from '../lib/temporal/binaries';
import { connectClient, connectWorkerConnection } from '../lib/temporal/connection';
import { startTemporalDevServer } from '../lib/temporal/dev-server';
import { startWorkers } from '../workers/start-workers';
import { bundleWorkflows } from '../workers/workflow-bundle';

const port = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new ConfigError(`Configuration error: ${name} must be a port number`);
  return value;
};

interface SandboxCredentials {
  adminApiKey: string;
  encryptionKeys: string;
  merchantId?: string;
  merchantApiKey?: string;
  /** Ops decode workflow payloads through the API's /codec with it (the local Web UI needs none). */
  opsToken?: string;
  /** The sandbox merchant's ConnectWise Sell key: what CPQ would call Settle with. */
  cpqApiKey?: string;
  /** The sandbox merchant's console admin (email and password), made on the first start. */
  consoleAdmin?: { email: string; password: string };
  /** A platform admin of the sandbox (Settle's staff, e.g. to turn multi-connection on), made on the first start. */
  platformAdmin?: { email: string; password: string };
}

/** Local credentials, made on the first start and kept in .data/ (never committed) so they stay the same. */
function sandboxCredentials(): SandboxCredentials {
  const file = dataDir('sandbox.json');
  const creds: SandboxCredentials = existsSync(file)
    ? JSON.parse(readFileSync(file, 'utf8'))
    : { adminApiKey: `admin_${randomBytes(24).toString('base64url')}`, encryptionKeys: newKeyringText('sandbox1') };
  creds.encryptionKeys ??= newKeyringText('sandbox1'); // files written before keys existed
  creds.opsToken ??= `ops_${randomBytes(24).toString('base64url')}`;
  writeFileSync(file, JSON.stringify(creds, null, 2), { mode: 0o600 });
  return creds;
}

async function main() {
  const stops: Array<[string, () => Promise<void>]> = [];
  let stopping = false;
  const log = createLogger({ name: 'settle', level: process.env.LOG_LEVEL });
  const stopAll = async (reason: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    log.info({ reason }, 'stopping Settle');
    for (const [name, stop] of stops.reverse()) {
      log.info(`stopping ${name}`);
      await stop().catch((err) => log.error({ err: (err as Error).message }, `stopping ${name} failed`));
    }
    log.info('stopped');
    process.exit(exitCode);
  };
  process.on('SIGINT', () => {
    if (stopping) process.exit(130); // a second Ctrl-C does not wait
    void stopAll('SIGINT');
  });
  process.on('SIGTERM', () => void stopAll('SIGTERM'));

  try {
    const temporalConfig = loadConfig(temporalEnv.and(logEnv));
    const apiPort = port('PORT', 3000);
    mkdirSync(dataDir(), { recursive: true });

    // The merchant console's build, when its sources changed since (in the background: it needs no other service).
    const consoleBuild = ensureConsoleBuilt(log);
    consoleBuild.catch(() => undefined);

    // Temporal
    let uiUrl = 'the Web UI of your Temporal cluster';
    let uiOrigins: string[] = [];
    if (!process.env.TEMPORAL_ADDRESS) {
      const cli = await findTemporalCli();
      if (!cli) throw new Error('no Temporal CLI: install Go (to build it), put `temporal` on PATH, or set TEMPORAL_CLI_PATH or TEMPORAL_ADDRESS');
      const temporalPort = port('SETTLE_TEMPORAL_PORT', 7233);
      log.info('starting Temporal dev server');
      const server = await startTemporalDevServer({
        cli,
        dbFile: dataDir('temporal', 'temporal.db'),
        logFile: dataDir('temporal', 'temporal.log'),
        port: temporalPort,
        uiPort: port('SETTLE_TEMPORAL_UI_PORT', 8233),
        namespace: temporalConfig.TEMPORAL_NAMESPACE,
        // The browser calls it from the UI's page: the API's own loopback address.
        codecEndpoint: `http://127.0.0.1:${apiPort}/codec`,
      });
      stops.push(['Temporal', server.stop]);
      temporalConfig.TEMPORAL_ADDRESS = server.address;
      uiUrl = server.uiUrl;
      const uiPort = new URL(server.uiUrl).port;
      uiOrigins = [`http://localhost:${uiPort}`, `http://127.0.0.1:${uiPort}`];
    }

    // Postgres
    let databaseUrl = process.env.DATABASE_URL;
    if (!databaseUrl) {
      log.info('starting embedded Postgres');
      const pg = await startEmbeddedPostgres({ databaseDir: dataDir('postgres'), port: port('SETTLE_PG_PORT', 54329), persistent: true });
      stops.push(['Postgres', pg.stop]);
      databaseUrl = pg.url;
    }
    const db = createDb(databaseUrl);
    stops.push(['database pool', () => db.destroy()]);
    const applied = await migrateToLatest(db);
    const apiKeys = await ApiKeyCache.start(databaseUrl, db, log);
    stops.push(['API key listener', () => apiKeys.close()]);
    if (applied.length) log.info({ applied }, 'migrations applied');

    // Credentials
    const creds = sandboxCredentials();
    const adminApiKey = process.env.SETTLE_ADMIN_API_KEY ?? creds.adminApiKey;
    // Sandbox mode: no accounting credentials configured, so the platforms are local emulators.
    const accountingConfig = loadConfig(accountingEnv);
    const sandbox = !accountingConfig.XERO_CLIENT_ID && !accountingConfig.QUICKBOOKS_CLIENT_ID
      ? await startSandboxEmulators({
          xero: port('SETTLE_XERO_EMULATOR_PORT', 4010), quickbooks: port('SETTLE_QUICKBOOKS_EMULATOR_PORT', 4011), stripe: port('SETTLE_STRIPE_EMULATOR_PORT', 4012),
          manage: port('SETTLE_MANAGE_EMULATOR_PORT', 4013), bss: port('SETTLE_BSS_EMULATOR_PORT', 4014),
          smtp: port('SETTLE_SMTP_SINK_PORT', 4015), inbox: port('SETTLE_MAIL_INBOX_PORT', 4016),
        })
      : undefined;
    if (sandbox) stops.push(['emulators', sandbox.close]);
    const endpoints = sandbox?.endpoints ?? platformEndpoints(accountingConfig);
    // Mail: SMTP_URL when set; in sandbox mode the local sink, whose inbox shows every email; else none (emails wait
    // in the outbox, pending).
    const mailSettings = mailConfig(loadConfig(mailEnv))
      ?? (sandbox ? { smtpUrl: sandbox.mail.smtp.url, from: 'Settle sandbox <no-reply@settle.localhost>' } : undefined);
    const mail = mailSettings ? createMailSender(mailSettings) : undefined;
    if (mail) stops.push(['mail sender', async () => mail.close()]);
    const encryptionKeys = process.env.SETTLE_ENCRYPTION_KEYS ?? creds.encryptionKeys;
    // The mail relay is woken after commits that write emails, once the Temporal client exists (below).
    let wakeMail: MailWaker = noMailWaker;
    const accounting = createAccountingServices({ db, encryptionKeys, endpoints, wakeMail: () => wakeMail() });
    const keyring = parseKeyring(encryptionKeys);
    // Stripe: the sandbox's emulator, else the configured account.
    const stripeKeys = sandbox?.stripeKeys ?? (({ STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY, STRIPE_API_BASE }) =>
      ({ secretKey: STRIPE_SECRET_KEY, publishableKey: STRIPE_PUBLISHABLE_KEY, apiBase: STRIPE_API_BASE }))(loadConfig(stripeEnv));
    const stripe = createStripeClient(stripeKeys);
    // The platform's Connect endpoint: its own secret in sandbox mode (the emulator is told it below), else configured.
    const stripeConnectWebhookSecret = sandbox ? `whsec_${randomBytes(24).toString('hex')}` : loadConfig(stripeEnv).STRIPE_CONNECT_WEBHOOK_SECRET;
    if (!creds.merchantId) {
      const { merchant, apiKey } = await createMerchant(db, 'Sandbox MSP');
      Object.assign(creds, { merchantId: merchant.id, merchantApiKey: apiKey.key });
      writeFileSync(dataDir('sandbox.json'), JSON.stringify(creds, null, 2), { mode: 0o600 });
    } else if (!creds.merchantApiKey || (await merchantIdForKeyHash(db, hashApiKey(creds.merchantApiKey))) !== creds.merchantId) {
      // The key kept here was revoked (keys are stored hashed: the replacement cannot be read back): issue the sandbox
      // merchant a new one, so what is printed below works.
      creds.merchantApiKey = (await issueApiKey(db, creds.merchantId)).key;
      writeFileSync(dataDir('sandbox.json'), JSON.stringify(creds, null, 2), { mode: 0o600 });
    }

    // The emulators keep no state between starts: the sandbox merchant connects to a fresh Xero organisation (by
    // consent, once the API is up, below).
    const sandboxTenant = sandbox?.xero.state.addTenant('Sandbox MSP Ltd');
    if (sandbox) {
      // Quote payments ready to try: card and bank debit enabled, the CPQ integration on with its key.
      if (!creds.cpqApiKey) {
        await db.updateTable('merchants').set({ payment_methods: ['card', 'bank_debit'] }).where('id', '=', creds.merchantId!).execute();
        await configureCpqIntegration(db, creds.merchantId!, { enabled: true, allowedMethods: ['card', 'bank_debit'] });
        creds.cpqApiKey = await generateCpqApiKey(db, keyring, creds.merchantId!);
        writeFileSync(dataDir('sandbox.json'), JSON.stringify(creds, null, 2), { mode: 0o600 });
      } else {
        // The merchant may have regenerated it (Integrations > ConnectWise Sell): print the key CPQ must use now.
        const integration = await findCpqIntegration(db, creds.merchantId!);
        creds.cpqApiKey = integration?.enabled ? displayCpqApiKey(keyring, integration) : undefined;
      }
      // The console's admin, with a password (a real merchant's first admin sets theirs from the invitation email), and
      // a platform admin (Settle's own staff: turns multi-connection on), made the same way.
      for (const [which, user] of [
        ['consoleAdmin', { email: 'admin@sandbox-msp.localhost', name: 'Sandbox Admin', platformAdmin: false }],
        ['platformAdmin', { email: 'platform@sandbox-msp.localhost', name: 'Sandbox Platform Admin', platformAdmin: true }],
      ] as const) {
        if (creds[which] && (await findMerchantUserByEmail(db, keyring, creds[which].email))) continue;
        const signIn = { email: user.email, password: randomBytes(12).toString('base64url') };
        await db.deleteFrom('merchant_users').where('merchant_id', '=', creds.merchantId!)
          .where('email_index', 'in', blindIndexCandidates(keyring, signIn.email)).execute();
        const { invitationToken } = await db.transaction().execute((trx) =>
          createMerchantUser(trx, keyring, creds.merchantId!, { email: user.email, name: user.name, role: 'admin', platformAdmin: user.platformAdmin }));
        await setMerchantUserPassword(db, invitationToken, signIn.password);
        creds[which] = signIn;
        writeFileSync(dataDir('sandbox.json'), JSON.stringify(creds, null, 2), { mode: 0o600 });
      }
      // Billing sync ready to try: the sandbox merchant's Manage and BSS connections, to a seeded demo.
      const demo = seedBillingDemo(sandbox.manage, sandbox.bss);
      await saveManageConnection(db, keyring, creds.merchantId!, demo.manage);
      await saveBssConnection(db, keyring, creds.merchantId!, demo.bss);
      log.info({ manage: sandbox.manage.url, bss: sandbox.bss.url, months: demo.months }, 'billing sync demo: POST /v1/billing-sync/runs {"month": …}');
    }

    const temporal = await connectClient(temporalConfig, keyring);
    stops.push(['Temporal client', () => temporal.connection.close()]);
    // Where payers reach the Pay Now pages: the API's links and the workers' emails agree.
    const publicUrl = process.env.SETTLE_PUBLIC_URL ?? `http://localhost:${apiPort}`;
    wakeMail = mailWaker(temporal, temporalConfig.SETTLE_TASK_QUEUE_PREFIX);

    // Workers, one per task queue
    log.info('bundling workflows and starting workers');
    const workerConnection = await connectWorkerConnection(temporalConfig, log);
    stops.push(['worker connection', () => workerConnection.close()]);
    const workers = await startWorkers({
      connection: workerConnection,
      namespace: temporalConfig.TEMPORAL_NAMESPACE,
      taskQueuePrefix: temporalConfig.SETTLE_TASK_QUEUE_PREFIX,
      roles: WORKER_ROLES,
      keyring,
      activities: createActivities({ db, accounting, platformFor: platformFactory(endpoints), keyring, stripe, temporal, mail, publicUrl: () => publicUrl,
        wakeMail }),
      workflowBundle: await bundleWorkflows(),
    });
    stops.push(['workers', workers.shutdown]);
    if (mail) await ensureMailRelay(temporal, temporalConfig.SETTLE_TASK_QUEUE_PREFIX);
    await ensureConnectionUpkeepSchedule(temporal, temporalConfig.SETTLE_TASK_QUEUE_PREFIX);
    await ensureReminderSchedule(temporal, temporalConfig.SETTLE_TASK_QUEUE_PREFIX);
    void workers.done.catch((err) => {
      log.error({ err: (err as Error).message }, 'a worker failed');
      void stopAll('worker failure', 1);
    });

    // API
    const api = await startApi(
      {
        db, apiKeys, temporal, accounting, log, taskQueuePrefix: temporalConfig.SETTLE_TASK_QUEUE_PREFIX, adminApiKey, maxBodyBytes: 256 * 1024,
        keyring, stripe, stripePublishableKey: stripeKeys.publishableKey, stripeConnectWebhookSecret, sandbox: Boolean(sandbox),
        stripeLivemode: /^(sk|rk)_live_/.test(stripeKeys.secretKey),
        publicUrl,
        temporalUiUrl: uiUrl.startsWith('http') ? uiUrl : undefined,
        codec: { opsToken: process.env.SETTLE_OPS_TOKEN ?? creds.opsToken, corsOrigins: uiOrigins, trustLocalUi: Boolean(sandbox) && uiOrigins.length > 0 },
      },
      apiPort,
      process.env.HOST ?? '127.0.0.1',
    );
    stops.push(['API', api.close]);
    await consoleBuild;
    // Connect the sandbox merchant the way a merchant does: ask for the consent URL, allow on the emulator's consent
    // screen, and let the browser's redirect reach the callback.
    if (sandbox && sandboxTenant) await connectByConsent(api.url, creds.merchantApiKey!, sandboxTenant.id);
    // The sandbox merchant's nightly BPAY upload, in its time zone (see it under Schedules in the Web UI).
    const sandboxMerchant = await db.selectFrom('merchants').select(['timezone', 'bpay_upload_enabled']).where('id', '=', creds.merchantId!).executeTakeFirstOrThrow();
    await ensureBpaySchedule(temporal, { merchantId: creds.merchantId!, timezone: sandboxMerchant.timezone, taskQueuePrefix: temporalConfig.SETTLE_TASK_QUEUE_PREFIX,
      enabled: sandboxMerchant.bpay_upload_enabled });
    // The sandbox's Stripe sends every connected account's events to Settle's Connect endpoint, and the sandbox
    // merchant is paid into its own connected account, onboarded the way a merchant does it: Settle creates the account
    // and hands out a link, the merchant submits Stripe's (the emulator's) hosted page, and the browser comes back to
    // Settle. The emulator keeps no state between starts, so the account Settle remembers from the last start is gone.
    if (sandbox) {
      sandbox.stripe.addWebhookEndpoint(`${api.url}/webhooks/stripe/connect`, stripeConnectWebhookSecret!, { connect: true });
      await db.deleteFrom('merchant_stripe_accounts').where('merchant_id', '=', creds.merchantId!).execute();
      const accountId = await onboardConnectedAccount(api.url, creds.merchantApiKey!);
      log.info({ accountId }, 'sandbox merchant onboarded onto its own Stripe account');
    }

    const queues = WORKER_ROLES.map((role) => taskQueueName(temporalConfig.SETTLE_TASK_QUEUE_PREFIX, role));
    process.stdout.write(
      [
        '',
        sandbox ? 'Settle is running in sandbox mode (no accounting credentials configured).' : 'Settle is running.',
        `  API          ${api.url}   (OpenAPI: ${api.url}/openapi.json, readiness: ${api.url}/readyz)`,
        `  Temporal UI  ${uiUrl}${uiOrigins.length ? ` (decodes payloads through ${api.url}/codec)` : ''}`,
        `  Temporal     ${temporalConfig.TEMPORAL_ADDRESS}, namespace ${temporalConfig.TEMPORAL_NAMESPACE}`,
        `  Postgres     ${databaseUrl.replace(/:[^:@/]+@/, ':***@')}`,
        `  Workers      ${queues.join(', ')}`,
        `  Console      ${api.url}/console${creds.consoleAdmin ? `   (sign in as ${creds.consoleAdmin.email} / ${creds.consoleAdmin.password})` : ''}`,
        ...(creds.platformAdmin ? [`               platform admin (turns multi-connection on): ${creds.platformAdmin.email} / ${creds.platformAdmin.password}`] : []),
        `  Credentials  ${dataDir('sandbox.json')} (admin key, the sandbox merchant's API key and console sign-in)`,
        ...(sandbox
          ? [`  Emulators    Xero ${sandbox.xero.url}, QuickBooks ${sandbox.quickbooks.url}, Stripe ${sandbox.stripe.url} (the sandbox merchant is connected to Xero)`,
            `  Mail inbox   ${sandbox.mail.inbox.url}   (every email Settle sends; SMTP ${sandbox.mail.smtp.url})`]
          : []),
        '',
        'Try:',
        `  curl -s -X POST ${api.url}/v1/payments -H "Authorization: Bearer ${creds.merchantApiKey}" \\`,
        `       -H 'Content-Type: application/json' -d '{"amount":"125.00","currency":"AUD","reference":"INV-1001"}'`,
        ...(creds.cpqApiKey
          ? [
              'Accept and pay a quote as CPQ does (then open the payNowUrl it answers with):',
              `  curl -s -X POST ${api.url}/v1/cpq/quote-payments -H "Authorization: Bearer ${creds.cpqApiKey}" \\`,
              `       -H 'Content-Type: application/json' -d '{"quoteId":"Q-1001","revision":1,"customer":{"company":"Contoso Ltd","name":"Dana","email":"dana@contoso.example"},"oneTime":{"amount":"1250.00","currency":"USD"},"returnUrl":"https://example.com/quote"}'`,
            ]
          : []),
        '',
        'Press Ctrl-C to stop.',
        '',
      ].join('\n').replace(/\/\/127\.0\.0\.1:/g, '//localhost:'),
    );
  } catch (err) {
    if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
    else log.error({ err: err instanceof Error ? err.message : String(err) }, 'Settle failed to start');
    await stopAll('start failure', err instanceof ConfigError ? 78 : 1);
  }
}

async function connectByConsent(apiUrl: string, merchantApiKey: string, tenantId: string): Promise<void> {
  const started = await fetch(`${apiUrl}/v1/connections/wise-pay/authorize`, {
    method: 'POST', headers: { authorization: `Bearer ${merchantApiKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ platform: 'xero' }),
  });
  if (!started.ok) throw new Error(`connecting the sandbox merchant: authorize answered ${started.status}`);
  const { consentUrl } = (await started.json()) as { consentUrl: string };
  const callback = await decideConsent(consentUrl, { allow: true, tenantIds: [tenantId] });
  const finished = await fetch(callback, { redirect: 'manual' });
  if (finished.status !== 303) throw new Error(`connecting the sandbox merchant: the callback answered ${finished.status}`);
}

/** The sandbox merchant's Stripe account through Settle's API and the emulator's hosted onboarding page; answers its id. */
async function onboardConnectedAccount(apiUrl: string, merchantApiKey: string): Promise<string> {
  const started = await fetch(`${apiUrl}/v1/integrations/stripe/account`, { method: 'POST', headers: { authorization: `Bearer ${merchantApiKey}` } });
  if (!started.ok) throw new Error(`onboarding the sandbox merchant's Stripe account: Settle answered ${started.status}`);
  const { accountId, onboardingUrl } = (await started.json()) as { accountId: string; onboardingUrl: string };
  const back = await fetch(await completeAccountLink(onboardingUrl));
  if (!back.ok) throw new Error(`onboarding the sandbox merchant's Stripe account: the return page answered ${back.status}`);
  await back.arrayBuffer();
  return accountId;
}

void main();
