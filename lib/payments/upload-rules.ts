// Which payments go to the accounting platform (the product's "Payment Uploading" rules). Pure, so the workflow's
// activity and the tests ask the same question. BPAY follows its own nightly rules (lib/bpay).
import type { PaymentApplication, PaymentChannel } from '../../db/schema';

export type NotUploadedReason = 'batch-debit' | 'not-applied-to-invoice' | 'not-connected' | 'before-start-date';

export type UploadDecision = { upload: true } | { upload: false; reason: NotUploadedReason; explanation: string };

export interface PaymentToUpload {
  channel: PaymentChannel;
  applications: PaymentApplication[];
  /** YYYY-MM-DD */
  paidOn: string;
}

const EXPLANATIONS: Record<NotUploadedReason, string> = {
  'batch-debit': 'batch debits are not uploaded: they are not tied to a customer',
  'not-applied-to-invoice': 'payments not applied to an invoice are not uploaded',
  'not-connected': 'no accounting platform is connected',
  'before-start-date': 'only payments made on or after the accounting start date are uploaded',
};

/** `startDate` is the day the merchant first connected the accounting platform (none: never connected). */
export function uploadDecision(payment: PaymentToUpload, startDate: string | null): UploadDecision {
  const no = (reason: NotUploadedReason): UploadDecision => ({ upload: false, reason, explanation: EXPLANATIONS[reason] });
  if (payment.channel === 'batch_debit') return no('batch-debit');
  if (!payment.applications.some((a) => a.amountMinor > 0)) return no('not-applied-to-invoice');
  if (!startDate) return no('not-connected');
  // ISO calendar dates compare as strings.
  if (payment.paidOn < startDate) return no('before-start-date');
  return { upload: true };
}
