// The merchant's Stripe webhook endpoint secret (whsec_…, from the endpoint the merchant created in Stripe), sealed.
import { open, seal, type Keyring } from '../lib/crypto/sealed-box';
import type { Db } from './database';

export async function saveStripeWebhookSecret(db: Db, keyring: Keyring, merchantId: string, secret: string): Promise<void> {
  const values = { secret_sealed: seal(keyring, secret, `stripe-webhook:${merchantId}`), updated_at: new Date() };
  await db.insertInto('stripe_webhook_endpoints').values({ merchant_id: merchantId, ...values })
    .onConflict((oc) => oc.column('merchant_id').doUpdateSet(values)).execute();
}

export async function stripeWebhookSecret(db: Db, keyring: Keyring, merchantId: string): Promise<string | undefined> {
  const row = await db.selectFrom('stripe_webhook_endpoints').select('secret_sealed').where('merchant_id', '=', merchantId).executeTakeFirst();
  return row ? open(keyring, row.secret_sealed, `stripe-webhook:${merchantId}`) : undefined;
}
