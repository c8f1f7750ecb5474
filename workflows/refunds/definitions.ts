// What the API, the Connect webhook and the refund workflow share: its input, state, id and the signal that Stripe
// has news about the refund.
import { defineQuery, defineSignal } from '@temporalio/workflow';

export interface RefundInput {
  merchantId: string;
  refundId: string;
  paymentId: string;
  /** How long to wait for Stripe's word on a pending refund before asking again (the webhook usually comes first). */
  checkEveryMs?: number;
  /** How many times to ask before telling the merchant it is still pending (an Action). */
  maxChecks?: number;
  /** After that Action, how many more (daily) times to ask before leaving it to the merchant. */
  maxWatchChecks?: number;
}

export type RefundWorkflowStatus = 'refunding' | 'pending' | 'succeeded' | 'failed' | 'reversed' | 'not-posted' | 'outcome-unknown';

export interface RefundState {
  status: RefundWorkflowStatus;
  failure?: string;
  books?: { status: string; reason?: string; records: Array<{ kind: string; id: string }> };
}

export const refundStateQuery = defineQuery<RefundState>('refundState');
/** Stripe sent an event about the refund (refund.updated, refund.failed, charge.refunded): look again now. */
export const refundChangedSignal = defineSignal('refundChanged');

/** One workflow per refund; the merchant is part of the id so no merchant can reach another's. */
export function refundWorkflowId(merchantId: string, refundId: string): string {
  return `refund/${merchantId}/${refundId}`;
}
