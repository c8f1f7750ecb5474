// Partial payments: the amount a payer may pay of an invoice.
import fc from 'fast-check';
import { decidePartialAmount, type PartialPaymentSettings } from '../../lib/payments/partial-payment';

const on: PartialPaymentSettings = { enabled: true, minimumMinor: 5_000 };
const off: PartialPaymentSettings = { enabled: false, minimumMinor: 5_000 };

it('pays the amount due when no amount is asked for, allowed or not', () => {
  expect(decidePartialAmount(off, 12_000, 'AUD')).toEqual({ ok: true, amountMinor: 12_000, partial: false });
  expect(decidePartialAmount(on, 12_000, 'AUD', 12_000)).toEqual({ ok: true, amountMinor: 12_000, partial: false });
});

it('pays part between the minimum and the amount due, where the merchant allows it', () => {
  expect(decidePartialAmount(on, 12_000, 'AUD', 5_000)).toEqual({ ok: true, amountMinor: 5_000, partial: true });
  expect(decidePartialAmount(on, 12_000, 'AUD', 4_999)).toEqual({ ok: false, reason: 'Pay at least 50.00 AUD, or the full 120.00 AUD.' });
  expect(decidePartialAmount(on, 12_000, 'AUD', 12_001)).toEqual({ ok: false, reason: 'That is more than is due: at most 120.00 AUD.' });
  expect(decidePartialAmount(off, 12_000, 'AUD', 6_000)).toMatchObject({ ok: false, reason: expect.stringMatching(/in full/) });
  expect(decidePartialAmount(on, 12_000, 'AUD', 0)).toMatchObject({ ok: false });
  expect(decidePartialAmount(on, 12_000, 'AUD', 10.5)).toMatchObject({ ok: false });
  expect(decidePartialAmount(on, 0, 'AUD')).toMatchObject({ ok: false });
  // An invoice owing no more than the minimum is paid in full.
  expect(decidePartialAmount(on, 3_000, 'AUD', 1_000)).toEqual({ ok: false, reason: 'This invoice owes no more than the least part payment: pay the full 30.00 AUD.' });
  expect(decidePartialAmount(on, 3_000, 'AUD')).toEqual({ ok: true, amountMinor: 3_000, partial: false });
});

it('never charges more than is due, less than the minimum, or part where not allowed (property)', () => {
  fc.assert(fc.property(fc.boolean(), fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 10_000_000 }), fc.option(fc.integer({ min: -10, max: 20_000_000 }), { nil: undefined }),
    (enabled, minimumMinor, due, requested) => {
      const d = decidePartialAmount({ enabled, minimumMinor }, due, 'USD', requested);
      if (!d.ok) return;
      expect(d.amountMinor).toBeLessThanOrEqual(due);
      // Part of an invoice is at least the minimum; an invoice owing less is paid in full.
      if (d.partial) expect(d.amountMinor).toBeGreaterThanOrEqual(minimumMinor);
      else expect(d.amountMinor).toBe(due);
      expect(Number.isSafeInteger(d.amountMinor)).toBe(true);
      if (!enabled) expect(d.amountMinor).toBe(due);
      expect(d.partial).toBe(d.amountMinor < due);
      if (requested !== undefined) expect(d.amountMinor).toBe(requested);
    }));
});
