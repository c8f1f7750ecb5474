// Connecting the books by OAuth consent (issue 22): the states of consents in progress (stored hashed), consents
// waiting for the merchant to pick one of several Xero organisations, the workflows waiting for a connection, and
// what a connection needs for its life cycle: Xero's connection id (to disconnect it), QuickBooks' refresh-token
// expiries (to warn in time), `reconnect_required` when a grant dies, and tokens that can be erased on disconnect.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('oauth_states')
    // sha256 of the state: a leaked table cannot finish anyone's consent.
    .addColumn('state_hash', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('oauth_pending_consents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('platform', 'text', (c) => c.notNull())
    // The consent's token set, sealed and bound to this row's id, until the merchant picks a tenant.
    .addColumn('tokens_sealed', 'text', (c) => c.notNull())
    // [{ tenantId, name, connectionId }]: the tenants of this consent only (GET /connections?authEventId=).
    .addColumn('tenants', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('oauth_pending_consents_merchant_role', ['merchant_id', 'role'])
    .execute();

  await db.schema
    .createTable('accounting_connection_waiters')
    .addColumn('workflow_id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('accounting_connection_waiters_merchant').on('accounting_connection_waiters').column('merchant_id').execute();

  await db.schema
    .alterTable('accounting_connections')
    .addColumn('platform_connection_id', 'text')
    .addColumn('refresh_expires_at', 'timestamptz')
    .addColumn('refresh_hard_expires_at', 'timestamptz')
    .addColumn('expiry_warned_for', 'timestamptz')
    .execute();
  await sql`alter table accounting_connections alter column token_sealed drop not null`.execute(db);
  await sql`alter table accounting_connections drop constraint accounting_connections_status_check`.execute(db);
  await sql`alter table accounting_connections add constraint accounting_connections_status_check
    check (status in ('connected', 'disconnected', 'reconnect_required'))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`update accounting_connections set status = 'disconnected' where status = 'reconnect_required'`.execute(db);
  await sql`alter table accounting_connections drop constraint accounting_connections_status_check`.execute(db);
  await sql`alter table accounting_connections add constraint accounting_connections_status_check
    check (status in ('connected', 'disconnected'))`.execute(db);
  await sql`delete from accounting_connections where token_sealed is null`.execute(db);
  await sql`alter table accounting_connections alter column token_sealed set not null`.execute(db);
  await db.schema.alterTable('accounting_connections')
    .dropColumn('platform_connection_id').dropColumn('refresh_expires_at').dropColumn('refresh_hard_expires_at').dropColumn('expiry_warned_for')
    .execute();
  await db.schema.dropTable('accounting_connection_waiters').execute();
  await db.schema.dropTable('oauth_pending_consents').execute();
  await db.schema.dropTable('oauth_states').execute();
}
