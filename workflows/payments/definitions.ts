// What the API and the workflow share about a payment: its input, its state and how to ask for it.
import { defineQuery } from '@temporalio/workflow';
import type { PaymentApplication, PaymentChannel, PaymentMethod, PaymentSyncRecord, PaymentSyncStatus } from '../../db/schema';

export type PaymentStatus = 'received' | 'recorded';

export interface PaymentInput {
  paymentId: string;
  merchantId: string;
  amountMinor: number;
  currency: string;
  reference: string;
  /** How it was taken; absent on payments started before payment upload (virtual terminal, applied to nothing). */
  channel?: PaymentChannel;
  method?: PaymentMethod;
  /** The accounting invoices it pays (ids in the merchant's accounting platform). */
  applications?: PaymentApplication[];
  /** YYYY-MM-DD; defaults to the day it is recorded. */
  paidOn?: string;
  /** The payer who paid, when Settle knows them (Pay Now, automatic payments): their past payments list it. */
  payerId?: string;
  /** The Stripe PaymentIntent it was taken with (Pay Now, automatic payments): what a refund names. */
  stripePaymentIntentId?: string;
}

export interface PaymentSync {
  status: PaymentSyncStatus;
  /** Why it was not uploaded, or what the platform refused. */
  reason?: string;
  syncedAt?: string;
  records: PaymentSyncRecord[];
}

export interface PaymentState extends PaymentInput {
  status: PaymentStatus;
  recordedAt?: string;
  /** Whether, when and where it reached the books (after it is recorded). */
  sync?: PaymentSync;
  /** The books are disconnected: the upload waits for the merchant to reconnect them (the state query sets it). */
  waitingForConnection?: boolean;
}

export const paymentStateQuery = defineQuery<PaymentState>('paymentState');

/** One workflow per payment; the merchant is part of the id so no merchant can reach another's. */
export function paymentWorkflowId(merchantId: string, paymentId: string): string {
  return `payment/${merchantId}/${paymentId}`;
}
