// Quote payments as Postgres keeps them: the Pay Now link's token, the customer CPQ sent (sealed), and a copy of
// the workflow's state for reads once the workflow has closed and for the payer's past payments.
import { createHash, randomBytes } from 'node:crypto';
import { open, seal, type Keyring } from '../lib/crypto/sealed-box';
import { newId } from '../lib/ids';
import type { PaymentMethodKind } from '../lib/quotes/methods';
import { PAYABLE_STATUSES, type QuotePaymentState } from '../workflows/quotes/definitions';
import type { Db } from './database';
import type { QuotePaymentRow } from './schema';

/** The customer as CPQ sent it: the company and the person who accepted the quote. */
export interface QuoteCustomer {
  company: string;
  name: string;
  email: string;
}

export interface NewQuotePayment {
  merchantId: string;
  quoteId: string;
  revision: number;
  workflowId: string;
  amountMinor: number;
  currency: string;
  recurring?: { amountMinor: number; interval: string };
  methods: PaymentMethodKind[];
  customer: QuoteCustomer;
  returnUrl: string;
}

const tokenHash = (token: string) => createHash('sha256').update(token).digest();

/** Records the quote payment, or finds the one already recorded for this quote (same quote, same row). */
export async function recordQuotePayment(db: Db, keyring: Keyring, q: NewQuotePayment): Promise<{ row: QuotePaymentRow; created: boolean }> {
  const id = newId('qp');
  const token = randomBytes(24).toString('base64url');
  const inserted = await db.insertInto('quote_payments')
    .values({
      id, merchant_id: q.merchantId, quote_id: q.quoteId, revision: q.revision, workflow_id: q.workflowId,
      checkout_token_hash: tokenHash(token), checkout_token_sealed: seal(keyring, token, id),
      amount_minor: q.amountMinor, currency: q.currency,
      recurring_amount_minor: q.recurring?.amountMinor ?? null, recurring_interval: q.recurring?.interval ?? null, methods: q.methods,
      customer_sealed: seal(keyring, JSON.stringify(q.customer), `${id}:customer`),
      return_url: q.returnUrl, status: 'awaiting-checkout',
    })
    .onConflict((oc) => oc.constraint('quote_payments_merchant_quote').doNothing())
    .returningAll().executeTakeFirst();
  if (inserted) return { row: inserted, created: true };
  const existing = await db.selectFrom('quote_payments').selectAll()
    .where('merchant_id', '=', q.merchantId).where('quote_id', '=', q.quoteId).executeTakeFirstOrThrow();
  return { row: existing, created: false };
}

export function checkoutToken(keyring: Keyring, row: QuotePaymentRow): string {
  return open(keyring, row.checkout_token_sealed, row.id);
}

export function quoteCustomer(keyring: Keyring, row: QuotePaymentRow): QuoteCustomer {
  return JSON.parse(open(keyring, row.customer_sealed, `${row.id}:customer`));
}

export async function findQuotePaymentByToken(db: Db, token: string): Promise<QuotePaymentRow | undefined> {
  return db.selectFrom('quote_payments').selectAll().where('checkout_token_hash', '=', tokenHash(token)).executeTakeFirst();
}

export async function findQuotePayment(db: Db, quotePaymentId: string): Promise<QuotePaymentRow | undefined> {
  return db.selectFrom('quote_payments').selectAll().where('id', '=', quotePaymentId).executeTakeFirst();
}

export async function findQuotePaymentByQuote(db: Db, merchantId: string, quoteId: string): Promise<QuotePaymentRow | undefined> {
  return db.selectFrom('quote_payments').selectAll().where('merchant_id', '=', merchantId).where('quote_id', '=', quoteId).executeTakeFirst();
}

/** Copies the workflow's state (never personal data) onto the row. */
export async function saveQuotePaymentState(db: Db, merchantId: string, s: QuotePaymentState): Promise<void> {
  await db.updateTable('quote_payments')
    .set({
      status: s.status, payer_id: s.payerId ?? null, method: s.method ?? null, payment_intent_id: s.paymentIntentId ?? null,
      invoice_id: s.invoice?.id ?? null, invoice_url: s.invoice?.url ?? null,
      credit_note_id: s.creditNote?.id ?? null, credit_note_url: s.creditNote?.url ?? null,
      downpayment_invoice_id: s.downpaymentInvoiceId ?? null, paid_at: s.paidAt ? new Date(s.paidAt) : null, updated_at: new Date(),
    })
    .where('id', '=', s.quotePaymentId).where('merchant_id', '=', merchantId)
    .execute();
}

/** A payer's paid quote payments, newest first: each shows its credit note (the past payments list). */
export async function paidQuotePayments(db: Db, merchantId: string, payerId: string): Promise<QuotePaymentRow[]> {
  return db.selectFrom('quote_payments').selectAll()
    .where('merchant_id', '=', merchantId).where('payer_id', '=', payerId).where('paid_at', 'is not', null)
    .orderBy('paid_at', 'desc').execute();
}

/** A payer's quote payments that can be paid now (never paid, failed, or paid by a debit that was returned). */
export async function payableQuotePayments(db: Db, merchantId: string, payerId: string): Promise<QuotePaymentRow[]> {
  return db.selectFrom('quote_payments').selectAll()
    .where('merchant_id', '=', merchantId).where('payer_id', '=', payerId).where('status', 'in', [...PAYABLE_STATUSES])
    .orderBy('created_at').execute();
}
