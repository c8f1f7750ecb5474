// From a ConnectWise Manage invoice to what the accounting package gets: an invoice, or a credit note when Manage's
// total is negative (a credit), with every line posted to the merchant's account and tax type for its GL account or,
// failing that, its product type. A line with neither mapped is that invoice's error: nothing of it is posted, and the
// rest of the batch goes on. Pure: the activities fetch and write, these rules decide. Amounts are minor units.
import type { InvoiceLine } from '../../activities/accounting/platform';

export interface PsaLine {
  description: string;
  quantity: number;
  unitPriceMinor: number;
  productType: string;
  glAccount?: string;
  taxCode?: string;
  /** Inventory lines carry their unit cost: the cost of goods the audit trail records. */
  inventoryUnitCostMinor?: number;
}

export interface PsaInvoice {
  id: number;
  number: string;
  companyId: number;
  date: string;
  dueDate: string;
  currency: string;
  lines: PsaLine[];
}

export interface AccountMapping {
  kind: 'gl-account' | 'product-type';
  value: string;
  accountCode: string;
  taxType?: string | null;
}

export type Posting =
  | { ok: true; kind: 'invoice' | 'credit-note'; number: string; reference: string; date: string; dueDate: string; currency: string; lines: InvoiceLine[]; totalMinor: number }
  | { ok: false; reason: string };

/** A Manage decimal amount (dollars) in minor units, rounded half away from zero. */
export function decimalToMinor(amount: number): number {
  const cents = Number((Math.abs(amount) * 100).toPrecision(15));
  const rounded = Math.round(cents);
  return amount < 0 ? -rounded : rounded;
}

/** Minor units as the decimal Manage takes (two places). */
export function minorToDecimal(minor: number): number {
  return Number((minor / 100).toFixed(2));
}

/** quantity × unit price, rounded per line as the platforms do. */
export function lineAmountMinor(quantity: number, unitPriceMinor: number): number {
  const exact = Number((quantity * unitPriceMinor).toPrecision(15));
  return exact < 0 ? -Math.round(-exact) : Math.round(exact);
}

/** The mapping for a line: its GL account's if there is one (more specific), else its product type's. */
export function mappingFor(line: Pick<PsaLine, 'glAccount' | 'productType'>, mappings: readonly AccountMapping[]): AccountMapping | undefined {
  const same = (a: string, b: string | undefined) => b !== undefined && a.toLowerCase() === b.toLowerCase();
  return mappings.find((m) => m.kind === 'gl-account' && same(m.value, line.glAccount))
    ?? mappings.find((m) => m.kind === 'product-type' && same(m.value, line.productType));
}

export function mapInvoice(invoice: PsaInvoice, mappings: readonly AccountMapping[]): Posting {
  if (invoice.lines.length === 0) return { ok: false, reason: `invoice ${invoice.number} has no lines` };
  const unmapped = invoice.lines.filter((l) => !mappingFor(l, mappings));
  if (unmapped.length) {
    const what = [...new Set(unmapped.map((l) => `product type "${l.productType}"${l.glAccount ? ` / GL account ${l.glAccount}` : ''}`))];
    return { ok: false, reason: `no account mapped for ${what.join(', ')}` };
  }
  const totalMinor = invoice.lines.reduce((sum, l) => sum + lineAmountMinor(l.quantity, l.unitPriceMinor), 0);
  // A negative invoice is a credit: a credit note of the same lines with their signs turned, so its total is positive.
  const sign = totalMinor < 0 ? -1 : 1;
  const lines = invoice.lines.map((l): InvoiceLine => {
    const m = mappingFor(l, mappings)!;
    return { description: l.description, quantity: l.quantity, unitAmountMinor: sign * l.unitPriceMinor, accountCode: m.accountCode,
      ...(m.taxType ? { taxType: m.taxType } : {}) };
  });
  return { ok: true, kind: sign < 0 ? 'credit-note' : 'invoice', number: invoice.number, reference: invoice.number, date: invoice.date,
    dueDate: invoice.dueDate, currency: invoice.currency, lines, totalMinor: sign * totalMinor };
}
