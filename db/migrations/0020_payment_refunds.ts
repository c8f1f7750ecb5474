// Refunds of card payments. A payment taken through Stripe keeps the PaymentIntent it was taken with, so it can be
// refunded on the merchant's connected account; each refund is a row, unique per merchant by the caller's
// Idempotency-Key (the API's) or by Stripe's refund id (a refund made in the Stripe dashboard), so two requests with
// the same key or a replayed `charge.refunded` make one refund and one reversal in the books.
// `status`: requested → succeeded | failed (Stripe's outcome); `books_status`: pending → reversed | failed.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('payments').addColumn('stripe_payment_intent_id', 'text').execute();
  await db.schema.createIndex('payments_stripe_payment_intent').on('payments').columns(['merchant_id', 'stripe_payment_intent_id']).execute();
  await db.schema
    .createTable('payment_refunds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id').onDelete('cascade'))
    .addColumn('payment_id', 'text', (c) => c.notNull().references('payments.id'))
    .addColumn('idempotency_key', 'text', (c) => c.notNull())
    .addColumn('amount_minor', 'bigint', (c) => c.notNull().check(sql`amount_minor > 0`))
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('origin', 'text', (c) => c.notNull().check(sql`origin in ('api', 'dashboard')`))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('requested'))
    .addColumn('stripe_refund_id', 'text', (c) => c.unique())
    .addColumn('failure', 'text')
    .addColumn('books_status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('books_records', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('payment_refunds_key', ['merchant_id', 'idempotency_key'])
    .execute();
  await db.schema.createIndex('payment_refunds_payment').on('payment_refunds').column('payment_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('payment_refunds').execute();
  await db.schema.alterTable('payments').dropColumn('stripe_payment_intent_id').execute();
}
