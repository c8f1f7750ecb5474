// Production entry point: one worker for the task queue of SETTLE_WORKER_ROLE, configured by the environment.
// Scale out by running more of these per role (docker-compose.yml has one service per role).
import { createActivities } from '../activities';
import { REAL_TIME } from '../activities/accounting/limits';
import { platformFactory } from '../activities/accounting/platforms';
import { createAccountingServices, platformEndpoints } from '../activities/accounting/services';
import { createStripeClient } from '../activities/stripe/client';
import { createDb } from '../db/database';
import { parseKeyring } from '../lib/crypto/sealed-box';
import { exitOnConfigError, loadConfig, mailConfig, workerConfigSchema } from '../lib/config';
import { createLogger } from '../lib/logger';
import { ensureMailRelay, mailWaker } from '../lib/mail/relay';
import { ensureConnectionUpkeepSchedule } from '../lib/schedules/connection-upkeep';
import { ensureReminderSchedule } from '../lib/schedules/invoice-reminders';
import { createMailSender } from '../lib/mail/transport';
import { taskQueueName } from '../lib/task-queues';
import { connectClient, connectWorkerConnection } from '../lib/temporal/connection';
import { startWorkers } from './start-workers';

async function main() {
  let config;
  try {
    config = loadConfig(workerConfigSchema);
  } catch (err) {
    exitOnConfigError(err);
  }
  const log = createLogger({ level: config.LOG_LEVEL, name: `worker-${config.SETTLE_WORKER_ROLE}` });
  const db = createDb(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
  const endpoints = platformEndpoints(config);
  const keyring = parseKeyring(config.SETTLE_ENCRYPTION_KEYS);
  const connection = await connectWorkerConnection(config, log);
  const temporal = await connectClient(config, keyring);
  // After a commit that wrote an email, the relay is woken to send it now rather than at its next poll.
  const wakeMail = mailWaker(temporal, config.SETTLE_TASK_QUEUE_PREFIX);
  const accounting = createAccountingServices({ db, encryptionKeys: config.SETTLE_ENCRYPTION_KEYS, endpoints, wakeMail,
    clock: { minuteMs: config.SETTLE_RATE_LIMIT_MINUTE_MS, dayMs: (REAL_TIME.dayMs / REAL_TIME.minuteMs) * config.SETTLE_RATE_LIMIT_MINUTE_MS } });
  const mail = mailConfig(config);
  const mailSender = mail ? createMailSender(mail) : undefined;
  const running = await startWorkers({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueuePrefix: config.SETTLE_TASK_QUEUE_PREFIX,
    roles: [config.SETTLE_WORKER_ROLE],
    keyring,
    activities: createActivities({
      db, accounting, platformFor: platformFactory(endpoints), keyring,
      stripe: createStripeClient({ secretKey: config.STRIPE_SECRET_KEY, apiBase: config.STRIPE_API_BASE }),
      temporal,
      mail: mailSender,
      publicUrl: () => config.SETTLE_PUBLIC_URL,
      wakeMail,
    }),
  });
  const taskQueue = taskQueueName(config.SETTLE_TASK_QUEUE_PREFIX, config.SETTLE_WORKER_ROLE);
  log.info({ taskQueue, namespace: config.TEMPORAL_NAMESPACE }, 'worker started');
  if (config.SETTLE_WORKER_ROLE === 'service') {
    // The service worker runs the daily upkeep of connections; it makes sure its Schedule exists (a no-op if it does).
    await ensureConnectionUpkeepSchedule(temporal, config.SETTLE_TASK_QUEUE_PREFIX);
    log.info('connection upkeep scheduled');
    // And the daily run that starts invoices' reminder emails (merchants with reminders on).
    await ensureReminderSchedule(temporal, config.SETTLE_TASK_QUEUE_PREFIX);
    log.info('invoice reminders scheduled');
    // The service worker sends the outbox; it starts the relay (one per deployment, a no-op if running).
    if (mailSender) await ensureMailRelay(temporal, config.SETTLE_TASK_QUEUE_PREFIX);
    else log.warn('SMTP_URL is unset: emails stay in the outbox, unsent');
  }

  const stop = async (signal: string) => {
    log.info({ signal }, 'draining worker');
    await running.shutdown();
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  await running.done;
  mailSender?.close();
  await temporal.connection.close();
  await connection.close();
  await db.destroy();
  log.info('worker stopped');
}

void main().catch((err) => {
  process.stderr.write(`worker failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
