// Each merchant is paid into its own Stripe account (Stripe Connect, direct charges): the connected account Settle
// made for it, its status as Stripe last reported it (kept current by `account.updated` and by reading the account
// when the merchant comes back from onboarding), the platform's fee on each payment (basis points, default none),
// and the accounts a payout is reconciled on (clearing, Stripe fees, bank; empty: the organisation's defaults).
// `onboarding_refresh_hash`: sha256 of the token in the Account Link's refresh_url, so only a link Settle handed out
// can mint a new one.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('merchant_stripe_accounts')
    .addColumn('merchant_id', 'text', (c) => c.primaryKey().references('merchants.id').onDelete('cascade'))
    .addColumn('account_id', 'text', (c) => c.notNull().unique())
    .addColumn('livemode', 'boolean', (c) => c.notNull())
    .addColumn('details_submitted', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('charges_enabled', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('payouts_enabled', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('requirements_due', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('disabled_reason', 'text')
    .addColumn('platform_fee_bps', 'integer', (c) => c.notNull().defaultTo(0).check(sql`platform_fee_bps between 0 and 10000`))
    .addColumn('clearing_account', 'text')
    .addColumn('fees_account', 'text')
    .addColumn('bank_account', 'text')
    .addColumn('onboarding_refresh_hash', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('merchant_stripe_accounts_refresh').on('merchant_stripe_accounts').column('onboarding_refresh_hash').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('merchant_stripe_accounts').execute();
}
