// What the API, the Pay Now pages and the QuotePayment workflow share: input, state, updates, signals, query.
// Nothing here carries personal data: the customer and payer details stay sealed in Postgres, and the
// workflow (so its history) knows payers only by id.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { BankDebitScheme, Checkout, PaymentMethodKind } from '../../lib/quotes/methods';
import { DEFAULT_SETTLEMENT_BUSINESS_DAYS } from '../../lib/quotes/settlement';

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
/** The payer can pay now: never paid, the last attempt failed, or a paid debit was returned. */
export const PAYABLE_STATUSES: readonly QuotePaymentStatus[] = ['awaiting-checkout', 'checkout-open', 'failed'];

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
  /** Bank-debit settlement windows; the defaults when absent. */
  settlementTiming?: SettlementTiming;
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
  /** A bank debit can still be returned until then (the quote payment stays open as long). */
  returnWindowEndsAt?: string;
  /** Posting to the accounting package was refused; the merchant has an action and can retry it. */
  postingProblem?: string;
  /** The books are disconnected: the workflow waits for the merchant to reconnect them (set by the state query). */
  waitingForConnection?: boolean;
  /**
   * The card surcharge for the payment method the payer chose in this attempt (issue 27), computed by the server from
   * the merchant's settings and the rules, as on the Pay Now invoice checkout; `amountMinor` stays the quote's amount,
   * `surcharge.totalMinor` is what is charged.
   */
  surcharge?: { paymentMethodId: string; method: { kind: string; brand?: string; funding?: string; country?: string }; surchargeMinor: number; totalMinor: number;
    explanation: string; appliedRuleIds: string[] };
  /** Where the surcharge went in the books: its own invoice, paid (synced), or the merchant has an action (failed). */
  surchargeSync?: string;
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
/**
 * The payer chose a payment method (Stripe has it): the workflow computes the surcharge for it and sets the open
 * PaymentIntent to the quote's amount plus the surcharge, before the payer confirms (as applySurcharge does for a
 * Pay Now invoice checkout).
 */
export const applyQuoteSurchargeUpdate = defineUpdate<QuotePaymentState, [{ paymentMethodId: string }]>('applySurcharge');
/** The payer retries after a failure (from the quote in CPQ). */
export const retryUpdate = defineUpdate<QuotePaymentState, []>('retry');
/** The merchant (or CPQ) cancels a quote payment that has not been paid. */
export const cancelUpdate = defineUpdate<QuotePaymentState, [{ reason: string }]>('cancel');

/** CPQ callback: the quote was withdrawn or superseded; an unpaid quote payment is cancelled. */
export const quoteWithdrawnSignal = defineSignal<[{ reason: string }]>('quoteWithdrawn');
/** Invoice sync posted an invoice for the quote's customer: look for the downpayment invoice now. */
export const downpaymentInvoiceSyncedSignal = defineSignal<[{ invoiceId?: string }]>('downpaymentInvoiceSynced');

/** Ops or the merchant fixed what made posting fail (e.g. a reconnected account): post again. */
export const retryPostingSignal = defineSignal<[]>('retryPosting');

/** One workflow per quote and merchant: accepting the same quote twice finds the same workflow. */
export function quotePaymentWorkflowId(merchantId: string, quoteId: string): string {
  return `quote-payment/${merchantId}/${quoteId}`;
}

// --- Bank-debit settlement: one child workflow per bank-debit attempt -------------------------------------------

export interface SettlementTiming {
  /** Business days after submission before Settle asks Stripe instead of waiting (ACH 4, BECS 3). */
  settlementBusinessDays: Record<BankDebitScheme, number>;
  /** While the outcome is unknown past the window, ask Stripe again this often. */
  recheckEveryMs: number;
  /** After settling, how long a return (ACH return, dispute) can still arrive. */
  returnWindowMs: number;
}

export const DEFAULT_SETTLEMENT_TIMING: SettlementTiming = {
  settlementBusinessDays: DEFAULT_SETTLEMENT_BUSINESS_DAYS,
  recheckEveryMs: 86_400_000,
  returnWindowMs: 60 * 86_400_000,
};

export interface SettlementInput {
  merchantId: string;
  quotePaymentId: string;
  quoteId: string;
  attempt: number;
  paymentIntentId: string;
  scheme: BankDebitScheme;
  invoiceId: string;
  creditNoteId: string;
  timing: SettlementTiming;
}

export type SettlementStatus = 'awaiting-outcome' | 'failed' | 'in-return-window' | 'settled' | 'returned';

export interface SettlementState {
  status: SettlementStatus;
  failure?: string;
  /** When the outcome would be looked up at Stripe (while awaiting it). */
  lookupAt?: string;
  returnWindowEndsAt?: string;
  outcomeUnknownActionRaised?: boolean;
  /** The books are disconnected: the workflow waits for the merchant to reconnect them (set by the state query). */
  waitingForConnection?: boolean;
}

/** What the settlement tells its quote payment: the debit's outcome, then (within the window) a return. */
export interface SettlementNews {
  paymentIntentId: string;
  outcome: 'succeeded' | 'failed' | 'returned';
  failure?: string;
  returnWindowEndsAt?: string;
}

export const settlementStateQuery = defineQuery<SettlementState>('settlementState');
/** From Stripe webhooks: the debit succeeded or failed (the first outcome wins; a later, contrary one is ignored). */
export const debitOutcomeSignal = defineSignal<[{ outcome: 'succeeded' | 'failed'; failure?: string; eventId: string }]>('debitOutcome');
/** From Stripe webhooks: the debit was returned or disputed after it succeeded. */
export const debitReturnedSignal = defineSignal<[{ reason: string; eventId: string }]>('debitReturned');
/** From the settlement to its quote payment. */
export const settlementNewsSignal = defineSignal<[SettlementNews]>('settlementNews');

export function settlementWorkflowId(merchantId: string, paymentIntentId: string): string {
  return `bank-debit-settlement/${merchantId}/${paymentIntentId}`;
}
