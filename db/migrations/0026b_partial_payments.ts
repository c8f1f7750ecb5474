// Partial payments (issue 27): whether a merchant lets payers pay part of an invoice, and the least they may pay
// (minor units of the invoice's currency). Off until the merchant turns it on.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('merchants')
    .addColumn('partial_payments_enabled', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('partial_payment_minimum_minor', 'bigint', (c) => c.notNull().defaultTo(1_000))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('merchants').dropColumn('partial_payment_minimum_minor').dropColumn('partial_payments_enabled').execute();
}
