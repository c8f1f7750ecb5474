// How much of a payment's surcharge a refund gives back, by the merchant's rule: none when the merchant keeps
// surcharges, otherwise the surcharge's share of what is refunded, so that refunding the whole payment (at once or
// in parts) gives back exactly the whole surcharge, never more. Rounded down on the way, the last refund takes the
// remainder. Pure: the refund API stores it beside the refund's amount; the refund workflow only carries it out.

export interface SurchargeRefundAsk {
  /** The payment's amount without its surcharge (what the invoices were paid), minor units. */
  paidMinor: number;
  /** The surcharge the payment carried. */
  surchargeMinor: number;
  /** Refunds of the payment before this one (succeeded or under way), without their surcharge parts. */
  refundedBeforeMinor: number;
  /** Surcharge parts of those refunds. */
  surchargeRefundedBeforeMinor: number;
  /** This refund, without its surcharge part. */
  refundMinor: number;
  /** The merchant's rule: a refund gives the surcharge back too. */
  refundSurcharge: boolean;
}

export function surchargeRefundMinor(a: SurchargeRefundAsk): number {
  for (const [name, v] of Object.entries(a)) {
    if (typeof v === 'number' && (!Number.isSafeInteger(v) || v < 0)) throw new RangeError(`${name} must be a non-negative integer of minor units, not ${v}`);
  }
  if (!a.refundSurcharge || a.surchargeMinor === 0 || a.paidMinor === 0) return 0;
  const refundedAfter = Math.min(a.paidMinor, a.refundedBeforeMinor + a.refundMinor);
  const dueAfter = refundedAfter === a.paidMinor ? a.surchargeMinor : Math.floor((a.surchargeMinor * refundedAfter) / a.paidMinor);
  return Math.max(0, Math.min(a.surchargeMinor, dueAfter) - a.surchargeRefundedBeforeMinor);
}
