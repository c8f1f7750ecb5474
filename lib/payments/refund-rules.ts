// How much a refund may take back: never more than what is left of the payment after the refunds already made or
// under way (a failed refund gives its amount back), the whole of what is left when no amount is asked for.
// Pure: the API checks it before anything is stored, the refund workflow does not second-guess it (Stripe refuses a
// refund beyond the charge's unrefunded amount as well).

export interface RefundAsk {
  /** What the payment took, minor units. */
  paidMinor: number;
  /** Refunds of this payment that succeeded or are still under way, minor units (failed ones excluded). */
  refundedMinor: number;
  /** What the caller asks for; absent: everything that is left. */
  requestedMinor?: number;
}

export type RefundDecision =
  | { ok: true; amountMinor: number; partial: boolean; leftAfterMinor: number }
  | { ok: false; reason: string };

export function refundDecision({ paidMinor, refundedMinor, requestedMinor }: RefundAsk): RefundDecision {
  for (const [name, v] of [['paid', paidMinor], ['refunded', refundedMinor]] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${name} must be a non-negative integer of minor units, not ${v}`);
  }
  const left = Math.max(0, paidMinor - refundedMinor);
  if (left === 0) return { ok: false, reason: 'the payment has been refunded in full already' };
  if (requestedMinor === undefined) return { ok: true, amountMinor: left, partial: left < paidMinor, leftAfterMinor: 0 };
  if (!Number.isSafeInteger(requestedMinor) || requestedMinor <= 0) return { ok: false, reason: 'the amount to refund must be more than zero' };
  if (requestedMinor > left) return { ok: false, reason: `only ${left} minor units are left to refund of this payment, less than the ${requestedMinor} asked for` };
  return { ok: true, amountMinor: requestedMinor, partial: requestedMinor < paidMinor, leftAfterMinor: left - requestedMinor };
}
