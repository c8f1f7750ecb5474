// QBO speaks decimal numbers on the wire; the emulator keeps integer cents. Conversions go through decimal
// strings and BigInt so that no float drift creeps into balances (0.1 + 0.2 must never leave a cent behind).

interface Decimal {
  digits: bigint;
  scale: number;
}

/** A JSON number or numeric string as an exact decimal, or undefined if it is not a finite number. */
function parseDecimal(value: unknown): Decimal | undefined {
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  const n = Number(value);
  if (value === '' || !Number.isFinite(n)) return undefined;
  // toFixed expands exponent notation (1e-7) into plain digits; shortest round-trip text otherwise.
  const text = /e/i.test(String(value)) ? n.toFixed(12) : String(value).trim();
  const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match) return undefined;
  const [, sign, whole, fraction = ''] = match;
  const digits = BigInt(`${whole || '0'}${fraction}`);
  return { digits: sign === '-' ? -digits : digits, scale: fraction.length };
}

/** Rounds digits/10^scale to an integer, half away from zero (what QBO does with amounts). */
function roundScaled(digits: bigint, scale: number): number {
  if (scale <= 0) return Number(digits * 10n ** BigInt(-scale));
  const divisor = 10n ** BigInt(scale);
  const negative = digits < 0n;
  const abs = negative ? -digits : digits;
  let q = abs / divisor;
  if ((abs % divisor) * 2n >= divisor) q += 1n;
  return Number(negative ? -q : q);
}

/** A wire amount in cents if it has at most two decimals; undefined otherwise (QBO refuses such amounts). */
export function toCents(value: unknown): number | undefined {
  const d = parseDecimal(value);
  if (!d) return undefined;
  const stripped = d.scale > 2 && d.digits % 10n ** BigInt(d.scale - 2) === 0n;
  if (d.scale > 2 && !stripped) return undefined;
  return roundScaled(d.digits * 100n, d.scale);
}

export function fromCents(cents: number): number {
  return cents / 100;
}

/** Qty × UnitPrice in cents, rounded half away from zero; undefined if either is not a number. */
export function productCents(qty: unknown, unitPrice: unknown): number | undefined {
  const a = parseDecimal(qty);
  const b = parseDecimal(unitPrice);
  if (!a || !b) return undefined;
  return roundScaled(a.digits * b.digits * 100n, a.scale + b.scale);
}

export function isNumeric(value: unknown): boolean {
  return parseDecimal(value) !== undefined;
}
