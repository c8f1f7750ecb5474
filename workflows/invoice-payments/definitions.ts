// What the Pay Now pages for invoices and the invoice payment workflow share: one workflow per checkout (the payer's
// "Pay selected"), its input, state, updates and query. Nothing here carries personal data: the payer is an id.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { PaymentMethodKind } from '../../lib/quotes/methods';

export interface InvoicePaymentTiming {
  /** A checkout nobody completes for this long is abandoned: its PaymentIntent cancelled, its invoices released. */
  abandonAfterMs: number;
  /** A bank debit is asked about this often until the bank answers… */
  bankDebitCheckEveryMs: number;
  /** …at most this many times; then the merchant is asked to look (the invoices stay held meanwhile). */
  bankDebitMaxChecks: number;
}

export const DEFAULT_INVOICE_PAYMENT_TIMING: InvoicePaymentTiming = {
  abandonAfterMs: 2 * 3_600_000, // the payer's session lasts as long
  bankDebitCheckEveryMs: 86_400_000,
  bankDebitMaxChecks: 14,
};

export interface InvoicePaymentInput {
  checkoutId: string;
  merchantId: string;
  payerId: string;
  /** Ids: what is due is read from the accounting package by the workflow, never taken from the request. */
  invoiceIds: string[];
  /**
   * Part payments (issue 27): the part of an invoice the payer asked to pay, minor units by invoice id (an invoice
   * left out is paid in full). Checked by the page against Settle's copy, and again by the checkout against the
   * amount due read from the books and the merchant's settings, before anything is charged.
   */
  amounts?: Record<string, number>;
  method: PaymentMethodKind;
  timing: InvoicePaymentTiming;
}

export type InvoicePaymentStatus =
  /** Claiming the invoices, reading them from the accounting package, opening the PaymentIntent. */
  | 'opening'
  /** Could not start: an invoice is being paid already, or is no longer owed (`failure` says which). */
  | 'refused'
  /** Waiting for the payer to pay on the checkout page. */
  | 'checkout-open'
  /** A bank debit was submitted; it is posted once Stripe says it succeeded. */
  | 'processing'
  /** The money is collected; the payment is being (or has been: `sync`) posted against the invoices. */
  | 'paid'
  /** The payment did not go through (`failure`); nothing was charged and the invoices can be paid again. */
  | 'failed'
  | 'cancelled'
  | 'abandoned'
  /** A bank debit still had no answer after the last check: the merchant has an action; the invoices stay held. */
  | 'outcome-unknown';

export const CHECKOUT_OVER: readonly InvoicePaymentStatus[] = ['refused', 'paid', 'failed', 'cancelled', 'abandoned', 'outcome-unknown'];

export interface InvoicePaymentState {
  checkoutId: string;
  payerId: string;
  method: PaymentMethodKind;
  status: InvoicePaymentStatus;
  /**
   * As read from the accounting package when the checkout opened: what this payment pays of each invoice, and, when
   * that is only part of it, what was due (`amountDueMinor`; the rest stays owed).
   */
  invoices: Array<{ invoiceId: string; number: string; amountMinor: number; amountDueMinor?: number }>;
  currency?: string;
  amountMinor?: number;
  paymentIntentId?: string;
  /** Why it was refused or failed, in words the payer can read. */
  failure?: string;
  /** The Settle payment, once recorded. */
  paymentId?: string;
  /** Whether the payment reached the books: synced, failed (the merchant has an action), … */
  sync?: string;
  /**
   * The surcharge for the payment method the payer chose (issue 27), computed by the server from the merchant's
   * settings and the rules; `amountMinor` stays the invoices' total, `surcharge.totalMinor` is what is charged.
   */
  surcharge?: { paymentMethodId: string; method: { kind: string; brand?: string; funding?: string; country?: string }; surchargeMinor: number; totalMinor: number;
    explanation: string; appliedRuleIds: string[] };
  /** Where the surcharge went in the books: its own invoice, paid (synced), or the merchant has an action (failed). */
  surchargeSync?: string;
  /** The books are disconnected: the workflow waits for the merchant to reconnect them (set by the state query). */
  waitingForConnection?: boolean;
}

export const invoicePaymentStateQuery = defineQuery<InvoicePaymentState>('invoicePaymentState');
/** The page waits with this for the checkout to open (or be refused) before sending the payer to pay. */
export const checkoutOpenedUpdate = defineUpdate<InvoicePaymentState, []>('checkoutOpened');
/** The payer came back from paying: the workflow reads the outcome from Stripe, never from the browser. */
export const completeInvoiceCheckoutUpdate = defineUpdate<InvoicePaymentState, [{ paymentIntentId: string }]>('completeInvoiceCheckout');
/**
 * The payer chose a payment method (Stripe has it): the workflow computes the surcharge for it and sets the
 * PaymentIntent to the invoices plus the surcharge, before the payer confirms. The page shows what this answers.
 */
export const applySurchargeUpdate = defineUpdate<InvoicePaymentState, [{ paymentMethodId: string }]>('applySurcharge');
/** The payer gave up on an open checkout: its invoices can be paid again at once. */
export const cancelInvoiceCheckoutUpdate = defineUpdate<InvoicePaymentState, []>('cancelInvoiceCheckout');

export const invoicePaymentWorkflowId = (merchantId: string, checkoutId: string) => `invoice-payment/${merchantId}/${checkoutId}`;
