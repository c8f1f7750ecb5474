// The payer's emails about their own payments: a receipt when a payment goes through, and "payment declined" with
// the link to pay again when it does not. Each is written in the transaction that records the outcome (the quote
// payment's saved state, the payment row, the released checkout), with a key derived from the payment and attempt,
// so a retried activity writes it once and a rolled-back outcome writes nothing. Only the payer's name and address
// (to send it), the merchant's name, the quote or invoice numbers and amounts go in: never card or account details.
import type { Db } from '../../db/database';
import type { PaymentApplication } from '../../db/schema';
import { enqueueEmail } from '../../db/outbox';
import { findPayer, payerDetails } from '../../db/payers';
import { checkoutToken, findQuotePayment, quoteCustomer } from '../../db/quote-payments';
import type { Keyring } from '../../lib/crypto/sealed-box';
import { paymentDeclinedTemplate, paymentReceiptTemplate, refundConfirmationTemplate } from '../../lib/mail/templates';
import { formatAmount, type Currency } from '../../lib/money';
import { invoicesPayNowUrl, quotePayNowUrl } from '../../lib/pay-now-links';
import type { PaymentMethodKind } from '../../lib/quotes/methods';
import type { QuotePaymentState } from '../../workflows/quotes/definitions';

export interface PayerEmailDeps {
  keyring: Keyring;
  /** SETTLE_PUBLIC_URL: where the Pay Now pages are (read per email: tests learn the API's port late). */
  publicUrl: () => string;
}

/** The invoices' numbers as Settle's copy has them (the id where it has none), in the order given. */
async function invoiceNumbers(db: Db, merchantId: string, invoiceIds: string[]): Promise<string[]> {
  const copies = invoiceIds.length
    ? await db.selectFrom('accounting_invoices').select(['id', 'number']).where('merchant_id', '=', merchantId).where('id', 'in', invoiceIds).execute()
    : [];
  return invoiceIds.map((id) => copies.find((c) => c.id === id)?.number ?? id);
}

/** "invoice INV-1" or "invoices INV-1, INV-2". */
const numbersWords = (numbers: string[]) => `${numbers.length === 1 ? 'invoice' : 'invoices'} ${numbers.join(', ')}`;

/** "invoice INV-1" or "invoices INV-1, INV-2", from Settle's copy of the invoices (their ids when not copied). */
async function invoicesWords(db: Db, merchantId: string, invoiceIds: string[]): Promise<string> {
  return numbersWords(await invoiceNumbers(db, merchantId, invoiceIds));
}

const merchantName = async (db: Db, merchantId: string) =>
  (await db.selectFrom('merchants').select('name').where('id', '=', merchantId).executeTakeFirstOrThrow()).name;

export function createPayerEmails({ keyring, publicUrl }: PayerEmailDeps) {
  async function payer(db: Db, merchantId: string, payerId: string) {
    const row = await findPayer(db, merchantId, payerId);
    return row ? payerDetails(keyring, row) : undefined;
  }

  return {
    /**
     * A quote payment's state was just saved (in `db`, a transaction): a receipt for an attempt that is paid, a
     * "declined" for one that failed (a declined card, a failed or returned bank debit). To the payer who paid, or
     * for a guest checkout the customer CPQ sent. True when an email was written now.
     */
    async quotePaymentOutcome(db: Db, merchantId: string, state: QuotePaymentState): Promise<boolean> {
      const paid = state.paidAt !== undefined;
      const declined = state.status === 'failed' && state.failure !== undefined;
      if (!paid && !declined) return false;
      const row = await findQuotePayment(db, state.quotePaymentId);
      if (!row) return false;
      const to = state.payerId ? await payer(db, merchantId, state.payerId) : quoteCustomer(keyring, row);
      if (!to) return false;
      const common = { name: to.name, merchantName: await merchantName(db, merchantId), what: `quote ${row.quote_id}`,
        amount: formatAmount(row.amount_minor, row.currency as Currency), currency: row.currency };
      if (paid) {
        return enqueueEmail(db, keyring, { merchantId, template: 'payment-receipt', dedupeKey: `payment-receipt:${row.id}:${state.attempt}`, message: {
          to: to.email, ...paymentReceiptTemplate({ ...common, method: state.method ?? 'card', paidOn: state.paidAt!.slice(0, 10) }),
        } });
      }
      return enqueueEmail(db, keyring, { merchantId, template: 'payment-declined', dedupeKey: `payment-declined:${row.id}:${state.attempt}`, message: {
        to: to.email, ...paymentDeclinedTemplate({ ...common, failure: state.failure!, retryUrl: quotePayNowUrl(publicUrl(), checkoutToken(keyring, row)) }),
      } });
    },

    /** A payment recorded for a payer (Pay Now for invoices, an automatic payment): their receipt, once per payment. */
    async paymentReceipt(db: Db, p: { paymentId: string; merchantId: string; payerId: string; amountMinor: number; currency: string;
      method: PaymentMethodKind; applications: PaymentApplication[]; paidOn: string }): Promise<boolean> {
      const to = await payer(db, p.merchantId, p.payerId);
      if (!to) return false;
      const currency = p.currency as Currency;
      const numbers = await invoiceNumbers(db, p.merchantId, p.applications.map((a) => a.invoiceId));
      // Part of an invoice: what it owed and what it still owes, so the payer does not take it for paid.
      const parts = p.applications.flatMap((a, i) => (a.amountDueMinor !== undefined && a.amountMinor < a.amountDueMinor
        ? [{ number: numbers[i], paid: formatAmount(a.amountMinor, currency), owed: formatAmount(a.amountDueMinor, currency), left: formatAmount(a.amountDueMinor - a.amountMinor, currency) }]
        : []));
      return enqueueEmail(db, keyring, { merchantId: p.merchantId, template: 'payment-receipt', dedupeKey: `payment-receipt:${p.paymentId}`, message: {
        to: to.email, ...paymentReceiptTemplate({ name: to.name, merchantName: await merchantName(db, p.merchantId), what: numbersWords(numbers),
          amount: formatAmount(p.amountMinor, currency), currency: p.currency, method: p.method, paidOn: p.paidOn, parts }),
      } });
    },

    /** A refund of a payer's payment went through: the confirmation, once per refund. */
    async refundConfirmation(db: Db, r: { refundId: string; merchantId: string; payerId: string; amountMinor: number; currency: string;
      method: PaymentMethodKind; invoiceIds: string[]; quoteId?: string; partial: boolean }): Promise<boolean> {
      const to = await payer(db, r.merchantId, r.payerId);
      if (!to) return false;
      return enqueueEmail(db, keyring, { merchantId: r.merchantId, template: 'refund-confirmation', dedupeKey: `refund-confirmation:${r.refundId}`, message: {
        to: to.email, ...refundConfirmationTemplate({ name: to.name, merchantName: await merchantName(db, r.merchantId), what: r.quoteId ? `quote ${r.quoteId}` : await invoicesWords(db, r.merchantId, r.invoiceIds),
          amount: formatAmount(r.amountMinor, r.currency as Currency), currency: r.currency, method: r.method, partial: r.partial }),
      } });
    },

    /** A Pay Now checkout of invoices was declined: the link back to the invoice pages, once per checkout. */
    async invoicePaymentDeclined(db: Db, c: { checkoutId: string; merchantId: string; payerId: string; amountMinor: number; currency: string;
      invoiceIds: string[]; failure: string }): Promise<boolean> {
      const to = await payer(db, c.merchantId, c.payerId);
      if (!to) return false;
      return enqueueEmail(db, keyring, { merchantId: c.merchantId, template: 'payment-declined', dedupeKey: `payment-declined:${c.checkoutId}`, message: {
        to: to.email, ...paymentDeclinedTemplate({ name: to.name, merchantName: await merchantName(db, c.merchantId), what: await invoicesWords(db, c.merchantId, c.invoiceIds),
          amount: formatAmount(c.amountMinor, c.currency as Currency), currency: c.currency, failure: c.failure, retryUrl: invoicesPayNowUrl(publicUrl(), c.merchantId) }),
      } });
    },
  };
}

export type PayerEmails = ReturnType<typeof createPayerEmails>;
