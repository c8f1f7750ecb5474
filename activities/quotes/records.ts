// What a quote payment leaves in Postgres: its state (for reads after the workflow closes and for past payments),
// the saved method and billing terms of a recurring portion, merchant actions, and the payer's emails about an attempt.
import { ApplicationFailure } from '@temporalio/common';
import { raiseMerchantAction, type NewAction } from '../../db/actions';
import { findQuotePayment, saveQuotePaymentState } from '../../db/quote-payments';
import { derivedId } from '../../lib/ids';
import type { QuotePaymentState } from '../../workflows/quotes/definitions';
import { merchantAccount } from '../stripe/connected-account';
import type { QuoteActivityDeps } from './deps';

export function createQuoteRecordActivities({ db, stripe, payerEmails, wakeMail }: QuoteActivityDeps) {
  return {
    /** The state, and with a paid or failed attempt the payer's receipt or "declined" email (one per attempt). */
    async saveQuotePaymentState(input: { merchantId: string; state: QuotePaymentState }): Promise<void> {
      const emailed = await db.transaction().execute(async (trx) => {
        await saveQuotePaymentState(trx, input.merchantId, input.state);
        return payerEmails.quotePaymentOutcome(trx, input.merchantId, input.state);
      });
      if (emailed) wakeMail();
    },

    async raiseMerchantAction(action: NewAction): Promise<void> {
      await raiseMerchantAction(db, action);
    },

    /**
     * The recurring portion: the method the payer saved while paying (Stripe's id only) and billing terms that
     * charge it on each invoice's due date, up to the recurring amount, so automatic payments can take over
     * without the merchant mapping anything by hand.
     */
    /** `contactId`: the quote's customer in the books, whose invoices the terms pay (absent in histories before it was passed). */
    async saveRecurringAgreement(input: { quotePaymentId: string; paymentIntentId: string; contactId?: string }): Promise<{ billingTermsId: string }> {
      const quote = await findQuotePayment(db, input.quotePaymentId);
      if (!quote?.payer_id || quote.recurring_amount_minor === null) {
        throw ApplicationFailure.nonRetryable(`quote payment ${input.quotePaymentId} has no payer or no recurring portion`, 'NoRecurringPortion');
      }
      const intent = await stripe.paymentIntents.retrieve(input.paymentIntentId, {}, (await merchantAccount(db, quote.merchant_id)).options());
      const paymentMethodId = typeof intent.payment_method === 'string' ? intent.payment_method : intent.payment_method?.id;
      if (!paymentMethodId) throw ApplicationFailure.nonRetryable(`payment ${input.paymentIntentId} has no payment method`, 'NoPaymentMethod');
      const type = intent.payment_method_types.includes('card') ? 'card' : 'bank_debit';
      const methodId = derivedId('ppm', quote.payer_id, paymentMethodId);
      const termsId = derivedId('bt', quote.merchant_id, 'cpq-quote', quote.id);
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('payer_payment_methods')
          .values({ id: methodId, payer_id: quote.payer_id!, stripe_payment_method_id: paymentMethodId, type })
          .onConflict((oc) => oc.constraint('payer_payment_methods_payer_pm').doNothing()).execute();
        await trx.insertInto('billing_terms')
          .values({ id: termsId, merchant_id: quote.merchant_id, payer_id: quote.payer_id!, source: 'cpq-quote', source_id: quote.id,
            payment_method_id: methodId, rule: 'due-date', days_after: null, max_amount_minor: quote.recurring_amount_minor!,
            currency: quote.currency, interval: quote.recurring_interval ?? 'month', contact_id: input.contactId ?? null })
          .onConflict((oc) => oc.constraint('billing_terms_source').doNothing()).execute();
        if (input.contactId) {
          await trx.insertInto('payer_contacts').values({ merchant_id: quote.merchant_id, payer_id: quote.payer_id!, contact_id: input.contactId })
            .onConflict((oc) => oc.columns(['merchant_id', 'payer_id', 'contact_id']).doNothing()).execute();
        }
      });
      return { billingTermsId: termsId };
    },
  };
}
