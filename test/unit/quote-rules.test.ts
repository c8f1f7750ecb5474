// The money rules of quote payments: which methods a payer is offered, and which invoice the credit note goes to.
import fc from 'fast-check';
import { downpaymentAllocationMinor, findDownpaymentInvoice, type CandidateInvoice } from '../../lib/quotes/downpayment';
import { bankDebitScheme, checkoutChoices, offeredMethods, PAYMENT_METHOD_KINDS } from '../../lib/quotes/methods';
import { addBusinessDays } from '../../lib/quotes/settlement';

const kinds = fc.subarray([...PAYMENT_METHOD_KINDS]);
const currency = fc.constantFrom('USD', 'AUD', 'NZD', 'GBP');

describe('offered methods', () => {
  it('never offers what the merchant has not enabled, whatever CPQ allows', () => {
    fc.assert(fc.property(kinds, kinds, currency, fc.constantFrom('guest' as const, 'payer' as const), (merchant, cpq, cur, checkout) => {
      const offered = offeredMethods({ merchant, cpq, currency: cur, checkout });
      return offered.every((m) => merchant.includes(m) && cpq.includes(m));
    }));
  });

  it('offers a guest card only, and bank debit only where a scheme exists', () => {
    expect(offeredMethods({ merchant: ['card', 'bank_debit'], cpq: ['card', 'bank_debit'], currency: 'USD', checkout: 'guest' })).toEqual(['card']);
    expect(offeredMethods({ merchant: ['card', 'bank_debit'], cpq: ['card', 'bank_debit'], currency: 'USD', checkout: 'payer' })).toEqual(['card', 'bank_debit']);
    expect(offeredMethods({ merchant: ['card', 'bank_debit'], cpq: ['bank_debit'], currency: 'NZD' })).toEqual([]);
    expect(offeredMethods({ merchant: ['card'], cpq: ['bank_debit'], currency: 'USD' })).toEqual([]);
    expect([bankDebitScheme('USD'), bankDebitScheme('AUD'), bankDebitScheme('EUR')]).toEqual(['ach', 'becs', undefined]);
  });

  it('lets a guest check out only without a recurring portion', () => {
    expect(checkoutChoices(false)).toEqual(['guest', 'payer']);
    expect(checkoutChoices(true)).toEqual(['payer']);
  });
});

describe('downpayment invoice', () => {
  const quote = { quoteId: 'Q-1001', contactId: 'c1', currency: 'USD', ownInvoiceId: 'own' };
  const invoice = (over: Partial<CandidateInvoice>): CandidateInvoice => ({
    id: 'inv', number: 'INV-1', reference: 'Downpayment Q-1001', contactId: 'c1', currency: 'USD', status: 'authorised', amountDueMinor: 50_000, ...over,
  });

  it('is the oldest outstanding invoice of the contact naming the quote, never the quote payment invoice', () => {
    const found = findDownpaymentInvoice([
      invoice({ id: 'own', reference: 'Q-1001' }),
      invoice({ id: 'other-quote', reference: 'Downpayment Q-10012' }),
      invoice({ id: 'other-contact', contactId: 'c2' }),
      invoice({ id: 'paid', amountDueMinor: 0 }),
      invoice({ id: 'draft', status: 'draft' }),
      invoice({ id: 'eur', currency: 'EUR' }),
      invoice({ id: 'by-number', reference: undefined, number: 'DP/q-1001' }),
      invoice({ id: 'later' }),
    ], quote);
    expect(found?.id).toBe('by-number');
    expect(findDownpaymentInvoice([invoice({ reference: 'Q-100' })], quote)).toBeUndefined();
  });

  it('allocates no more than the credit left and the invoice owes', () => {
    fc.assert(fc.property(fc.nat(10_000_000), fc.nat(10_000_000), (credit, due) => {
      const amount = downpaymentAllocationMinor(credit, due);
      return amount <= credit && amount <= due && amount === Math.min(credit, due);
    }));
  });
});

describe('settlement window', () => {
  const at = (iso: string) => Date.parse(iso);
  it('counts business days, skipping weekends', () => {
    expect(new Date(addBusinessDays(at('2026-11-23T10:00:00Z'), 4)).toISOString()).toBe('2026-11-27T10:00:00.000Z'); // Mon → Fri
    expect(new Date(addBusinessDays(at('2026-11-26T10:00:00Z'), 4)).toISOString()).toBe('2026-12-02T10:00:00.000Z'); // Thu → Wed
    expect(new Date(addBusinessDays(at('2026-11-28T10:00:00Z'), 3)).toISOString()).toBe('2026-12-02T10:00:00.000Z'); // Sat → Wed
  });

  it('never lands on a weekend, and takes between n and n + 2 calendar days for n up to 5', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 3_000_000_000_000 }), fc.integer({ min: 1, max: 5 }), (from, n) => {
      const to = addBusinessDays(from, n);
      const weekday = new Date(to).getUTCDay();
      const days = (to - from) / 86_400_000;
      return weekday !== 0 && weekday !== 6 && days >= n && days <= n + 2;
    }));
  });
});
