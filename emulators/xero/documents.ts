// What invoices, credit notes and bank transactions have in common on Xero's wire: a Contact reference, line items
// with quantity × unit amount and a tax type, LineAmountTypes (Exclusive by default), a currency the organisation
// has enabled, and totals computed line by line in cents (tax rounded per line, as Xero does).
import { randomUUID } from 'node:crypto';
import { decimalText, fromUnits, hasMorePlaces, lineAmountCents, parseDecimal, percentOf, inclusiveTax, toUnits } from './money';
import { TAX_RATES, type LineAmountTypes, type TenantLedger, type XeroLine } from './state';
import { dateString, msDate, parseWireDate } from './wire';

export interface ParsedLines {
  lines: XeroLine[];
  subTotalCents: number;
  taxCents: number;
  totalCents: number;
}

const LINE_AMOUNT_TYPES: LineAmountTypes[] = ['Exclusive', 'Inclusive', 'NoTax'];

/** The contact a document names ({ Contact: { ContactID } }, or by Name), or why not. */
export function resolveContact(tenant: TenantLedger, raw: any): { contactId: string } | { error: string } {
  const ref = raw?.Contact;
  if (!ref || typeof ref !== 'object') return { error: 'A Contact must be specified for this type of transaction' };
  if (typeof ref.ContactID === 'string' && ref.ContactID) {
    const contact = tenant.contacts.get(ref.ContactID.toLowerCase());
    return contact ? { contactId: contact.id } : { error: `The contact with ContactID ${ref.ContactID} could not be found` };
  }
  if (typeof ref.Name === 'string' && ref.Name) {
    const contact = [...tenant.contacts.values()].find((c) => c.name.toLowerCase() === ref.Name.toLowerCase());
    return contact ? { contactId: contact.id } : { error: `The contact ${ref.Name} could not be found` };
  }
  return { error: 'A Contact must be specified for this type of transaction' };
}

export function resolveCurrency(tenant: TenantLedger, raw: any): { currency: string } | { error: string } {
  const code = raw?.CurrencyCode ?? tenant.baseCurrency;
  if (typeof code !== 'string' || !tenant.currencies.has(code.toUpperCase())) {
    return { error: `Organisation is not subscribed to currency ${String(code)}` };
  }
  return { currency: code.toUpperCase() };
}

export function resolveLineAmountTypes(raw: any): { lineAmountTypes: LineAmountTypes } | { error: string } {
  const value = raw?.LineAmountTypes ?? 'Exclusive';
  const found = LINE_AMOUNT_TYPES.find((t) => t.toLowerCase() === String(value).toLowerCase());
  return found ? { lineAmountTypes: found } : { error: `LineAmountTypes ${String(value)} is not one of ${LINE_AMOUNT_TYPES.join(', ')}` };
}

/** A document date (default today) or why not. */
export function resolveDate(tenant: TenantLedger, value: unknown, name = 'Date'): { date?: string } | { error: string } {
  if (value === undefined || value === null || value === '') return { date: name === 'Date' ? tenant.today() : undefined };
  const date = parseWireDate(value);
  return date ? { date } : { error: `${name} is not a valid date (${String(value)})` };
}

/**
 * Line items as Xero computes them: LineAmount = Quantity × UnitAmount rounded to cents (UnitAmount kept to 2
 * places, or 4 with unitdp=4), tax per line from its TaxType (account default otherwise). `requireAccounts`: an
 * approved document needs an account code on every line.
 */
export function parseLines(tenant: TenantLedger, raw: unknown, lineAmountTypes: LineAmountTypes, opts: { unitdp: number; requireAccounts: boolean })
  : ParsedLines | { errors: string[] } {
  if (raw !== undefined && !Array.isArray(raw)) return { errors: ['LineItems must be an array'] };
  const items = (raw ?? []) as any[];
  const errors: string[] = [];
  const lines: XeroLine[] = [];
  for (const item of items) {
    const quantity = item?.Quantity === undefined ? parseDecimal(1) : parseDecimal(item.Quantity);
    const unit = item?.UnitAmount === undefined ? parseDecimal(0) : parseDecimal(item.UnitAmount);
    if (!quantity || hasMorePlaces(quantity, 4)) errors.push(`Quantity ${String(item?.Quantity)} is not a number with at most 4 decimal places`);
    if (!unit) errors.push(`UnitAmount ${String(item?.UnitAmount)} is not a number`);
    const account = typeof item?.AccountCode === 'string' ? tenant.accounts.get(item.AccountCode) : undefined;
    if (item?.AccountCode !== undefined && (!account || account.type === 'BANK')) {
      errors.push(`Account code '${String(item.AccountCode)}' is not a valid code for this document.`);
    } else if (item?.AccountCode === undefined && opts.requireAccounts) {
      errors.push('An account code must be specified for each line item of an approved document.');
    }
    const taxType = typeof item?.TaxType === 'string' ? item.TaxType.toUpperCase() : account?.taxType ?? 'NONE';
    if (TAX_RATES[taxType] === undefined) errors.push(`The TaxType code '${String(item.TaxType)}' does not exist or cannot be used for this type of transaction.`);
    if (!quantity || !unit || errors.length) continue;
    // Without unitdp=4 Xero rounds unit amounts to 2 places; amounts are kept in 10^-4 units either way.
    const unitAmount4 = toUnits(unit, opts.unitdp === 4 ? 4 : 2) * (opts.unitdp === 4 ? 1 : 100);
    const amount = lineAmountCents(quantity, unitAmount4);
    const rate = lineAmountTypes === 'NoTax' ? 0 : TAX_RATES[taxType];
    const taxCents = lineAmountTypes === 'Inclusive' ? inclusiveTax(amount, rate) : percentOf(amount, rate);
    lines.push({
      lineItemId: randomUUID(),
      description: typeof item?.Description === 'string' ? item.Description : undefined,
      quantity: decimalText(quantity),
      unitAmount4,
      accountCode: account?.code,
      taxType: lineAmountTypes === 'NoTax' ? 'NONE' : taxType,
      lineAmountCents: amount,
      taxCents,
    });
  }
  if (errors.length) return { errors };
  const lineSum = lines.reduce((sum, l) => sum + l.lineAmountCents, 0);
  const taxCents = lines.reduce((sum, l) => sum + l.taxCents, 0);
  // Inclusive line amounts already hold their tax; exclusive ones do not.
  const subTotalCents = lineAmountTypes === 'Inclusive' ? lineSum - taxCents : lineSum;
  return { lines, subTotalCents, taxCents, totalCents: subTotalCents + taxCents };
}

export function lineWire(line: XeroLine): Record<string, unknown> {
  const unitPlaces = line.unitAmount4 % 100 === 0 ? 2 : 4;
  return {
    LineItemID: line.lineItemId,
    Description: line.description,
    Quantity: Number(line.quantity),
    UnitAmount: unitPlaces === 2 ? fromUnits(line.unitAmount4 / 100, 2) : fromUnits(line.unitAmount4, 4),
    AccountCode: line.accountCode,
    TaxType: line.taxType,
    TaxAmount: fromUnits(line.taxCents),
    LineAmount: fromUnits(line.lineAmountCents),
    Tracking: [],
  };
}

export function contactRef(tenant: TenantLedger, contactId: string): Record<string, unknown> {
  const contact = tenant.contacts.get(contactId);
  return { ContactID: contactId, Name: contact?.name, HasValidationErrors: false };
}

/** Date and DateString as Xero sends them. */
export function dateFields(prefix: 'Date' | 'DueDate' | 'FullyPaidOnDate', date: string | undefined): Record<string, unknown> {
  if (!date) return {};
  return prefix === 'FullyPaidOnDate' ? { FullyPaidOnDate: msDate(date) } : { [prefix]: msDate(date), [`${prefix}String`]: dateString(date) };
}
