// Payment upload: the merchant's time zone and accounting start date, the BPAY upload switch (off when the 30-day
// limit is passed, until an admin turns it on), customers matched to accounting contacts, BPAY payments and their
// imports, invoices linked to payment plans (never paid by BPAY), and the merchant's messages.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('merchants')
    .addColumn('timezone', 'text', (c) => c.notNull().defaultTo('UTC'))
    // Only payments made on or after it are uploaded: the day the accounting platform was first connected.
    .addColumn('accounting_start_date', 'date')
    .addColumn('bpay_upload_enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .execute();

  await db.schema
    .createTable('customers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id').onDelete('cascade'))
    // The BPAY customer reference number (CRN) the customer pays with.
    .addColumn('customer_reference', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('account_number', 'text')
    .addColumn('email_sealed', 'text')
    .addColumn('contact_id', 'text')
    .addColumn('contact_url', 'text')
    // unmatched (not tried yet), matched, needs-action (no contact, or several: the merchant chooses).
    .addColumn('match_status', 'text', (c) => c.notNull().defaultTo('unmatched'))
    .addColumn('last_synced_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('customers_merchant_reference', ['merchant_id', 'customer_reference'])
    .execute();

  await db.schema
    .createTable('bpay_imports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('lines_total', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lines_done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rows_accepted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('errors', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    // The file as uploaded: the import workflow reads it from here.
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('bpay_payments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id').onDelete('cascade'))
    .addColumn('customer_reference', 'text', (c) => c.notNull())
    .addColumn('amount_minor', 'bigint', (c) => c.notNull().check(sql`amount_minor > 0`))
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addColumn('paid_date', 'date', (c) => c.notNull())
    // What makes a repeated submission the same payment: the API's Idempotency-Key, or the import line.
    .addColumn('dedupe_key', 'text', (c) => c.notNull())
    .addColumn('import_id', 'text', (c) => c.references('bpay_imports.id'))
    // pending (waits for a night), uploaded, before-start (paid before the start date: never uploaded).
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('uploaded_at', 'timestamptz')
    // Where it went: [{invoiceId, amountMinor, paymentId, url}] and the prepayment, if any.
    .addColumn('upload', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('bpay_payments_dedupe', ['merchant_id', 'dedupe_key'])
    .execute();
  await db.schema.createIndex('bpay_payments_pending').on('bpay_payments').columns(['merchant_id', 'status', 'paid_date']).execute();
  await db.schema.createIndex('bpay_payments_uploaded').on('bpay_payments').columns(['merchant_id', 'uploaded_at']).execute();

  // A night's plan, kept so that every retry of its upload posts exactly the same thing.
  await db.schema
    .createTable('bpay_upload_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id').onDelete('cascade'))
    .addColumn('plan', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('payment_plan_invoices')
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id').onDelete('cascade'))
    .addColumn('invoice_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('payment_plan_invoices_pkey', ['merchant_id', 'invoice_id'])
    .execute();

  await db.schema
    .createTable('merchant_messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['merchant_messages', 'payment_plan_invoices', 'bpay_upload_runs', 'bpay_payments', 'bpay_imports', 'customers']) await db.schema.dropTable(table).execute();
  for (const column of ['bpay_upload_enabled', 'accounting_start_date', 'timezone']) await db.schema.alterTable('merchants').dropColumn(column).execute();
}
