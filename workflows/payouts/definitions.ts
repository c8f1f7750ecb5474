// What the Connect webhook and the payout workflow share: the input and the id (one workflow per payout, so a
// second payout.paid for it starts nothing).
export interface PayoutInput {
  merchantId: string;
  payoutId: string;
}

export interface PayoutState {
  status: 'posted' | 'not-posted';
  amountMinor: number;
  currency: string;
  lines: Array<{ kind: string; amountMinor: number; count: number }>;
  records: Array<{ kind: string; id: string }>;
  reason?: string;
}

export function payoutWorkflowId(merchantId: string, payoutId: string): string {
  return `payout/${merchantId}/${payoutId}`;
}
