// Accounting connections (up to three roles per merchant), the call log behind their rate budgets, and
// merchant actions (things the merchant must do, e.g. reconnect).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('merchants')
    .addColumn('multi_connection', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();

  await db.schema
    .createTable('accounting_connections')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('wise-pay', 'company', 'service')`))
    .addColumn('platform', 'text', (c) => c.notNull().check(sql`platform in ('xero', 'quickbooks')`))
    // Xero tenant id or QuickBooks realm id.
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('connected', 'disconnected')`))
    // The OAuth token set, sealed (lib/crypto/sealed-box.ts) and bound to this row's id.
    .addColumn('token_sealed', 'text', (c) => c.notNull())
    .addColumn('access_expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('connected_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('disconnected_at', 'timestamptz')
    .addColumn('last_used_at', 'timestamptz')
    .addUniqueConstraint('accounting_connections_merchant_role', ['merchant_id', 'role'])
    .execute();

  // One row per call to a platform API; the rate budget counts them (rolling minute, day, in flight).
  await db.schema
    .createTable('accounting_calls')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('connection_id', 'text', (c) => c.notNull().references('accounting_connections.id').onDelete('cascade'))
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('finished_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('accounting_calls_connection').on('accounting_calls').columns(['connection_id', 'started_at']).execute();
  await db.schema.createIndex('accounting_calls_platform').on('accounting_calls').columns(['platform', 'started_at']).execute();

  await db.schema
    .createTable('merchant_actions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    // What the action is about, e.g. a connection id; one open action per kind and subject.
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('resolved_at', 'timestamptz')
    .execute();
  await sql`create unique index merchant_actions_open on merchant_actions (merchant_id, kind, subject) where resolved_at is null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('merchant_actions').execute();
  await db.schema.dropTable('accounting_calls').execute();
  await db.schema.dropTable('accounting_connections').execute();
  await db.schema.alterTable('merchants').dropColumn('multi_connection').execute();
}
