// The platform's fee on a direct charge (Stripe's `application_fee_amount`): a per-merchant rate in basis points,
// rounded half up to the minor unit, never more than the payment. 0 bps (the default) sends no fee at all.

export function applicationFeeOf(amountMinor: number, feeBps: number): number | undefined {
  if (!Number.isInteger(amountMinor) || amountMinor < 0) throw new Error(`amount must be a non-negative integer: ${amountMinor}`);
  if (!Number.isInteger(feeBps) || feeBps < 0 || feeBps > 10_000) throw new Error(`fee must be 0..10000 basis points: ${feeBps}`);
  if (feeBps === 0) return undefined;
  return Math.min(amountMinor, Math.floor((amountMinor * feeBps + 5_000) / 10_000));
}
