import type { z } from 'zod';
import { apiConfigSchema, ConfigError, loadConfig, workerConfigSchema } from '../../lib/config';
import { newKeyringText } from '../../lib/crypto/sealed-box';

const base = {
  DATABASE_URL: 'postgres://u:p@db:5432/settle',
  SETTLE_ADMIN_API_KEY: 'a'.repeat(32),
  SETTLE_ENCRYPTION_KEYS: newKeyringText('k1'),
  STRIPE_SECRET_KEY: 'sk_test_123',
};

function errorOf(env: NodeJS.ProcessEnv, schema: z.ZodType = apiConfigSchema): string {
  try {
    loadConfig(schema, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a configuration error');
}

describe('loadConfig', () => {
  it('fills defaults for a local setup', () => {
    const config = loadConfig(apiConfigSchema, base);
    expect(config).toMatchObject({ TEMPORAL_ADDRESS: '127.0.0.1:7233', TEMPORAL_NAMESPACE: 'default', PORT: 3000, SETTLE_TASK_QUEUE_PREFIX: 'settle' });
  });

  it('names a missing setting on one line', () => {
    const message = errorOf({ SETTLE_ADMIN_API_KEY: base.SETTLE_ADMIN_API_KEY, SETTLE_ENCRYPTION_KEYS: base.SETTLE_ENCRYPTION_KEYS, STRIPE_SECRET_KEY: base.STRIPE_SECRET_KEY });
    expect(message).toBe('Configuration error: DATABASE_URL is required (a postgres:// connection URL)');
  });

  it('treats an empty value as missing', () => {
    expect(errorOf({ ...base, DATABASE_URL: '' })).toContain('DATABASE_URL is required');
  });

  it.each([
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL must be a postgres:// connection URL'],
    [{ TEMPORAL_ADDRESS: 'no-port' }, 'TEMPORAL_ADDRESS must be host:port'],
    [{ PORT: 'eighty' }, 'PORT'],
    [{ SETTLE_ADMIN_API_KEY: 'short' }, 'SETTLE_ADMIN_API_KEY must be at least 32 characters'],
    [{ TEMPORAL_TLS_CERT_PATH: '/does/not/exist.pem' }, 'TEMPORAL_TLS_CERT_PATH file not found'],
    [{ TEMPORAL_TLS_CERT_PATH: __filename }, 'TEMPORAL_TLS_KEY_PATH is required when the other mTLS file is set'],
    [{ SETTLE_TASK_QUEUE_PREFIX: 'Bad Prefix' }, 'SETTLE_TASK_QUEUE_PREFIX'],
    [{ SETTLE_ENCRYPTION_KEYS: 'k1:c2hvcnQ=' }, 'SETTLE_ENCRYPTION_KEYS key k1 must be 32 bytes'],
    [{ XERO_TOKEN_URL: 'not a url' }, 'XERO_TOKEN_URL'],
    [{ STRIPE_SECRET_KEY: 'pk_test_123' }, 'STRIPE_SECRET_KEY must be a Stripe secret key'],
    [{ STRIPE_SECRET_KEY: '' }, 'STRIPE_SECRET_KEY is required'],
    [{ STRIPE_API_BASE: 'nope' }, 'STRIPE_API_BASE'],
  ])('rejects %j', (override, expected) => {
    const message = errorOf({ ...base, ...override });
    expect(message).toContain(expected);
    expect(message).not.toContain('\n');
  });

  it('requires a worker role for workers', () => {
    expect(errorOf({ DATABASE_URL: base.DATABASE_URL, SETTLE_ENCRYPTION_KEYS: base.SETTLE_ENCRYPTION_KEYS, STRIPE_SECRET_KEY: base.STRIPE_SECRET_KEY }, workerConfigSchema)).toBe(
      'Configuration error: SETTLE_WORKER_ROLE is required: one of workflows, wise-pay, company, service',
    );
    expect(loadConfig(workerConfigSchema, { ...base, SETTLE_WORKER_ROLE: 'company' }).SETTLE_WORKER_ROLE).toBe('company');
  });
});
