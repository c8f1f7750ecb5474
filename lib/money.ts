// Money is carried as integer minor units (cents) with an ISO 4217 currency; decimal strings only at the edges.

/** Currencies Settle takes payments in, with their minor-unit exponent. */
export const CURRENCY_EXPONENT = {
  AUD: 2,
  NZD: 2,
  USD: 2,
  CAD: 2,
  GBP: 2,
  EUR: 2,
} as const;

export type Currency = keyof typeof CURRENCY_EXPONENT;
export const CURRENCIES = Object.keys(CURRENCY_EXPONENT) as Currency[];

/** Largest amount accepted in one payment, in minor units (10 million in major units). */
export const MAX_AMOUNT_MINOR = 10_000_000_00;

/**
 * The shape of every decimal amount the API takes: up to 12 digits, optionally a point and decimals. The API's schemas
 * (and so its OpenAPI document) use it; parseAmount adds the rules of one currency (its decimals, zero, the maximum),
 * each with a reason of its own.
 */
export const AMOUNT_PATTERN = /^(\d{1,12})(?:\.(\d+))?$/;

export type ParseAmountResult = { ok: true; minor: number } | { ok: false; reason: string };

/**
 * Parses a decimal amount such as "1234.50" into minor units, exactly (no floating point).
 * Refuses more decimals than the currency has, signs, exponents, zero and amounts above MAX_AMOUNT_MINOR.
 */
export function parseAmount(text: string, currency: Currency): ParseAmountResult {
  const exponent = CURRENCY_EXPONENT[currency];
  const match = AMOUNT_PATTERN.exec(text);
  if (!match) return { ok: false, reason: 'amount must be a positive decimal number such as "125.00"' };
  const [, whole, fraction = ''] = match;
  if (fraction.length > exponent) {
    return { ok: false, reason: `${currency} amounts have at most ${exponent} decimal places` };
  }
  const minor = Number(whole) * 10 ** exponent + Number(fraction.padEnd(exponent, '0') || '0');
  if (minor === 0) return { ok: false, reason: 'amount must be greater than zero' };
  if (minor > MAX_AMOUNT_MINOR) return { ok: false, reason: 'amount is larger than Settle accepts in one payment' };
  return { ok: true, minor };
}

/** Formats minor units as a decimal string with exactly the currency's number of places. */
export function formatAmount(minor: number, currency: Currency): string {
  const exponent: number = CURRENCY_EXPONENT[currency];
  if (!Number.isSafeInteger(minor) || minor < 0) throw new RangeError(`not a minor-unit amount: ${minor}`);
  if (exponent === 0) return String(minor);
  const digits = String(minor).padStart(exponent + 1, '0');
  return `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/** Major units as a number, for display and search attributes only; never for arithmetic on money. */
export function toMajorUnits(minor: number, currency: Currency): number {
  return minor / 10 ** CURRENCY_EXPONENT[currency];
}
