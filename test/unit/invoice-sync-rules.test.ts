// The invoice sync's rules: Manage invoice → accounting document (negative → credit note, lines by GL account then
// product type, unmapped → that invoice's error), holding only the unmatched customers' invoices, when a batch may be
// exported, and which payments are new (never twice).
import fc from 'fast-check';
import { batchExportable, partitionByContact, type RecordStatus } from '../../lib/invoice-sync/holds';
import { decimalToMinor, lineAmountMinor, mapInvoice, mappingFor, type AccountMapping, type PsaInvoice } from '../../lib/invoice-sync/mapping';
import { newSettlements } from '../../lib/invoice-sync/payments';

const MAPPINGS: AccountMapping[] = [
  { kind: 'product-type', value: 'Service', accountCode: '200', taxType: 'OUTPUT' },
  { kind: 'product-type', value: 'Hardware', accountCode: '260' },
  { kind: 'gl-account', value: '4010', accountCode: '270', taxType: 'NONE' },
];

const invoice = (lines: PsaInvoice['lines'], over: Partial<PsaInvoice> = {}): PsaInvoice =>
  ({ id: 7001, number: 'INV7001', companyId: 250, date: '2026-11-01', dueDate: '2026-11-30', currency: 'AUD', lines, ...over });

describe('mapInvoice', () => {
  it('maps each line by GL account first, then product type, and carries number, dates and currency', () => {
    const posting = mapInvoice(invoice([
      { description: 'Support', quantity: 2, unitPriceMinor: 15000, productType: 'Service' },
      { description: 'Licence', quantity: 1, unitPriceMinor: 999, productType: 'Service', glAccount: '4010' },
    ]), MAPPINGS);
    expect(posting).toEqual({ ok: true, kind: 'invoice', number: 'INV7001', reference: 'INV7001', date: '2026-11-01', dueDate: '2026-11-30', currency: 'AUD',
      totalMinor: 30999, lines: [
        { description: 'Support', quantity: 2, unitAmountMinor: 15000, accountCode: '200', taxType: 'OUTPUT' },
        { description: 'Licence', quantity: 1, unitAmountMinor: 999, accountCode: '270', taxType: 'NONE' },
      ] });
  });

  it('makes a negative invoice a credit note of the same lines with a positive total', () => {
    const posting = mapInvoice(invoice([{ description: 'Refund', quantity: 1, unitPriceMinor: -5000, productType: 'Hardware' }]), MAPPINGS);
    expect(posting).toMatchObject({ ok: true, kind: 'credit-note', totalMinor: 5000, lines: [{ unitAmountMinor: 5000, accountCode: '260' }] });
  });

  it('refuses an invoice with an unmapped line, naming what is missing', () => {
    expect(mapInvoice(invoice([
      { description: 'Support', quantity: 1, unitPriceMinor: 100, productType: 'Service' },
      { description: 'Travel', quantity: 1, unitPriceMinor: 100, productType: 'Expense', glAccount: '6000' },
    ]), MAPPINGS)).toEqual({ ok: false, reason: 'no account mapped for product type "Expense" / GL account 6000' });
    expect(mapInvoice(invoice([]), MAPPINGS)).toMatchObject({ ok: false });
  });

  it('matches mappings case-insensitively', () => {
    expect(mappingFor({ productType: 'service' }, MAPPINGS)?.accountCode).toBe('200');
    expect(mappingFor({ productType: 'Unknown', glAccount: '4010' }, MAPPINGS)?.accountCode).toBe('270');
    expect(mappingFor({ productType: 'Unknown' }, MAPPINGS)).toBeUndefined();
  });

  it('property: the posted total is the absolute line total, and the kind follows its sign', () => {
    const line = fc.record({ description: fc.constant('x'), quantity: fc.integer({ min: 1, max: 50 }), unitPriceMinor: fc.integer({ min: -100_000, max: 100_000 }),
      productType: fc.constantFrom('Service', 'Hardware') });
    fc.assert(fc.property(fc.array(line, { minLength: 1, maxLength: 8 }), (lines) => {
      const total = lines.reduce((s, l) => s + lineAmountMinor(l.quantity, l.unitPriceMinor), 0);
      const posting = mapInvoice(invoice(lines), MAPPINGS);
      if (!posting.ok) return false;
      const posted = posting.lines.reduce((s, l) => s + lineAmountMinor(l.quantity, l.unitAmountMinor), 0);
      return posting.totalMinor === Math.abs(total) && posted === posting.totalMinor && posting.kind === (total < 0 ? 'credit-note' : 'invoice');
    }));
  });
});

describe('amounts', () => {
  it('reads Manage decimals exactly, rounding half away from zero', () => {
    expect(decimalToMinor(19.99)).toBe(1999);
    expect(decimalToMinor(0.1 + 0.2)).toBe(30);
    expect(decimalToMinor(-12.345)).toBe(-1235);
    fc.assert(fc.property(fc.integer({ min: -10_000_000_00, max: 10_000_000_00 }), (minor) => decimalToMinor(minor / 100) === minor));
  });
});

describe('holding unmatched customers', () => {
  it('holds only the invoices of companies without a contact', () => {
    const { ready, held } = partitionByContact([{ companyId: 1, n: 'a' }, { companyId: 2, n: 'b' }, { companyId: 1, n: 'c' }], new Map([[1, 'C1']]));
    expect(ready.map((r) => [r.n, r.contactId])).toEqual([['a', 'C1'], ['c', 'C1']]);
    expect(held.map((r) => r.n)).toEqual(['b']);
  });

  it('property: every record is either ready or held, never both', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 6 })), fc.uniqueArray(fc.integer({ min: 1, max: 6 })), (companies, matched) => {
      const records = companies.map((companyId, i) => ({ companyId, i }));
      const { ready, held } = partitionByContact(records, new Map(matched.map((c) => [c, `C${c}`])));
      return ready.length + held.length === records.length && ready.every((r) => matched.includes(r.companyId)) && held.every((r) => !matched.includes(r.companyId));
    }));
  });

  it('exports a batch only when every invoice in it is posted', () => {
    expect(batchExportable(['posted', 'posted'])).toBe(true);
    expect(batchExportable([])).toBe(false);
    fc.assert(fc.property(fc.array(fc.constantFrom<RecordStatus>('pending', 'posted', 'failed', 'held'), { minLength: 1 }), (statuses) =>
      batchExportable(statuses) === statuses.every((s) => s === 'posted')));
  });
});

describe('payments carried back', () => {
  const s = (id: string, amountMinor = 100) => ({ id, kind: 'payment' as const, amountMinor, date: '2026-11-20' });

  it('carries back only what was never carried, once each', () => {
    expect(newSettlements([s('P1'), s('P2'), s('P2'), s('P3', 0)], new Set(['P1'])).map((x) => x.id)).toEqual(['P2']);
  });

  it('property: running the sync again on its own output carries nothing more', () => {
    fc.assert(fc.property(fc.array(fc.record({ id: fc.constantFrom('a', 'b', 'c', 'd'), amountMinor: fc.integer({ min: 0, max: 500 }) })), fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd')), (raw, before) => {
      const all = raw.map((r) => s(r.id, r.amountMinor));
      const carried = new Set<string>(before);
      const first = newSettlements(all, carried);
      for (const x of first) carried.add(x.id);
      return newSettlements(all, carried).length === 0 && first.every((x) => !(before as string[]).includes(x.id)) && new Set(first.map((x) => x.id)).size === first.length;
    }));
  });
});
