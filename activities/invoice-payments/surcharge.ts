// The surcharge of an open Pay Now checkout, once Stripe has the payer's payment method: read the method from Stripe
// (brand, funding, issuing country, billing address), compute the surcharge from the merchant's settings and the
// rules (lib/surcharges, never a number from the page), and set the PaymentIntent's amount to the invoices plus the
// surcharge with that method attached: one payment of the total. Asked again (another card), it is computed again
// from the invoices' amount, never from the intent's current amount.
import { ApplicationFailure } from '@temporalio/common';
import type Stripe from 'stripe';
import type { Db } from '../../db/database';
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

export function createCheckoutSurchargeActivities(deps: { db: Db; stripe: Stripe }) {
  const { db, stripe } = deps;
  return {
    async applyCheckoutSurcharge(input: CheckoutSurchargeInput): Promise<CheckoutSurcharge> {
      const account = await merchantAccount(db, input.merchantId);
      const intent = await stripe.paymentIntents.retrieve(input.paymentIntentId, {}, account.options());
      if (intent.metadata?.settle_checkout_id !== input.checkoutId) {
        throw ApplicationFailure.nonRetryable(`payment ${input.paymentIntentId} does not belong to checkout ${input.checkoutId}`, 'ForeignPaymentIntent');
      }
      const pm = await stripe.paymentMethods.retrieve(input.paymentMethodId, {}, account.options());
      const instrument = instrumentOf(pm);
      // Exempt customers: the checkout's invoices all belong to one contact of the payer's (or each is exempt).
      const contacts = input.invoiceIds.length
        ? await db.selectFrom('accounting_invoices').select('contact_id').distinct().where('merchant_id', '=', input.merchantId).where('id', 'in', input.invoiceIds).execute()
        : [];
      const settings = await surchargeRulesOf(db, input.merchantId);
      const quotes = (contacts.length ? contacts.map((c) => c.contact_id) : [undefined]).map((contactId) => computeSurcharge({
        settings, amountMinor: input.amountMinor, currency: input.currency, instrument, payerPlace: payerPlaceOf(pm), contactId, at: new Date(),
      }));
      // Several contacts: the lowest (an exempt one exempts the checkout; never more than any one of them allows).
      const quote = quotes.reduce((a, b) => (b.surchargeMinor < a.surchargeMinor ? b : a));
      const totalMinor = input.amountMinor + quote.surchargeMinor;
      await stripe.paymentIntents.update(intent.id, {
        amount: totalMinor,
        payment_method: pm.id,
        ...account.applicationFee(totalMinor),
        metadata: { settle_surcharge_minor: String(quote.surchargeMinor), settle_amount_before_surcharge_minor: String(input.amountMinor) },
      }, account.options(idempotencyKey(intent.id, `surcharge-${pm.id}-${totalMinor}`)));
      return {
        paymentMethodId: pm.id,
        method: instrument.kind === 'card' ? { kind: 'card', brand: instrument.brand, funding: instrument.funding, country: instrument.country } : { kind: 'bank_debit' },
        surchargeMinor: quote.surchargeMinor, totalMinor, explanation: quote.explanation, appliedRuleIds: quote.appliedRuleIds,
      };
    },
  };
}
