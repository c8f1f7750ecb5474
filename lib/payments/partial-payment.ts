// Partial payments (issue 27): a merchant may let payers pay part of an invoice, at least a minimum amount. Pure, so
// the Pay Now page (a quick answer from Settle's copy) and the checkout (the invoice read again from the books, right
// before the charge) decide the amount with one rule. The invoice stays outstanding for the rest.
import { formatAmount, type Currency } from '../money';

export interface PartialPaymentSettings {
  enabled: boolean;
  /** The least a payer may pay of an invoice (minor units of the invoice's currency); an invoice owing less is paid in full. */
  minimumMinor: number;
}

export const DEFAULT_PARTIAL_PAYMENTS: PartialPaymentSettings = { enabled: false, minimumMinor: 1_000 };

export type PartialDecision = { ok: true; amountMinor: number; partial: boolean } | { ok: false; reason: string };

/**
 * The amount to charge for an invoice owing `amountDueMinor` when the payer asked for `requestedMinor` (undefined: the
 * whole amount due). Never more than is due, never less than the minimum (unless that is all that is due), never part
 * of an invoice where the merchant does not allow it.
 */
export function decidePartialAmount(settings: PartialPaymentSettings, amountDueMinor: number, currency: string, requestedMinor?: number): PartialDecision {
  if (amountDueMinor <= 0) return { ok: false, reason: 'This invoice has nothing left to pay.' };
  if (requestedMinor === undefined || requestedMinor === amountDueMinor) return { ok: true, amountMinor: amountDueMinor, partial: false };
  const money = (minor: number) => `${formatAmount(minor, currency as Currency)} ${currency}`;
  if (!settings.enabled) return { ok: false, reason: 'Invoices are paid in full here: pay the amount due.' };
  if (!Number.isSafeInteger(requestedMinor) || requestedMinor <= 0) return { ok: false, reason: 'Enter the amount to pay.' };
  if (requestedMinor > amountDueMinor) return { ok: false, reason: `That is more than is due: at most ${money(amountDueMinor)}.` };
  if (amountDueMinor <= settings.minimumMinor) return { ok: false, reason: `This invoice owes no more than the least part payment: pay the full ${money(amountDueMinor)}.` };
  if (requestedMinor < settings.minimumMinor) return { ok: false, reason: `Pay at least ${money(settings.minimumMinor)}, or the full ${money(amountDueMinor)}.` };
  return { ok: true, amountMinor: requestedMinor, partial: true };
}
