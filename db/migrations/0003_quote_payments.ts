// CPQ quote payments: the merchant's ConnectWise Sell (CPQ) integration and payment methods, payers (who pay
// on the Pay Now page), quote payments, saved methods and billing terms for the recurring portion, event
// notifications, and the outbox of emails and webhook deliveries.
//
// Personal data (a payer's or customer's name, email, phone) is sealed (lib/crypto/sealed-box.ts); a payer's
// email is found again through a keyed hash (blind index), never stored in clear. No card or bank numbers
// exist anywhere: only Stripe's ids.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // What the merchant has enabled with its payment processor; CPQ may narrow it, never widen it.
  await db.schema
    .alterTable('merchants')
    .addColumn('payment_methods', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{card}'`))
    .execute();

  await db.schema
    .createTable('cpq_integrations')
    .addColumn('merchant_id', 'text', (c) => c.primaryKey().references('merchants.id').onDelete('cascade'))
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(false))
    // Sealed so it can be displayed again; the hash authenticates CPQ's calls.
    .addColumn('api_key_sealed', 'text')
    .addColumn('api_key_hash', 'bytea', (c) => c.unique())
    .addColumn('allowed_methods', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{card}'`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('notification_subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id').onDelete('cascade'))
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('webhook_url', 'text')
    .addColumn('email_sealed', 'text')
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('notification_subscriptions_merchant_event', ['merchant_id', 'event'])
    .execute();

  await db.schema
    .createTable('payers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id').onDelete('cascade'))
    // `keyId:hex` HMAC of the normalised email (lib/crypto/blind-index.ts).
    .addColumn('email_index', 'text', (c) => c.notNull())
    // {name, email, phone}, sealed.
    .addColumn('details_sealed', 'text', (c) => c.notNull())
    // argon2id; null until the payer sets a password from the welcome email.
    .addColumn('password_hash', 'text')
    .addColumn('stripe_customer_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('payers_merchant_email', ['merchant_id', 'email_index'])
    .execute();

  await db.schema
    .createTable('payer_password_tokens')
    .addColumn('token_hash', 'bytea', (c) => c.primaryKey())
    .addColumn('payer_id', 'text', (c) => c.notNull().references('payers.id').onDelete('cascade'))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('quote_payments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id').onDelete('cascade'))
    .addColumn('quote_id', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('workflow_id', 'text', (c) => c.notNull().unique())
    // The Pay Now link's secret: hashed to find the quote, sealed to hand the same link out again.
    .addColumn('checkout_token_hash', 'bytea', (c) => c.notNull().unique())
    .addColumn('checkout_token_sealed', 'text', (c) => c.notNull())
    .addColumn('amount_minor', 'bigint', (c) => c.notNull().check(sql`amount_minor > 0`))
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addColumn('recurring_amount_minor', 'bigint')
    .addColumn('recurring_interval', 'text')
    // What a logged-in payer is offered (merchant ∩ CPQ at acceptance).
    .addColumn('methods', sql`text[]`, (c) => c.notNull())
    // The customer as CPQ sent it ({name, email}), sealed.
    .addColumn('customer_sealed', 'text', (c) => c.notNull())
    .addColumn('return_url', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('payer_id', 'text', (c) => c.references('payers.id'))
    .addColumn('method', 'text')
    .addColumn('payment_intent_id', 'text')
    .addColumn('invoice_id', 'text')
    .addColumn('invoice_url', 'text')
    .addColumn('credit_note_id', 'text')
    .addColumn('credit_note_url', 'text')
    .addColumn('downpayment_invoice_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('paid_at', 'timestamptz')
    .addUniqueConstraint('quote_payments_merchant_quote', ['merchant_id', 'quote_id'])
    .execute();
  await db.schema.createIndex('quote_payments_payer').on('quote_payments').columns(['payer_id', 'paid_at']).execute();

  await db.schema
    .createTable('payer_payment_methods')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('payer_id', 'text', (c) => c.notNull().references('payers.id').onDelete('cascade'))
    .addColumn('stripe_payment_method_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('payer_payment_methods_payer_pm', ['payer_id', 'stripe_payment_method_id'])
    .execute();

  // How automatic payments charge a payer; one set per source (e.g. the CPQ quote that set it up).
  await db.schema
    .createTable('billing_terms')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id').onDelete('cascade'))
    .addColumn('payer_id', 'text', (c) => c.notNull().references('payers.id').onDelete('cascade'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('payment_method_id', 'text', (c) => c.notNull().references('payer_payment_methods.id'))
    // 'due-date': charge on the invoice's due date; 'days-after-invoice': `days_after` days after its date.
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('days_after', 'integer')
    .addColumn('max_amount_minor', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addColumn('interval', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('billing_terms_source', ['merchant_id', 'source', 'source_id'])
    .execute();

  // Emails waiting for the mail relay. `dedupe_key` makes a retried activity put a message in once.
  await db.schema
    .createTable('outbox_emails')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id').onDelete('cascade'))
    .addColumn('template', 'text', (c) => c.notNull())
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    // {to, subject, text}, sealed: addresses and links are personal or secret.
    .addColumn('message_sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id').onDelete('cascade'))
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_status', 'integer')
    .addColumn('delivered_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['webhook_deliveries', 'outbox_emails', 'billing_terms', 'payer_payment_methods', 'quote_payments',
    'payer_password_tokens', 'payers', 'notification_subscriptions', 'cpq_integrations']) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.alterTable('merchants').dropColumn('payment_methods').execute();
}
