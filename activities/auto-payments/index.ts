// Automatic payments by billing terms. Which invoices are due is read from the accounting package (and kept in
// Settle's copy); each charge attempt first re-reads its invoice (paid, voided or changed meanwhile is not charged,
// or is charged the new amount due), then charges the payer's saved method off-session with a Stripe idempotency
// key per invoice and attempt, so a scheduler that runs twice or a worker that dies mid-charge charges once.
import { ApplicationFailure } from '@temporalio/common';
import type Stripe from 'stripe';
import { raiseMerchantAction } from '../../db/actions';
import type { Db } from '../../db/database';
import { enqueueEmail } from '../../db/outbox';
import { findPayer, payerDetails } from '../../db/payers';
import type { Keyring } from '../../lib/crypto/sealed-box';
import { derivedId } from '../../lib/ids';
import type { MailWaker } from '../../lib/mail/relay';
import { autoPaymentFailedTemplate } from '../../lib/mail/templates';
import { formatAmount, type Currency } from '../../lib/money';
import { decideCharge, type BillingTerms, type ChargeDecision } from '../../lib/payments/auto-payment';
import type { accountingRunner } from '../accounting';
import type { Invoice } from '../accounting/platform';
import { outcomeOf, stripeMethodTypes, workflowKey, type IntentOutcome } from '../quotes/stripe-intents';
import { chargingAccount, merchantAccount } from '../stripe/connected-account';
import { saveInvoiceCopies } from '../accounting-data/invoice-copies';
import type { ReminderStopper } from '../reminders/stop-reminders';

export interface AutoPaymentDeps {
  db: Db;
  keyring: Keyring;
  stripe: Stripe;
  accounting: ReturnType<typeof accountingRunner>;
  wakeMail: MailWaker;
  stopReminders: ReminderStopper;
}

export interface DueInvoice {
  invoiceId: string;
  termsId: string;
  payerId: string;
  currency: string;
}

export interface ChargeResult {
  outcome: IntentOutcome;
  /** The Settle payment this charge becomes once it succeeds (derived from invoice and attempt). */
  paymentId: string;
  paymentIntentId?: string;
  failure?: string;
  method: 'card' | 'bank_debit';
}

const termsOf = (row: { rule: BillingTerms['rule']; days_after: number | null; max_amount_minor: number; currency: string; status: BillingTerms['status'] }): BillingTerms =>
  ({ rule: row.rule, daysAfter: row.days_after, maxAmountMinor: row.max_amount_minor, currency: row.currency, status: row.status });

export function createAutoPaymentActivities({ db, keyring, stripe, accounting, wakeMail, stopReminders }: AutoPaymentDeps) {
  const { onConnection } = accounting;

  async function termsRow(merchantId: string, termsId: string) {
    const row = await db.selectFrom('billing_terms').selectAll().where('id', '=', termsId).where('merchant_id', '=', merchantId).executeTakeFirst();
    if (!row) throw ApplicationFailure.nonRetryable(`no billing terms ${termsId}`, 'UnknownBillingTerms');
    return row;
  }

  return {
    /** Today's charges for the merchant: each active terms' contact's outstanding invoices whose charge date has come. */
    async findAutoPaymentsDue(input: { merchantId: string; today: string }): Promise<DueInvoice[]> {
      const terms = await db.selectFrom('billing_terms').selectAll().where('merchant_id', '=', input.merchantId).where('status', '=', 'active')
        .where('contact_id', 'is not', null).orderBy('created_at').execute();
      if (!terms.length) return [];
      const outstanding = await onConnection(input.merchantId, async (call) => {
        const byContact = new Map<string, Invoice[]>();
        for (const contactId of new Set(terms.map((t) => t.contact_id!))) {
          const found: Invoice[] = [];
          for (let page: number | undefined = 1; page; ) {
            const result = await call((p) => p.listInvoices({ contactId, outstandingOnly: true, page }));
            found.push(...result.invoices);
            page = result.nextPage;
          }
          byContact.set(contactId, found);
        }
        return byContact;
      });
      await stopReminders(input.merchantId, await saveInvoiceCopies(db, input.merchantId, [...outstanding.values()].flat()));
      const due: DueInvoice[] = [];
      const taken = new Set<string>();
      for (const t of terms) {
        for (const invoice of outstanding.get(t.contact_id!) ?? []) {
          // One set of terms per invoice: the oldest terms for the contact take it.
          if (taken.has(invoice.id)) continue;
          const decision = decideCharge(termsOf(t), invoice, input.today);
          if (!decision.charge) {
            // Due but more than the payer agreed to: the merchant decides, Settle does not charge.
            if (decision.reason === 'over-maximum') await raiseMerchantAction(db, { merchantId: input.merchantId, kind: 'auto-payment-over-maximum', subject: invoice.id,
              detail: `Invoice ${invoice.number} is due but its amount due is over the maximum of the payer's billing terms ${t.id}; it was not charged.` });
            continue;
          }
          taken.add(invoice.id);
          due.push({ invoiceId: invoice.id, termsId: t.id, payerId: t.payer_id, currency: t.currency });
        }
      }
      return due;
    },

    /** Reads the invoice now, from the accounting package: the decision each attempt is made on. */
    async checkInvoiceForCharge(input: { merchantId: string; invoiceId: string; termsId: string; today: string }): Promise<ChargeDecision> {
      const terms = await termsRow(input.merchantId, input.termsId);
      const invoice = await onConnection(input.merchantId, (call) => call((p) => p.getInvoice(input.invoiceId)));
      if (!invoice) return { charge: false, reason: 'not-owed', detail: 'the invoice no longer exists in the accounting package' };
      await stopReminders(input.merchantId, await saveInvoiceCopies(db, input.merchantId, [invoice]));
      return decideCharge(termsOf(terms), invoice, input.today);
    },

    /** One off-session charge of the saved method: a retry of this activity (same key) is the same charge. */
    async autoPaymentSettings(input: { merchantId: string }) {
      const m = await db.selectFrom('merchants').select(['timezone', 'auto_pay_attempts', 'auto_pay_retry_days']).where('id', '=', input.merchantId).executeTakeFirstOrThrow();
      return { timezone: m.timezone, attempts: m.auto_pay_attempts, retryDays: m.auto_pay_retry_days };
    },

    async chargeInvoice(input: { merchantId: string; invoiceId: string; termsId: string; attempt: number; amountMinor: number }): Promise<ChargeResult> {
      const paymentId = derivedId('pay', input.merchantId, input.invoiceId, String(input.attempt));
      const terms = await termsRow(input.merchantId, input.termsId);
      const method = await db.selectFrom('payer_payment_methods').selectAll().where('id', '=', terms.payment_method_id).executeTakeFirstOrThrow();
      const payer = await findPayer(db, input.merchantId, terms.payer_id);
      if (!payer?.stripe_customer_id) throw ApplicationFailure.nonRetryable(`payer ${terms.payer_id} has no saved customer`, 'NoSavedMethod');
      const kind = method.type === 'card' ? 'card' : 'bank_debit';
      await db.insertInto('auto_payment_attempts').values({ merchant_id: input.merchantId, invoice_id: input.invoiceId, attempt: input.attempt, terms_id: terms.id, amount_minor: input.amountMinor })
        .onConflict((oc) => oc.columns(['merchant_id', 'invoice_id', 'attempt']).doNothing()).execute();
      const account = await chargingAccount(db, input.merchantId);
      let result: ChargeResult;
      try {
        const intent = await stripe.paymentIntents.create({
          amount: input.amountMinor, currency: terms.currency.toLowerCase(), customer: payer.stripe_customer_id, payment_method: method.stripe_payment_method_id,
          allowed_payment_method_types: stripeMethodTypes(kind, terms.currency) as Stripe.PaymentIntentCreateParams.AllowedPaymentMethodType[],
          off_session: true, confirm: true, description: `Automatic payment of invoice ${input.invoiceId}`,
          ...account.applicationFee(input.amountMinor),
          metadata: { settle_merchant_id: input.merchantId, settle_invoice_id: input.invoiceId, settle_attempt: String(input.attempt) },
        }, account.options(workflowKey(`charge-${input.attempt}`)));
        result = { ...outcomeOf(intent), paymentId, paymentIntentId: intent.id, method: kind };
      } catch (err) {
        // A decline is an answer, not an outage: Stripe says 402 with the intent it failed.
        const card = err as Stripe.errors.StripeCardError;
        if (card?.type !== 'StripeCardError') throw err;
        result = { outcome: 'failed', failure: card.message, paymentId, paymentIntentId: card.payment_intent?.id, method: kind };
      }
      await db.updateTable('auto_payment_attempts').set({ payment_intent_id: result.paymentIntentId ?? null, failure: result.failure ?? null,
        outcome: result.outcome === 'open' ? 'charging' : result.outcome }).where('merchant_id', '=', input.merchantId).where('invoice_id', '=', input.invoiceId).where('attempt', '=', input.attempt).execute();
      return result;
    },

    /** A bank debit's outcome, asked of Stripe while it is processing. */
    async readAutoPaymentIntent(input: { merchantId: string; invoiceId: string; attempt: number; paymentIntentId: string }): Promise<{ outcome: IntentOutcome; failure?: string }> {
      const intent = await stripe.paymentIntents.retrieve(input.paymentIntentId, {}, (await merchantAccount(db, input.merchantId)).options());
      if (intent.metadata?.settle_invoice_id !== input.invoiceId) throw ApplicationFailure.nonRetryable(`payment ${input.paymentIntentId} is not for ${input.invoiceId}`, 'ForeignPaymentIntent');
      const read = outcomeOf(intent);
      if (read.outcome !== 'processing' && read.outcome !== 'open') {
        await db.updateTable('auto_payment_attempts').set({ outcome: read.outcome, failure: read.failure ?? null })
          .where('merchant_id', '=', input.merchantId).where('invoice_id', '=', input.invoiceId).where('attempt', '=', input.attempt).execute();
      }
      return read;
    },

    /** Tells the payer a charge failed, with a link to pay now; the last failure also raises a merchant action. */
    async notifyAutoPaymentFailed(input: { merchantId: string; invoiceId: string; termsId: string; attempt: number; failure: string; payNowUrl: string; lastAttempt: boolean }) {
      const terms = await termsRow(input.merchantId, input.termsId);
      const payer = await findPayer(db, input.merchantId, terms.payer_id);
      const copy = await db.selectFrom('accounting_invoices').selectAll().where('merchant_id', '=', input.merchantId).where('id', '=', input.invoiceId).executeTakeFirst();
      const what = copy ? `invoice ${copy.number} (${formatAmount(copy.amount_due_minor, copy.currency as Currency)} ${copy.currency})` : 'your invoice';
      if (payer) {
        const { email, name } = payerDetails(keyring, payer);
        const written = await enqueueEmail(db, keyring, { merchantId: input.merchantId, template: 'auto-payment-failed', dedupeKey: `auto-payment-failed:${input.invoiceId}:${input.attempt}`, message: {
          to: email,
          ...autoPaymentFailedTemplate({ name, what, failure: input.failure, lastAttempt: input.lastAttempt, payNowUrl: input.payNowUrl }),
        } });
        if (written) wakeMail();
      }
      if (input.lastAttempt) {
        await raiseMerchantAction(db, { merchantId: input.merchantId, kind: 'auto-payment-failed', subject: input.invoiceId,
          detail: `Every automatic payment attempt for ${what} failed (last: ${input.failure}). Contact the payer or take the payment another way.` });
      }
    },
  };
}
