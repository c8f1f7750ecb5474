// The nightly BPAY upload's rules: which invoices a payment pays, when it becomes a prepayment, when it waits for
// the next night, and the rolling 30-day limit.
import fc from 'fast-check';
import { countUploadedPayments, MAX_UPLOADS_PER_30_DAYS, wouldExceedRollingLimit } from '../../lib/bpay/limits';
import { planBpayUpload, type BpayPayment, type OutstandingInvoice, type UploadPlan } from '../../lib/bpay/matching';

const invoice = (id: string, date: string, amountDueMinor: number, over: Partial<OutstandingInvoice> = {}): OutstandingInvoice =>
  ({ id, customerId: 'c1', date, amountDueMinor, onPaymentPlan: false, ...over });
const payment = (id: string, paidDate: string, amountMinor: number, customerId = 'c1'): BpayPayment => ({ id, customerId, amountMinor, paidDate });
const plan = (payments: BpayPayment[], invoices: OutstandingInvoice[], maxPrepayments = 200) => planBpayUpload(payments, invoices, { maxPrepayments });
const applied = (p: UploadPlan) => p.applications.map((a) => `${a.paymentId}→${a.invoiceId}:${a.amountMinor}`);

describe('planBpayUpload rules', () => {
  it('gives a payment whole to the oldest invoice owing exactly its amount, before any older invoice', () => {
    const invoices = [invoice('old', '2026-01-01', 9_999), invoice('b', '2026-03-01', 5_000), invoice('a', '2026-03-01', 5_000), invoice('x', '2026-02-01', 5_000, { customerId: 'c2' })];
    const result = plan([payment('p1', '2026-05-01', 5_000)], invoices);
    expect(applied(result)).toEqual(['p1→a:5000']); // date tie broken by id; c2's older invoice is not c1's
    expect(result.prepayments).toEqual([]);
  });

  it('matches exactly against what an invoice still owes after earlier payments in the same night', () => {
    const invoices = [invoice('A', '2026-01-01', 10_000), invoice('B', '2026-02-01', 6_000)];
    const result = plan([payment('p3', '2026-05-03', 6_000), payment('p1', '2026-05-01', 4_000), payment('p2', '2026-05-02', 6_000)], invoices);
    expect(applied(result)).toEqual(['p1→A:4000', 'p2→A:6000', 'p3→B:6000']);
  });

  it('splits a payment with no exact match over the oldest invoices first, the rest a prepayment', () => {
    const invoices = [invoice('C', '2026-03-01', 7_000), invoice('A', '2026-01-01', 10_000), invoice('B', '2026-02-01', 5_000)];
    expect(applied(plan([payment('p', '2026-05-01', 12_000)], invoices))).toEqual(['p→A:10000', 'p→B:2000']);
    const over = plan([payment('p', '2026-05-01', 30_000)], invoices);
    expect(applied(over)).toEqual(['p→A:10000', 'p→B:5000', 'p→C:7000']);
    expect(over.prepayments).toEqual([{ paymentId: 'p', customerId: 'c1', amountMinor: 8_000 }]);
  });

  it('never touches payment-plan invoices, other customers’ invoices, or invoices with nothing due', () => {
    const invoices = [
      invoice('plan', '2026-01-01', 5_000, { onPaymentPlan: true }),
      invoice('zero', '2026-01-02', 0),
      invoice('credit', '2026-01-03', -2_000),
      invoice('other', '2026-01-04', 5_000, { customerId: 'c2' }),
      invoice('mine', '2026-02-01', 3_000),
    ];
    const result = plan([payment('p', '2026-05-01', 5_000)], invoices);
    expect(applied(result)).toEqual(['p→mine:3000']);
    expect(result.prepayments).toEqual([{ paymentId: 'p', customerId: 'c1', amountMinor: 2_000 }]);
    expect(plan([payment('q', '2026-05-01', 700, 'nobody')], invoices).prepayments).toEqual([{ paymentId: 'q', customerId: 'nobody', amountMinor: 700 }]);
  });

  it('takes payments in paid-date order, ties by id, whatever order they arrive in', () => {
    const invoices = [invoice('only', '2026-01-01', 5_000)];
    const result = plan([payment('b', '2026-05-02', 5_000), payment('z', '2026-05-01', 5_000), payment('a', '2026-05-02', 5_000)], invoices);
    expect(applied(result)).toEqual(['z→only:5000']);
    expect(result.prepayments.map((p) => p.paymentId)).toEqual(['a', 'b']);
  });

  it('defers a payment needing a prepayment once the night’s prepayments are used, but still applies later ones that fit', () => {
    const invoices = [invoice('A', '2026-01-01', 10_000), invoice('B', '2026-02-01', 4_000, { customerId: 'c2' })];
    const payments = [
      payment('p1', '2026-05-01', 500, 'c3'), // prepayment 1 of 1
      payment('p2', '2026-05-02', 12_000), // would need a prepayment: waits whole, A untouched by it
      payment('p3', '2026-05-03', 4_000, 'c2'), // exact
      payment('p4', '2026-05-04', 300, 'c3'), // would need a prepayment: waits
      payment('p5', '2026-05-05', 9_000), // fits within A
    ];
    const result = plan(payments, invoices, 1);
    expect(result.prepayments.map((p) => p.paymentId)).toEqual(['p1']);
    expect(result.deferred).toEqual(['p2', 'p4']);
    expect(applied(result)).toEqual(['p3→B:4000', 'p5→A:9000']);
    expect(plan(payments, invoices, 0).deferred).toEqual(['p1', 'p2', 'p4']);
  });

  it('plans a payment listed twice once, and refuses amounts that are not positive minor units', () => {
    const twice = plan([payment('p', '2026-05-01', 5_000), payment('p', '2026-05-01', 5_000)], [invoice('A', '2026-01-01', 10_000)]);
    expect(applied(twice)).toEqual(['p→A:5000']);
    expect(() => plan([payment('p', '2026-05-01', 12.5)], [])).toThrow(RangeError);
    expect(() => plan([payment('p', '2026-05-01', 0)], [])).toThrow(RangeError);
    expect(() => plan([], [invoice('A', '2026-01-01', 1.5)])).toThrow(RangeError);
    expect(() => plan([], [], Number.NaN)).toThrow(RangeError);
  });
});

// Generated nights: few customers, days and amounts, so exact matches, date ties, splits and caps all happen; some
// nights crowd one customer with many invoices (long runs of equal amounts, more than a small sort handles).
const nightOf = (customers: number, maxInvoices: number, maxPayments: number) => {
  const day = (n: number) => `2026-0${1 + (n % 5)}-1${n % 3}`;
  const invoices = fc
    .array(fc.record({ customer: fc.integer({ min: 1, max: customers }), day: fc.nat(6), amount: fc.oneof(fc.constantFrom(0, 1_000, 2_500, 5_000), fc.integer({ min: -500, max: 8_000 })), plan: fc.nat(4) }), { maxLength: maxInvoices, size: 'max' })
    .map((rows) => rows.map((r, k): OutstandingInvoice => ({ id: `i${(k * 7) % 15}-${k}`, customerId: `c${r.customer}`, date: day(r.day), amountDueMinor: r.amount, onPaymentPlan: r.plan === 0 })));
  const payments = fc
    .array(fc.record({ customer: fc.integer({ min: 1, max: customers + 1 }), day: fc.nat(3), amount: fc.oneof(fc.constantFrom(1_000, 2_500, 5_000), fc.integer({ min: 1, max: 12_000 })) }), { maxLength: maxPayments, size: 'max' })
    .map((rows) => rows.map((r, k): BpayPayment => ({ id: `p${(k * 5) % 17}-${k}`, customerId: `c${r.customer}`, amountMinor: r.amount, paidDate: `2026-06-0${1 + r.day}` })));
  return fc.record({ payments, invoices, maxPrepayments: fc.nat(4) });
};
const night = fc.oneof({ arbitrary: nightOf(3, 14, 16), weight: 3 }, { arbitrary: nightOf(1, 60, 30), weight: 1 });
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

describe('planBpayUpload invariants', () => {
  it('accounts for every payment exactly once: fully applied and prepaid, or deferred whole; totals are conserved', () => {
    fc.assert(fc.property(night, ({ payments, invoices, maxPrepayments }) => {
      const result = planBpayUpload(payments, invoices, { maxPrepayments });
      const deferred = new Set(result.deferred);
      expect(deferred.size).toBe(result.deferred.length);
      for (const p of payments) {
        const apps = result.applications.filter((a) => a.paymentId === p.id);
        const pre = result.prepayments.filter((x) => x.paymentId === p.id);
        if (deferred.has(p.id)) expect(apps.length + pre.length).toBe(0);
        else {
          expect(pre.length).toBeLessThanOrEqual(1);
          expect(apps.reduce((s, a) => s + a.amountMinor, 0) + (pre[0]?.amountMinor ?? 0)).toBe(p.amountMinor);
        }
      }
      expect([...result.applications, ...result.prepayments].every((x) => Number.isSafeInteger(x.amountMinor) && x.amountMinor > 0)).toBe(true);
      const total = (xs: Array<{ amountMinor: number }>) => xs.reduce((s, x) => s + x.amountMinor, 0);
      expect(total(result.applications) + total(result.prepayments) + total(payments.filter((p) => deferred.has(p.id)))).toBe(total(payments));
    }));
  });

  it('never pays an invoice more than it owes, nor one on a payment plan, of another customer, or with nothing due', () => {
    fc.assert(fc.property(night, ({ payments, invoices, maxPrepayments }) => {
      const result = planBpayUpload(payments, invoices, { maxPrepayments });
      const paid = new Map<string, number>();
      for (const a of result.applications) {
        const inv = invoices.find((i) => i.id === a.invoiceId)!;
        expect(inv.onPaymentPlan).toBe(false);
        expect(inv.customerId).toBe(payments.find((p) => p.id === a.paymentId)!.customerId);
        paid.set(inv.id, (paid.get(inv.id) ?? 0) + a.amountMinor);
        expect(paid.get(inv.id)).toBeLessThanOrEqual(inv.amountDueMinor);
      }
    }));
  });

  it('keeps to the prepayment cap, and defers only what needs a prepayment, in paid-date order', () => {
    fc.assert(fc.property(night, ({ payments, invoices, maxPrepayments }) => {
      const result = planBpayUpload(payments, invoices, { maxPrepayments });
      expect(result.prepayments.length).toBeLessThanOrEqual(maxPrepayments);
      if (result.deferred.length > 0) expect(result.prepayments.length).toBe(maxPrepayments);
      const order = [...payments].sort((a, b) => byText(a.paidDate, b.paidDate) || byText(a.id, b.id)).map((p) => p.id);
      expect(result.deferred).toEqual(order.filter((id) => result.deferred.includes(id)));
      if (maxPrepayments >= payments.length) expect(result.deferred).toEqual([]);
    }));
  });

  it('follows the rules step by step: exact match first (oldest), else oldest first, else a prepayment or a deferral', () => {
    fc.assert(fc.property(night, ({ payments, invoices, maxPrepayments }) => {
      const result = planBpayUpload(payments, invoices, { maxPrepayments });
      // Replay the night in paid-date order against what each invoice still owes.
      const left = new Map(invoices.filter((i) => !i.onPaymentPlan && i.amountDueMinor > 0).map((i) => [i.id, i.amountDueMinor]));
      const oldestFirst = invoices.filter((i) => left.has(i.id)).sort((a, b) => byText(a.date, b.date) || byText(a.id, b.id));
      let prepayments = 0;
      let next = 0; // position in result.applications: they come in the order the payments were taken
      for (const p of [...payments].sort((a, b) => byText(a.paidDate, b.paidDate) || byText(a.id, b.id))) {
        const open = oldestFirst.filter((i) => i.customerId === p.customerId && left.get(i.id)! > 0);
        const exact = open.find((i) => left.get(i.id) === p.amountMinor);
        const owed = open.reduce((s, i) => s + left.get(i.id)!, 0);
        const apps = result.applications.filter((a) => a.paymentId === p.id);
        expect(result.applications.slice(next, next + apps.length)).toEqual(apps);
        next += apps.length;
        if (exact) {
          expect(apps).toEqual([{ paymentId: p.id, invoiceId: exact.id, amountMinor: p.amountMinor }]);
        } else if (p.amountMinor > owed && prepayments >= maxPrepayments) {
          expect(result.deferred).toContain(p.id);
          continue;
        } else {
          // Oldest first: every invoice it touches but the last is paid off, and none older is left owing.
          expect(apps.map((a) => a.invoiceId)).toEqual(open.slice(0, apps.length).map((i) => i.id));
          apps.slice(0, -1).forEach((a) => expect(a.amountMinor).toBe(left.get(a.invoiceId)));
          if (p.amountMinor > owed) prepayments++;
        }
        for (const a of apps) left.set(a.invoiceId, left.get(a.invoiceId)! - a.amountMinor);
      }
      expect(next).toBe(result.applications.length);
      expect(prepayments).toBe(result.prepayments.length);
    }));
  });

  it('plans the same night whatever order payments and invoices arrive in', () => {
    const shuffled = night.chain((n) => fc.record({
      n: fc.constant(n),
      payments: fc.shuffledSubarray(n.payments, { minLength: n.payments.length }),
      invoices: fc.shuffledSubarray(n.invoices, { minLength: n.invoices.length }),
    }));
    fc.assert(fc.property(shuffled, ({ n, payments, invoices }) => {
      expect(planBpayUpload(payments, invoices, n)).toEqual(planBpayUpload(n.payments, n.invoices, n));
    }));
  });
});

describe('rolling 30-day upload limit', () => {
  it('disables the upload only when the 30 days would go over 4,000 uploaded payments', () => {
    expect(MAX_UPLOADS_PER_30_DAYS).toBe(4000);
    expect(wouldExceedRollingLimit(3_999, 1)).toBe(false);
    expect(wouldExceedRollingLimit(3_800, 200)).toBe(false);
    expect(wouldExceedRollingLimit(4_000, 1)).toBe(true);
    expect(wouldExceedRollingLimit(0, 4_001)).toBe(true);
    expect(wouldExceedRollingLimit(10, 5, 14)).toBe(true);
    expect(() => wouldExceedRollingLimit(-1, 1)).toThrow(RangeError);
    fc.assert(fc.property(fc.nat(10_000), fc.nat(10_000), (before, tonight) => wouldExceedRollingLimit(before, tonight) === before + tonight > 4_000));
  });

  it('counts an uploaded payment once however many invoices it is split over; deferred payments are not uploaded', () => {
    const split = plan([payment('p', '2026-05-01', 15_000), payment('q', '2026-05-01', 100, 'c9')], [invoice('A', '2026-01-01', 10_000), invoice('B', '2026-02-01', 1_000)]);
    expect(split.applications).toHaveLength(2);
    expect(countUploadedPayments(split)).toBe(2);
    fc.assert(fc.property(night, ({ payments, invoices, maxPrepayments }) => {
      const result = planBpayUpload(payments, invoices, { maxPrepayments });
      return countUploadedPayments(result) + result.deferred.length === new Set(payments.map((p) => p.id)).size;
    }));
  });
});
