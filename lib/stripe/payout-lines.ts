// The deposit that reconciles a Stripe payout in the books: the payout's balance transactions (as Stripe lists them
// with ?payout=) summed into payments in and refunds out (both against the clearing account the card payments were
// posted to) and Stripe's fees (an expense), so the lines add up to exactly the payout: what reached the bank. The
// payout's own transaction is the deposit itself and is left out. Pure; refuses transactions that do not add up
// to the payout, rather than post a deposit that does not match the bank statement.

export interface PayoutTransaction {
  id: string;
  /** Stripe's type: charge, payment, refund, payment_refund, payment_failure_refund, adjustment, payout, … */
  type: string;
  /** Gross, minor units (negative for money out). */
  amount: number;
  /** Fees Stripe kept (Stripe's and the platform's application fee), minor units. */
  fee: number;
  net: number;
  currency: string;
}

export type DepositLineKind = 'payments' | 'refunds' | 'fees' | 'other';

export interface DepositLine {
  kind: DepositLineKind;
  /** Signed minor units: positive money in, negative money out. */
  amountMinor: number;
  /** How many balance transactions it sums. */
  count: number;
}

const PAYMENT_TYPES = new Set(['charge', 'payment']);
const REFUND_TYPES = new Set(['refund', 'payment_refund', 'payment_failure_refund']);

/** Lines with a nonzero amount, in the order payments, refunds, fees, other; they sum to `payoutMinor`. */
export function payoutDepositLines(payoutMinor: number, currency: string, transactions: PayoutTransaction[]): DepositLine[] {
  const sums: Record<DepositLineKind, DepositLine> = {
    payments: { kind: 'payments', amountMinor: 0, count: 0 },
    refunds: { kind: 'refunds', amountMinor: 0, count: 0 },
    fees: { kind: 'fees', amountMinor: 0, count: 0 },
    other: { kind: 'other', amountMinor: 0, count: 0 },
  };
  for (const t of transactions) {
    if (t.type === 'payout') continue;
    if (t.currency.toLowerCase() !== currency.toLowerCase()) throw new Error(`balance transaction ${t.id} is in ${t.currency}, the payout in ${currency}`);
    if (t.amount - t.fee !== t.net) throw new Error(`balance transaction ${t.id}: amount less fee is not its net`);
    const gross = PAYMENT_TYPES.has(t.type) ? sums.payments : REFUND_TYPES.has(t.type) ? sums.refunds : sums.other;
    gross.amountMinor += t.amount;
    gross.count += 1;
    if (t.fee !== 0) {
      sums.fees.amountMinor -= t.fee;
      sums.fees.count += 1;
    }
  }
  const lines = Object.values(sums).filter((l) => l.amountMinor !== 0);
  const total = lines.reduce((sum, l) => sum + l.amountMinor, 0);
  if (total !== payoutMinor) throw new Error(`the payout's transactions net to ${total}, not the payout's ${payoutMinor}`);
  return lines;
}
