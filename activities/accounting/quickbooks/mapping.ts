// Settle's port types ↔ QuickBooks Online JSON. Money crosses as exact decimals: minor units become a JSON number
// with the currency's decimals (n / 100 prints as the exact two-decimal text) and come back through their decimal
// text into integers, never through float multiplication. Line amounts (quantity × unit price) are computed in
// BigInt and rounded half away from zero, the way QBO checks Amount = Qty × UnitPrice.
//
// Choices (QBO has no equivalent of some Settle notions):
// - A line's accountCode is the Id of a QBO Item (a product/service, whose income account is the ledger account);
//   its taxType, if any, becomes the line's TaxCodeRef. A payment's or prepayment's accountCode is the Id of the
//   Account the money is deposited to (a bank account or Undeposited Funds).
// - An invoice's or credit note's reference is the CustomerMemo (printed on the form, like Xero's Reference);
//   PrivateNote is kept for QBO's own "Voided" marker and Settle's draft marker.
// - A draft credit note is a CreditMemo whose PrivateNote starts with DRAFT_MARKER (see credit-notes.ts).
// - Payable documents (see payables.ts): a bill line's accountCode is the Id of the Account it is posted to (an
//   AccountBasedExpenseLineDetail, which has an amount but no quantity or unit price: the line's Amount is
//   quantity × unit amount). A bill's or vendor credit's reference is its PrivateNote (QBO's "Memo"): neither has a
//   CustomerMemo.
import { createHash } from 'node:crypto';
import { CURRENCY_EXPONENT } from '../../../lib/money';
import { PlatformError, type Contact, type CreditNote, type CreditNoteStatus, type Invoice, type InvoiceLine, type InvoiceStatus } from '../platform';

export type QboObject = Record<string, any>;

/** Starts the PrivateNote of a credit memo Settle holds as a draft; readable by the accountant in QBO. */
export const DRAFT_MARKER = 'DRAFT (Settle)';
export const DRAFT_NOTE = `${DRAFT_MARKER}: awaiting approval in Settle. Do not apply this credit.`;
/** What QBO writes into the PrivateNote of a voided transaction (whose amounts it zeroes). */
export const VOID_NOTE = 'Voided';

function exponent(currency: string): number {
  return (CURRENCY_EXPONENT as Record<string, number>)[currency] ?? 2;
}

export function minorToDecimal(minor: number, currency: string): number {
  if (!Number.isSafeInteger(minor)) throw new PlatformError(`not a minor-unit amount: ${minor}`);
  return minor / 10 ** exponent(currency);
}

/** An exact decimal: digits × 10^-scale. */
function parseDecimal(value: unknown): { digits: bigint; scale: number } | undefined {
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  const n = Number(value);
  if (value === '' || !Number.isFinite(n)) return undefined;
  const text = /e/i.test(String(value)) ? n.toFixed(15) : String(value).trim();
  const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match) return undefined;
  const digits = BigInt(`${match[2] || '0'}${match[3] ?? ''}`);
  return { digits: match[1] === '-' ? -digits : digits, scale: (match[3] ?? '').length };
}

/** digits × 10^-scale rounded to an integer, half away from zero. */
function round(digits: bigint, scale: number): number {
  if (scale <= 0) return Number(digits * 10n ** BigInt(-scale));
  const divisor = 10n ** BigInt(scale);
  const abs = digits < 0n ? -digits : digits;
  const q = abs / divisor + ((abs % divisor) * 2n >= divisor ? 1n : 0n);
  return Number(digits < 0n ? -q : q);
}

/** A QBO amount (JSON number or text) in minor units. */
export function decimalToMinor(value: unknown, currency: string): number {
  const d = parseDecimal(value ?? 0);
  if (!d) throw new PlatformError(`QuickBooks sent an amount that is not a number: ${JSON.stringify(value)}`);
  return round(d.digits * 10n ** BigInt(exponent(currency)), d.scale);
}

/** quantity × unit amount, in minor units. */
export function lineAmountMinor(quantity: number, unitAmountMinor: number): number {
  const q = parseDecimal(quantity);
  if (!q || !Number.isSafeInteger(unitAmountMinor)) throw new PlatformError(`bad line: ${quantity} × ${unitAmountMinor}`);
  return round(q.digits * BigInt(unitAmountMinor), q.scale);
}

export function salesLines(lines: InvoiceLine[], currency: string): QboObject[] {
  return lines.map((line) => ({
    DetailType: 'SalesItemLineDetail',
    Description: line.description,
    Amount: minorToDecimal(lineAmountMinor(line.quantity, line.unitAmountMinor), currency),
    SalesItemLineDetail: {
      ItemRef: { value: line.accountCode },
      Qty: line.quantity,
      UnitPrice: minorToDecimal(line.unitAmountMinor, currency),
      ...(line.taxType ? { TaxCodeRef: { value: line.taxType } } : {}),
    },
  }));
}

export function expenseLines(lines: InvoiceLine[], currency: string): QboObject[] {
  return lines.map((line) => ({
    DetailType: 'AccountBasedExpenseLineDetail',
    Description: line.description,
    Amount: minorToDecimal(lineAmountMinor(line.quantity, line.unitAmountMinor), currency),
    AccountBasedExpenseLineDetail: {
      AccountRef: { value: line.accountCode },
      ...(line.taxType ? { TaxCodeRef: { value: line.taxType } } : {}),
    },
  }));
}

/** QBO's requestid for a write: the idempotency key, or (past QBO's 50 characters) a readable prefix and a hash. */
export function requestIdFor(key: string, suffix?: string): string {
  const id = suffix === undefined ? key : `${key}-${suffix}`;
  if (id.length <= 50) return id;
  return `${id.slice(0, 17)}-${createHash('sha256').update(id).digest('hex').slice(0, 32)}`;
}

export function toContact(c: QboObject): Contact {
  return {
    id: String(c.Id),
    name: c.DisplayName,
    ...(c.AcctNum ? { accountNumber: c.AcctNum } : {}),
    ...(c.PrimaryEmailAddr?.Address ? { email: c.PrimaryEmailAddr.Address } : {}),
  };
}

export const currencyOf = (o: QboObject): string => o.CurrencyRef?.value ?? '';

export function isVoided(o: QboObject): boolean {
  return String(o.PrivateNote ?? '').startsWith(VOID_NOTE) && Number(o.TotalAmt) === 0;
}

export function isDraft(o: QboObject): boolean {
  return String(o.PrivateNote ?? '').startsWith(DRAFT_MARKER);
}

export function toInvoice(inv: QboObject): Invoice {
  const currency = currencyOf(inv);
  const amountDueMinor = decimalToMinor(inv.Balance, currency);
  const status: InvoiceStatus = isVoided(inv) ? 'voided' : amountDueMinor === 0 ? 'paid' : 'authorised';
  return {
    id: String(inv.Id),
    number: inv.DocNumber ?? '',
    contactId: String(inv.CustomerRef?.value),
    ...(inv.CustomerMemo?.value ? { reference: inv.CustomerMemo.value } : {}),
    status,
    date: inv.TxnDate,
    ...(inv.DueDate ? { dueDate: inv.DueDate } : {}),
    currency,
    totalMinor: decimalToMinor(inv.TotalAmt, currency),
    amountDueMinor,
  };
}

export function creditNoteStatus(cm: QboObject): CreditNoteStatus {
  if (isVoided(cm)) return 'voided';
  if (isDraft(cm)) return 'draft';
  const currency = currencyOf(cm);
  const total = decimalToMinor(cm.TotalAmt, currency);
  return total > 0 && decimalToMinor(cm.RemainingCredit ?? cm.Balance, currency) === 0 ? 'paid' : 'authorised';
}

export function toCreditNote(cm: QboObject): CreditNote {
  const currency = currencyOf(cm);
  return {
    id: String(cm.Id),
    ...(cm.DocNumber ? { number: cm.DocNumber } : {}),
    contactId: String(cm.CustomerRef?.value),
    ...(cm.CustomerMemo?.value ? { reference: cm.CustomerMemo.value } : {}),
    status: creditNoteStatus(cm),
    totalMinor: decimalToMinor(cm.TotalAmt, currency),
    remainingMinor: decimalToMinor(cm.RemainingCredit ?? cm.Balance, currency),
    currency,
  };
}

/** A Bill as Settle's (payable) invoice: Balance is what is still owed; QBO has no draft or voided bills via Settle. */
export function toBill(bill: QboObject): Invoice {
  const currency = currencyOf(bill);
  const amountDueMinor = decimalToMinor(bill.Balance, currency);
  const totalMinor = decimalToMinor(bill.TotalAmt, currency);
  return {
    id: String(bill.Id),
    number: bill.DocNumber ?? '',
    contactId: String(bill.VendorRef?.value),
    ...(bill.PrivateNote ? { reference: bill.PrivateNote } : {}),
    status: totalMinor > 0 && amountDueMinor === 0 ? 'paid' : 'authorised',
    date: bill.TxnDate,
    ...(bill.DueDate ? { dueDate: bill.DueDate } : {}),
    currency,
    totalMinor,
    amountDueMinor,
  };
}

/** A VendorCredit as Settle's (payable) credit note: Balance is the credit not yet applied. */
export function toVendorCredit(vc: QboObject): CreditNote {
  const currency = currencyOf(vc);
  const totalMinor = decimalToMinor(vc.TotalAmt, currency);
  const remainingMinor = decimalToMinor(vc.Balance, currency);
  return {
    id: String(vc.Id),
    ...(vc.DocNumber ? { number: vc.DocNumber } : {}),
    contactId: String(vc.VendorRef?.value),
    ...(vc.PrivateNote ? { reference: vc.PrivateNote } : {}),
    status: totalMinor > 0 && remainingMinor === 0 ? 'paid' : 'authorised',
    totalMinor,
    remainingMinor,
    currency,
  };
}
