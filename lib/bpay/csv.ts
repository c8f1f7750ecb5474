// The bank's BPAY file: a header row naming customer_reference, amount and paid_date (any order, other columns
// ignored), then one payment a line. Read line by line, so a malformed row (even an unclosed quote) is reported
// on its own line and never swallows the rows after it; none of these fields can hold a line break.
import { splitLine } from '../csv-line';
import { parseAmount, type Currency } from '../money';

export const BPAY_CSV_COLUMNS = ['customer_reference', 'amount', 'paid_date'] as const;
export const PROGRESS_EVERY_LINES = 1000;

export interface BpayCsvRow { line: number; customerReference: string; amountMinor: number; paidDate: string }
export interface BpayCsvError { line: number; message: string }
export interface BpayCsvResult { rows: BpayCsvRow[]; errors: BpayCsvError[] }
export interface BpayCsvOptions {
  currency: Currency;
  /** YYYY-MM-DD in the merchant's time zone: no payment can be paid after it. */
  today: string;
  /** Called every PROGRESS_EVERY_LINES file lines and once at the end. */
  onProgress?: (linesDone: number, linesTotal: number) => void;
}

type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const AU_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const CRN = /^\d{2,20}$/;

/** A value as quoted in a message, cut short so one absurd cell cannot flood the import report. */
const shown = (value: string) => JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/** YYYY-MM-DD, or DD/MM/YYYY as Australian banks write it; a real calendar date. */
function parseDate(text: string): Parsed<string> {
  const iso = ISO_DATE.exec(text);
  const au = iso ? undefined : AU_DATE.exec(text);
  if (!iso && !au) return { ok: false, reason: 'must be a date written YYYY-MM-DD or DD/MM/YYYY' };
  const [year, month, day] = iso ? [iso[1], iso[2], iso[3]].map(Number) : [au![3], au![2], au![1]].map(Number);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return { ok: false, reason: 'is not a real calendar date' };
  return { ok: true, value: `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}` };
}

/** Column positions of the required names in the header, or why the line is not the header. */
function readHeader(line: string | undefined): Parsed<{ width: number; at: Record<(typeof BPAY_CSV_COLUMNS)[number], number> }> {
  const expected = `line 1 must be the header row ${BPAY_CSV_COLUMNS.join(',')} (any order)`;
  if (line === undefined || line.trim() === '') return { ok: false, reason: `${expected}; the line is empty` };
  const split = splitLine(line);
  if (!split.ok) return { ok: false, reason: `${expected}; ${split.reason}` };
  const names = split.value.map((name) => name.trim().toLowerCase());
  const missing = BPAY_CSV_COLUMNS.filter((column) => !names.includes(column));
  if (missing.length) return { ok: false, reason: `${expected}; missing ${missing.join(', ')}` };
  const twice = BPAY_CSV_COLUMNS.find((column) => names.indexOf(column) !== names.lastIndexOf(column));
  if (twice) return { ok: false, reason: `the header names ${twice} twice` };
  const at = { customer_reference: names.indexOf('customer_reference'), amount: names.indexOf('amount'), paid_date: names.indexOf('paid_date') };
  return { ok: true, value: { width: names.length, at } };
}

export function parseBpayCsv(text: string, opts: BpayCsvOptions): BpayCsvResult {
  const today = parseDate(opts.today);
  if (!ISO_DATE.test(opts.today) || !today.ok) throw new RangeError(`today must be a YYYY-MM-DD date: ${opts.today}`);
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let linesTotal = 0;
  for (let at = body.indexOf('\n'); at >= 0; at = body.indexOf('\n', at + 1)) linesTotal++;
  if (body.length > 0 && !body.endsWith('\n')) linesTotal++;

  const rows: BpayCsvRow[] = [];
  const errors: BpayCsvError[] = [];
  let lineStart = 0;
  const nextLine = (): string | undefined => {
    if (lineStart >= body.length) return undefined;
    const end = body.indexOf('\n', lineStart);
    const line = body.slice(lineStart, end < 0 ? body.length : end);
    lineStart = end < 0 ? body.length : end + 1;
    return line.endsWith('\r') ? line.slice(0, -1) : line;
  };

  const header = readHeader(nextLine());
  if (!header.ok) {
    opts.onProgress?.(linesTotal, linesTotal);
    return { rows, errors: [{ line: 1, message: header.reason }] };
  }
  const { width, at } = header.value;
  let lineNumber = 1;
  for (let line = nextLine(); line !== undefined; line = nextLine()) {
    lineNumber++;
    if (lineNumber % PROGRESS_EVERY_LINES === 0) opts.onProgress?.(lineNumber, linesTotal);
    const split = splitLine(line);
    if (!split.ok) {
      errors.push({ line: lineNumber, message: split.reason });
      continue;
    }
    const fields = split.value.map((field) => field.trim());
    if (fields.every((field) => field === '')) continue; // a blank line, or a spreadsheet's empty row (",,")
    if (fields.length !== width) {
      errors.push({ line: lineNumber, message: `has ${fields.length} columns but the header has ${width} (an unquoted comma in a value?)` });
      continue;
    }
    const problems: string[] = [];
    const crn = fields[at.customer_reference];
    if (!CRN.test(crn)) problems.push(`customer_reference ${shown(crn)} must be 2 to 20 digits`);
    const amount = parseAmount(fields[at.amount], opts.currency);
    if (!amount.ok) problems.push(`amount ${shown(fields[at.amount])}: ${amount.reason}`);
    const date = parseDate(fields[at.paid_date]);
    if (!date.ok) problems.push(`paid_date ${shown(fields[at.paid_date])} ${date.reason}`);
    else if (date.value > today.value) problems.push(`paid_date ${date.value} is in the future (today is ${today.value})`);
    if (problems.length || !amount.ok || !date.ok) errors.push({ line: lineNumber, message: problems.join('; ') });
    else rows.push({ line: lineNumber, customerReference: crn, amountMinor: amount.minor, paidDate: date.value });
  }
  if (linesTotal % PROGRESS_EVERY_LINES !== 0 || linesTotal === 0) opts.onProgress?.(linesTotal, linesTotal);
  return { rows, errors };
}
