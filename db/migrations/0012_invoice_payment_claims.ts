// Pay Now for invoices: which checkout is paying which invoice. A held claim (not yet released) refuses a second
// checkout for the same invoice, whoever starts it; released when the checkout fails, is cancelled or abandoned,
// or once its payment is posted to the books.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('invoice_payment_claims')
    .addColumn('checkout_id', 'text', (c) => c.notNull())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id').onDelete('cascade'))
    .addColumn('invoice_id', 'text', (c) => c.notNull())
    .addColumn('payer_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('released_at', 'timestamptz')
    .addPrimaryKeyConstraint('invoice_payment_claims_pk', ['checkout_id', 'invoice_id'])
    .execute();
  // The rule itself: at most one held claim per invoice.
  await sql`create unique index invoice_payment_claims_held on invoice_payment_claims (merchant_id, invoice_id) where released_at is null`.execute(db);
  await db.schema.createIndex('invoice_payment_claims_payer').on('invoice_payment_claims').columns(['merchant_id', 'payer_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('invoice_payment_claims').execute();
}
