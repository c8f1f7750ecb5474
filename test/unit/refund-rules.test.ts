import fc from 'fast-check';
import { refundDecision } from '../../lib/payments/refund-rules';

describe('refundDecision', () => {
  it('refunds everything left when no amount is asked', () => {
    expect(refundDecision({ paidMinor: 10_000, refundedMinor: 0 })).toEqual({ ok: true, amountMinor: 10_000, partial: false, leftAfterMinor: 0 });
    expect(refundDecision({ paidMinor: 10_000, refundedMinor: 2_500 })).toEqual({ ok: true, amountMinor: 7_500, partial: true, leftAfterMinor: 0 });
  });

  it('refunds part of it', () => {
    expect(refundDecision({ paidMinor: 10_000, refundedMinor: 0, requestedMinor: 2_500 })).toEqual({ ok: true, amountMinor: 2_500, partial: true, leftAfterMinor: 7_500 });
  });

  it('refuses more than is left, nothing left, and non-positive amounts', () => {
    expect(refundDecision({ paidMinor: 10_000, refundedMinor: 8_000, requestedMinor: 2_001 })).toMatchObject({ ok: false, reason: expect.stringContaining('2000') });
    expect(refundDecision({ paidMinor: 10_000, refundedMinor: 10_000 })).toMatchObject({ ok: false });
    expect(refundDecision({ paidMinor: 10_000, refundedMinor: 0, requestedMinor: 0 })).toMatchObject({ ok: false });
    expect(refundDecision({ paidMinor: 10_000, refundedMinor: 0, requestedMinor: -5 })).toMatchObject({ ok: false });
    expect(() => refundDecision({ paidMinor: -1, refundedMinor: 0 })).toThrow();
  });

  it('never refunds more than is left, and a sequence of refunds never exceeds the payment', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1_000_000_000 }), fc.array(fc.option(fc.integer({ min: -10, max: 1_000_000_000 }), { nil: undefined }), { maxLength: 20 }), (paid, asks) => {
      let refunded = 0;
      for (const requestedMinor of asks) {
        const d = refundDecision({ paidMinor: paid, refundedMinor: refunded, requestedMinor });
        if (d.ok) {
          expect(d.amountMinor).toBeGreaterThan(0);
          expect(d.amountMinor).toBeLessThanOrEqual(paid - refunded);
          if (requestedMinor === undefined) expect(d.amountMinor).toBe(paid - refunded);
          else expect(d.amountMinor).toBe(requestedMinor);
          refunded += d.amountMinor;
          expect(d.leftAfterMinor).toBe(paid - refunded);
        } else {
          expect(requestedMinor === undefined ? paid - refunded : Math.min(requestedMinor <= 0 ? 0 : Infinity, requestedMinor > paid - refunded ? 0 : Infinity)).toBe(0);
        }
        expect(refunded).toBeLessThanOrEqual(paid);
      }
    }));
  });
});
