// Stripe payouts of a merchant's connected account, as Settle posted them: one row per payout (unique per merchant by
// Stripe's id; the id derives from it, so the payout workflow's retries and a second payout.paid write the same row),
// what Stripe paid (amount, currency, arrival date) and the deposit in the books: `books_status` pending → posted |
// failed, `books_records` what the deposit made (the first is the document to open in the books).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('payouts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id').onDelete('cascade'))
    .addColumn('stripe_payout_id', 'text', (c) => c.notNull())
    .addColumn('amount_minor', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addColumn('arrival_date', 'date', (c) => c.notNull())
    .addColumn('books_status', 'text', (c) => c.notNull().defaultTo('pending').check(sql`books_status in ('pending', 'posted', 'failed')`))
    .addColumn('books_records', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('books_failure', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('payouts_merchant_stripe_payout', ['merchant_id', 'stripe_payout_id'])
    .execute();
  await db.schema.createIndex('payouts_merchant_arrival').on('payouts').columns(['merchant_id', 'arrival_date']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('payouts').execute();
}
