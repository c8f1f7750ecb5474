// Platform admins in the console (issue 25): Settle's own staff, signed in as a console user of the merchant they
// look after, may change what only the platform decides (multi-connection). Set only through the platform admin API
// (POST /v1/admin/merchants/{id}/users with platformAdmin) or a seed, never by a merchant's own admins.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('merchant_users').addColumn('platform_admin', 'boolean', (c) => c.notNull().defaultTo(false)).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('merchant_users').dropColumn('platform_admin').execute();
}
