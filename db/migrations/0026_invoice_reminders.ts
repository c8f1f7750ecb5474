// Reminder emails for outstanding invoices (issue 27): each merchant's schedule (days relative to the due date, off
// until the merchant turns it on), what was sent (one row per invoice and step, for the console and so a step is
// never sent twice), and the payers who asked for no more reminders (from the signed link in each reminder).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('merchants')
    .addColumn('reminders_enabled', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('reminder_offsets', sql`integer[]`, (c) => c.notNull().defaultTo(sql`'{-3,0,7,14}'::integer[]`))
    .execute();
  await db.schema.createTable('invoice_reminders')
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id'))
    .addColumn('invoice_id', 'text', (c) => c.notNull())
    /** The step: days after the due date (negative: before). */
    .addColumn('offset_days', 'integer', (c) => c.notNull())
    .addColumn('invoice_number', 'text', (c) => c.notNull())
    .addColumn('due_date', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('amount_due_minor', 'bigint', (c) => c.notNull())
    .addColumn('recipients', 'integer', (c) => c.notNull())
    .addColumn('sent_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('invoice_reminders_pk', ['merchant_id', 'invoice_id', 'offset_days'])
    .execute();
  await db.schema.createIndex('invoice_reminders_by_time').on('invoice_reminders').columns(['merchant_id', 'sent_at']).execute();
  await db.schema.createTable('reminder_opt_outs')
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id'))
    .addColumn('payer_id', 'text', (c) => c.notNull().references('payers.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('reminder_opt_outs_pk', ['merchant_id', 'payer_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('reminder_opt_outs').execute();
  await db.schema.dropTable('invoice_reminders').execute();
  await db.schema.alterTable('merchants').dropColumn('reminder_offsets').dropColumn('reminders_enabled').execute();
}
