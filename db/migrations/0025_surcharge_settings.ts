// Card and bank-debit surcharges (issue 27): the merchant's settings, one row per merchant (no row: off). The fee
// rules are JSON shaped by lib/surcharges (SurchargeSettings.cards/bankDebit/maxBasisPoints, basis points and minor
// units); the books' side (the revenue account and tax code the surcharge is posted to) and the refund rule are
// columns of their own, because the accounting activities read them without the rest.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('surcharge_settings')
    .addColumn('merchant_id', 'text', (c) => c.primaryKey().references('merchants.id').onDelete('cascade'))
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(false))
    // The currency fixed fees are in (they apply only to payments in it).
    .addColumn('currency', 'text', (c) => c.notNull())
    // Where the merchant trades from: its laws apply to every payment (ISO 3166-1 alpha-2; a US state code).
    .addColumn('merchant_country', 'text', (c) => c.notNull())
    .addColumn('merchant_state', 'text')
    // { cards: { visa: { percentBasisPoints, fixedMinor }, ... }, bankDebit: {...} | null, maxBasisPoints: { card, bankDebit } }
    .addColumn('fees', 'jsonb', (c) => c.notNull())
    // Accounting contact ids never surcharged.
    .addColumn('exempt_contact_ids', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    // The books: the surcharge is its own line/invoice on this revenue account, with this tax code (null: the
    // platform's default for the account).
    .addColumn('revenue_account_code', 'text', (c) => c.notNull())
    .addColumn('tax_code', 'text')
    // A refund of a surcharged payment gives the surcharge back too (true) or keeps it (false).
    .addColumn('refund_surcharge', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('surcharge_settings').execute();
}
