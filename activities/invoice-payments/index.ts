// Pay Now for invoices: claim the selected invoices for one checkout, read them again from the accounting package
// (the amount charged is what is due there now), open one PaymentIntent for the total (keyed by the workflow, so a
// retried activity is the same intent), read its outcome from Stripe, and release it and the invoices when the
// checkout ends unpaid. Recording and posting the payment reuse the payment activities (activities/payments).
import { ApplicationFailure } from '@temporalio/common';
import type Stripe from 'stripe';
import type { Db } from '../../db/database';
import { claimInvoices, releaseClaims } from '../../db/invoice-payment-claims';
import type { Keyring } from '../../lib/crypto/sealed-box';
import { derivedId } from '../../lib/ids';
import { idempotencyKey } from '../../lib/idempotency';
import type { MailWaker } from '../../lib/mail/relay';
import { partialPaymentSettings } from '../../db/merchants';
import { resolveSelection, type RequestedAmounts, type Selection } from '../../lib/payments/invoice-selection';
import type { PaymentMethodKind } from '../../lib/quotes/methods';
import type { accountingRunner } from '../accounting';
import type { Invoice } from '../accounting/platform';
import { saveInvoiceCopies } from '../accounting-data/invoice-copies';
import type { ReminderStopper } from '../reminders/stop-reminders';
import type { PayerEmails } from '../notifications/payer-emails';
import { outcomeOf, stripeCustomerFor, stripeMethodTypes, workflowKey, type IntentOutcome } from '../quotes/stripe-intents';
import { chargingAccount, merchantAccount } from '../stripe/connected-account';
import { flagUnreviewedSurcharge } from './surcharge';

export interface InvoicePaymentDeps {
  db: Db;
  keyring: Keyring;
  stripe: Stripe;
  accounting: ReturnType<typeof accountingRunner>;
  payerEmails: PayerEmails;
  wakeMail: MailWaker;
  stopReminders: ReminderStopper;
}

const CANCELABLE = ['requires_payment_method', 'requires_confirmation', 'requires_action'];

export function createInvoicePaymentActivities(deps: InvoicePaymentDeps) {
  const { db, stripe, accounting: { onConnection } } = deps;

  /** The invoices as the accounting package has them now (gone ones left out), kept in Settle's copy too. */
  async function readInvoices(merchantId: string, invoiceIds: string[]): Promise<Invoice[]> {
    const found = await onConnection(merchantId, async (call) => {
      const invoices: Invoice[] = [];
      for (const id of invoiceIds) {
        const invoice = await call((p) => p.getInvoice(id));
        if (invoice) invoices.push(invoice);
      }
      return invoices;
    });
    await deps.stopReminders(merchantId, await saveInvoiceCopies(db, merchantId, found));
    return found;
  }

  /** The merchant's Stripe account of a checkout (its claims name the merchant). */
  async function checkoutAccount(checkoutId: string) {
    const claim = await db.selectFrom('invoice_payment_claims').select('merchant_id').where('checkout_id', '=', checkoutId).executeTakeFirst();
    if (!claim) throw ApplicationFailure.nonRetryable(`no checkout ${checkoutId}`, 'UnknownCheckout');
    return merchantAccount(db, claim.merchant_id);
  }

  async function intentOf(checkoutId: string, paymentIntentId: string): Promise<Stripe.PaymentIntent> {
    const intent = await stripe.paymentIntents.retrieve(paymentIntentId, {}, (await checkoutAccount(checkoutId)).options());
    if (intent.metadata?.settle_checkout_id !== checkoutId) {
      throw ApplicationFailure.nonRetryable(`payment ${paymentIntentId} does not belong to checkout ${checkoutId}`, 'ForeignPaymentIntent');
    }
    return intent;
  }

  return {
    /** Holds the invoices for this checkout; refused while another checkout or an automatic charge is paying one. */
    async claimInvoicesForCheckout(input: { merchantId: string; payerId: string; checkoutId: string; invoiceIds: string[] }): Promise<{ ok: boolean; reason?: string }> {
      const charging = await db.selectFrom('auto_payment_attempts').select('invoice_id').where('merchant_id', '=', input.merchantId)
        .where('invoice_id', 'in', input.invoiceIds).where('outcome', 'in', ['charging', 'processing']).execute();
      if (charging.length) return { ok: false, reason: 'An automatic payment of one of the selected invoices is being taken right now.' };
      const claimed = await claimInvoices(db, input);
      return claimed.ok ? { ok: true } : { ok: false, reason: 'One of the selected invoices is already being paid. Reload the page to see where it stands.' };
    },

    /**
     * The selection as the accounting package has it now: ownership, still owed, and what is paid of each (the amount
     * due, or the part the payer asked for, checked again here against that amount due and the merchant's settings as
     * they are now: an invoice paid down meanwhile, or part payments turned off, refuses the checkout before any charge).
     */
    async readInvoicesForCheckout(input: { merchantId: string; payerId: string; invoiceIds: string[]; method: PaymentMethodKind; amounts?: RequestedAmounts }): Promise<Selection> {
      const found = await readInvoices(input.merchantId, input.invoiceIds);
      const contacts = await db.selectFrom('payer_contacts').select('contact_id').where('merchant_id', '=', input.merchantId).where('payer_id', '=', input.payerId).execute();
      const merchant = await db.selectFrom('merchants').select(['payment_methods', 'partial_payments_enabled', 'partial_payment_minimum_minor']).where('id', '=', input.merchantId).executeTakeFirstOrThrow();
      return resolveSelection({ requested: input.invoiceIds, found, contactIds: contacts.map((c) => c.contact_id), method: input.method, merchantMethods: merchant.payment_methods,
        partial: { settings: partialPaymentSettings(merchant), requested: input.amounts ?? {} } });
    },

    async createInvoicePaymentIntent(input: { merchantId: string; payerId: string; checkoutId: string; method: PaymentMethodKind; amountMinor: number; currency: string; invoiceNumbers: string[] }): Promise<{ paymentIntentId: string; paymentId: string }> {
      const customer = await stripeCustomerFor(deps, input.merchantId, input.payerId);
      const account = await chargingAccount(db, input.merchantId);
      const intent = await stripe.paymentIntents.create({
        amount: input.amountMinor,
        currency: input.currency.toLowerCase(),
        allowed_payment_method_types: stripeMethodTypes(input.method, input.currency) as Stripe.PaymentIntentCreateParams.AllowedPaymentMethodType[],
        customer,
        description: `Invoices ${input.invoiceNumbers.join(', ')}`.slice(0, 1000),
        ...account.applicationFee(input.amountMinor),
        metadata: { settle_merchant_id: input.merchantId, settle_checkout_id: input.checkoutId, settle_payer_id: input.payerId },
      }, account.options(workflowKey('payment-intent')));
      // The Settle payment it becomes once collected: one per checkout.
      return { paymentIntentId: intent.id, paymentId: derivedId('pay', input.merchantId, input.checkoutId) };
    },

    async readInvoicePaymentIntent(input: { checkoutId: string; paymentIntentId: string }): Promise<{ outcome: IntentOutcome; failure?: string }> {
      const intent = await intentOf(input.checkoutId, input.paymentIntentId);
      if (intent.metadata?.settle_merchant_id) await flagUnreviewedSurcharge(db, intent.metadata.settle_merchant_id, intent); // issue 27
      return outcomeOf(intent);
    },

    /**
     * Ends an unpaid checkout at Stripe: an intent still waiting for the payer (or declined) is cancelled, so no late
     * confirmation can charge it. One that moved on meanwhile (the payer paid after all) is answered as it stands.
     */
    async releaseInvoicePaymentIntent(input: { checkoutId: string; paymentIntentId: string }): Promise<{ outcome: IntentOutcome; failure?: string }> {
      const intent = await intentOf(input.checkoutId, input.paymentIntentId);
      if (!CANCELABLE.includes(intent.status)) return outcomeOf(intent);
      try {
        const account = await checkoutAccount(input.checkoutId);
        return outcomeOf(await stripe.paymentIntents.cancel(intent.id, { cancellation_reason: 'abandoned' }, account.options(idempotencyKey(intent.id, 'cancel'))));
      } catch (err) {
        if ((err as { code?: string }).code !== 'payment_intent_unexpected_state') throw err;
        return outcomeOf(await intentOf(input.checkoutId, input.paymentIntentId)); // confirmed in between
      }
    },

    async releaseInvoiceClaims(input: { merchantId: string; checkoutId: string }): Promise<void> {
      await releaseClaims(db, input.merchantId, input.checkoutId);
    },

    /** The checkout was declined (a card refused, a bank debit failed): the payer's email with the link to pay again. */
    async notifyInvoicePaymentDeclined(input: { merchantId: string; checkoutId: string; payerId: string; amountMinor: number; currency: string;
      invoiceIds: string[]; failure: string }): Promise<void> {
      if (await deps.payerEmails.invoicePaymentDeclined(db, input)) deps.wakeMail();
    },

    /** After posting: Settle's copy learns the invoices are paid, so the payer's list no longer offers them. */
    async refreshInvoiceCopies(input: { merchantId: string; invoiceIds: string[] }): Promise<void> {
      await readInvoices(input.merchantId, input.invoiceIds);
    },
  };
}
