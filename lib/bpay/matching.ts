// Which outstanding invoices tonight's BPAY payments pay, for the nightly upload to the accounting platform.
// Pure and deterministic (no Node APIs, no clock, no locale): the upload workflow plans with this, activities
// only fetch the invoices and write the payments.
//
// O(n log n) for n payments and invoices. Payments are sorted by date and id; invoices are grouped by customer and
// ranked oldest first, and each customer has a cursor: every invoice ranked before it is paid off. Splits pay
// from the cursor, so they leave at most one invoice per customer part-paid, and it is the one at the cursor.
// Every other open invoice still owes its original amount, so exact matches are found by binary search among the
// customer's invoices sorted by original amount, skipping those since paid (each is skipped once).
// State is kept in flat arrays indexed by number, not in objects: at 100,000 payments the cost is memory traffic
// and garbage collection, not arithmetic.

export interface BpayPayment { id: string; customerId: string; amountMinor: number; paidDate: string /* YYYY-MM-DD */ }
export interface OutstandingInvoice { id: string; customerId: string; date: string /* YYYY-MM-DD */; amountDueMinor: number; onPaymentPlan: boolean }
export interface InvoiceApplication { paymentId: string; invoiceId: string; amountMinor: number }
export interface Prepayment { paymentId: string; customerId: string; amountMinor: number }
export interface UploadPlan {
  /** In the order the payments were taken (paid date, then id); a split payment's invoices oldest first. */
  applications: InvoiceApplication[];
  prepayments: Prepayment[];
  /** payment ids left for the next night, in paid-date order */
  deferred: string[];
}

/** Code-unit order, not locale order: the same everywhere a workflow replays. */
const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Sorts a[from..to) in place: insertion sort for the few invoices a customer usually has, else the built-in. */
function sortRange(a: Int32Array, from: number, to: number, compare: (x: number, y: number) => number): void {
  if (to - from > 16) {
    a.subarray(from, to).sort(compare);
    return;
  }
  for (let i = from + 1; i < to; i++) {
    const x = a[i];
    let j = i - 1;
    for (; j >= from && compare(a[j], x) > 0; j--) a[j + 1] = a[j];
    a[j + 1] = x;
  }
}

/** Distinct texts (dates) numbered 0, 1, … in their sorted order, so sorts compare numbers; dates are few. */
function rankTexts(texts: readonly string[]): { ranks: Int32Array; distinct: number } {
  const keyOf = new Map<string, number>();
  const keys = Int32Array.from(texts, (text) => {
    let key = keyOf.get(text);
    if (key === undefined) keyOf.set(text, (key = keyOf.size));
    return key;
  });
  const rankOfKey = new Int32Array(keyOf.size);
  [...keyOf.keys()].sort(compareText).forEach((text, rank) => (rankOfKey[keyOf.get(text)!] = rank));
  return { ranks: keys.map((key) => rankOfKey[key]), distinct: keyOf.size };
}

/**
 * The invoices payments may go to, ranked by customer and then oldest first (date, then id): customer c's are
 * ranks starts[c] to starts[c + 1] - 1. Payment-plan invoices and those with nothing due are left out; a repeated
 * invoice id counts once (its first occurrence).
 */
function rankInvoices(invoices: readonly OutstandingInvoice[]) {
  const customerOf = new Map<string, number>();
  const seen = new Set<string>();
  // Read once in input order into flat arrays; ranking then moves numbers and references, not invoice objects.
  const keptIds: string[] = [];
  const keptDates: string[] = [];
  const keptAmounts: number[] = [];
  const keptCustomers: number[] = [];
  for (const invoice of invoices) {
    if (!Number.isSafeInteger(invoice.amountDueMinor)) {
      throw new RangeError(`invoice ${invoice.id} amount due is not an integer amount in minor units: ${invoice.amountDueMinor}`);
    }
    if (seen.size === seen.add(invoice.id).size) continue; // seen before (one lookup, not two)
    if (invoice.onPaymentPlan || invoice.amountDueMinor <= 0) continue;
    let customer = customerOf.get(invoice.customerId);
    if (customer === undefined) customerOf.set(invoice.customerId, (customer = customerOf.size));
    keptIds.push(invoice.id);
    keptDates.push(invoice.date);
    keptAmounts.push(invoice.amountDueMinor);
    keptCustomers.push(customer);
  }
  const customers = customerOf.size;
  const dates = rankTexts(keptDates).ranks;
  const starts = new Int32Array(customers + 1);
  for (const customer of keptCustomers) starts[customer + 1]++;
  for (let c = 1; c <= customers; c++) starts[c] += starts[c - 1];
  const next = starts.slice(0, -1);
  const byRank = new Int32Array(keptIds.length);
  keptCustomers.forEach((customer, k) => (byRank[next[customer]++] = k));
  const oldestFirst = (a: number, b: number) => dates[a] - dates[b] || compareText(keptIds[a], keptIds[b]);
  for (let c = 0; c < customers; c++) sortRange(byRank, starts[c], starts[c + 1], oldestFirst);

  const invoiceIds = Array.from(byRank, (k) => keptIds[k]);
  const original = Float64Array.from(byRank, (k) => keptAmounts[k]);
  const outstanding = new Float64Array(customers);
  for (let c = 0; c < customers; c++) for (let rank = starts[c]; rank < starts[c + 1]; rank++) outstanding[c] += original[rank];
  return { customerOf, starts, invoiceIds, original, outstanding };
}

/**
 * Each customer's invoice ranks sorted by original amount, then rank (oldest first). A run of equal amounts keeps
 * a head: entries before it are paid off or part-paid, which they stay (what an invoice owes only falls).
 */
class ExactMatches {
  private readonly byAmount: Int32Array;
  private readonly runHead: Int32Array;
  constructor(private readonly starts: Int32Array, private readonly original: Float64Array, private readonly remaining: Float64Array) {
    this.byAmount = Int32Array.from(original, (_, rank) => rank);
    for (let c = 0; c + 1 < starts.length; c++) sortRange(this.byAmount, starts[c], starts[c + 1], (a, b) => original[a] - original[b] || a - b);
    this.runHead = Int32Array.from(original, (_, position) => position);
  }

  /** The oldest open invoice of customer c owing exactly `amount`, or -1; `cursor` is c's oldest open invoice. */
  find(c: number, amount: number, cursor: number): number {
    const { byAmount, original, remaining } = this;
    if (remaining[cursor] === amount) return cursor; // the only one that may be part-paid, and the oldest
    const end = this.starts[c + 1];
    let lo = this.starts[c];
    for (let hi = end; lo < hi; ) {
      const mid = (lo + hi) >> 1;
      if (original[byAmount[mid]] < amount) lo = mid + 1;
      else hi = mid;
    }
    if (lo === end || original[byAmount[lo]] !== amount) return -1;
    let head = this.runHead[lo]; // lo starts the run of invoices originally owing `amount`
    while (head < end && original[byAmount[head]] === amount && remaining[byAmount[head]] !== amount) head++;
    this.runHead[lo] = head;
    return head < end && original[byAmount[head]] === amount ? byAmount[head] : -1;
  }
}

/** Payment indices in paid-date order, ties by id, each id once (its first: a payment listed twice is planned once). */
function paidDateOrder(paidDates: readonly string[], ids: readonly string[]): Int32Array {
  const { ranks: dates, distinct } = rankTexts(paidDates);
  const starts = new Int32Array(distinct + 1); // counting sort by date, then each day's payments by id
  for (const date of dates) starts[date + 1]++;
  for (let date = 1; date <= distinct; date++) starts[date] += starts[date - 1];
  const next = starts.slice(0, -1);
  const order = new Int32Array(ids.length);
  dates.forEach((date, i) => (order[next[date]++] = i));
  const byId = (a: number, b: number) => compareText(ids[a], ids[b]) || a - b;
  for (let date = 0; date < distinct; date++) sortRange(order, starts[date], starts[date + 1], byId);
  // Ids are checked for repeats in input order (memory order: much cheaper than sorted order at 100,000);
  // only a repeated id needs its first payment in paid-date order picked out.
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const id of ids) if (seen.size === seen.add(id).size) repeated.add(id);
  if (repeated.size === 0) return order;
  const taken = new Set<string>();
  return order.filter((i) => !repeated.has(ids[i]) || taken.size < taken.add(ids[i]).size);
}

export function planBpayUpload(
  payments: readonly BpayPayment[],
  invoices: readonly OutstandingInvoice[],
  opts: { maxPrepayments: number },
): UploadPlan {
  const maxPrepayments = Math.floor(opts.maxPrepayments);
  if (!(maxPrepayments >= 0)) throw new RangeError(`maxPrepayments must be zero or more: ${opts.maxPrepayments}`);
  const { customerOf, starts, invoiceIds, original, outstanding } = rankInvoices(invoices);
  const remaining = original.slice();
  const exact = new ExactMatches(starts, original, remaining);
  const cursor = starts.slice(0, -1);
  const plan: UploadPlan = { applications: [], prepayments: [], deferred: [] };
  // Read once in input order into flat arrays, so planning in paid-date order reads no payment object (but for a
  // prepayment's customer id).
  const ids = new Array<string>(payments.length);
  const paidDates = new Array<string>(payments.length);
  const amounts = new Float64Array(payments.length);
  const customers = new Int32Array(payments.length);
  payments.forEach((payment, i) => {
    if (!Number.isSafeInteger(payment.amountMinor) || payment.amountMinor <= 0) {
      throw new RangeError(`payment ${payment.id} amount is not a positive integer amount in minor units: ${payment.amountMinor}`);
    }
    ids[i] = payment.id;
    paidDates[i] = payment.paidDate;
    amounts[i] = payment.amountMinor;
    customers[i] = customerOf.get(payment.customerId) ?? -1;
  });

  for (const i of paidDateOrder(paidDates, ids)) {
    const paymentId = ids[i];
    const amount = amounts[i];
    const c = customers[i];
    while (c >= 0 && cursor[c] < starts[c + 1] && remaining[cursor[c]] === 0) cursor[c]++; // paid off by exact matches

    const match = c >= 0 && cursor[c] < starts[c + 1] ? exact.find(c, amount, cursor[c]) : -1;
    if (match >= 0) {
      remaining[match] = 0;
      outstanding[c] -= amount;
      plan.applications.push({ paymentId, invoiceId: invoiceIds[match], amountMinor: amount });
      continue;
    }

    // A payment needing a prepayment once tonight's are used up waits whole for tomorrow, so it is never half
    // uploaded; a later payment that fits its customer's invoices still goes tonight.
    if (amount > (c < 0 ? 0 : outstanding[c]) && plan.prepayments.length >= maxPrepayments) {
      plan.deferred.push(paymentId);
      continue;
    }

    let left = amount;
    for (; c >= 0 && left > 0 && cursor[c] < starts[c + 1]; cursor[c]++) {
      const rank = cursor[c];
      const applied = Math.min(remaining[rank], left);
      if (applied === 0) continue; // paid off earlier by an exact match
      remaining[rank] -= applied;
      outstanding[c] -= applied;
      left -= applied;
      plan.applications.push({ paymentId, invoiceId: invoiceIds[rank], amountMinor: applied });
      if (remaining[rank] > 0) break; // part-paid: the cursor stays on it
    }
    if (left > 0) plan.prepayments.push({ paymentId, customerId: payments[i].customerId, amountMinor: left });
  }
  return plan;
}
