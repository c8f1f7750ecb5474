import fc from 'fast-check';
import { refundDecision } from '../../lib/payments/refund-rules';
import { surchargeRefundMinor } from '../../lib/surcharges';

describe('surchargeRefundMinor', () => {
  const base = { paidMinor: 100_00, surchargeMinor: 300, refundedBeforeMinor: 0, surchargeRefundedBeforeMinor: 0 };
  it('gives the whole surcharge back with a full refund, none when the merchant keeps it', () => {
    expect(surchargeRefundMinor({ ...base, refundMinor: 100_00, refundSurcharge: true })).toBe(300);
    expect(surchargeRefundMinor({ ...base, refundMinor: 100_00, refundSurcharge: false })).toBe(0);
  });
  it('gives back its share with a partial refund, the rest with the last one', () => {
    expect(surchargeRefundMinor({ ...base, refundMinor: 33_33, refundSurcharge: true })).toBe(99);
    expect(surchargeRefundMinor({ ...base, refundedBeforeMinor: 33_33, surchargeRefundedBeforeMinor: 99, refundMinor: 66_67, refundSurcharge: true })).toBe(201);
  });
  it('refuses amounts that are not minor units', () => {
    expect(() => surchargeRefundMinor({ ...base, refundMinor: -1, refundSurcharge: true })).toThrow(RangeError);
  });

  it('over any sequence of refunds the payment allows: never more than the surcharge, exactly all of it once the payment is refunded in full, zero when kept', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1_000_000_000 }), fc.integer({ min: 0, max: 30_000_000 }), fc.boolean(),
      fc.array(fc.option(fc.integer({ min: 1, max: 1_000_000_000 }), { nil: undefined }), { maxLength: 12 }), (paid, surcharge, refundSurcharge, asks) => {
        let refunded = 0;
        let surchargeRefunded = 0;
        for (const requestedMinor of asks) {
          const d = refundDecision({ paidMinor: paid, refundedMinor: refunded, requestedMinor });
          if (!d.ok) continue;
          const part = surchargeRefundMinor({ paidMinor: paid, surchargeMinor: surcharge, refundedBeforeMinor: refunded, surchargeRefundedBeforeMinor: surchargeRefunded, refundMinor: d.amountMinor, refundSurcharge });
          expect(Number.isSafeInteger(part) && part >= 0).toBe(true);
          refunded += d.amountMinor;
          surchargeRefunded += part;
          expect(surchargeRefunded).toBeLessThanOrEqual(refundSurcharge ? surcharge : 0);
          // Never ahead of the share refunded so far (rounded down), except the last refund which completes it.
          if (refunded < paid) expect(surchargeRefunded * paid).toBeLessThanOrEqual(surcharge * refunded);
        }
        if (refunded === paid) expect(surchargeRefunded).toBe(refundSurcharge ? surcharge : 0);
      }));
  });
});
