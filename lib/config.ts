// Process configuration, read only from the environment and validated once at start.
// A missing or malformed setting stops the process with one line naming it (see `exitOnConfigError`).
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { parseKeyring } from './crypto/sealed-box';

const existingFile = z.string().min(1).refine((p) => existsSync(p), 'file not found');

export const temporalEnv = z
  .object({
    TEMPORAL_ADDRESS: z
      .string()
      .regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port')
      .default('127.0.0.1:7233'),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    // Temporal Cloud: either an API key or mTLS client certificates.
    TEMPORAL_API_KEY: z.string().min(1).optional(),
    TEMPORAL_TLS_CERT_PATH: existingFile.optional(),
    TEMPORAL_TLS_KEY_PATH: existingFile.optional(),
    TEMPORAL_TLS_CA_PATH: existingFile.optional(),
    TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
    // Prefix of every task queue name; tests give each run its own.
    SETTLE_TASK_QUEUE_PREFIX: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes')
      .default('settle'),
  })
  .superRefine((env, ctx) => {
    if (Boolean(env.TEMPORAL_TLS_CERT_PATH) !== Boolean(env.TEMPORAL_TLS_KEY_PATH)) {
      const missing = env.TEMPORAL_TLS_CERT_PATH ? 'TEMPORAL_TLS_KEY_PATH' : 'TEMPORAL_TLS_CERT_PATH';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'is required when the other mTLS file is set' });
    }
  });

export const databaseEnv = z.object({
  DATABASE_URL: z
    .string({ error: 'is required (a postgres:// connection URL)' })
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection URL'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
});

export const logEnv = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export const apiEnv = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  // Admin routes (creating merchants, enabling features) authenticate with this key.
  SETTLE_ADMIN_API_KEY: z
    .string({ error: 'is required (at least 32 characters)' })
    .min(32, 'must be at least 32 characters'),
  // Largest JSON body the API reads; bigger requests get 413 before anything is parsed.
  SETTLE_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(256 * 1024),
  // Ops decode workflow payloads in the Temporal Web UI through /codec with this token; unset, /codec refuses all.
  SETTLE_OPS_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
  // The Web UI origins (scheme://host[:port], comma-separated) allowed to call /codec from a browser.
  // The Temporal Web UI's address (e.g. https://temporal.example.com): the console links each payment to its
  // workflow there, at {url}/namespaces/{namespace}/workflows/{workflowId}. `npm start` sets it to its dev server's UI.
  TEMPORAL_UI_URL: z.string().regex(/^https?:\/\/[^\s]+[^/\s]$/, 'must be an http(s) URL without a trailing slash').optional(),
  SETTLE_CODEC_CORS_ORIGINS: z
    .string()
    .default('')
    .transform((text) => text.split(',').map((o) => o.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'must be origins (scheme://host[:port]), comma-separated'))),
});

export const workerEnv = z.object({
  SETTLE_WORKER_ROLE: z.enum(['workflows', 'wise-pay', 'company', 'service'], {
    error: (issue) =>
      `${issue.input === undefined ? 'is required' : 'must be'}: one of workflows, wise-pay, company, service`,
  }),
});

// Encryption keys for data at rest (lib/crypto/sealed-box.ts): `id:base64key,...`, the first is current.
export const encryptionEnv = z.object({
  SETTLE_ENCRYPTION_KEYS: z
    .string({ error: 'is required (id:base64 of 32 random bytes, comma-separated; first is current)' })
    .superRefine((text, ctx) => {
      try {
        parseKeyring(text);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    }),
});

// Where the accounting platforms are. The defaults are the real services; sandbox mode points these at the
// local emulators instead.
// Scopes are space-separated, as the platforms take them. Xero's defaults are the granular scopes new apps must
// use (apps made from March 2026 may not ask for accounting.transactions); offline_access brings the refresh token.
const scopes = (fallback: string) => z.string().default(fallback).transform((text) => text.split(/[\s,]+/).filter(Boolean));
// accounting.banktransactions: Stripe payouts post a bank transfer and the fees as a spend (issue 23's deposits).
export const XERO_DEFAULT_SCOPES = 'offline_access accounting.invoices accounting.payments accounting.banktransactions accounting.contacts accounting.settings.read';
export const QUICKBOOKS_DEFAULT_SCOPES = 'com.intuit.quickbooks.accounting';

export const accountingEnv = z.object({
  XERO_API_BASE: z.url().default('https://api.xero.com/api.xro/2.0'),
  XERO_TOKEN_URL: z.url().default('https://identity.xero.com/connect/token'),
  XERO_AUTHORIZE_URL: z.url().default('https://login.xero.com/identity/connect/authorize'),
  XERO_REVOCATION_URL: z.url().default('https://identity.xero.com/connect/revocation'),
  XERO_CONNECTIONS_URL: z.url().default('https://api.xero.com/connections'),
  XERO_SCOPES: scopes(XERO_DEFAULT_SCOPES),
  XERO_CLIENT_ID: z.string().default(''),
  XERO_CLIENT_SECRET: z.string().default(''),
  QUICKBOOKS_API_BASE: z.url().default('https://quickbooks.api.intuit.com/v3/company/'),
  QUICKBOOKS_TOKEN_URL: z.url().default('https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer'),
  QUICKBOOKS_AUTHORIZE_URL: z.url().default('https://appcenter.intuit.com/connect/oauth2'),
  QUICKBOOKS_REVOCATION_URL: z.url().default('https://developer.api.intuit.com/v2/oauth2/tokens/revoke'),
  QUICKBOOKS_SCOPES: scopes(QUICKBOOKS_DEFAULT_SCOPES),
  QUICKBOOKS_CLIENT_ID: z.string().default(''),
  QUICKBOOKS_CLIENT_SECRET: z.string().default(''),
  // The length of the platforms' "minute" for the rate budget: only for running against emulators scaled in time
  // (benchmarks); the real platforms' minute is 60,000 ms.
  SETTLE_RATE_LIMIT_MINUTE_MS: z.coerce.number().int().min(1).default(60_000),
});
export type AccountingConfig = z.infer<typeof accountingEnv>;

// Stripe collects card and bank-debit payments. Sandbox mode points STRIPE_API_BASE at the local emulator.
export const stripeEnv = z.object({
  STRIPE_SECRET_KEY: z.string({ error: 'is required (sk_live_… or sk_test_…)' }).regex(/^(sk|rk)_(live|test)_\w+$/, 'must be a Stripe secret key (sk_live_… or sk_test_…)'),
  STRIPE_PUBLISHABLE_KEY: z.string().regex(/^pk_(live|test)_\w+$/, 'must be a Stripe publishable key (pk_…)').optional(),
  STRIPE_API_BASE: z.url().optional(),
  /** The signing secret of the platform's Connect webhook endpoint (events of every merchant's connected account). */
  STRIPE_CONNECT_WEBHOOK_SECRET: z.string().regex(/^whsec_[A-Za-z0-9_-]{8,200}$/, 'must be a Stripe endpoint secret (whsec_…)').optional(),
});
export type StripeConfig = z.infer<typeof stripeEnv>;

// Where payers reach the Pay Now pages (links in emails and the URL handed to CPQ).
export const publicEnv = z.object({
  SETTLE_PUBLIC_URL: z.url().default('http://localhost:3000'),
});

// Email (lib/mail): unset SMTP_URL means no sending: emails stay in the outbox, as pending, until it is set.
const addressList = z.string().default('').transform((text, ctx) => {
  const map: Record<string, string> = {};
  for (const entry of text.split(',').map((e) => e.trim()).filter(Boolean)) {
    const eq = entry.indexOf('=');
    if (eq < 1 || !/@/.test(entry.slice(eq + 1))) {
      ctx.addIssue({ code: 'custom', message: 'must be merchantId=address pairs, comma-separated' });
      return z.NEVER;
    }
    map[entry.slice(0, eq).trim()] = entry.slice(eq + 1).trim();
  }
  return map;
});
export const mailEnv = z.object({
  SMTP_URL: z.string().regex(/^smtps?:\/\/\S+$/, 'must be an smtp:// or smtps:// URL').optional(),
  SETTLE_MAIL_FROM: z.string().regex(/@/, 'must be an address, e.g. "Settle <billing@example.com>"').default('Settle <no-reply@settle.invalid>'),
  SETTLE_MAIL_REPLY_TO: z.string().regex(/@/, 'must be an address').optional(),
  SETTLE_MAIL_MERCHANT_REPLY_TO: addressList,
});
export type MailEnv = z.infer<typeof mailEnv>;

export const apiConfigSchema = temporalEnv.and(databaseEnv).and(logEnv).and(apiEnv).and(encryptionEnv).and(accountingEnv).and(stripeEnv).and(publicEnv);
export const workerConfigSchema = temporalEnv.and(databaseEnv).and(logEnv).and(workerEnv).and(encryptionEnv).and(accountingEnv).and(stripeEnv).and(mailEnv).and(publicEnv);

export type TemporalConfig = z.infer<typeof temporalEnv>;
/** The mail sender's configuration, or undefined when SMTP_URL is unset. */
export function mailConfig(env: MailEnv): import('./mail/transport').MailConfig | undefined {
  if (!env.SMTP_URL) return undefined;
  return { smtpUrl: env.SMTP_URL, from: env.SETTLE_MAIL_FROM, defaultReplyTo: env.SETTLE_MAIL_REPLY_TO, replyTo: env.SETTLE_MAIL_MERCHANT_REPLY_TO };
}

export type DatabaseConfig = z.infer<typeof databaseEnv>;
export type ApiConfig = z.infer<typeof apiConfigSchema>;
export type WorkerConfig = z.infer<typeof workerConfigSchema>;

export class ConfigError extends Error {}

/** Parses `env` with `schema`; the error names the first bad setting and why, on one line. */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  // Empty strings count as unset, as they do in docker-compose and most shells' exports.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const name = issue.path.join('.') || 'environment';
  const message = issue.code === 'invalid_type' && issue.input === undefined && !issue.message.startsWith('is ')
    ? 'is required'
    : issue.message;
  throw new ConfigError(`Configuration error: ${name} ${message}`);
}

/** For entry points: print the one-line reason and exit, instead of a stack trace. */
export function exitOnConfigError(err: unknown): never {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  throw err;
}
