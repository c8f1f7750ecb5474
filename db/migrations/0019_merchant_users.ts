// The merchant console's people and sessions. A merchant user signs in with email and password: the email is personal
// data, so it is sealed (with the user's name) and found again through a blind index, like a payer's; the password is
// an argon2id hash. Invitations are single-use set-password tokens stored as hashes. A session's id is stored as its
// SHA-256 hash only: a read of this table cannot be replayed as a cookie.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('merchant_users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id').onDelete('cascade'))
    // One account per email across all merchants: sign-in asks for the email only, not the merchant.
    .addColumn('email_index', 'text', (c) => c.notNull().unique())
    .addColumn('details_sealed', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('admin', 'billing')`))
    .addColumn('password_hash', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('merchant_users_merchant').on('merchant_users').column('merchant_id').execute();
  await db.schema
    .createTable('merchant_user_tokens')
    .addColumn('token_hash', 'bytea', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('merchant_users.id').onDelete('cascade'))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .execute();
  await db.schema
    .createTable('merchant_sessions')
    .addColumn('id_hash', 'bytea', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('merchant_users.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // However active, a session ends here: a stolen cookie does not live for ever.
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('merchant_sessions_user').on('merchant_sessions').column('user_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('merchant_sessions').execute();
  await db.schema.dropTable('merchant_user_tokens').execute();
  await db.schema.dropTable('merchant_users').execute();
}
