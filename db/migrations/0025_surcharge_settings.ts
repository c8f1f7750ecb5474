// Card and bank-debit surcharges (issue 27): the merchant's settings, one row per merchant (no row: off), and the
// surcharge each payment carried. The fee
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

  // The surcharge a payment carried on top of its invoices (the Settle payment itself is the invoices' amount, posted
  // against them exactly), and where it went in the books: its own surcharge invoice, paid from the clearing account.
  // A refund reads it to give the surcharge back or not, and reverses it in the books.
  await db.schema
    .createTable('payment_surcharges')
    .addColumn('payment_id', 'text', (c) => c.primaryKey().references('payments.id').onDelete('cascade'))
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id').onDelete('cascade'))
    .addColumn('surcharge_minor', 'integer', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('accounting_invoice_id', 'text')
    .addColumn('accounting_payment_id', 'text')
    // synced | failed (the merchant has an action)
    .addColumn('sync_status', 'text', (c) => c.notNull())
    .addColumn('sync_reason', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // The part of a refund that gives a surcharge back (by the merchant's rule when the refund was asked for): Stripe
  // refunds amount + this; the books reverse it on the surcharge revenue account, apart from the invoices' part.
  await db.schema.alterTable('payment_refunds').addColumn('surcharge_minor', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('payment_refunds').dropColumn('surcharge_minor').execute();
  await db.schema.dropTable('payment_surcharges').execute();
  await db.schema.dropTable('surcharge_settings').execute();
}
