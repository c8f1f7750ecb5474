// Invoice sync (ConnectWise Manage → the accounting package) and payment sync back, on the company connection:
// the merchant's settings (contact creation, debug logging, inventory, schedules), its account/tax mapping per Manage
// GL account or product type, the Manage companies matched to accounting contacts, each Manage batch Settle opened and
// each invoice in it (kept here, not in workflow history: a batch can hold thousands), the payments carried back to
// Manage (recognised by their accounting id, so never twice), and — only while debug logging is on — the detailed
// sync log and the inventory audit trail the merchant can read and clear.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('invoice_sync_settings')
    .addColumn('merchant_id', 'text', (c) => c.primaryKey().references('merchants.id').onDelete('cascade'))
    .addColumn('create_contacts', 'boolean', (c) => c.notNull().defaultTo(false))
    // Off by default (issue 8): only then are details of posted invoices stored.
    .addColumn('debug_logging', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('sync_inventory', 'boolean', (c) => c.notNull().defaultTo(false))
    // Minutes between scheduled runs; null: on demand only.
    .addColumn('invoice_sync_every_minutes', 'integer')
    .addColumn('payment_sync_every_minutes', 'integer')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('invoice_sync_account_mappings')
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id').onDelete('cascade'))
    // 'gl-account' (more specific, wins) or 'product-type'.
    .addColumn('source_kind', 'text', (c) => c.notNull())
    .addColumn('source_value', 'text', (c) => c.notNull())
    .addColumn('account_code', 'text', (c) => c.notNull())
    .addColumn('tax_type', 'text')
    .addPrimaryKeyConstraint('invoice_sync_account_mappings_pk', ['merchant_id', 'source_kind', 'source_value'])
    .execute();

  await db.schema
    .createTable('invoice_sync_contacts')
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id').onDelete('cascade'))
    .addColumn('manage_company_id', 'integer', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    // 'matched' or 'created'
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('invoice_sync_contacts_pk', ['merchant_id', 'manage_company_id'])
    .execute();

  await db.schema
    .createTable('invoice_sync_batches')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id').onDelete('cascade'))
    // The batch in Manage's accounting interface: its identifier (Settle's, deterministic) and id.
    .addColumn('batch_identifier', 'text', (c) => c.notNull())
    .addColumn('manage_batch_id', 'integer')
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    // open, incomplete (something failed or is held), exported
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('invoice_sync_batches_identifier', ['merchant_id', 'batch_identifier'])
    .execute();

  await db.schema
    .createTable('invoice_sync_records')
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id').onDelete('cascade'))
    .addColumn('manage_invoice_id', 'integer', (c) => c.notNull())
    .addColumn('batch_id', 'text', (c) => c.notNull().references('invoice_sync_batches.id').onDelete('cascade'))
    // Manage's _info.lastUpdated: an edited invoice is a new revision (and a new idempotency key).
    .addColumn('revision', 'text', (c) => c.notNull())
    .addColumn('invoice_number', 'text', (c) => c.notNull())
    .addColumn('manage_company_id', 'integer', (c) => c.notNull())
    // invoice or credit-note
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('total_minor', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    // pending, posted, failed, held
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('accounting_id', 'text')
    .addColumn('accounting_link', 'text')
    // created (by this sync) or linked (already in the books under the same number)
    .addColumn('posted_how', 'text')
    // What payment sync has carried back to Manage so far.
    .addColumn('carried_back_minor', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('invoice_sync_records_pk', ['merchant_id', 'manage_invoice_id'])
    .execute();
  await db.schema.createIndex('invoice_sync_records_batch').on('invoice_sync_records').columns(['batch_id', 'status']).execute();

  await db.schema
    .createTable('invoice_sync_payments')
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id').onDelete('cascade'))
    // The payment's or credit allocation's id in the accounting package: what makes it "already carried back".
    .addColumn('accounting_id', 'text', (c) => c.notNull())
    .addColumn('manage_invoice_id', 'integer', (c) => c.notNull())
    // payment or credit
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('amount_minor', 'bigint', (c) => c.notNull())
    .addColumn('paid_on', 'date', (c) => c.notNull())
    .addColumn('manage_payment_id', 'integer')
    // carried or failed (Manage refused; tried again next sync)
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('invoice_sync_payments_pk', ['merchant_id', 'accounting_id', 'manage_invoice_id'])
    .execute();

  await db.schema
    .createTable('debug_log_entries')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id').onDelete('cascade'))
    .addColumn('batch_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('detail', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('debug_log_entries_merchant').on('debug_log_entries').columns(['merchant_id', 'id']).execute();

  await db.schema
    .createTable('inventory_audit_entries')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id').onDelete('cascade'))
    .addColumn('batch_id', 'text', (c) => c.notNull())
    .addColumn('manage_invoice_id', 'integer', (c) => c.notNull())
    .addColumn('invoice_number', 'text', (c) => c.notNull())
    .addColumn('accounting_id', 'text', (c) => c.notNull())
    .addColumn('product', 'text', (c) => c.notNull())
    .addColumn('quantity', 'numeric', (c) => c.notNull())
    .addColumn('unit_cost_minor', 'bigint', (c) => c.notNull())
    .addColumn('cost_minor', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('inventory_audit_entries_merchant').on('inventory_audit_entries').columns(['merchant_id', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['inventory_audit_entries', 'debug_log_entries', 'invoice_sync_payments', 'invoice_sync_records', 'invoice_sync_batches',
    'invoice_sync_contacts', 'invoice_sync_account_mappings', 'invoice_sync_settings']) {
    await db.schema.dropTable(table).execute();
  }
}
