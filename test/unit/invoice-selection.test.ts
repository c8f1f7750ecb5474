// The rule of what a payer may pay on the invoice page, and for how much (lib/payments/invoice-selection.ts).
import fc from 'fast-check';
import { resolveSelection, type PayableInvoice } from '../../lib/payments/invoice-selection';

const inv = (id: string, over: Partial<PayableInvoice> = {}): PayableInvoice =>
  ({ id, number: `INV-${id}`, contactId: 'c1', status: 'authorised', currency: 'USD', amountDueMinor: 1_000, ...over });
const base = { contactIds: ['c1'], method: 'card' as const, merchantMethods: ['card', 'bank_debit'] as const };

it('totals the amounts due of the payer\'s outstanding invoices, once each', () => {
  expect(resolveSelection({ ...base, requested: ['a', 'b', 'a'], found: [inv('a'), inv('b', { amountDueMinor: 250 })] })).toEqual({
    ok: true, currency: 'USD', totalMinor: 1_250,
    lines: [{ invoiceId: 'a', number: 'INV-a', amountMinor: 1_000 }, { invoiceId: 'b', number: 'INV-b', amountMinor: 250 }],
  });
});

it.each([
  ['an unknown invoice', [inv('a')], ['a', 'x']],
  ['another contact\'s invoice', [inv('a', { contactId: 'c2' })], ['a']],
  ['a paid invoice', [inv('a', { amountDueMinor: 0 })], ['a']],
  ['a voided invoice', [inv('a', { status: 'voided' })], ['a']],
])('refuses %s', (_what, found, requested) => {
  expect(resolveSelection({ ...base, requested, found })).toMatchObject({ ok: false, reason: expect.stringContaining('not an outstanding invoice of yours') });
});

it('refuses nothing selected, mixed currencies, and a method the merchant or currency does not allow', () => {
  expect(resolveSelection({ ...base, requested: [], found: [] })).toMatchObject({ ok: false });
  expect(resolveSelection({ ...base, requested: ['a', 'b'], found: [inv('a'), inv('b', { currency: 'AUD' })] })).toMatchObject({ ok: false, reason: expect.stringContaining('different currencies') });
  expect(resolveSelection({ ...base, method: 'bank_debit', merchantMethods: ['card'], requested: ['a'], found: [inv('a')] })).toMatchObject({ ok: false });
  expect(resolveSelection({ ...base, method: 'bank_debit', requested: ['a'], found: [inv('a', { currency: 'GBP' })] })).toMatchObject({ ok: false });
});

describe('part payments (issue 27)', () => {
  const on = { enabled: true, minimumMinor: 500 };

  it('pays the part asked for of each invoice where allowed, and says what was due of a part-paid one', () => {
    expect(resolveSelection({ ...base, requested: ['a', 'b'], found: [inv('a'), inv('b', { amountDueMinor: 2_000 })], partial: { settings: on, requested: { a: 600 } } })).toEqual({
      ok: true, currency: 'USD', totalMinor: 2_600,
      lines: [{ invoiceId: 'a', number: 'INV-a', amountMinor: 600, amountDueMinor: 1_000 }, { invoiceId: 'b', number: 'INV-b', amountMinor: 2_000 }],
    });
    // The whole balance asked for is not a part payment.
    expect(resolveSelection({ ...base, requested: ['a'], found: [inv('a')], partial: { settings: on, requested: { a: 1_000 } } }))
      .toMatchObject({ ok: true, lines: [{ invoiceId: 'a', amountMinor: 1_000 }] });
  });

  it('refuses a part above the balance, below the minimum, or where not allowed, naming the invoice', () => {
    const one = (requested: number, settings = on) => resolveSelection({ ...base, requested: ['a'], found: [inv('a')], partial: { settings, requested: { a: requested } } });
    expect(one(1_001)).toEqual({ ok: false, invoiceId: 'a', reason: 'Invoice INV-a: That is more than is due: at most 10.00 USD.' });
    expect(one(499)).toEqual({ ok: false, invoiceId: 'a', reason: 'Invoice INV-a: Pay at least 5.00 USD, or the full 10.00 USD.' });
    expect(one(600, { enabled: false, minimumMinor: 500 })).toMatchObject({ ok: false, invoiceId: 'a', reason: expect.stringContaining('paid in full') });
    // An amount for an invoice not selected is not paid, and does not make the selection partial.
    expect(resolveSelection({ ...base, requested: ['a'], found: [inv('a')], partial: { settings: on, requested: { b: 600 } } }))
      .toMatchObject({ ok: true, totalMinor: 1_000 });
  });

  it('charges the sum of the lines, each between the minimum and its balance (property)', () => {
    const invoice = fc.record({ due: fc.integer({ min: 1, max: 1_000_000 }), asked: fc.option(fc.integer({ min: -5, max: 1_100_000 }), { nil: undefined }) });
    fc.assert(fc.property(fc.array(invoice, { minLength: 1, maxLength: 8 }), fc.boolean(), fc.integer({ min: 1, max: 50_000 }), (invoices, enabled, minimumMinor) => {
      const found = invoices.map((x, n) => inv(`i${n}`, { amountDueMinor: x.due }));
      const requested = Object.fromEntries(invoices.flatMap((x, n) => (x.asked === undefined ? [] : [[`i${n}`, x.asked]])));
      const s = resolveSelection({ ...base, requested: found.map((f) => f.id), found, partial: { settings: { enabled, minimumMinor }, requested } });
      if (!s.ok) {
        expect(s.invoiceId).toBeDefined(); // only an amount can be refused here
        return;
      }
      expect(s.totalMinor).toBe(s.lines.reduce((sum, l) => sum + l.amountMinor, 0));
      s.lines.forEach((l, n) => {
        const due = invoices[n].due;
        expect(l.amountMinor).toBeLessThanOrEqual(due);
        expect(l.amountMinor).toBeGreaterThan(0);
        if (l.amountMinor < due) {
          expect(enabled).toBe(true);
          expect(l.amountMinor).toBeGreaterThanOrEqual(minimumMinor);
          expect(l.amountDueMinor).toBe(due);
        } else expect(l.amountDueMinor).toBeUndefined();
      });
    }));
  });
});
