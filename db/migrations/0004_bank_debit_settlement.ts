// Bank-debit settlement: the merchant's Stripe webhook endpoint secret (sealed), every Stripe event received (by
// id, so a replay has no second effect, and so an outcome that arrives before its settlement workflow is found
// when it starts), and the merchant's activity log.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('stripe_webhook_endpoints')
    .addColumn('merchant_id', 'text', (c) => c.primaryKey().references('merchants.id').onDelete('cascade'))
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('stripe_events')
    // Event ids are unique within a Stripe account; each merchant's endpoint is its own account's.
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('payment_intent_id', 'text')
    // What Settle made of it: signalled (to a running workflow), recorded (for one that has not started), ignored.
    .addColumn('handling', 'text', (c) => c.notNull())
    // Stripe's `created` (seconds): the order events happened in, whatever order they arrive in.
    .addColumn('created', 'bigint', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('stripe_events_pkey', ['merchant_id', 'id'])
    .execute();
  await db.schema.createIndex('stripe_events_intent').on('stripe_events').columns(['payment_intent_id', 'created']).execute();

  await db.schema
    .createTable('activity_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('activity_log_merchant').on('activity_log').columns(['merchant_id', 'created_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('activity_log').execute();
  await db.schema.dropTable('stripe_events').execute();
  await db.schema.dropTable('stripe_webhook_endpoints').execute();
}
