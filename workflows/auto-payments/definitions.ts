// What the API, the scheduler and the per-invoice auto-payment share: inputs, state, ids and the query.
import { defineQuery } from '@temporalio/workflow';

export interface AutoPaymentRunInput {
  merchantId: string;
  /** Where a payer whose charge failed can pay instead (the merchant's Pay Now page for invoices). */
  payNowUrl: string;
}

export interface AutoPaymentRunResult {
  today: string;
  due: number;
  started: number;
  /** Invoices whose auto-payment was already started by an earlier run: never charged twice. */
  alreadyHandled: number;
}

export interface InvoiceAutoPaymentInput {
  merchantId: string;
  invoiceId: string;
  termsId: string;
  currency: string;
  payerId: string;
  payNowUrl: string;
  timezone: string;
  maxAttempts: number;
  retryDays: number;
}

export interface InvoiceAutoPaymentState {
  status: 'checking' | 'charging' | 'processing' | 'waiting-to-retry' | 'paid' | 'not-charged' | 'failed';
  attempt: number;
  /** Why it was not charged (paid meanwhile, voided, terms revoked, …). */
  reason?: string;
  failures: string[];
  paymentId?: string;
  amountMinor?: number;
  /** Whether the payment reached the books (synced, or failed with an action for the merchant). */
  sync?: string;
  /** The books are disconnected: the workflow waits for the merchant to reconnect them (set by the state query). */
  waitingForConnection?: boolean;
}

export const invoiceAutoPaymentStateQuery = defineQuery<InvoiceAutoPaymentState>('invoiceAutoPaymentState');

export const autoPaymentScheduleId = (merchantId: string) => `auto-payments/${merchantId}`;

/** One per invoice, ever (reuse is rejected): a scheduler that runs twice finds it and leaves it alone. */
export const invoiceAutoPaymentWorkflowId = (merchantId: string, invoiceId: string) => `auto-payment/${merchantId}/${invoiceId}`;

/** Today in the merchant's time zone, from workflow time (deterministic). */
export function merchantToday(timezone: string, now: number): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(now));
}
