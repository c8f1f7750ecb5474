// Automatic payment rules: the charge date by terms, and what a charge attempt may take.
import fc from 'fast-check';
import { chargeDate, decideCharge, type BillingTerms, type InvoiceNow } from '../../lib/payments/auto-payment';

const terms = (over: Partial<BillingTerms> = {}): BillingTerms => ({ rule: 'due-date', daysAfter: null, maxAmountMinor: 100_000, currency: 'AUD', status: 'active', ...over });
const invoice = (over: Partial<InvoiceNow> = {}): InvoiceNow => ({ status: 'authorised', date: '2026-11-01', dueDate: '2026-11-15', currency: 'AUD', amountDueMinor: 5_000, ...over });

it('charges on the due date, or N days after the invoice date', () => {
  expect(chargeDate(terms(), invoice())).toBe('2026-11-15');
  expect(chargeDate(terms(), invoice({ dueDate: null }))).toBe('2026-11-01');
  expect(chargeDate(terms({ rule: 'days-after-invoice', daysAfter: 7 }), invoice())).toBe('2026-11-08');
  expect(chargeDate(terms({ rule: 'days-after-invoice', daysAfter: 30 }), invoice({ date: '2026-12-15' }))).toBe('2027-01-14');
});

it('charges what is due now, on or after the charge date', () => {
  expect(decideCharge(terms(), invoice(), '2026-11-14')).toMatchObject({ charge: false, reason: 'not-due-yet' });
  expect(decideCharge(terms(), invoice(), '2026-11-15')).toEqual({ charge: true, amountMinor: 5_000 });
  expect(decideCharge(terms(), invoice({ amountDueMinor: 1_200 }), '2026-11-20')).toEqual({ charge: true, amountMinor: 1_200 });
});

it('never charges a paid, voided or draft invoice, revoked terms, another currency or over the maximum', () => {
  expect(decideCharge(terms(), invoice({ status: 'paid', amountDueMinor: 0 }), '2026-12-01')).toMatchObject({ reason: 'not-owed' });
  expect(decideCharge(terms(), invoice({ status: 'voided' }), '2026-12-01')).toMatchObject({ reason: 'not-owed' });
  expect(decideCharge(terms(), invoice({ status: 'draft' }), '2026-12-01')).toMatchObject({ reason: 'not-owed' });
  expect(decideCharge(terms({ status: 'revoked' }), invoice(), '2026-12-01')).toMatchObject({ reason: 'terms-revoked' });
  expect(decideCharge(terms(), invoice({ currency: 'NZD' }), '2026-12-01')).toMatchObject({ reason: 'other-currency' });
  expect(decideCharge(terms({ maxAmountMinor: 4_999 }), invoice(), '2026-12-01')).toMatchObject({ reason: 'over-maximum' });
});

it('a charge is never more than the amount due or the maximum, and only for an owed invoice (property)', () => {
  const day = fc.integer({ min: 0, max: 2000 }).map((n) => new Date(Date.UTC(2025, 0, 1) + n * 86_400_000).toISOString().slice(0, 10));
  fc.assert(fc.property(
    fc.record({ rule: fc.constantFrom('due-date' as const, 'days-after-invoice' as const), daysAfter: fc.option(fc.nat(60), { nil: null }), maxAmountMinor: fc.nat(200_000),
      currency: fc.constantFrom('AUD', 'USD'), status: fc.constantFrom('active' as const, 'revoked' as const) }),
    fc.record({ status: fc.constantFrom('authorised', 'paid', 'voided', 'draft'), date: day, dueDate: fc.option(day, { nil: null }), currency: fc.constantFrom('AUD', 'USD'), amountDueMinor: fc.integer({ min: -10, max: 200_000 }) }),
    day,
    (t, i, today) => {
      const d = decideCharge(t, i, today);
      if (d.charge) {
        expect(d.amountMinor).toBe(i.amountDueMinor);
        expect(d.amountMinor).toBeGreaterThan(0);
        expect(d.amountMinor).toBeLessThanOrEqual(t.maxAmountMinor);
        expect(i.status).toBe('authorised');
        expect(t.status).toBe('active');
        expect(chargeDate(t, i) <= today).toBe(true);
      }
    }));
});
