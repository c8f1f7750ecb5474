// Credit invoices applied to the next invoice: oldest first, within what is due and what is left.
import fc from 'fast-check';
import { planCreditApplications, type OpenCredit } from '../../lib/fees/credit-application';

it('applies the oldest credit first and splits a credit larger than the invoice', () => {
  const credits: OpenCredit[] = [
    { id: 'c2', issuedOn: '2026-03-01', unappliedMinor: 5_000 },
    { id: 'c1', issuedOn: '2026-02-01', unappliedMinor: 3_000 },
  ];
  expect(planCreditApplications(6_000, credits)).toEqual([{ creditId: 'c1', amountMinor: 3_000 }, { creditId: 'c2', amountMinor: 3_000 }]);
  expect(planCreditApplications(2_000, credits)).toEqual([{ creditId: 'c1', amountMinor: 2_000 }]);
});

it('applies nothing to nothing due, and skips used-up credits', () => {
  expect(planCreditApplications(0, [{ id: 'c', issuedOn: '2026-01-01', unappliedMinor: 100 }])).toEqual([]);
  expect(planCreditApplications(100, [{ id: 'c', issuedOn: '2026-01-01', unappliedMinor: 0 }])).toEqual([]);
});

it('never applies more than is due or more than a credit has, and uses credits oldest first (property)', () => {
  const credit = fc.record({ id: fc.uuid(), issuedOn: fc.date({ min: new Date('2024-01-01'), max: new Date('2027-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)), unappliedMinor: fc.nat(100_000) });
  fc.assert(fc.property(fc.nat(300_000), fc.uniqueArray(credit, { selector: (c) => c.id, maxLength: 8 }), (due, credits) => {
    const plan = planCreditApplications(due, credits);
    const total = plan.reduce((s, a) => s + a.amountMinor, 0);
    const available = credits.reduce((s, c) => s + c.unappliedMinor, 0);
    expect(total).toBe(Math.min(due, available));
    for (const a of plan) {
      expect(a.amountMinor).toBeGreaterThan(0);
      expect(a.amountMinor).toBeLessThanOrEqual(credits.find((c) => c.id === a.creditId)!.unappliedMinor);
    }
    expect(new Set(plan.map((a) => a.creditId)).size).toBe(plan.length);
    // Every credit used before the last one is used up: a newer credit is touched only when the older are spent.
    for (const a of plan.slice(0, -1)) expect(a.amountMinor).toBe(credits.find((c) => c.id === a.creditId)!.unappliedMinor);
    const dates = plan.map((a) => credits.find((c) => c.id === a.creditId)!.issuedOn);
    expect([...dates].sort()).toEqual(dates);
  }));
});
