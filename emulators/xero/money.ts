// Xero speaks decimal numbers on the wire (123.45); the emulator keeps integer cents. Every conversion goes
// through decimal text and BigInt, so no float drift reaches a balance (0.1 + 0.2 must never leave a cent behind).

/** An exact decimal: digits × 10^-scale. */
export interface Decimal {
  digits: bigint;
  scale: number;
}

/** A JSON number or numeric string as an exact decimal; undefined if it is not a finite number. */
export function parseDecimal(value: unknown): Decimal | undefined {
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  if (typeof value === 'string' && value.trim() === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) return undefined;
  // JSON numbers print as their shortest round-trip text (12.34), which is the decimal the client meant.
  // Exponent notation (1e-7, 1e21) is expanded first.
  const text = /e/i.test(String(value)) ? n.toFixed(12) : String(value).trim();
  const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match || (match[2] === '' && !match[3])) return undefined;
  const [, sign, whole, fraction = ''] = match;
  const digits = BigInt(`${whole || '0'}${fraction}`);
  return { digits: sign === '-' ? -digits : digits, scale: fraction.length };
}

/** digits / 10^shift rounded half away from zero (how Xero rounds amounts). */
export function roundShift(digits: bigint, shift: number): bigint {
  if (shift <= 0) return digits * 10n ** BigInt(-shift);
  const divisor = 10n ** BigInt(shift);
  const negative = digits < 0n;
  const abs = negative ? -digits : digits;
  let q = abs / divisor;
  if ((abs % divisor) * 2n >= divisor) q += 1n;
  return negative ? -q : q;
}

/** A decimal at `places` decimals (rounded half away from zero), as an integer of 10^-places units. */
export function toUnits(d: Decimal, places: number): number {
  return Number(roundShift(d.digits, d.scale - places));
}

/** Whether the decimal has more than `places` significant decimals. */
export function hasMorePlaces(d: Decimal, places: number): boolean {
  if (d.scale <= places) return false;
  return d.digits % 10n ** BigInt(d.scale - places) !== 0n;
}

/** A wire amount in cents, or undefined if it is not a number or has more than two significant decimals. */
export function toCents(value: unknown): number | undefined {
  const d = parseDecimal(value);
  if (!d || hasMorePlaces(d, 2)) return undefined;
  return toUnits(d, 2);
}

/** Integer units of 10^-places as a JSON number whose text is exactly the decimal (1999, 2 → 19.99). */
export function fromUnits(units: number, places = 2): number {
  const negative = units < 0;
  const digits = String(Math.abs(units)).padStart(places + 1, '0');
  const text = places === 0 ? digits : `${digits.slice(0, -places)}.${digits.slice(-places)}`;
  return Number(negative ? `-${text}` : text);
}

/** quantity × unit amount (in 10^-4 units) → cents, exactly, rounded half away from zero. */
export function lineAmountCents(quantity: Decimal, unitAmount4: number): number {
  return Number(roundShift(quantity.digits * BigInt(unitAmount4), quantity.scale + 2));
}

/** amount × basisPoints / 10000 → cents, rounded half away from zero. */
export function percentOf(cents: number, basisPoints: number): number {
  return Number(roundShift(BigInt(cents) * BigInt(basisPoints), 4));
}

/** The tax inside a tax-inclusive amount: amount × bp / (10000 + bp), rounded half away from zero. */
export function inclusiveTax(cents: number, basisPoints: number): number {
  if (basisPoints === 0) return 0;
  const num = BigInt(cents) * BigInt(basisPoints) * 2n;
  const den = BigInt(10_000 + basisPoints);
  const negative = num < 0n;
  const abs = negative ? -num : num;
  const q = (abs / den + 1n) / 2n; // half away from zero: (2x/d + 1) / 2
  return Number(negative ? -q : q);
}

/** The decimal as plain text ("1.5", "-0.25", "3"). */
export function decimalText(d: Decimal): string {
  const negative = d.digits < 0n;
  const abs = (negative ? -d.digits : d.digits).toString();
  if (d.scale === 0) return `${negative ? '-' : ''}${abs}`;
  const padded = abs.padStart(d.scale + 1, '0');
  return `${negative ? '-' : ''}${padded.slice(0, -d.scale)}.${padded.slice(-d.scale)}`;
}
