// The surcharge of an open Pay Now checkout, once Stripe has the payer's payment method: read the method from Stripe
// (brand, funding, issuing country, billing address), compute the surcharge from the merchant's settings and the
// rules (lib/surcharges, never a number from the page), and set the PaymentIntent's amount to the invoices plus the
// surcharge with that method attached: one payment of the total. Asked again (another card), it is computed again
// from the invoices' amount, never from the intent's current amount.
import { ApplicationFailure } from '@temporalio/common';
import type Stripe from 'stripe';
import type { Db } from '../../db/database';
import { raiseMerchantAction } from '../../db/actions';
import { findQuotePayment } from '../../db/quote-payments';
import { surchargeRulesOf } from '../../db/surcharges';
import { idempotencyKey } from '../../lib/idempotency';
import { computeSurcharge, instrumentOf, payerPlaceOf } from '../../lib/surcharges';
import { merchantAccount } from '../stripe/connected-account';

export interface CheckoutSurchargeInput {
  merchantId: string;
  checkoutId: string;
  paymentIntentId: string;
  /** As the payer's browser (Stripe.js) or the sandbox page named it: read from Stripe, never trusted for facts. */
  paymentMethodId: string;
  /** The invoices' total, minor units: what the surcharge is a percentage of. */
  amountMinor: number;
  currency: string;
  invoiceIds: string[];
}

/** What the workflow keeps and the page shows; no card number, no personal data. */
export interface CheckoutSurcharge {
  paymentMethodId: string;
  method: { kind: 'card'; brand: string; funding: string; country: string } | { kind: 'bank_debit' };
  surchargeMinor: number;
  totalMinor: number;
  /** Why it is zero or lower than the merchant's fee (a law or card-network rule), for the payer. */
  explanation: string;
  appliedRuleIds: string[];
}

/** A quote payment's surcharge ask (issue 27): its open PaymentIntent, the quote's amount. */
export interface QuoteSurchargeInput {
  merchantId: string;
  quotePaymentId: string;
  paymentIntentId: string;
  paymentMethodId: string;
  /** The quote's one-time amount, minor units: what the surcharge is a percentage of. */
  amountMinor: number;
  currency: string;
}

export function createCheckoutSurchargeActivities(deps: { db: Db; stripe: Stripe }) {
  const { db, stripe } = deps;

  /**
   * The one way a surcharge reaches a PaymentIntent, for a Pay Now checkout and a quote payment alike: the method read
   * from Stripe, the surcharge computed for each of the payer's contacts (the lowest wins: an exempt one exempts the
   * payment), the intent set to amount + surcharge with that method attached.
   */
  async function surchargeIntent(input: { merchantId: string; paymentIntentId: string; paymentMethodId: string; amountMinor: number; currency: string },
    owns: (intent: Stripe.PaymentIntent) => boolean, contactIds: string[]): Promise<CheckoutSurcharge> {
    const account = await merchantAccount(db, input.merchantId);
    const intent = await stripe.paymentIntents.retrieve(input.paymentIntentId, {}, account.options());
    if (!owns(intent)) throw ApplicationFailure.nonRetryable(`payment ${input.paymentIntentId} is not this payment's`, 'ForeignPaymentIntent');
    const pm = await stripe.paymentMethods.retrieve(input.paymentMethodId, {}, account.options());
    const instrument = instrumentOf(pm);
    const settings = await surchargeRulesOf(db, input.merchantId);
    const quotes = (contactIds.length ? contactIds : [undefined]).map((contactId) => computeSurcharge({
      settings, amountMinor: input.amountMinor, currency: input.currency, instrument, payerPlace: payerPlaceOf(pm), contactId, at: new Date(),
    }));
    const quote = quotes.reduce((a, b) => (b.surchargeMinor < a.surchargeMinor ? b : a));
    const totalMinor = input.amountMinor + quote.surchargeMinor;
    await stripe.paymentIntents.update(intent.id, {
      amount: totalMinor,
      payment_method: pm.id,
      ...account.applicationFee(totalMinor),
      metadata: { settle_surcharge_minor: String(quote.surchargeMinor), settle_amount_before_surcharge_minor: String(input.amountMinor), settle_surcharge_payment_method: pm.id },
    }, account.options(idempotencyKey(intent.id, `surcharge-${pm.id}-${totalMinor}`)));
    return {
      paymentMethodId: pm.id,
      method: instrument.kind === 'card' ? { kind: 'card', brand: instrument.brand, funding: instrument.funding, country: instrument.country } : { kind: 'bank_debit' },
      surchargeMinor: quote.surchargeMinor, totalMinor, explanation: quote.explanation, appliedRuleIds: quote.appliedRuleIds,
    };
  }

  return {
    async applyCheckoutSurcharge(input: CheckoutSurchargeInput): Promise<CheckoutSurcharge> {
      // Exempt customers: the checkout's invoices all belong to one contact of the payer's (or each is exempt).
      const contacts = input.invoiceIds.length
        ? await db.selectFrom('accounting_invoices').select('contact_id').distinct().where('merchant_id', '=', input.merchantId).where('id', 'in', input.invoiceIds).execute()
        : [];
      return surchargeIntent(input, (intent) => intent.metadata?.settle_checkout_id === input.checkoutId, contacts.map((c) => c.contact_id));
    },

    /**
     * The same for a quote payment's open PaymentIntent. The quote's customer becomes a contact in the books only when
     * the payment is booked, so the exemptions are read from the contacts a registered payer pays for (a guest's
     * customer is not known to be anyone's before then).
     */
    async applyQuoteSurcharge(input: QuoteSurchargeInput): Promise<CheckoutSurcharge> {
      const quote = await findQuotePayment(db, input.quotePaymentId);
      if (!quote || quote.merchant_id !== input.merchantId) throw ApplicationFailure.nonRetryable(`no quote payment ${input.quotePaymentId}`, 'UnknownQuotePayment');
      const contactIds = quote.payer_id
        ? (await db.selectFrom('payer_contacts').select('contact_id').where('payer_id', '=', quote.payer_id).execute()).map((c) => c.contact_id)
        : [];
      return surchargeIntent(input, (intent) => intent.metadata?.settle_quote_payment_id === input.quotePaymentId, contactIds);
    },
  };
}

/**
 * After a card payment succeeded: was it charged what the server worked out for the card it was paid with? The
 * Stripe.js checkout confirms from the payer's browser, so a page that skipped the review (no surcharge worked out
 * while the merchant surcharges) or confirmed another card than the one reviewed is put to the merchant as an Action,
 * never passed over. The books still record what was charged (the intent's amount); this only flags it.
 */
export async function flagUnreviewedSurcharge(db: Db, merchantId: string, intent: Stripe.PaymentIntent): Promise<void> {
  if (intent.status !== 'succeeded' || !intent.payment_method_types.includes('card')) return;
  const paidWith = typeof intent.payment_method === 'string' ? intent.payment_method : intent.payment_method?.id;
  const reviewed = intent.metadata?.settle_surcharge_payment_method;
  let problem: string | undefined;
  if (reviewed && paidWith !== reviewed) {
    problem = `was confirmed with another card (${paidWith ?? 'unknown'}) than the one its ${intent.metadata.settle_surcharge_minor} surcharge (minor units) was worked out for (${reviewed}): check that surcharge is allowed for the card paid with, and refund it if not`;
  } else if (!reviewed && (await surchargeRulesOf(db, merchantId)).enabled) {
    problem = 'was confirmed without the surcharge review, so it carried no surcharge';
  }
  if (problem) await raiseMerchantAction(db, { merchantId, kind: 'surcharge-not-reviewed', subject: intent.id, detail: `Card payment ${intent.id} ${problem}.` });
}
