// What the API and the workflow share about a payment: its input, its state and how to ask for it.
import { defineQuery } from '@temporalio/workflow';

export type PaymentStatus = 'received' | 'recorded';

export interface PaymentInput {
  paymentId: string;
  merchantId: string;
  amountMinor: number;
  currency: string;
  reference: string;
}

export interface PaymentState extends PaymentInput {
  status: PaymentStatus;
  recordedAt?: string;
}

export const paymentStateQuery = defineQuery<PaymentState>('paymentState');

/** One workflow per payment; the merchant is part of the id so no merchant can reach another's. */
export function paymentWorkflowId(merchantId: string, paymentId: string): string {
  return `payment/${merchantId}/${paymentId}`;
}
