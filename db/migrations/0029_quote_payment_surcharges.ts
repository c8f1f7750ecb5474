// Surcharges on quote payments (issue 27): a CPQ quote paid by card may carry a card surcharge too, recorded where a
// Pay Now payment's is (payment_surcharges), so the refund route and the books' reversal read one table for both.
// A row names either its payment or its quote payment, never both (as payment_refunds does since 0023); each has at
// most one surcharge row (a quote payment is paid by card once: a failed attempt never reaches the books).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('payment_surcharges').dropConstraint('payment_surcharges_pkey').execute();
  await db.schema.alterTable('payment_surcharges').alterColumn('payment_id', (c) => c.dropNotNull()).execute();
  await db.schema.alterTable('payment_surcharges').addUniqueConstraint('payment_surcharges_payment_unique', ['payment_id']).execute();
  await db.schema.alterTable('payment_surcharges')
    .addColumn('quote_payment_id', 'text', (c) => c.references('quote_payments.id').onDelete('cascade').unique()).execute();
  await db.schema.alterTable('payment_surcharges').addCheckConstraint('payment_surcharges_one_source', sql`num_nonnulls(payment_id, quote_payment_id) = 1`).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.deleteFrom('payment_surcharges' as never).where('quote_payment_id' as never, 'is not', null).execute();
  await db.schema.alterTable('payment_surcharges').dropConstraint('payment_surcharges_one_source').execute();
  await db.schema.alterTable('payment_surcharges').dropColumn('quote_payment_id').execute();
  await db.schema.alterTable('payment_surcharges').dropConstraint('payment_surcharges_payment_unique').execute();
  await db.schema.alterTable('payment_surcharges').alterColumn('payment_id', (c) => c.setNotNull()).execute();
  await db.schema.alterTable('payment_surcharges').addPrimaryKeyConstraint('payment_surcharges_pkey', ['payment_id']).execute();
}
