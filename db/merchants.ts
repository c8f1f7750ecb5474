// Merchants and their API keys. Keys are random, shown once at creation, and stored only as SHA-256 hashes:
// they are long random secrets, so a fast hash is enough (passwords, which are not, get argon2id).
import { createHash, randomBytes } from 'node:crypto';
import { open, seal, type Keyring } from '../lib/crypto/sealed-box';
import { newId } from '../lib/ids';
import type { PartialPaymentSettings } from '../lib/payments/partial-payment';
import type { Db } from './database';
import type { Merchant } from './schema';

export interface IssuedApiKey {
  id: string;
  /** The key itself: returned once, never stored. */
  key: string;
  prefix: string;
}

export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

export async function createMerchant(db: Db, name: string): Promise<{ merchant: Merchant; apiKey: IssuedApiKey }> {
  return db.transaction().execute(async (trx) => {
    const merchant = await trx
      .insertInto('merchants')
      .values({ id: newId('mer'), name })
      .returningAll()
      .executeTakeFirstOrThrow();
    const apiKey = await issueApiKey(trx, merchant.id);
    return { merchant, apiKey };
  });
}

export async function issueApiKey(db: Db, merchantId: string): Promise<IssuedApiKey> {
  const key = `sk_${randomBytes(32).toString('base64url')}`;
  const issued = { id: newId('key'), key, prefix: key.slice(0, 10) };
  await db
    .insertInto('merchant_api_keys')
    .values({ id: issued.id, merchant_id: merchantId, key_hash: hashApiKey(key), key_prefix: issued.prefix })
    .execute();
  return issued;
}

/** Revokes at once; true when the key existed for this merchant and was active. */
export async function revokeApiKey(db: Db, merchantId: string, keyId: string): Promise<boolean> {
  const result = await db
    .updateTable('merchant_api_keys')
    .set({ revoked_at: new Date() })
    .where('id', '=', keyId)
    .where('merchant_id', '=', merchantId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** The merchant an active API key (given by its hash, `hashApiKey`) belongs to. */
export async function merchantIdForKeyHash(db: Db, keyHash: Buffer): Promise<string | undefined> {
  const row = await db
    .selectFrom('merchant_api_keys')
    .select('merchant_id')
    .where('key_hash', '=', keyHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row?.merchant_id;
}

export async function findMerchant(db: Db, merchantId: string): Promise<Merchant | undefined> {
  return db.selectFrom('merchants').selectAll().where('id', '=', merchantId).executeTakeFirst();
}

const notificationEmailBinding = (merchantId: string) => `${merchantId}:notification-email`;

/** Where Settle emails the merchant about its account; undefined when the merchant has not said. */
export async function merchantNotificationEmail(db: Db, keyring: Keyring, merchantId: string): Promise<string | undefined> {
  const row = await db.selectFrom('merchants').select('notification_email_sealed').where('id', '=', merchantId).executeTakeFirst();
  return row?.notification_email_sealed ? open(keyring, row.notification_email_sealed, notificationEmailBinding(merchantId)) : undefined;
}

/** Sets (or with null clears) the merchant's notification address. */
export async function setMerchantNotificationEmail(db: Db, keyring: Keyring, merchantId: string, email: string | null): Promise<void> {
  await db.updateTable('merchants').set({ notification_email_sealed: email === null ? null : seal(keyring, email, notificationEmailBinding(merchantId)) })
    .where('id', '=', merchantId).execute();
}

/** Whether the merchant lets payers pay part of an invoice, and the least part (issue 27), as the rule takes them. */
export function partialPaymentSettings(m: Pick<Merchant, 'partial_payments_enabled' | 'partial_payment_minimum_minor'>): PartialPaymentSettings {
  return { enabled: m.partial_payments_enabled, minimumMinor: Number(m.partial_payment_minimum_minor) };
}
