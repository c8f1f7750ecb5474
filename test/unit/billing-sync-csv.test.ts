// The BSS export parser: the header by name in any order, every bad line reported with its number and why, a duplicate
// subscription refused, and (property) any good month survives a round trip through the export format.
import fc from 'fast-check';
import { formatBssCsv, parseBssCsv } from '../../lib/billing-sync/csv';
import { checkLine, monthBounds, parseCostMinor, type BillingLine } from '../../lib/billing-sync/lines';

const HEADER = 'end_customer,subscription_id,product,billing_plan,billing_cycle,quantity,unit_cost,effective_date';

describe('parseBssCsv', () => {
  it('reads the columns by name, in any order, with the BSS display names too', () => {
    const csv = ['Quantity,End Customer,Subscription ID,Product,Billing Plan,Billing Cycle,Unit Cost,Effective Date',
      '5,"Contoso, Ltd",SUB-1,Microsoft 365 Business Premium,Monthly,Annual,22.00,2026-11-01', ''].join('\r\n');
    expect(parseBssCsv(csv, '2026-11')).toEqual({ errors: [], lines: [{ lineNo: 2, customer: 'Contoso, Ltd', contractId: 'SUB-1',
      product: 'Microsoft 365 Business Premium', billingPeriod: 'Monthly', commitmentPeriod: 'annual', units: 5, costMinor: 2200, effectiveDate: '2026-11-01' }] });
  });

  it('reports every bad line with its number, and keeps reading after a broken one', () => {
    const csv = [HEADER,
      'A,S1,P,Monthly,monthly,3,10.00,2026-11-01',
      'B,S2,P,Monthly,weekly,3,10.00,2026-11-01',
      'C,S3,P,Monthly,monthly,-1,10.005,2026-11-31',
      'D,"S4,P,Monthly,monthly,1,1.00,2026-11-01',
      'E,S5,P,Monthly,monthly,1,1.00',
      'F,S1,P,Monthly,monthly,1,1.00,2026-11-02',
      ',,,,,,,',
      'G,S6,P,Monthly,monthly,0,0,2026-10-15'].join('\n');
    const { lines, errors } = parseBssCsv(csv, '2026-11');
    expect(lines.map((l) => l.lineNo)).toEqual([2, 9]);
    expect(errors.map((e) => e.line)).toEqual([3, 4, 5, 6, 7]);
    expect(errors.find((e) => e.line === 3)!.message).toMatch(/Commitment Period "weekly" must be monthly or annual/);
    const four = errors.find((e) => e.line === 4)!.message;
    expect(four).toMatch(/Units "-1"/);
    expect(four).toMatch(/Cost "10.005"/);
    expect(four).toMatch(/Effective Date "2026-11-31"/);
    expect(errors.find((e) => e.line === 5)!.message).toMatch(/opens a quote/);
    expect(errors.find((e) => e.line === 6)!.message).toMatch(/has 7 columns/);
    expect(errors.find((e) => e.line === 7)!.message).toBe('Contract ID "S1" is already on line 2');
  });

  it('names what the header lacks', () => {
    expect(parseBssCsv('end_customer,product\nA,B\n', '2026-11').errors).toEqual([{ line: 1, message: expect.stringContaining('missing subscription_id') }]);
    expect(parseBssCsv(`${HEADER}\n`, '2026-11').errors).toEqual([{ line: 1, message: 'the file has no billing lines' }]);
  });

  it('round-trips any good month through the export format', () => {
    const text = fc.string({ minLength: 1, maxLength: 30 }).map((s) => s.replace(/[\u0000-\u001f\u007f\n\r]/g, 'x').trim()).filter((s) => s.length > 0);
    const line = fc.record({
      customer: text, product: text, billingPeriod: text, commitmentPeriod: fc.constantFrom('monthly' as const, 'annual' as const),
      units: fc.integer({ min: 0, max: 100_000 }), costMinor: fc.integer({ min: 0, max: 10_000_000 }), day: fc.integer({ min: 1, max: 30 }),
    });
    fc.assert(fc.property(fc.array(line, { minLength: 1, maxLength: 40 }), (drawn) => {
      const lines: Omit<BillingLine, 'lineNo'>[] = drawn.map(({ day, ...l }, i) => ({ ...l, contractId: `SUB-${i}`, effectiveDate: `2026-11-${String(day).padStart(2, '0')}` }));
      const parsed = parseBssCsv(formatBssCsv(lines), '2026-11');
      expect(parsed.errors).toEqual([]);
      expect(parsed.lines.map(({ lineNo: _lineNo, ...l }) => l)).toEqual(lines);
    }), { numRuns: 200 });
  });
});

describe('line checks', () => {
  it('parses costs exactly, zero included, and refuses more than two decimals', () => {
    expect(parseCostMinor('0')).toEqual({ ok: true, value: 0 });
    expect(parseCostMinor('12.5')).toEqual({ ok: true, value: 1250 });
    expect(parseCostMinor('0.07')).toEqual({ ok: true, value: 7 });
    expect(parseCostMinor('1.005').ok).toBe(false);
    expect(parseCostMinor('-1').ok).toBe(false);
  });

  it('knows the month', () => {
    expect(monthBounds('2028-02')).toEqual({ first: '2028-02-01', last: '2028-02-29' });
    expect(() => monthBounds('2026-13')).toThrow(RangeError);
    expect(checkLine({ customer: 'A', contractId: 'S', product: 'P', billingPeriod: 'M', commitmentPeriod: 'Monthly', units: '1', cost: '1', effectiveDate: '2026-12-01' }, '2026-11'))
      .toEqual({ ok: false, reason: 'Effective Date 2026-12-01 is after the month 2026-11' });
  });
});
