import fc from 'fast-check';
import { CURRENCIES, formatAmount, MAX_AMOUNT_MINOR, parseAmount, toMajorUnits } from '../../lib/money';

describe('parseAmount', () => {
  it.each([
    ['125.50', 12550],
    ['125.5', 12550],
    ['125', 12500],
    ['0.01', 1],
    ['10000000.00', MAX_AMOUNT_MINOR],
  ])('reads %s as %d minor units', (text, minor) => {
    expect(parseAmount(text, 'AUD')).toEqual({ ok: true, minor });
  });

  it.each([
    ['12.345', 'at most 2 decimal places'],
    ['-5.00', 'positive decimal'],
    ['0', 'greater than zero'],
    ['0.00', 'greater than zero'],
    ['1e3', 'positive decimal'],
    ['', 'positive decimal'],
    [' 5', 'positive decimal'],
    ['5.', 'positive decimal'],
    ['10000000.01', 'larger than Settle accepts'],
    ['９', 'positive decimal'],
  ])('refuses %j', (text, reason) => {
    const result = parseAmount(text, 'USD');
    expect(result.ok).toBe(false);
    expect(result.ok === false && result.reason).toContain(reason);
  });

  it('round-trips every amount through formatAmount exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_AMOUNT_MINOR }), fc.constantFrom(...CURRENCIES), (minor, currency) => {
        const text = formatAmount(minor, currency);
        expect(parseAmount(text, currency)).toEqual({ ok: true, minor });
      }),
    );
  });
});

describe('formatAmount', () => {
  it('pads to the currency exponent', () => {
    expect(formatAmount(5, 'AUD')).toBe('0.05');
    expect(formatAmount(12550, 'EUR')).toBe('125.50');
  });
  it('refuses fractions and negatives', () => {
    expect(() => formatAmount(1.5, 'AUD')).toThrow(RangeError);
    expect(() => formatAmount(-1, 'AUD')).toThrow(RangeError);
  });
  it('gives major units for display only', () => {
    expect(toMajorUnits(12550, 'NZD')).toBe(125.5);
  });
});
