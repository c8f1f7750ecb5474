import fc from 'fast-check';
import { applicationFeeOf } from '../../lib/stripe/platform-fee';

describe('applicationFeeOf', () => {
  it.each([
    [10_000, 0, undefined],
    [10_000, 150, 150],
    [12_345, 100, 123],
    [150, 100, 2], // 1.5 rounds half up
    [149, 100, 1],
    [500, 10_000, 500],
  ])('%d at %d bps is %s', (amount, bps, fee) => {
    expect(applicationFeeOf(amount, bps)).toBe(fee);
  });

  it('refuses rates and amounts out of range', () => {
    expect(() => applicationFeeOf(100, -1)).toThrow();
    expect(() => applicationFeeOf(100, 10_001)).toThrow();
    expect(() => applicationFeeOf(-1, 100)).toThrow();
    expect(() => applicationFeeOf(1.5, 100)).toThrow();
  });

  it('is never more than the payment, and within half a minor unit of the exact rate', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1_000_000_000 }), fc.integer({ min: 1, max: 10_000 }), (amount, bps) => {
      const fee = applicationFeeOf(amount, bps)!;
      expect(Number.isInteger(fee)).toBe(true);
      expect(fee).toBeGreaterThanOrEqual(0);
      expect(fee).toBeLessThanOrEqual(amount);
      expect(Math.abs(fee - (amount * bps) / 10_000)).toBeLessThanOrEqual(0.5);
    }));
  });
});
