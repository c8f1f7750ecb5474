import fc from 'fast-check';
import { ALLOWED_TYPES, checkPayoutAccounts, defaultPayoutAccounts, PAYOUT_ACCOUNT_ROLES, type Books, type ChartAccount } from '../../lib/payments/payout-account-rules';

const XERO: ChartAccount[] = [
  { id: '090', name: 'Business Bank Account', type: 'BANK' }, { id: '091', name: 'Business Savings Account', type: 'BANK' },
  { id: '200', name: 'Sales', type: 'REVENUE' }, { id: '404', name: 'Bank Fees', type: 'EXPENSE' }, { id: '429', name: 'General Expenses', type: 'EXPENSE' },
  { id: '820', name: 'Payments Clearing', type: 'CURRLIAB' },
];
const QBO: ChartAccount[] = [
  { id: '4', name: 'Undeposited Funds', type: 'Other Current Asset' }, { id: '8', name: 'Bank Charges', type: 'Expense' },
  { id: '35', name: 'Checking', type: 'Bank' }, { id: '57', name: 'Merchant Fees', type: 'Expense' }, { id: '79', name: 'Services', type: 'Income' },
];

describe('defaultPayoutAccounts', () => {
  it("picks the conventional accounts of each platform's chart", () => {
    expect(defaultPayoutAccounts('xero', XERO)).toEqual({ clearing: '090', bank: '091', fees: '404' });
    expect(defaultPayoutAccounts('quickbooks', QBO)).toEqual({ clearing: '4', bank: '35', fees: '57' });
  });

  it("keeps the merchant's choices and never makes the bank the clearing account", () => {
    expect(defaultPayoutAccounts('xero', XERO, { clearing: '091' })).toEqual({ clearing: '091', bank: '090', fees: '404' });
    expect(defaultPayoutAccounts('xero', XERO, { bank: '090' })).toEqual({ clearing: '091', bank: '090', fees: '404' });
    expect(defaultPayoutAccounts('xero', XERO.filter((a) => a.id !== '091'))).toEqual({ clearing: '090', fees: '404' });
  });
});

describe('checkPayoutAccounts', () => {
  it('accepts accounts of the right type', () => {
    expect(checkPayoutAccounts('xero', XERO, { clearing: '091', bank: '090', fees: '429' })).toEqual([]);
    expect(checkPayoutAccounts('quickbooks', QBO, { clearing: '4', fees: '8' })).toEqual([]);
  });

  it('refuses an unknown account, the wrong type, and the bank equal to clearing', () => {
    expect(checkPayoutAccounts('xero', XERO, { fees: '999' })).toEqual([expect.objectContaining({ role: 'fees', problem: 'not-found' })]);
    expect(checkPayoutAccounts('xero', XERO, { clearing: '820' })).toEqual([expect.objectContaining({ role: 'clearing', problem: 'wrong-type', message: expect.stringContaining('BANK') })]);
    expect(checkPayoutAccounts('quickbooks', QBO, { bank: '4' })).toEqual([expect.objectContaining({ role: 'bank', problem: 'wrong-type' })]);
    expect(checkPayoutAccounts('xero', XERO, { clearing: '090', bank: '090' })).toEqual([expect.objectContaining({ problem: 'same-as-clearing' })]);
  });

  it('passes every default it picks, whatever the chart (property)', () => {
    const books = fc.constantFrom<Books>('xero', 'quickbooks');
    const types = [...new Set(Object.values(ALLOWED_TYPES).flatMap((r) => Object.values(r).flat())), 'REVENUE', 'Income'];
    const chart = fc.uniqueArray(fc.record({ id: fc.stringMatching(/^[0-9]{1,3}$/), name: fc.constantFrom('Undeposited Funds', 'Checking', 'Merchant Fees', 'Other', 'Stripe'), type: fc.constantFrom(...types) }),
      { selector: (a) => a.id, maxLength: 12 });
    fc.assert(fc.property(books, chart, (b, c) => {
      const picked = defaultPayoutAccounts(b, c);
      expect(checkPayoutAccounts(b, c, picked)).toEqual([]);
      for (const role of PAYOUT_ACCOUNT_ROLES) {
        // A role is left without a default only when nothing in the chart fits it.
        if (picked[role] === undefined) expect(c.filter((a) => ALLOWED_TYPES[b][role].includes(a.type) && (role !== 'bank' || a.id !== picked.clearing))).toEqual([]);
      }
    }));
  });
});
