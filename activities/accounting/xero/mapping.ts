// Settle's port types ↔ xero-node's models (camelCase in the SDK, PascalCase on the wire).
// Money: the port carries integer minor units, Xero decimal numbers. Conversions go through decimal text, never
// through float arithmetic: 1999 → "19.99" → 19.99 (the JSON number whose text is exactly that decimal), and a
// number Xero sends back is read from its shortest round-trip text (what JSON.parse saw), so no cent is lost.
// Dates: the port uses YYYY-MM-DD; Xero answers "/Date(ms+0000)/", which the SDK turns into a Date (UTC midnight).
import { createHash } from 'node:crypto';
import {
  BankTransaction, Contact as XeroContact, CreditNote as XeroCreditNote, CurrencyCode, Invoice as XeroInvoice, LineAmountTypes,
  type LineItem, type Payment as XeroPayment,
} from 'xero-node';
import {
  PlatformRejected, type Contact, type ContactQuery, type CreditNote, type CreditNoteStatus, type Invoice, type InvoiceLine,
  type InvoiceQuery, type InvoiceStatus, type LinkedObject, type NewContact, type NewCreditNote, type NewInvoice, type NewPayment,
  type NewPrepayment,
} from '../platform';

/** ISO 4217 currencies without minor units; every other currency Xero supports has two decimals. */
const ZERO_DECIMAL = new Set(['BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']);

/** Decimal places of a currency's minor unit. Payments and allocations carry no currency in the port: 2. */
export function exponentOf(currency = 'XXX'): number {
  return ZERO_DECIMAL.has(currency.toUpperCase()) ? 0 : 2;
}

/** Minor units → the decimal Xero takes (1999 → 19.99), exactly. */
export function minorToDecimal(minor: number, currency?: string): number {
  if (!Number.isSafeInteger(minor)) throw new PlatformRejected(`not an amount in minor units: ${minor}`, [`amount ${minor} is not an integer`]);
  const exponent = exponentOf(currency);
  const digits = String(Math.abs(minor)).padStart(exponent + 1, '0');
  const text = exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
  return Number(minor < 0 ? `-${text}` : text);
}

/** A decimal Xero sent (number or numeric text) → minor units, exactly; extra places round half away from zero. */
export function decimalToMinor(value: unknown, currency?: string): number {
  if (value === undefined || value === null) return 0;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`Xero sent a non-numeric amount: ${String(value)}`);
  const text = /e/i.test(String(value)) ? n.toFixed(10) : String(value).trim();
  const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match) throw new Error(`Xero sent a non-numeric amount: ${String(value)}`);
  const [, sign, whole, fraction = ''] = match;
  const exponent = exponentOf(currency);
  let minor = BigInt(`${whole || '0'}${fraction.slice(0, exponent).padEnd(exponent, '0')}`);
  if (fraction.length > exponent && Number(fraction[exponent]) >= 5) minor += 1n;
  return Number(sign === '-' ? -minor : minor);
}

/** "/Date(1709251200000+0000)/", a Date (what the SDK makes of it) or "2026-03-01T00:00:00" → "2026-03-01". */
export function toIsoDate(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString().slice(0, 10);
  const text = String(value);
  const ms = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/.exec(text);
  if (ms) return new Date(Number(ms[1])).toISOString().slice(0, 10);
  return /^\d{4}-\d{2}-\d{2}/.test(text) ? text.slice(0, 10) : undefined;
}

/** Status enums are strings at run time although typed as numbers: compare their text. */
function statusOf<T extends string>(value: unknown, fallback: T): T {
  const text = String(value ?? '').toLowerCase();
  return (['draft', 'submitted', 'authorised', 'paid', 'voided', 'deleted'].includes(text) ? text : fallback) as T;
}

function currencyCode(currency: string): CurrencyCode {
  const code = CurrencyCode[currency.toUpperCase() as keyof typeof CurrencyCode];
  if (code === undefined) throw new PlatformRejected(`Xero does not know the currency ${currency}`, [`unknown currency ${currency}`]);
  return code;
}

const omitUndefined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

// ---- reading ----

export function toContact(c: XeroContact): Contact {
  return omitUndefined({ id: c.contactID!, name: c.name ?? '', accountNumber: c.accountNumber || undefined, email: c.emailAddress || undefined });
}

export function toInvoice(i: XeroInvoice): Invoice {
  const currency = String(i.currencyCode ?? '');
  return omitUndefined({
    id: i.invoiceID!, number: i.invoiceNumber ?? '', contactId: i.contact?.contactID ?? '', reference: i.reference || undefined,
    status: statusOf<InvoiceStatus>(i.status, 'draft'), date: toIsoDate(i.date) ?? '', dueDate: toIsoDate(i.dueDate), currency,
    totalMinor: decimalToMinor(i.total, currency), amountDueMinor: decimalToMinor(i.amountDue, currency),
  });
}

export function toCreditNote(n: XeroCreditNote): CreditNote {
  const currency = String(n.currencyCode ?? '');
  return omitUndefined({
    id: n.creditNoteID!, number: n.creditNoteNumber || undefined, contactId: n.contact?.contactID ?? '', reference: n.reference || undefined,
    status: statusOf<CreditNoteStatus>(n.status, 'draft'), totalMinor: decimalToMinor(n.total, currency),
    remainingMinor: decimalToMinor(n.remainingCredit, currency), currency,
  });
}

// ---- writing ----

export function contactBody(c: NewContact): XeroContact {
  return omitUndefined({ name: c.name, emailAddress: c.email, accountNumber: c.accountNumber });
}

function lineBody(line: InvoiceLine, currency: string): LineItem {
  return omitUndefined({
    description: line.description, quantity: line.quantity, unitAmount: minorToDecimal(line.unitAmountMinor, currency),
    accountCode: line.accountCode, taxType: line.taxType,
  });
}

export function invoiceBody(inv: NewInvoice): XeroInvoice {
  return omitUndefined({
    type: inv.payable ? XeroInvoice.TypeEnum.ACCPAY : XeroInvoice.TypeEnum.ACCREC, contact: { contactID: inv.contactId }, invoiceNumber: inv.number, reference: inv.reference,
    date: inv.date, dueDate: inv.dueDate, currencyCode: currencyCode(inv.currency),
    status: inv.status === 'authorised' ? XeroInvoice.StatusEnum.AUTHORISED : XeroInvoice.StatusEnum.DRAFT,
    lineItems: inv.lines.map((l) => lineBody(l, inv.currency)),
  });
}

export function creditNoteBody(cn: NewCreditNote): XeroCreditNote {
  return omitUndefined({
    type: cn.payable ? XeroCreditNote.TypeEnum.ACCPAYCREDIT : XeroCreditNote.TypeEnum.ACCRECCREDIT, contact: { contactID: cn.contactId }, creditNoteNumber: cn.number,
    reference: cn.reference, date: cn.date,
    currencyCode: currencyCode(cn.currency),
    status: cn.status === 'authorised' ? XeroCreditNote.StatusEnum.AUTHORISED : XeroCreditNote.StatusEnum.DRAFT,
    lineItems: cn.lines.map((l) => lineBody(l, cn.currency)),
  });
}

export function paymentBody(p: NewPayment): XeroPayment {
  return omitUndefined({
    invoice: { invoiceID: p.invoiceId }, account: { code: p.accountCode }, date: p.date, amount: minorToDecimal(p.amountMinor), reference: p.reference,
  });
}

/** A prepayment is a RECEIVE-PREPAYMENT bank transaction; its one line takes the whole amount, untaxed. */
export function prepaymentBody(p: NewPrepayment, lineAccountCode: string): BankTransaction {
  return omitUndefined({
    type: BankTransaction.TypeEnum.RECEIVEPREPAYMENT, contact: { contactID: p.contactId }, bankAccount: { code: p.accountCode },
    date: p.date, reference: p.reference, currencyCode: currencyCode(p.currency), lineAmountTypes: LineAmountTypes.NoTax,
    lineItems: [{ description: p.reference ? `Prepayment ${p.reference}` : 'Prepayment', quantity: 1, unitAmount: minorToDecimal(p.amountMinor, p.currency), accountCode: lineAccountCode }],
  });
}

// ---- queries ----

/** A string literal of Xero's where syntax (C#-like: backslash escapes). */
function quoted(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function contactWhere(q: ContactQuery): string | undefined {
  const terms = [
    q.name !== undefined && `Name==${quoted(q.name)}`,
    q.email !== undefined && `EmailAddress==${quoted(q.email)}`,
    q.accountNumber !== undefined && `AccountNumber==${quoted(q.accountNumber)}`,
  ].filter((t): t is string => Boolean(t));
  return terms.length ? terms.join(' AND ') : undefined;
}

/** Contacts whose `field` is any of `values` (Xero's where: exact, case-insensitive string comparison). */
export function contactsAnyWhere(field: 'AccountNumber' | 'Name', values: string[]): string {
  return values.map((v) => `${field}==${quoted(v)}`).join(' OR ');
}

/** Whether a contact matches the query exactly (case-insensitive), as the port promises. */
export function contactMatches(c: Contact, q: ContactQuery): boolean {
  const same = (a: string | undefined, b: string | undefined) => b === undefined || (a ?? '').toLowerCase() === b.toLowerCase();
  return same(c.name, q.name) && same(c.email, q.email) && same(c.accountNumber, q.accountNumber);
}

/** Customer credit notes with any of these numbers (Xero's where: exact string comparison). */
export function creditNoteNumbersWhere(numbers: string[]): string {
  return `Type=="ACCRECCREDIT" AND (${numbers.map((n) => `CreditNoteNumber==${quoted(n)}`).join(' OR ')})`;
}

/** Sales invoices only; the contact and status go in Xero's optimised ContactIDs/Statuses parameters instead. */
export function invoiceWhere(q: InvoiceQuery): string {
  const terms = ['Type=="ACCREC"'];
  if (q.fromDate) {
    const [y, m, d] = q.fromDate.split('-').map(Number);
    if (!y || !m || !d) throw new PlatformRejected(`fromDate must be YYYY-MM-DD, not ${q.fromDate}`, [`bad fromDate ${q.fromDate}`]);
    terms.push(`Date>=DateTime(${y},${String(m).padStart(2, '0')},${String(d).padStart(2, '0')})`);
  }
  return terms.join(' AND ');
}

/** The Idempotency-Key of batch `index` of a write: `${key}-b${index}`, hashed if that would pass 50 characters. */
export function batchKey(key: string, index: number): string {
  const derived = `${key}-b${index}`;
  return derived.length <= 50 ? derived : `h_${createHash('sha256').update(derived).digest('base64url').slice(0, 43)}`;
}

const LINK_PATHS: Record<LinkedObject, (id: string) => string> = {
  contact: (id) => `/Contacts/View/${id}`,
  invoice: (id) => `/AccountsReceivable/View.aspx?InvoiceID=${id}`,
  creditNote: (id) => `/AccountsReceivable/ViewCreditNote.aspx?creditNoteID=${id}`,
  bill: (id) => `/AccountsPayable/View.aspx?InvoiceID=${id}`,
  supplierCredit: (id) => `/AccountsPayable/ViewCreditNote.aspx?creditNoteID=${id}`,
  // Payments and prepayments open as bank transactions in Xero's web app.
  payment: (id) => `/Bank/ViewTransaction.aspx?bankTransactionID=${id}`,
  prepayment: (id) => `/Bank/ViewTransaction.aspx?bankTransactionID=${id}`,
};

export function webLink(base: string, kind: LinkedObject, id: string): string {
  return `${base.replace(/\/+$/, '')}${LINK_PATHS[kind](encodeURIComponent(id))}`;
}
