// Refunds of quote payments (CPQ "Accept and Pay", taken through Stripe on the merchant's account) live beside the
// refunds of payments: a refund row names either its payment or its quote payment, never both, so one table keeps
// the Idempotency-Key uniqueness, the Stripe refund id uniqueness and the "what is left to refund" sum for both.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('payment_refunds').alterColumn('payment_id', (c) => c.dropNotNull()).execute();
  await db.schema.alterTable('payment_refunds').addColumn('quote_payment_id', 'text', (c) => c.references('quote_payments.id')).execute();
  await db.schema.alterTable('payment_refunds').addCheckConstraint('payment_refunds_one_source', sql`num_nonnulls(payment_id, quote_payment_id) = 1`).execute();
  await db.schema.createIndex('payment_refunds_quote_payment').on('payment_refunds').column('quote_payment_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.deleteFrom('payment_refunds' as never).where('quote_payment_id' as never, 'is not', null).execute();
  await db.schema.alterTable('payment_refunds').dropConstraint('payment_refunds_one_source').execute();
  await db.schema.alterTable('payment_refunds').dropColumn('quote_payment_id').execute();
  await db.schema.alterTable('payment_refunds').alterColumn('payment_id', (c) => c.setNotNull()).execute();
}
