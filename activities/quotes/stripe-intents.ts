// The Stripe side of a quote payment: a PaymentIntent per attempt (idempotent per workflow and attempt), read back
// to learn the outcome (never taken from the browser), and cancelled when a checkout is abandoned or replaced.
import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import type Stripe from 'stripe';
import { findPayer, payerDetails } from '../../db/payers';
import { findQuotePayment } from '../../db/quote-payments';
import { idempotencyKey } from '../../lib/idempotency';
import { bankDebitScheme, type BankDebitScheme, type PaymentMethodKind } from '../../lib/quotes/methods';
import { flagUnreviewedSurcharge } from '../invoice-payments/surcharge';
import { chargingAccount, merchantAccount } from '../stripe/connected-account';
import type { QuoteActivityDeps } from './deps';

export type IntentOutcome = 'succeeded' | 'processing' | 'failed' | 'open';

/** Stripe's payment method type of each bank-debit scheme. */
export const STRIPE_BANK_DEBIT_TYPES: Record<BankDebitScheme, string> = { ach: 'us_bank_account', becs: 'au_becs_debit' };

/** Stripe's payment method types for a method in a currency. */
export function stripeMethodTypes(method: PaymentMethodKind, currency: string): string[] {
  if (method === 'card') return ['card'];
  const scheme = bankDebitScheme(currency);
  if (!scheme) throw ApplicationFailure.nonRetryable(`no bank debit scheme for ${currency}`, 'MethodUnavailable');
  return [STRIPE_BANK_DEBIT_TYPES[scheme]];
}

export function outcomeOf(intent: Stripe.PaymentIntent): { outcome: IntentOutcome; failure?: string } {
  if (intent.status === 'succeeded') return { outcome: 'succeeded' };
  if (intent.status === 'processing') return { outcome: 'processing' };
  if (intent.status === 'canceled') return { outcome: 'failed', failure: 'the payment was cancelled' };
  if (intent.status === 'requires_payment_method' && intent.last_payment_error) {
    return { outcome: 'failed', failure: intent.last_payment_error.message ?? 'the payment failed' };
  }
  return { outcome: 'open' };
}

/** The idempotency key of a Stripe write, derived from the calling workflow and the operation. */
export function workflowKey(operation: string): string {
  const workflow = Context.current().info.workflowExecution;
  if (!workflow) throw ApplicationFailure.nonRetryable('Stripe writes run inside a workflow (their key derives from it)');
  return idempotencyKey(workflow.workflowId, operation);
}

/** The payer's Stripe customer, made once (a recurring portion saves the method to it; invoice payments use it too). */
export async function stripeCustomerFor({ db, keyring, stripe }: Pick<QuoteActivityDeps, 'db' | 'keyring' | 'stripe'>, merchantId: string, payerId: string): Promise<string> {
  const payer = await findPayer(db, merchantId, payerId);
  if (!payer) throw ApplicationFailure.nonRetryable(`no payer ${payerId}`, 'UnknownPayer');
  if (payer.stripe_customer_id) return payer.stripe_customer_id;
  const { name, email, phone } = payerDetails(keyring, payer);
  // On the merchant's connected account, where the payer's payments are made (direct charges).
  const account = await chargingAccount(db, merchantId);
  const customer = await stripe.customers.create({ name, email, phone, metadata: { settle_payer_id: payerId, settle_merchant_id: merchantId } },
    account.options(idempotencyKey(payerId, 'stripe-customer')));
  await db.updateTable('payers').set({ stripe_customer_id: customer.id }).where('id', '=', payerId).execute();
  return customer.id;
}

export function createStripeIntentActivities({ db, keyring, stripe }: QuoteActivityDeps) {
  const customerFor = (merchantId: string, payerId: string) => stripeCustomerFor({ db, keyring, stripe }, merchantId, payerId);

  return {
    async createQuotePaymentIntent(input: { quotePaymentId: string; attempt: number; method: PaymentMethodKind; payerId?: string }): Promise<{ paymentIntentId: string }> {
      const quote = await findQuotePayment(db, input.quotePaymentId);
      if (!quote) throw ApplicationFailure.nonRetryable(`no quote payment ${input.quotePaymentId}`, 'UnknownQuotePayment');
      const recurring = quote.recurring_amount_minor !== null;
      const account = await chargingAccount(db, quote.merchant_id);
      const customer = input.payerId ? await customerFor(quote.merchant_id, input.payerId) : undefined;
      const intent = await stripe.paymentIntents.create(
        {
          amount: quote.amount_minor,
          currency: quote.currency.toLowerCase(),
          // Stripe's current API names the methods a payment may use `allowed_payment_method_types`.
          allowed_payment_method_types: stripeMethodTypes(input.method, quote.currency) as Stripe.PaymentIntentCreateParams.AllowedPaymentMethodType[],
          ...(customer ? { customer } : {}),
          // The recurring portion is charged later, off-session, with the method saved now.
          ...(recurring && customer ? { setup_future_usage: 'off_session' as const } : {}),
          description: `Quote ${quote.quote_id}`,
          ...account.applicationFee(quote.amount_minor),
          metadata: { settle_merchant_id: quote.merchant_id, settle_quote_payment_id: quote.id, settle_attempt: String(input.attempt) },
        },
        account.options(workflowKey(`payment-intent-${input.attempt}`)),
      );
      return { paymentIntentId: intent.id };
    },

    async readQuotePaymentIntent(input: { quotePaymentId: string; paymentIntentId: string }): Promise<{ outcome: IntentOutcome; failure?: string }> {
      const quote = await findQuotePayment(db, input.quotePaymentId);
      if (!quote) throw ApplicationFailure.nonRetryable(`no quote payment ${input.quotePaymentId}`, 'UnknownQuotePayment');
      const account = await merchantAccount(db, quote.merchant_id);
      const intent = await stripe.paymentIntents.retrieve(input.paymentIntentId, {}, account.options());
      if (intent.metadata?.settle_quote_payment_id !== input.quotePaymentId) {
        throw ApplicationFailure.nonRetryable(`payment ${input.paymentIntentId} does not belong to ${input.quotePaymentId}`, 'ForeignPaymentIntent');
      }
      await flagUnreviewedSurcharge(db, quote.merchant_id, intent);
      return outcomeOf(intent);
    },

    /** `merchantId`: absent in histories from before Connect; the quote payment holding the intent names it then. */
    async cancelQuotePaymentIntent(input: { paymentIntentId: string; merchantId?: string }): Promise<void> {
      const merchantId = input.merchantId ?? (await db.selectFrom('quote_payments').select('merchant_id')
        .where('payment_intent_id', '=', input.paymentIntentId).executeTakeFirst())?.merchant_id;
      if (!merchantId) throw ApplicationFailure.nonRetryable(`no quote payment has payment ${input.paymentIntentId}`, 'UnknownPaymentIntent');
      const account = await merchantAccount(db, merchantId);
      const intent = await stripe.paymentIntents.retrieve(input.paymentIntentId, {}, account.options());
      // Only an intent still waiting for the payer can be released; one that moved on stays as it is.
      if (['requires_payment_method', 'requires_confirmation', 'requires_action'].includes(intent.status)) {
        await stripe.paymentIntents.cancel(input.paymentIntentId, { cancellation_reason: 'abandoned' }, account.options(idempotencyKey(input.paymentIntentId, 'cancel')));
      }
    },
  };
}
