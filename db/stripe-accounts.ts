// The merchant's Stripe connected account (Connect): which account Settle made for it, and its status as Stripe
// last reported it. Every Stripe call for a merchant runs on this account (`stripeAccount`), never the platform's.
import type { Db } from './database';
import type { MerchantStripeAccount } from './schema';

/** What Stripe says of an account that Settle keeps (a subset of Stripe.Account). */
export interface AccountStatus {
  id: string;
  details_submitted?: boolean;
  charges_enabled?: boolean;
  payouts_enabled?: boolean;
  requirements?: { currently_due?: string[] | null; disabled_reason?: string | null } | null;
}

export async function findStripeAccount(db: Db, merchantId: string): Promise<MerchantStripeAccount | undefined> {
  return db.selectFrom('merchant_stripe_accounts').selectAll().where('merchant_id', '=', merchantId).executeTakeFirst();
}

export async function findStripeAccountById(db: Db, accountId: string): Promise<MerchantStripeAccount | undefined> {
  return db.selectFrom('merchant_stripe_accounts').selectAll().where('account_id', '=', accountId).executeTakeFirst();
}

/** Records the account Settle made for the merchant; a concurrent first call's row wins (both made the same account: one key). */
export async function saveStripeAccount(db: Db, merchantId: string, account: AccountStatus & { livemode?: boolean }): Promise<MerchantStripeAccount> {
  await db.insertInto('merchant_stripe_accounts')
    .values({ merchant_id: merchantId, account_id: account.id, livemode: account.livemode ?? false, ...statusColumns(account) })
    .onConflict((oc) => oc.column('merchant_id').doNothing()).execute();
  return (await findStripeAccount(db, merchantId))!;
}

function statusColumns(account: AccountStatus) {
  return {
    details_submitted: account.details_submitted ?? false,
    charges_enabled: account.charges_enabled ?? false,
    payouts_enabled: account.payouts_enabled ?? false,
    requirements_due: JSON.stringify(account.requirements?.currently_due ?? []),
    disabled_reason: account.requirements?.disabled_reason ?? null,
  };
}

/** Stripe's latest word on an account (from `account.updated` or a read); false when no merchant has it. */
export async function updateStripeAccountStatus(db: Db, account: AccountStatus): Promise<boolean> {
  const result = await db.updateTable('merchant_stripe_accounts').set({ ...statusColumns(account), updated_at: new Date() })
    .where('account_id', '=', account.id).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function setOnboardingRefreshHash(db: Db, merchantId: string, hash: string): Promise<void> {
  await db.updateTable('merchant_stripe_accounts').set({ onboarding_refresh_hash: hash }).where('merchant_id', '=', merchantId).execute();
}

export async function findStripeAccountByRefreshHash(db: Db, hash: string): Promise<MerchantStripeAccount | undefined> {
  return db.selectFrom('merchant_stripe_accounts').selectAll().where('onboarding_refresh_hash', '=', hash).executeTakeFirst();
}
