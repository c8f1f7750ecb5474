// Where Settle emails the merchant about its own account (a connection that must be reconnected): one address per
// merchant, set with PUT /v1/merchant/settings/notification-email. Sealed like every address Settle keeps.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('merchants').addColumn('notification_email_sealed', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('merchants').dropColumn('notification_email_sealed').execute();
}
