// The rule of what a payer may pay on the invoice page, and for how much (lib/payments/invoice-selection.ts).
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
