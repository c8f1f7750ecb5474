// The merchant's ConnectWise Sell (CPQ) integration: on or off, the API key CPQ calls Settle with (sealed, so the
// merchant can display it again, and hashed, to authenticate), and the methods CPQ may offer for quotes.
import { createHash, randomBytes } from 'node:crypto';
import { open, seal, type Keyring } from '../lib/crypto/sealed-box';
import type { PaymentMethodKind } from '../lib/quotes/methods';
import type { Db } from './database';
import type { CpqIntegration, Merchant } from './schema';

const keyHash = (key: string) => createHash('sha256').update(key).digest();

export async function findCpqIntegration(db: Db, merchantId: string): Promise<CpqIntegration | undefined> {
  return db.selectFrom('cpq_integrations').selectAll().where('merchant_id', '=', merchantId).executeTakeFirst();
}

export async function configureCpqIntegration(db: Db, merchantId: string, settings: { enabled: boolean; allowedMethods: PaymentMethodKind[] }): Promise<CpqIntegration> {
  return db.insertInto('cpq_integrations')
    .values({ merchant_id: merchantId, enabled: settings.enabled, allowed_methods: settings.allowedMethods })
    .onConflict((oc) => oc.column('merchant_id').doUpdateSet({ enabled: settings.enabled, allowed_methods: settings.allowedMethods, updated_at: new Date() }))
    .returningAll().executeTakeFirstOrThrow();
}

/** Generates (or regenerates) the key: the old one stops working at once. */
export async function generateCpqApiKey(db: Db, keyring: Keyring, merchantId: string): Promise<string> {
  const key = `cpq_${randomBytes(32).toString('base64url')}`;
  const values = { api_key_sealed: seal(keyring, key, `cpq:${merchantId}`), api_key_hash: keyHash(key), updated_at: new Date() };
  await db.insertInto('cpq_integrations').values({ merchant_id: merchantId, ...values })
    .onConflict((oc) => oc.column('merchant_id').doUpdateSet(values)).execute();
  return key;
}

export function displayCpqApiKey(keyring: Keyring, integration: CpqIntegration): string | undefined {
  return integration.api_key_sealed ? open(keyring, integration.api_key_sealed, `cpq:${integration.merchant_id}`) : undefined;
}

/** The merchant a CPQ key belongs to, with its integration (enabled or not: the caller says which problem it is). */
export async function findMerchantByCpqKey(db: Db, key: string): Promise<{ merchant: Merchant; integration: CpqIntegration } | undefined> {
  const integration = await db.selectFrom('cpq_integrations').selectAll().where('api_key_hash', '=', keyHash(key)).executeTakeFirst();
  if (!integration) return undefined;
  const merchant = await db.selectFrom('merchants').selectAll().where('id', '=', integration.merchant_id).executeTakeFirstOrThrow();
  return { merchant, integration };
}
