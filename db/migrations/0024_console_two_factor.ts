// Two-factor sign-in to the merchant console with an authenticator app (TOTP, lib/crypto/totp.ts).
// - merchant_users: the TOTP secret, sealed (bound to the user), once confirmed by a first code; a pending one while
//   the user enrols; the last time step accepted, so no code is accepted twice.
// - merchant_user_recovery_codes: ten single-use codes per user, stored as hashes only (they are shown once).
// - merchant_sessions.stage: a session opened by the password alone is not usable until the code ('second-factor'),
//   or until the user enrols when the merchant requires it ('enrolment'); code_failures ends it after a few wrong codes.
// - merchants.console_two_factor_required: a merchant admin's setting that makes two-factor sign-in mandatory.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('merchant_users')
    .addColumn('totp_secret_sealed', 'text')
    .addColumn('totp_pending_sealed', 'text')
    // A 30-second step number (about 59 million today): an integer holds it for two thousand years.
    .addColumn('totp_last_step', 'integer')
    .execute();
  await db.schema
    .createTable('merchant_user_recovery_codes')
    .addColumn('user_id', 'text', (c) => c.notNull().references('merchant_users.id').onDelete('cascade'))
    .addColumn('code_hash', 'bytea', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .addPrimaryKeyConstraint('merchant_user_recovery_codes_pk', ['user_id', 'code_hash'])
    .execute();
  await db.schema.alterTable('merchant_sessions')
    .addColumn('stage', 'text', (c) => c.notNull().defaultTo('signed-in').check(sql`stage in ('signed-in', 'second-factor', 'enrolment')`))
    .addColumn('code_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('merchants').addColumn('console_two_factor_required', 'boolean', (c) => c.notNull().defaultTo(false)).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('merchants').dropColumn('console_two_factor_required').execute();
  await db.schema.alterTable('merchant_sessions').dropColumn('stage').dropColumn('code_failures').execute();
  await db.schema.dropTable('merchant_user_recovery_codes').execute();
  await db.schema.alterTable('merchant_users').dropColumn('totp_secret_sealed').dropColumn('totp_pending_sealed').dropColumn('totp_last_step').execute();
}
