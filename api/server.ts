// Production entry point for the API, configured only by the environment.
import { createAccountingServices, platformEndpoints } from '../activities/accounting/services';
import { createStripeClient } from '../activities/stripe/client';
import { createDb } from '../db/database';
import { parseKeyring } from '../lib/crypto/sealed-box';
import { apiConfigSchema, exitOnConfigError, loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { mailWaker } from '../lib/mail/relay';
import { connectClient } from '../lib/temporal/connection';
import { ApiKeyCache } from './middleware/api-key-cache';
import { startApi } from './serve';

async function main() {
  let config;
  try {
    config = loadConfig(apiConfigSchema);
  } catch (err) {
    exitOnConfigError(err);
  }
  const log = createLogger({ level: config.LOG_LEVEL, name: 'api' });
  const db = createDb(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
  const keyring = parseKeyring(config.SETTLE_ENCRYPTION_KEYS);
  const temporal = await connectClient(config, keyring);
  const apiKeys = await ApiKeyCache.start(config.DATABASE_URL, db, log);
  const api = await startApi(
    {
      db,
      apiKeys,
      temporal,
      accounting: createAccountingServices({ db, encryptionKeys: config.SETTLE_ENCRYPTION_KEYS, endpoints: platformEndpoints(config),
        wakeMail: mailWaker(temporal, config.SETTLE_TASK_QUEUE_PREFIX) }),
      log,
      taskQueuePrefix: config.SETTLE_TASK_QUEUE_PREFIX,
      adminApiKey: config.SETTLE_ADMIN_API_KEY,
      maxBodyBytes: config.SETTLE_MAX_BODY_BYTES,
      keyring,
      stripe: createStripeClient({ secretKey: config.STRIPE_SECRET_KEY, apiBase: config.STRIPE_API_BASE }),
      stripePublishableKey: config.STRIPE_PUBLISHABLE_KEY,
      stripeConnectWebhookSecret: config.STRIPE_CONNECT_WEBHOOK_SECRET,
      stripeLivemode: /^(sk|rk)_live_/.test(config.STRIPE_SECRET_KEY),
      publicUrl: config.SETTLE_PUBLIC_URL,
      temporalUiUrl: config.TEMPORAL_UI_URL,
      sandbox: false,
      codec: { opsToken: config.SETTLE_OPS_TOKEN, corsOrigins: config.SETTLE_CODEC_CORS_ORIGINS },
    },
    config.PORT,
    config.HOST,
  );
  log.info({ url: api.url }, 'API listening');

  const stop = async (signal: string) => {
    log.info({ signal }, 'stopping API');
    await api.close();
    await apiKeys.close();
    await temporal.connection.close();
    await db.destroy();
    log.info('API stopped');
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

void main().catch((err) => {
  process.stderr.write(`API failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
