// Refunds of payments taken through Stripe. The Stripe refund is made on the merchant's connected account with a key
// derived from the refund's own id (so a retried activity, or a replayed workflow, is the same refund); its outcome is
// recorded once (the payer's confirmation email in the same transaction, a merchant message when it failed); only a
// refund Stripe reports succeeded is reversed in the books, in the platform's idiom (AccountingPlatform.refundCustomer)
// out of the clearing account the payment was received into. A refund made in the Stripe dashboard arrives with its
// Stripe id already known: it is read, never made again.
import { ApplicationFailure } from '@temporalio/common';
import type Stripe from 'stripe';
import { raiseMerchantAction, resolveMerchantActions } from '../../db/actions';
import { recordActivity } from '../../db/activity-log';
import type { Db } from '../../db/database';
import { postMerchantMessage } from '../../db/messages';
import type { RefundBooksRecord, RefundBooksStatus } from '../../db/schema';
import { idempotencyKey } from '../../lib/idempotency';
import type { MailWaker } from '../../lib/mail/relay';
import { formatAmount, type Currency } from '../../lib/money';
import type { accountingRunner } from '../accounting';
import { DEFAULT_ACCOUNTS } from '../accounting/default-accounts';
import { payoutAccountsOf } from '../accounting/payout-accounts';
import type { PaymentMethodKind } from '../../lib/quotes/methods';
import { merchantSurcharges } from '../../db/surcharges';
import type { PayerEmails } from '../notifications/payer-emails';
import { merchantAccount } from '../stripe/connected-account';

export interface RefundDeps {
  db: Db;
  stripe: Stripe;
  accounting: ReturnType<typeof accountingRunner>;
  payerEmails: PayerEmails;
  wakeMail: MailWaker;
}

export type StripeRefundStatus = 'succeeded' | 'pending' | 'failed';
export interface StripeRefundOutcome {
  status: StripeRefundStatus;
  failure?: string;
}
export interface RefundBooksOutcome {
  status: Exclude<RefundBooksStatus, 'pending'>;
  reason?: string;
  records: RefundBooksRecord[];
}

interface RefundRef {
  merchantId: string;
  refundId: string;
}

function outcomeOf(refund: Stripe.Refund): StripeRefundOutcome {
  if (refund.status === 'succeeded') return { status: 'succeeded' };
  if (refund.status === 'failed' || refund.status === 'canceled') return { status: 'failed', failure: refund.failure_reason ?? `the refund was ${refund.status}` };
  return { status: 'pending' };
}

export function createRefundActivities(deps: RefundDeps) {
  const { db, stripe, accounting: { onConnection, keyOf } } = deps;

  /**
   * The refund and what it refunds, alike for a payment and a quote payment: the PaymentIntent, what was paid, the
   * payer, and the invoice whose customer the reversal credits (a quote payment's own PF invoice).
   */
  async function load(ref: RefundRef) {
    const row = await db.selectFrom('payment_refunds')
      .leftJoin('payments', 'payments.id', 'payment_refunds.payment_id')
      .leftJoin('quote_payments', 'quote_payments.id', 'payment_refunds.quote_payment_id')
      .selectAll('payment_refunds')
      .select(['payments.stripe_payment_intent_id', 'payments.applications', 'payments.payer_id', 'payments.method', 'payments.amount_minor as paid_minor', 'payments.reference as payment_reference',
        'quote_payments.payment_intent_id as quote_intent_id', 'quote_payments.payer_id as quote_payer_id', 'quote_payments.method as quote_method',
        'quote_payments.amount_minor as quote_paid_minor', 'quote_payments.quote_id', 'quote_payments.invoice_id as quote_invoice_id', 'quote_payments.credit_note_id as quote_credit_note_id'])
      .where('payment_refunds.id', '=', ref.refundId).where('payment_refunds.merchant_id', '=', ref.merchantId).executeTakeFirst();
    if (!row) throw ApplicationFailure.nonRetryable(`no refund ${ref.refundId} for merchant ${ref.merchantId}`, 'UnknownRefund');
    if (row.quote_payment_id) {
      return {
        ...row, paid: `quote payment ${row.quote_payment_id}`, stripe_payment_intent_id: row.quote_intent_id, payer_id: row.quote_payer_id,
        method: (row.quote_method ?? 'card') as PaymentMethodKind, paid_minor: Number(row.quote_paid_minor), payment_reference: `quote ${row.quote_id}`,
        invoiceIds: [] as string[], quote: { quoteId: row.quote_id!, creditNoteId: row.quote_credit_note_id }, booksInvoiceId: row.quote_invoice_id ?? undefined,
      };
    }
    const invoiceIds = (row.applications ?? []).map((a) => a.invoiceId);
    return { ...row, paid: `payment ${row.payment_id}`, method: row.method!, paid_minor: Number(row.paid_minor), payment_reference: row.payment_reference ?? '',
      invoiceIds, quote: undefined, booksInvoiceId: invoiceIds[0] };
  }

  /** The refund in the merchant's words: "12.00 USD", and "The refund of 12.00 USD of payment … (Stripe refund re_…)". */
  function refundWords(row: Awaited<ReturnType<typeof load>>) {
    const amount = `${formatAmount(row.amount_minor, row.currency as Currency)} ${row.currency}`;
    return { amount, which: `The refund of ${amount} of ${row.paid}${row.stripe_refund_id ? ` (Stripe refund ${row.stripe_refund_id})` : ''}` };
  }

  return {
    /** Makes the Stripe refund (or, for a dashboard refund, reads it): its outcome so far. */
    async requestStripeRefund(ref: RefundRef): Promise<StripeRefundOutcome> {
      const row = await load(ref);
      const account = await merchantAccount(db, ref.merchantId);
      if (row.stripe_refund_id) return outcomeOf(await stripe.refunds.retrieve(row.stripe_refund_id, {}, account.options()));
      if (!row.stripe_payment_intent_id) throw ApplicationFailure.nonRetryable(`${row.paid} was not taken through Stripe`, 'NotRefundable');
      let refund: Stripe.Refund;
      try {
        refund = await stripe.refunds.create({
          // A surcharged payment's refund gives back its share of the surcharge too when the merchant's rule says so
          // (decided when it was asked for: surcharge_minor); one Stripe refund of both.
          payment_intent: row.stripe_payment_intent_id, amount: row.amount_minor + row.surcharge_minor,
          ...(row.reason ? { reason: row.reason as Stripe.RefundCreateParams.Reason } : {}),
          // How the Connect webhook tells Settle's own refunds from dashboard ones.
          metadata: { settle_refund_id: row.id, ...(row.quote_payment_id ? { settle_quote_payment_id: row.quote_payment_id } : { settle_payment_id: row.payment_id! }), settle_merchant_id: ref.merchantId },
        }, account.options(idempotencyKey(`refund/${ref.merchantId}/${row.id}`, 'stripe-refund')));
      } catch (err) {
        // Stripe refused the request itself (already refunded in the dashboard meanwhile, say): a failed refund.
        if ((err as Stripe.errors.StripeError)?.type === 'StripeInvalidRequestError') return { status: 'failed', failure: (err as Error).message };
        throw err;
      }
      await db.updateTable('payment_refunds').set({ stripe_refund_id: refund.id, updated_at: new Date() }).where('id', '=', row.id).execute();
      return outcomeOf(refund);
    },

    async readStripeRefund(ref: RefundRef): Promise<StripeRefundOutcome> {
      const row = await load(ref);
      if (!row.stripe_refund_id) return { status: 'pending' };
      return outcomeOf(await stripe.refunds.retrieve(row.stripe_refund_id, {}, (await merchantAccount(db, ref.merchantId)).options()));
    },

    /**
     * Stripe's final word, recorded once: succeeded (and the payer's confirmation queued, when Settle knows the
     * payer) or failed (a message for the merchant; the books are not touched).
     */
    async recordRefundOutcome(input: RefundRef & StripeRefundOutcome): Promise<{ emailed: boolean }> {
      if (input.status === 'pending') throw ApplicationFailure.nonRetryable('a pending refund has no outcome to record');
      const row = await load(input);
      const { amount } = refundWords(row);
      const emailed = await db.transaction().execute(async (trx) => {
        const changed = await trx.updateTable('payment_refunds')
          .set({ status: input.status as 'succeeded' | 'failed', failure: input.failure ?? null, updated_at: new Date(), ...(input.status === 'failed' ? { books_status: 'not-posted' as const } : {}) })
          .where('id', '=', row.id).where('status', '=', 'requested').returning('id').executeTakeFirst();
        if (!changed) return false;
        // Stripe decided at last: a "still pending" Action of this refund is answered (the books follow from here).
        await resolveMerchantActions(trx, input.merchantId, 'refund-pending', row.id);
        if (input.status === 'failed') {
          await postMerchantMessage(trx, { merchantId: input.merchantId, kind: 'refund-failed',
            text: `The refund of ${amount} of ${row.paid} failed at Stripe (${input.failure ?? 'no reason given'}); the books were not changed.` });
          await recordActivity(trx, { merchantId: input.merchantId, kind: 'refund-failed', subject: row.id, detail: `${amount} of ${row.paid}: ${input.failure ?? 'failed'}` });
          return false;
        }
        await recordActivity(trx, { merchantId: input.merchantId, kind: 'refund-succeeded', subject: row.id, detail: `${amount} of ${row.paid}` });
        if (!row.payer_id) return false;
        // The payer hears what came back to their card: with a surcharge given back, both.
        return deps.payerEmails.refundConfirmation(trx, { refundId: row.id, merchantId: input.merchantId, payerId: row.payer_id, amountMinor: row.amount_minor + row.surcharge_minor,
          currency: row.currency, method: row.method, invoiceIds: row.invoiceIds, ...(row.quote ? { quoteId: row.quote.quoteId } : {}), partial: row.amount_minor < row.paid_minor });
      });
      if (emailed) deps.wakeMail();
      return { emailed };
    },

    /**
     * A refund still pending at Stripe after a week: an Action for the merchant to look at it in the Stripe dashboard;
     * the books were not touched, as for any refund not known to succeed. `keepsWatching`: the refund workflow goes on
     * waiting and reverses it in the books when it succeeds (the Action is resolved then), so the merchant must not
     * record it by hand; without it (workflows from before), it stopped waiting and the merchant records it.
     */
    async raiseRefundPendingAction(input: RefundRef & { pendingForMs: number; keepsWatching?: boolean }): Promise<void> {
      const row = await load(input);
      const { amount, which } = refundWords(row);
      const days = Math.round(input.pendingForMs / 86_400_000);
      const waited = days >= 1 ? `${days} day${days === 1 ? '' : 's'}` : `${Math.max(1, Math.round(input.pendingForMs / 60_000))} minutes`;
      await raiseMerchantAction(db, { merchantId: input.merchantId, kind: 'refund-pending', subject: row.id,
        detail: input.keepsWatching
          ? `${which} is still pending at Stripe after ${waited}. Check it in the Stripe dashboard. Settle keeps watching it: when Stripe says it succeeded, Settle reverses it in the books and resolves this Action, so do not record it by hand; if it fails, the books stay as they are.`
          : `${which} is still pending at Stripe after ${waited}; Settle stopped waiting for it and did not change the books. Check it in the Stripe dashboard; once it succeeds, record the refund in the books by hand.` });
      await recordActivity(db, { merchantId: input.merchantId, kind: 'refund-pending', subject: row.id, detail: `${amount} of ${row.paid}: still pending after ${waited}` });
    },

    /** Months after its Action the refund is still pending and the workflow stops watching: a message hands it over. */
    async handOverPendingRefund(ref: RefundRef): Promise<void> {
      const row = await load(ref);
      const { amount, which } = refundWords(row);
      await postMerchantMessage(db, { merchantId: ref.merchantId, kind: 'refund-pending',
        text: `${which} is still pending at Stripe after months; Settle stopped watching it and did not change the books. Once it succeeds, record the refund in the books by hand.` });
      await recordActivity(db, { merchantId: ref.merchantId, kind: 'refund-pending', subject: row.id, detail: `${amount} of ${row.paid}: Settle stopped watching it` });
    },

    /** The reversal in the books of a refund that succeeded, once (the key derives from the refund's workflow). */
    async reverseRefundInBooks(ref: RefundRef): Promise<RefundBooksOutcome> {
      const row = await load(ref);
      if (row.books_status !== 'pending') return { status: row.books_status, records: row.books_records };
      if (row.status !== 'succeeded') throw ApplicationFailure.nonRetryable(`refund ${row.id} has not succeeded; nothing to reverse`, 'RefundNotSucceeded');
      const finish = async (outcome: RefundBooksOutcome) => {
        await db.updateTable('payment_refunds').set({ books_status: outcome.status, books_records: JSON.stringify(outcome.records), updated_at: new Date() })
          .where('id', '=', row.id).execute();
        return outcome;
      };
      const invoiceId = row.booksInvoiceId;
      if (!invoiceId) {
        const reason = `${row.paid} paid no invoice, so Settle does not know the customer to refund in the books`;
        await raiseMerchantAction(db, { merchantId: ref.merchantId, kind: 'refund-not-posted', subject: row.id, detail: `A refund of ${row.paid} went through at Stripe; ${reason}: record it by hand.` });
        return finish({ status: 'not-posted', reason, records: [] });
      }
      const key = keyOf('refund-reversal');
      const records = await onConnection(ref.merchantId, async (call, connection) => {
        const invoice = await call((p) => p.getInvoice(invoiceId));
        if (!invoice) return undefined;
        const accounts = await payoutAccountsOf(db, ref.merchantId, connection.platform, call);
        const defaults = DEFAULT_ACCOUNTS[connection.platform];
        const reversed = await call((p) => p.refundCustomer({
          contactId: invoice.contactId, amountMinor: row.amount_minor, currency: row.currency, date: new Date().toISOString().slice(0, 10),
          lineAccount: defaults.line, taxType: defaults.taxType, fromAccount: accounts.clearing,
          reference: `Refund ${row.stripe_refund_id ?? row.id}`, description: `Refund of ${row.payment_reference}${row.reason ? ` (${row.reason})` : ''}`,
        }, key));
        if (row.surcharge_minor === 0) return reversed;
        // The surcharge given back leaves the surcharge revenue account (and its tax code), as it went in: apart.
        const books = (await merchantSurcharges(db, ref.merchantId))?.books;
        const surcharge = await call((p) => p.refundCustomer({
          contactId: invoice.contactId, amountMinor: row.surcharge_minor, currency: row.currency, date: new Date().toISOString().slice(0, 10),
          lineAccount: books?.revenueAccountCode ?? defaults.line, taxType: books?.taxCode ?? defaults.taxType, fromAccount: accounts.clearing,
          reference: `Refund ${row.stripe_refund_id ?? row.id} surcharge`, description: `Card surcharge given back with the refund of ${row.payment_reference}`,
        }, keyOf('surcharge-refund-reversal')));
        return [...reversed, ...surcharge];
      });
      if (!records) {
        const reason = `invoice ${invoiceId}, which ${row.paid} paid, is no longer in the books`;
        await raiseMerchantAction(db, { merchantId: ref.merchantId, kind: 'refund-not-posted', subject: row.id, detail: `A refund of ${row.paid} went through at Stripe; ${reason}: record it by hand.` });
        return finish({ status: 'not-posted', reason, records: [] });
      }
      if (row.quote) {
        // The quote payment also made a credit note (PF) that credits the customer with the whole payment towards the
        // PSA's downpayment invoice. Whether that credit should shrink (not yet allocated) or the downpayment invoice be
        // reissued (allocated already) is the merchant's call, so Settle says so instead of guessing.
        const { amount } = refundWords(row);
        await raiseMerchantAction(db, { merchantId: ref.merchantId, kind: 'quote-refund-credit-note', subject: row.id,
          detail: `Quote ${row.quote.quoteId} was refunded ${amount} and the refund was recorded in the books; its credit note (PF${row.quote.creditNoteId ? ` ${row.quote.creditNoteId}` : ''}) still credits the customer with the full quote payment: reduce or void it.` });
      }
      await recordActivity(db, { merchantId: ref.merchantId, kind: 'refund-reversed', subject: row.id, detail: records.map((r) => `${r.kind} ${r.id}`).join(', ') });
      return finish({ status: 'reversed', records });
    },
  };
}
