import fc from 'fast-check';
import { payoutDepositLines, type PayoutTransaction } from '../../lib/stripe/payout-lines';

let seq = 0;
const txn = (type: string, amount: number, fee = 0): PayoutTransaction => ({ id: `txn_${++seq}`, type, amount, fee, net: amount - fee, currency: 'usd' });

describe('payoutDepositLines', () => {
  it('sums payments in, refunds out and fees as an expense to the payout', () => {
    const lines = payoutDepositLines(19_060, 'usd', [txn('charge', 10_000, 320), txn('charge', 10_000, 320), txn('refund', -300), txn('payout', -19_060)]);
    expect(lines).toEqual([
      { kind: 'payments', amountMinor: 20_000, count: 2 },
      { kind: 'refunds', amountMinor: -300, count: 1 },
      { kind: 'fees', amountMinor: -640, count: 2 },
    ]);
  });

  it('refuses transactions that do not add up to the payout, or of another currency', () => {
    expect(() => payoutDepositLines(100, 'usd', [txn('charge', 1_000, 59)])).toThrow(/not the payout/);
    expect(() => payoutDepositLines(941, 'aud', [txn('charge', 1_000, 59)])).toThrow(/usd/);
  });

  it('lines always sum to the payout amount', () => {
    const arbTxn = fc.record({
      type: fc.constantFrom('charge', 'payment', 'refund', 'payment_failure_refund', 'adjustment'),
      amount: fc.integer({ min: -1_000_000, max: 1_000_000 }),
      fee: fc.integer({ min: 0, max: 50_000 }),
    });
    fc.assert(fc.property(fc.array(arbTxn, { maxLength: 120 }), (raw) => {
      const txns = raw.map((t) => txn(t.type, t.amount, t.fee));
      const payout = txns.reduce((sum, t) => sum + t.net, 0);
      const lines = payoutDepositLines(payout, 'usd', [...txns, txn('payout', -payout)]);
      expect(lines.reduce((sum, l) => sum + l.amountMinor, 0)).toBe(payout);
      expect(lines.every((l) => l.amountMinor !== 0)).toBe(true);
      const fees = lines.find((l) => l.kind === 'fees')?.amountMinor ?? 0;
      expect(fees).toBe(0 - txns.reduce((sum, t) => sum + t.fee, 0));
    }));
  });
});
