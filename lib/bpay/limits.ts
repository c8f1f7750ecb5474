// The accounting platform's limits on BPAY uploads (Xero is built for about 1,000 invoices a month, so the
// upload is capped per night and per rolling 30 days). Pure: the nightly upload workflow decides with these.
import type { UploadPlan } from './matching';

/** More uploaded payments than this in any rolling 30 days disables the merchant's BPAY upload. */
export const MAX_UPLOADS_PER_30_DAYS = 4000;

/** Prepayments (unapplied credit) uploaded in one night at most; payments needing more wait for the next night. */
export const MAX_PREPAYMENTS_PER_NIGHT = 200;

function assertCount(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a whole number of payments: ${n}`);
}

/**
 * Whether uploading `tonight` more payments would take the merchant over `limit` in the rolling 30 days, which
 * disables its upload. An uploaded payment is one BPAY payment sent to the platform, however many invoices it
 * is split over and whether or not part of it is a prepayment; deferred payments are not uploaded.
 */
export function wouldExceedRollingLimit(uploadedInLast30Days: number, tonight: number, limit = MAX_UPLOADS_PER_30_DAYS): boolean {
  assertCount(uploadedInLast30Days, 'uploadedInLast30Days');
  assertCount(tonight, 'tonight');
  return uploadedInLast30Days + tonight > limit;
}

/** How many payments a plan uploads, counted as wouldExceedRollingLimit counts them (one per payment). */
export function countUploadedPayments(plan: Pick<UploadPlan, 'applications' | 'prepayments'>): number {
  const ids = new Set<string>();
  for (const a of plan.applications) ids.add(a.paymentId);
  for (const p of plan.prepayments) ids.add(p.paymentId);
  return ids.size;
}
