// What the console shows people instead of ids and counts that mean nothing:
// - accounting_connections.tenant_name: the organisation's name as the platform gave it at consent (Xero's tenantName);
//   null for connections made before, and for QuickBooks, whose consent callback carries only the realm id.
// - merchant_messages.read_at: when someone of the merchant marked the message read; the Overview counts unread ones.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('accounting_connections').addColumn('tenant_name', 'text').execute();
  await db.schema.alterTable('merchant_messages').addColumn('read_at', 'timestamptz').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('merchant_messages').dropColumn('read_at').execute();
  await db.schema.alterTable('accounting_connections').dropColumn('tenant_name').execute();
}
