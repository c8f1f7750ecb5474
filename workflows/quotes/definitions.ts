// What the API, the Pay Now pages and the QuotePayment workflow share: input, state, updates, signals, query.
// Nothing here carries personal data: the customer and payer details stay sealed in Postgres, and the
// workflow (so its history) knows payers only by id.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Checkout, PaymentMethodKind } from '../../lib/quotes/methods';

export type QuotePaymentStatus =
  /** Accepted in CPQ; the payer has not started paying. */
  | 'awaiting-checkout'
  /** A payment is being collected (a PaymentIntent is open). */
  | 'checkout-open'
  /** The last attempt failed; the payer may retry from the quote. */
  | 'failed'
  /** The money is collected; Settle is posting it to the accounting package. */
  | 'paid'
  /** A bank debit was submitted; its draft credit note waits for the debit to settle. */
  | 'processing'
  /** Paid and posted; waiting for the PSA's downpayment invoice to allocate the credit note to. */
  | 'awaiting-downpayment-invoice'
  /** The credit note is allocated to the downpayment invoice: done. */
  | 'reconciled'
  | 'cancelled'
  /** Nobody finished the checkout in time; everything open was released. */
  | 'abandoned';

export const FINAL_STATUSES: readonly QuotePaymentStatus[] = ['reconciled', 'cancelled', 'abandoned'];

export interface RecurringPortion {
  amountMinor: number;
  interval: 'month' | 'year';
}

export interface QuotePaymentTiming {
  /** A checkout nobody touches for this long is abandoned. */
  abandonAfterMs: number;
  /** How often to look for the downpayment invoice in the accounting package (a sync signal also wakes it). */
  downpaymentCheckEveryMs: number;
  /** After this long without a downpayment invoice, the merchant gets an action and the workflow ends. */
  downpaymentGiveUpAfterMs: number;
}

export const DEFAULT_QUOTE_TIMING: QuotePaymentTiming = {
  abandonAfterMs: 7 * 24 * 3_600_000,
  downpaymentCheckEveryMs: 6 * 3_600_000,
  downpaymentGiveUpAfterMs: 90 * 24 * 3_600_000,
};

export interface QuotePaymentInput {
  quotePaymentId: string;
  merchantId: string;
  quoteId: string;
  revision: number;
  amountMinor: number;
  currency: string;
  recurring?: RecurringPortion;
  /** Offered to a logged-in payer (merchant ∩ CPQ, at acceptance); guests get the card subset. */
  methods: PaymentMethodKind[];
  timing: QuotePaymentTiming;
}

export interface PostedObject {
  id: string;
  url: string;
}

export interface QuotePaymentState {
  quotePaymentId: string;
  quoteId: string;
  revision: number;
  amountMinor: number;
  currency: string;
  hasRecurring: boolean;
  methods: PaymentMethodKind[];
  status: QuotePaymentStatus;
  /** Attempts at collecting the payment (each has its own PaymentIntent). */
  attempt: number;
  checkout?: Checkout;
  payerId?: string;
  method?: PaymentMethodKind;
  paymentIntentId?: string;
  /** Why the last attempt failed, as the processor put it (e.g. "Your card was declined."). */
  failure?: string;
  contactId?: string;
  invoice?: PostedObject;
  creditNote?: PostedObject & { approved: boolean };
  downpaymentInvoiceId?: string;
  paidAt?: string;
  /** Posting to the accounting package was refused; the merchant has an action and can retry it. */
  postingProblem?: string;
}

export interface BeginCheckout {
  checkout: Checkout;
  /** Required when checkout is 'payer'. */
  payerId?: string;
  method: PaymentMethodKind;
}

export const quotePaymentStateQuery = defineQuery<QuotePaymentState>('quotePaymentState');

/** The payer chose how to pay: opens a PaymentIntent (a new one per attempt). */
export const beginCheckoutUpdate = defineUpdate<{ paymentIntentId: string }, [BeginCheckout]>('beginCheckout');
/** The payer came back from the processor: the workflow reads the outcome from Stripe, never from the browser. */
export const completeCheckoutUpdate = defineUpdate<QuotePaymentState, [{ paymentIntentId: string }]>('completeCheckout');
/** The payer retries after a failure (from the quote in CPQ). */
export const retryUpdate = defineUpdate<QuotePaymentState, []>('retry');
/** The merchant (or CPQ) cancels a quote payment that has not been paid. */
export const cancelUpdate = defineUpdate<QuotePaymentState, [{ reason: string }]>('cancel');

/** CPQ callback: the quote was withdrawn or superseded; an unpaid quote payment is cancelled. */
export const quoteWithdrawnSignal = defineSignal<[{ reason: string }]>('quoteWithdrawn');
/** Invoice sync posted an invoice for the quote's customer: look for the downpayment invoice now. */
export const downpaymentInvoiceSyncedSignal = defineSignal<[{ invoiceId?: string }]>('downpaymentInvoiceSynced');
/** A bank debit settled or failed (Stripe webhooks, through the settlement flow). */
export const bankDebitOutcomeSignal = defineSignal<[{ paymentIntentId: string; outcome: 'succeeded' | 'failed'; failure?: string }]>('bankDebitOutcome');

/** Ops or the merchant fixed what made posting fail (e.g. a reconnected account): post again. */
export const retryPostingSignal = defineSignal<[]>('retryPosting');

/** One workflow per quote and merchant: accepting the same quote twice finds the same workflow. */
export function quotePaymentWorkflowId(merchantId: string, quoteId: string): string {
  return `quote-payment/${merchantId}/${quoteId}`;
}
