// The bank's BPAY file: good rows come through with their line numbers, every bad row is reported on its own line
// with a reason, and a bad row never costs a good one.
import fc from 'fast-check';
import { parseBpayCsv, PROGRESS_EVERY_LINES, type BpayCsvOptions } from '../../lib/bpay/csv';

const opts: BpayCsvOptions = { currency: 'AUD', today: '2026-06-15' };
const parse = (text: string, over: Partial<BpayCsvOptions> = {}) => parseBpayCsv(text, { ...opts, ...over });

describe('parseBpayCsv', () => {
  it('reads a good file into rows in minor units, with their file line numbers', () => {
    const result = parse('customer_reference,amount,paid_date\n1234567,125.50,2026-06-01\n0099,0.05,2026-06-15\n12345678901234567890,10000000.00,2020-02-29\n');
    expect(result.errors).toEqual([]);
    expect(result.rows).toEqual([
      { line: 2, customerReference: '1234567', amountMinor: 12_550, paidDate: '2026-06-01' },
      { line: 3, customerReference: '0099', amountMinor: 5, paidDate: '2026-06-15' },
      { line: 4, customerReference: '12345678901234567890', amountMinor: 1_000_000_000, paidDate: '2020-02-29' },
    ]);
  });

  it('reports every bad row with its line and reason, and keeps every good row around them', () => {
    const lines = [
      'customer_reference,amount,paid_date',
      '1111,10.00,2026-06-01', // 2 good
      '12a4,10.00,2026-06-01', // 3
      '7,10.00,2026-06-01', // 4
      '123456789012345678901,10.00,2026-06-01', // 5
      ',10.00,2026-06-01', // 6
      '2222,-5.00,2026-06-01', // 7
      '2222,12.345,2026-06-01', // 8
      '2222,0.00,2026-06-01', // 9
      '2222,ten,2026-06-01', // 10
      '2222,"1,250.00",2026-06-01', // 11
      '2222,10000000.01,2026-06-01', // 12
      '2222,10.00,2026-02-30', // 13
      '2222,10.00,31/04/2026', // 14
      '2222,10.00,2026-13-01', // 15
      '2222,10.00,2026-06-16', // 16: tomorrow
      '2222,10.00,yesterday', // 17
      '2222,10.00,2026-06-01,extra', // 18
      '2222,10.00', // 19
      '1,0,3', // 20: three problems in one row
      '"3333,10.00,2026-06-01', // 21
      '"3333"x,10.00,2026-06-01', // 22
      '4444,20.00,2026-06-02', // 23 good
      '"12""34",1.00,2026-06-01', // 24
    ];
    const { rows, errors } = parse(lines.join('\n'));
    expect(rows.map((r) => [r.line, r.customerReference])).toEqual([[2, '1111'], [23, '4444']]);
    const reasons = Object.fromEntries(errors.map((e) => [e.line, e.message]));
    expect(Object.keys(reasons).map(Number)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 24]);
    expect(reasons[3]).toBe('customer_reference "12a4" must be 2 to 20 digits');
    expect(reasons[4]).toContain('2 to 20 digits');
    expect(reasons[5]).toContain('2 to 20 digits');
    expect(reasons[6]).toContain('customer_reference ""');
    expect(reasons[7]).toContain('amount "-5.00": amount must be a positive decimal');
    expect(reasons[8]).toContain('at most 2 decimal places');
    expect(reasons[9]).toContain('greater than zero');
    expect(reasons[10]).toContain('amount "ten"');
    expect(reasons[11]).toContain('amount "1,250.00"');
    expect(reasons[12]).toContain('larger than Settle accepts');
    expect(reasons[13]).toBe('paid_date "2026-02-30" is not a real calendar date');
    expect(reasons[14]).toContain('not a real calendar date');
    expect(reasons[15]).toContain('not a real calendar date');
    expect(reasons[16]).toBe('paid_date 2026-06-16 is in the future (today is 2026-06-15)');
    expect(reasons[17]).toContain('YYYY-MM-DD or DD/MM/YYYY');
    expect(reasons[18]).toBe('has 4 columns but the header has 3 (an unquoted comma in a value?)');
    expect(reasons[19]).toContain('has 2 columns');
    expect(reasons[20].split('; ')).toHaveLength(3);
    expect(reasons[21]).toContain('not closed');
    expect(reasons[22]).toContain('after its closing quote');
    expect(reasons[24]).toBe('customer_reference "12\\"34" must be 2 to 20 digits'); // "" inside quotes is one quote
  });

  it('takes a UTF-8 BOM, CRLF line ends, quoted fields with "" escapes, and skips blank lines', () => {
    const text = '\uFEFFcustomer_reference,amount,paid_date,note\r\n"5555","99.90","2026-06-10","said ""hi"", twice"\r\n\r\n  \r\n,,,\r\n 6666 , 1.00 ,2026-06-11,\r\n';
    const { rows, errors } = parse(text);
    expect(errors).toEqual([]);
    expect(rows).toEqual([
      { line: 2, customerReference: '5555', amountMinor: 9_990, paidDate: '2026-06-10' },
      { line: 6, customerReference: '6666', amountMinor: 100, paidDate: '2026-06-11' },
    ]);
    expect(parse('\uFEFF"customer_reference","amount","paid_date"\n77,1.00,2026-06-01').rows).toHaveLength(1);
  });

  it('finds the columns by name in any order and case, ignoring the others', () => {
    const { rows, errors } = parse('Paid_Date,Biller Code,AMOUNT,Customer_Reference\n2026-06-01,12345,7.5,8888\n');
    expect(errors).toEqual([]);
    expect(rows).toEqual([{ line: 2, customerReference: '8888', amountMinor: 750, paidDate: '2026-06-01' }]);
  });

  it('reads Australian DD/MM/YYYY dates, leap days included', () => {
    const { rows, errors } = parse('customer_reference,amount,paid_date\n11,1.00,05/06/2026\n22,1.00,5/6/2026\n33,1.00,29/02/2024\n44,1.00,29/02/2026\n');
    expect(rows.map((r) => r.paidDate)).toEqual(['2026-06-05', '2026-06-05', '2024-02-29']);
    expect(errors).toEqual([{ line: 5, message: 'paid_date "29/02/2026" is not a real calendar date' }]);
  });

  it('without its header, a file is one error on line 1 and no rows', () => {
    for (const text of ['1234,10.00,2026-06-01\n5678,10.00,2026-06-01\n', '', '\n1234,10.00,2026-06-01', 'customer_reference,amount\n1234,10.00\n']) {
      const result = parse(text);
      expect(result.rows).toEqual([]);
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0].line).toBe(1);
      expect(result.errors[0].message).toContain('header row customer_reference,amount,paid_date');
    }
    expect(parse('amount,amount,customer_reference,paid_date\n').errors).toEqual([{ line: 1, message: 'the header names amount twice' }]);
    expect(() => parse('', { today: '15/06/2026' })).toThrow(RangeError);
  });

  it('reports progress every 1,000 lines and once at the end', () => {
    const file = (lines: number) => ['customer_reference,amount,paid_date', ...Array.from({ length: lines - 1 }, (_, i) => `${1000 + i},1.00,2026-06-01`)].join('\n');
    const calls = (text: string) => {
      const seen: Array<[number, number]> = [];
      parse(text, { onProgress: (done, total) => seen.push([done, total]) });
      return seen;
    };
    expect(PROGRESS_EVERY_LINES).toBe(1000);
    expect(calls(file(2_500))).toEqual([[1000, 2500], [2000, 2500], [2500, 2500]]);
    expect(calls(`${file(2_000)}\n`)).toEqual([[1000, 2000], [2000, 2000]]);
    expect(calls('')).toEqual([[0, 0]]);
    expect(parse(file(2_500)).rows).toHaveLength(2_499);
  });

  it('whatever mix of good and bad rows, each good row comes through and each bad row is one error, on its own line', () => {
    const good = fc.record({
      crn: fc.stringMatching(/^\d{2,20}$/),
      minor: fc.integer({ min: 1, max: 1_000_000_000 }),
      day: fc.integer({ min: 1, max: 15 }),
      au: fc.boolean(),
    }).map(({ crn, minor, day, au }) => ({
      text: `${crn},${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')},${au ? `${day}/06/2026` : `2026-06-${String(day).padStart(2, '0')}`}`,
      row: { customerReference: crn, amountMinor: minor, paidDate: `2026-06-${String(day).padStart(2, '0')}` },
    }));
    const bad = fc.constantFrom('1,1.00,2026-06-01', '12,1.001,2026-06-01', '12,1.00,2026-06-31', '12,1.00', '"12,1.00,2026-06-01', 'x,y,z,w', '12,1.00,2027-01-01');
    const line = fc.oneof(good, bad.map((text) => ({ text, row: undefined })), fc.constant({ text: '', row: undefined }));
    fc.assert(fc.property(fc.array(line, { maxLength: 40 }), fc.boolean(), (body, crlf) => {
      const text = ['customer_reference,amount,paid_date', ...body.map((l) => l.text)].join(crlf ? '\r\n' : '\n');
      const { rows, errors } = parse(text);
      const expectedRows = body.flatMap((l, i) => (l.row ? [{ line: i + 2, ...l.row }] : []));
      const expectedErrorLines = body.flatMap((l, i) => (!l.row && l.text !== '' ? [i + 2] : []));
      expect(rows).toEqual(expectedRows);
      expect(errors.map((e) => e.line)).toEqual(expectedErrorLines);
    }));
  });
});
