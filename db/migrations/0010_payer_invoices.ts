// Payers' invoices and automatic payments: Settle's copy of outstanding invoices (read by payers and by the
// auto-payment scheduler between refreshes), which accounting contacts a payer pays for, the contact on billing
// terms, every auto-payment attempt (one Stripe charge each, keyed by invoice and attempt), and the merchant's
// retry schedule for declined charges.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('merchants')
    .addColumn('auto_pay_attempts', 'integer', (c) => c.notNull().defaultTo(3).check(sql`auto_pay_attempts between 1 and 10`))
    .addColumn('auto_pay_retry_days', 'integer', (c) => c.notNull().defaultTo(3).check(sql`auto_pay_retry_days between 1 and 30`))
    .execute();
  await db.schema.alterTable('billing_terms').addColumn('contact_id', 'text').execute();
  await db.schema.alterTable('payments').addColumn('payer_id', 'text').execute();

  await db.schema
    .createTable('payer_contacts')
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id').onDelete('cascade'))
    .addColumn('payer_id', 'text', (c) => c.notNull().references('payers.id').onDelete('cascade'))
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('payer_contacts_pk', ['merchant_id', 'payer_id', 'contact_id'])
    .execute();

  await db.schema
    .createTable('accounting_invoices')
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('date', 'date', (c) => c.notNull())
    .addColumn('due_date', 'date')
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addColumn('total_minor', 'bigint', (c) => c.notNull())
    .addColumn('amount_due_minor', 'bigint', (c) => c.notNull())
    .addColumn('refreshed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('accounting_invoices_pk', ['merchant_id', 'id'])
    .execute();
  await db.schema.createIndex('accounting_invoices_contact').on('accounting_invoices').columns(['merchant_id', 'contact_id']).execute();

  await db.schema
    .createTable('auto_payment_attempts')
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id').onDelete('cascade'))
    .addColumn('invoice_id', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('terms_id', 'text', (c) => c.notNull())
    .addColumn('amount_minor', 'bigint', (c) => c.notNull())
    .addColumn('payment_intent_id', 'text')
    // charging, succeeded, processing, failed
    .addColumn('outcome', 'text', (c) => c.notNull().defaultTo('charging'))
    .addColumn('failure', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('auto_payment_attempts_pk', ['merchant_id', 'invoice_id', 'attempt'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('auto_payment_attempts').execute();
  await db.schema.dropTable('accounting_invoices').execute();
  await db.schema.dropTable('payer_contacts').execute();
  await db.schema.alterTable('payments').dropColumn('payer_id').execute();
  await db.schema.alterTable('billing_terms').dropColumn('contact_id').execute();
  await db.schema.alterTable('merchants').dropColumn('auto_pay_attempts').dropColumn('auto_pay_retry_days').execute();
}
