// A BSS billing export (CSV) as a second source of a month's lines: a header naming the columns (the BSS names,
// any order, case and spacing ignored), then one recurring charge a line. Every bad line is reported with its number;
// a file with any bad line is refused whole, since a missing line would read as "no longer billed" and cancel an
// addition in Manage.
import { splitLine } from '../csv-line';
import { checkLine, duplicateContracts, type BillingLine, type RawBillingLine } from './lines';

/** Header names (normalised: lower case, spaces as underscores) and the field each fills. */
export const BSS_CSV_COLUMNS: Record<string, keyof RawBillingLine> = {
  end_customer: 'customer',
  subscription_id: 'contractId',
  product: 'product',
  billing_plan: 'billingPeriod',
  billing_cycle: 'commitmentPeriod',
  quantity: 'units',
  unit_cost: 'cost',
  effective_date: 'effectiveDate',
};

export interface BssCsvResult {
  lines: BillingLine[];
  errors: Array<{ line: number; message: string }>;
}

const normalise = (name: string) => name.trim().toLowerCase().replace(/[\s-]+/g, '_');

export function parseBssCsv(text: string, month: string): BssCsvResult {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const rows = body.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const errors: BssCsvResult['errors'] = [];
  const lines: BillingLine[] = [];
  const header = splitLine(rows[0] ?? '');
  const expected = `line 1 must be the header ${Object.keys(BSS_CSV_COLUMNS).join(',')} (any order)`;
  if (!header.ok) return { lines, errors: [{ line: 1, message: `${expected}; ${header.reason}` }] };
  const names = header.value.map(normalise);
  const missing = Object.keys(BSS_CSV_COLUMNS).filter((c) => !names.includes(c));
  if (missing.length) return { lines, errors: [{ line: 1, message: `${expected}; missing ${missing.join(', ')}` }] };
  const twice = names.find((n, i) => n in BSS_CSV_COLUMNS && names.indexOf(n) !== i);
  if (twice) return { lines, errors: [{ line: 1, message: `the header names ${twice} twice` }] };

  for (let i = 1; i < rows.length; i++) {
    const lineNo = i + 1;
    const split = splitLine(rows[i]);
    if (!split.ok) {
      errors.push({ line: lineNo, message: split.reason });
      continue;
    }
    const fields = split.value.map((f) => f.trim());
    if (fields.every((f) => f === '')) continue; // a blank line, or a spreadsheet's empty row
    if (fields.length !== names.length) {
      errors.push({ line: lineNo, message: `has ${fields.length} columns but the header has ${names.length} (an unquoted comma in a value?)` });
      continue;
    }
    const raw = {} as RawBillingLine;
    names.forEach((name, at) => {
      const field = BSS_CSV_COLUMNS[name];
      if (field) raw[field] = fields[at];
    });
    const checked = checkLine(raw, month);
    if (checked.ok) lines.push({ lineNo, ...checked.value });
    else errors.push({ line: lineNo, message: checked.reason });
  }
  const duplicates = duplicateContracts(lines);
  errors.push(...duplicates);
  const kept = lines.filter((l) => !duplicates.some((d) => d.line === l.lineNo));
  if (!kept.length && !errors.length) errors.push({ line: 1, message: 'the file has no billing lines' });
  errors.sort((a, b) => a.line - b.line);
  return { lines: kept, errors };
}

/** The export a BSS would produce for these lines (tests and the sandbox's demo file use it). */
export function formatBssCsv(lines: readonly Omit<BillingLine, 'lineNo'>[]): string {
  const quote = (v: string) => (/[",]/.test(v) || v !== v.trim() ? `"${v.replace(/"/g, '""')}"` : v);
  const rows = lines.map((l) => [l.customer, l.contractId, l.product, l.billingPeriod, l.commitmentPeriod, String(l.units),
    `${Math.floor(l.costMinor / 100)}.${String(l.costMinor % 100).padStart(2, '0')}`, l.effectiveDate].map(quote).join(','));
  return [Object.keys(BSS_CSV_COLUMNS).join(','), ...rows].join('\n') + '\n';
}
