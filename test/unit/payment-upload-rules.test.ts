// The payment upload rules: what goes to the books and what does not, and why.
import fc from 'fast-check';
import { uploadDecision, type PaymentToUpload } from '../../lib/payments/upload-rules';

const applied = [{ invoiceId: 'inv-1', amountMinor: 500 }];
const payment = (over: Partial<PaymentToUpload> = {}): PaymentToUpload => ({ channel: 'pay_now', applications: applied, paidOn: '2026-05-02', ...over });

it('uploads a payment that pays an invoice, made on or after the start date', () => {
  expect(uploadDecision(payment(), '2026-05-01')).toEqual({ upload: true });
  expect(uploadDecision(payment({ paidOn: '2026-05-01' }), '2026-05-01')).toEqual({ upload: true });
  expect(uploadDecision(payment({ channel: 'virtual_terminal' }), '2026-05-01')).toEqual({ upload: true });
});

it('never uploads a batch debit, even one that names an invoice', () => {
  expect(uploadDecision(payment({ channel: 'batch_debit' }), '2026-01-01')).toMatchObject({ upload: false, reason: 'batch-debit' });
});

it('does not upload a payment applied to no invoice (or only to zero amounts)', () => {
  expect(uploadDecision(payment({ channel: 'virtual_terminal', applications: [] }), '2026-01-01')).toMatchObject({ upload: false, reason: 'not-applied-to-invoice' });
  expect(uploadDecision(payment({ applications: [{ invoiceId: 'x', amountMinor: 0 }] }), '2026-01-01')).toMatchObject({ reason: 'not-applied-to-invoice' });
});

it('does not upload before the start date or without a connection', () => {
  expect(uploadDecision(payment({ paidOn: '2026-04-30' }), '2026-05-01')).toMatchObject({ upload: false, reason: 'before-start-date' });
  expect(uploadDecision(payment(), null)).toMatchObject({ upload: false, reason: 'not-connected' });
});

it('uploads exactly when every condition holds (property)', () => {
  const date = fc.date({ min: new Date('2020-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
  fc.assert(fc.property(
    fc.constantFrom('pay_now', 'virtual_terminal', 'batch_debit' as const), fc.array(fc.nat(10_000), { maxLength: 4 }), date, fc.option(date, { nil: null }),
    (channel, amounts, paidOn, start) => {
      const decision = uploadDecision({ channel, paidOn, applications: amounts.map((amountMinor, i) => ({ invoiceId: `i${i}`, amountMinor })) }, start);
      const expected = channel !== 'batch_debit' && amounts.some((a) => a > 0) && start !== null && paidOn >= start;
      expect(decision.upload).toBe(expected);
      if (!decision.upload) expect(decision.explanation.length).toBeGreaterThan(10);
    }));
});
