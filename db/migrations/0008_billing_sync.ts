// Monthly billing sync (a cloud BSS's recurring charges into ConnectWise Manage agreements): the merchant's Manage and
// BSS connections (secrets sealed), one run per merchant per month, its lines (kept here, not in workflow history: a
// month can have thousands), the links each line has to Manage remembered per merchant, and the proposed changes with
// what applying each one did.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('billing_sync_connections')
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id').onDelete('cascade'))
    // 'manage' (ConnectWise Manage) or 'bss' (the cloud billing platform).
    .addColumn('system', 'text', (c) => c.notNull())
    .addColumn('base_url', 'text', (c) => c.notNull())
    // What is not secret: Manage's company id, public key and clientId.
    .addColumn('settings', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    // Manage's private key or the BSS API key, sealed (never logged, never answered).
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('billing_sync_connections_pkey', ['merchant_id', 'system'])
    .execute();

  await db.schema
    .createTable('billing_sync_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id').onDelete('cascade'))
    // YYYY-MM
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    // 'bss' (read from the BSS API) or 'csv' (an export the merchant uploaded, kept in csv_content).
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('csv_content', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('proposal_version', 'text')
    .addColumn('report', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('billing_sync_runs_merchant_month', ['merchant_id', 'month'])
    .execute();

  await db.schema
    .createTable('billing_sync_lines')
    .addColumn('run_id', 'text', (c) => c.notNull().references('billing_sync_runs.id').onDelete('cascade'))
    .addColumn('line_no', 'integer', (c) => c.notNull())
    // The BSS fields, under the names Manage gives them.
    .addColumn('customer', 'text', (c) => c.notNull())
    .addColumn('contract_id', 'text', (c) => c.notNull())
    .addColumn('product', 'text', (c) => c.notNull())
    .addColumn('billing_period', 'text', (c) => c.notNull())
    .addColumn('commitment_period', 'text', (c) => c.notNull())
    .addColumn('units', 'integer', (c) => c.notNull())
    .addColumn('cost_minor', 'bigint', (c) => c.notNull())
    .addColumn('effective_date', 'date', (c) => c.notNull())
    // The Manage records the line is linked to, and how each link was made (remembered, suggested, chosen, created).
    .addColumn('company_id', 'integer')
    .addColumn('company_source', 'text')
    .addColumn('agreement_id', 'integer')
    .addColumn('agreement_source', 'text')
    .addColumn('product_id', 'integer')
    .addColumn('product_source', 'text')
    .addPrimaryKeyConstraint('billing_sync_lines_pkey', ['run_id', 'line_no'])
    .execute();

  // What a BSS customer or product is in Manage, per merchant: next month's lines are linked from here.
  await db.schema
    .createTable('billing_sync_mappings')
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id').onDelete('cascade'))
    // 'company' and 'agreement' are keyed by the BSS customer, 'product' by the BSS product.
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('source_key', 'text', (c) => c.notNull())
    .addColumn('target_id', 'integer', (c) => c.notNull())
    .addColumn('target_name', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('billing_sync_mappings_pkey', ['merchant_id', 'kind', 'source_key'])
    .execute();

  // The current proposal of a run, one row per change (a mismatch and what fixes it), and what applying it did.
  await db.schema
    .createTable('billing_sync_changes')
    .addColumn('run_id', 'text', (c) => c.notNull().references('billing_sync_runs.id').onDelete('cascade'))
    .addColumn('change_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('proposal_version', 'text', (c) => c.notNull())
    .addColumn('mismatch', 'text', (c) => c.notNull())
    .addColumn('change', 'jsonb', (c) => c.notNull())
    // proposed, skipped (the merchant left it out), applied.
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('proposed'))
    .addColumn('result', 'jsonb')
    .addColumn('applied_at', 'timestamptz')
    .addPrimaryKeyConstraint('billing_sync_changes_pkey', ['run_id', 'change_id'])
    .execute();
  await db.schema.createIndex('billing_sync_changes_seq').on('billing_sync_changes').columns(['run_id', 'seq']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['billing_sync_changes', 'billing_sync_mappings', 'billing_sync_lines', 'billing_sync_runs', 'billing_sync_connections']) {
    await db.schema.dropTable(table).execute();
  }
}
