// Which changes Xero accepts on an invoice or credit note, by status:
//   DRAFT / SUBMITTED → DRAFT, SUBMITTED, AUTHORISED or DELETED (a draft is deleted, never voided)
//   AUTHORISED        → VOIDED (only while nothing is paid or allocated); content edits allowed while unpaid
//   PAID, or anything with payments or allocations → no edits, no void, no delete (remove them first)
//   VOIDED / DELETED  → final
// Re-sending the current status is accepted as a no-op (what a retried approval looks like).
import type { DocStatus } from './state';

export const STATUSES: DocStatus[] = ['DRAFT', 'SUBMITTED', 'AUTHORISED', 'PAID', 'VOIDED', 'DELETED'];

export function parseStatus(value: unknown): DocStatus | undefined {
  return STATUSES.find((s) => s === String(value).toUpperCase());
}

/**
 * Why Xero would refuse to move a document from `current` to `requested` (undefined: allowed).
 * `editsContent`: the update also changes lines, amounts, dates or the contact. `allocated`: it has payments or
 * credit allocated (PAID documents always have).
 */
export function refusal(doc: 'Invoice' | 'Credit Note', current: DocStatus, requested: DocStatus | undefined, editsContent: boolean, allocated: boolean): string | undefined {
  const target = requested ?? current;
  const invalid = `${doc} not of valid status for modification`;
  if (current === 'VOIDED' || current === 'DELETED') return target === current && !editsContent ? undefined : invalid;
  if (allocated || current === 'PAID') {
    if (editsContent) return 'This document cannot be edited as it has a payment or credit note allocated to it.';
    if (target === 'VOIDED') {
      return doc === 'Invoice'
        ? 'This invoice cannot be voided as it has payments or credit notes allocated to it. Remove them before voiding.'
        : 'This credit note cannot be voided as it has been allocated. Remove the allocations before voiding.';
    }
    if (target === 'DELETED') return invalid;
    return target === 'AUTHORISED' || target === current ? undefined : invalid;
  }
  if (current === 'DRAFT' || current === 'SUBMITTED') {
    return ['DRAFT', 'SUBMITTED', 'AUTHORISED', 'DELETED'].includes(target) ? undefined : invalid;
  }
  // AUTHORISED, nothing allocated.
  return target === 'AUTHORISED' || target === 'VOIDED' ? undefined : invalid;
}
