// Payment upload beyond BPAY: how a payment was taken (channel, method), the invoices it pays, and whether,
// when and where it reached the books; and Settle's own fee invoices to the merchant, with the accounts the
// merchant chose per fee type and the credits applied to later invoices.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('payments')
    // pay_now, virtual_terminal or batch_debit; rows from before this migration were merchant-keyed payments.
    .addColumn('channel', 'text', (c) => c.notNull().defaultTo('virtual_terminal'))
    .addColumn('method', 'text', (c) => c.notNull().defaultTo('card'))
    // [{invoiceId, amountMinor}]: the accounting invoices the payment pays; empty when applied to none.
    .addColumn('applications', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('paid_on', 'date')
    // pending, synced, not-uploaded (sync_reason says why) or failed (sync_reason says what the platform said).
    .addColumn('sync_status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('sync_reason', 'text')
    .addColumn('synced_at', 'timestamptz')
    // [{invoiceId, amountMinor, accountingPaymentId, url}]: where it landed.
    .addColumn('sync_records', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .execute();

  await db.schema
    .createTable('merchant_fee_accounts')
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id').onDelete('cascade'))
    .addColumn('fee_type', 'text', (c) => c.notNull())
    .addColumn('account_code', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('merchant_fee_accounts_pk', ['merchant_id', 'fee_type'])
    .execute();

  await db.schema
    .createTable('merchant_fee_documents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id').onDelete('cascade'))
    .addColumn('number', 'text', (c) => c.notNull())
    // invoice (the merchant owes Settle) or credit (Settle owes the merchant, applied to later invoices).
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('issued_on', 'date', (c) => c.notNull())
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addColumn('total_minor', 'bigint', (c) => c.notNull().check(sql`total_minor > 0`))
    // [{feeType, description, amountMinor}]
    .addColumn('lines', 'jsonb', (c) => c.notNull())
    // pending, waiting-for-accounts, uploaded, skipped (upload_reason says why).
    .addColumn('upload_status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('upload_reason', 'text')
    .addColumn('accounting_id', 'text')
    .addColumn('accounting_url', 'text')
    .addColumn('uploaded_at', 'timestamptz')
    // For a credit: what is left to apply to later invoices (in the books).
    .addColumn('unapplied_minor', 'bigint', (c) => c.notNull().defaultTo(0))
    // For an invoice: what is still owed after credits were applied.
    .addColumn('amount_due_minor', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('merchant_fee_documents_number', ['merchant_id', 'number'])
    .execute();

  await db.schema
    .createTable('merchant_fee_credit_applications')
    .addColumn('credit_id', 'text', (c) => c.notNull().references('merchant_fee_documents.id'))
    .addColumn('invoice_id', 'text', (c) => c.notNull().references('merchant_fee_documents.id'))
    .addColumn('amount_minor', 'bigint', (c) => c.notNull().check(sql`amount_minor > 0`))
    .addColumn('applied_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('merchant_fee_credit_applications_pk', ['credit_id', 'invoice_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('merchant_fee_credit_applications').execute();
  await db.schema.dropTable('merchant_fee_documents').execute();
  await db.schema.dropTable('merchant_fee_accounts').execute();
  for (const column of ['channel', 'method', 'applications', 'paid_on', 'sync_status', 'sync_reason', 'synced_at', 'sync_records']) {
    await db.schema.alterTable('payments').dropColumn(column).execute();
  }
}
