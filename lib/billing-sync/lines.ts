// A month's recurring billing line from the BSS, under the names ConnectWise Manage gives its fields, and the checks
// every source (the BSS API, an uploaded export) passes its lines through. Pure.
import type { Parsed } from '../csv-line';

export const COMMITMENT_PERIODS = ['monthly', 'annual'] as const;
export type CommitmentPeriod = (typeof COMMITMENT_PERIODS)[number];

export interface BillingLine {
  /** Position in the source (the export's line number, or the API's order from 1): how the merchant finds it. */
  lineNo: number;
  /** BSS "End Customer". */
  customer: string;
  /** BSS "Subscription ID": what ties the line to its agreement addition from month to month. */
  contractId: string;
  product: string;
  /** BSS "Billing Plan". */
  billingPeriod: string;
  /** BSS "Billing Cycle". */
  commitmentPeriod: CommitmentPeriod;
  /** BSS "Quantity". */
  units: number;
  /** BSS "Unit Cost", in cents. */
  costMinor: number;
  /** YYYY-MM-DD: when the charge or change (quantity up or down, cancellation) took effect. */
  effectiveDate: string;
}

/** The BSS fields as text, as an export or an API answer carries them. */
export interface RawBillingLine {
  customer: string;
  contractId: string;
  product: string;
  billingPeriod: string;
  commitmentPeriod: string;
  units: string;
  cost: string;
  effectiveDate: string;
}

export const MONTH_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MAX_UNITS = 1_000_000;
const MAX_COST_MINOR = 100_000_000_00;

/** A value as quoted in a message, cut short so one absurd cell cannot flood the report. */
export const shown = (value: string) => JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);

export function isCalendarDate(text: string): boolean {
  const m = ISO_DATE.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** First and last day of a YYYY-MM month. */
export function monthBounds(month: string): { first: string; last: string } {
  const m = MONTH_PATTERN.exec(month);
  if (!m) throw new RangeError(`not a YYYY-MM month: ${month}`);
  const last = new Date(Date.UTC(Number(m[1]), Number(m[2]), 0)).getUTCDate();
  return { first: `${month}-01`, last: `${month}-${String(last).padStart(2, '0')}` };
}

/** "12.50" → 1250; zero is a real cost (a free trial), more than two decimals is refused rather than rounded. */
export function parseCostMinor(text: string): Parsed<number> {
  const m = /^(\d{1,10})(?:\.(\d{1,2}))?$/.exec(text);
  if (!m) return { ok: false, reason: 'must be a decimal amount with at most 2 decimals, such as 12.50' };
  const minor = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return minor > MAX_COST_MINOR ? { ok: false, reason: 'is larger than any unit cost Settle accepts' } : { ok: true, value: minor };
}

export function formatCost(minor: number): string {
  return `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;
}

/** Every problem with a line (empty when it is good), worded for the merchant. */
export function checkLine(raw: RawBillingLine, month: string): Parsed<Omit<BillingLine, 'lineNo'>> {
  const problems: string[] = [];
  const text = (name: string, value: string, max: number) => {
    if (!value) problems.push(`${name} is empty`);
    else if (value.length > max) problems.push(`${name} is longer than ${max} characters`);
    else if (/[\u0000-\u001f\u007f]/.test(value)) problems.push(`${name} contains control characters`);
  };
  text('Customer', raw.customer, 100);
  text('Contract ID', raw.contractId, 50);
  text('Product', raw.product, 100);
  text('Billing Period', raw.billingPeriod, 50);
  const commitment = raw.commitmentPeriod.toLowerCase();
  if (!(COMMITMENT_PERIODS as readonly string[]).includes(commitment)) problems.push(`Commitment Period ${shown(raw.commitmentPeriod)} must be monthly or annual`);
  const units = /^\d{1,7}$/.test(raw.units) ? Number(raw.units) : NaN;
  if (!(units >= 0 && units <= MAX_UNITS)) problems.push(`Units ${shown(raw.units)} must be a whole number from 0 to ${MAX_UNITS}`);
  const cost = parseCostMinor(raw.cost);
  if (!cost.ok) problems.push(`Cost ${shown(raw.cost)} ${cost.reason}`);
  const { last } = monthBounds(month);
  if (!isCalendarDate(raw.effectiveDate)) problems.push(`Effective Date ${shown(raw.effectiveDate)} must be a date written YYYY-MM-DD`);
  else if (raw.effectiveDate > last) problems.push(`Effective Date ${raw.effectiveDate} is after the month ${month}`);
  if (problems.length || !cost.ok) return { ok: false, reason: problems.join('; ') };
  return {
    ok: true,
    value: { customer: raw.customer, contractId: raw.contractId, product: raw.product, billingPeriod: raw.billingPeriod,
      commitmentPeriod: commitment as CommitmentPeriod, units, costMinor: cost.value, effectiveDate: raw.effectiveDate },
  };
}

/** A subscription is billed once a month: a second line for it is an error in the source, not a second charge. */
export function duplicateContracts(lines: ReadonlyArray<Pick<BillingLine, 'lineNo' | 'contractId'>>): Array<{ line: number; message: string }> {
  const first = new Map<string, number>();
  const errors: Array<{ line: number; message: string }> = [];
  for (const line of lines) {
    const seen = first.get(line.contractId);
    if (seen === undefined) first.set(line.contractId, line.lineNo);
    else errors.push({ line: line.lineNo, message: `Contract ID ${shown(line.contractId)} is already on line ${seen}` });
  }
  return errors;
}
