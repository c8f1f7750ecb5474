// Settle's QuickBooks adapter against the local QuickBooks Online emulator, through the real node-quickbooks SDK.
// Assertions look at the emulator's ledger (integer cents), not only at what the adapter returns.
import type { AccountingPlatform, InvoiceLine, NewInvoice } from '../../../activities/accounting/platform';
import {
  PlatformNotFound, PlatformRateLimited, PlatformRejected, PlatformUnauthorized, PlatformUnavailable,
} from '../../../activities/accounting/platform';
import { createQuickBooksPlatform } from '../../../activities/accounting/quickbooks';
import { toPlatformError } from '../../../activities/accounting/quickbooks/errors';
import { DRAFT_MARKER } from '../../../activities/accounting/quickbooks/mapping';
import { eventually } from '../../support/eventually';
import { startQuickBooks, type QuickBooksFixture } from '../../support/quickbooks';

let qb: QuickBooksFixture;
let platform: AccountingPlatform;
let seq = 0;
const key = (what: string) => `test-${what}-${++seq}`;

beforeAll(async () => {
  qb = await startQuickBooks();
  platform = qb.platform;
});
afterAll(() => qb.close());
afterEach(() => {
  qb.emu.faults.clear();
  qb.emu.throttleStyle = 'json429';
});

const line = (unitAmountMinor: number, quantity = 1, accountCode = '1'): InvoiceLine => ({
  description: `Managed services × ${quantity}`, quantity, unitAmountMinor, accountCode,
});

async function newCustomer(name = `Customer ${++seq}`) {
  return platform.createContact({ name }, key('contact'));
}

async function newInvoice(contactId: string, totalMinor: number, extra: Partial<NewInvoice> = {}) {
  return platform.createInvoice({
    contactId, date: '2026-03-01', dueDate: '2026-03-31', currency: 'USD', status: 'authorised', lines: [line(totalMinor)], ...extra,
  }, key('invoice'));
}

async function newCreditNote(contactId: string, totalMinor: number, status: 'draft' | 'authorised' = 'authorised') {
  return platform.createCreditNote({ contactId, date: '2026-03-02', currency: 'USD', status, lines: [line(totalMinor)] }, key('credit'));
}

describe('contacts', () => {
  it('creates a customer and finds it by name (case-insensitive, quotes and all), email and account number', async () => {
    const created = await platform.createContact({ name: "O'Brien IT", email: 'ap@obrien.example', accountNumber: 'OB-7' }, key('contact'));
    const stored = qb.realm().customers.get(created.id)!;
    expect(stored).toMatchObject({ displayName: "O'Brien IT", email: 'ap@obrien.example', acctNum: 'OB-7', currency: 'USD' });
    expect(created).toEqual({ id: stored.id, name: "O'Brien IT", email: 'ap@obrien.example', accountNumber: 'OB-7' });

    expect(await platform.findContacts({ name: "o'brien it" })).toEqual([created]);
    expect(await platform.findContacts({ email: 'AP@obrien.example' })).toEqual([created]);
    expect(await platform.findContacts({ accountNumber: 'OB-7' })).toEqual([created]);
    expect(await platform.findContacts({ name: "O'Brien IT", accountNumber: 'other' })).toEqual([]);
    expect(await platform.findContacts({ name: 'Nobody' })).toEqual([]);
    const query = qb.emu.requests.filter((r) => r.path.endsWith('/query')).at(-1)!;
    expect(new URLSearchParams(query.query).get('query')).toMatch(/^select \* from customer where DisplayName = 'Nobody'/);
  });

  it('creates one customer for a key used twice (requestid), and refuses a second customer of the same name', async () => {
    const k = key('contact');
    const before = qb.realm().customers.size;
    const first = await platform.createContact({ name: 'Twice Pty Ltd' }, k);
    const second = await platform.createContact({ name: 'Twice Pty Ltd' }, k);
    expect(second.id).toBe(first.id);
    expect(qb.realm().customers.size).toBe(before + 1);
    const writes = qb.emu.requests.filter((r) => r.requestId === k);
    expect(writes).toHaveLength(2);

    const duplicate = platform.createContact({ name: 'twice pty ltd' }, key('contact'));
    await expect(duplicate).rejects.toBeInstanceOf(PlatformRejected);
    await expect(duplicate).rejects.toMatchObject({ details: [expect.stringMatching(/^6240: Duplicate Name/)] });
    expect(qb.realm().customers.size).toBe(before + 1);
  });
});

describe('invoices', () => {
  it('creates an invoice with exact amounts, items, tax codes, number and reference', async () => {
    const customer = await newCustomer();
    const invoice = await platform.createInvoice({
      contactId: customer.id, number: 'PSA-1001', reference: 'PO 77', date: '2026-03-01', dueDate: '2026-03-31', currency: 'USD',
      status: 'authorised',
      lines: [
        { description: 'Hours', quantity: 3, unitAmountMinor: 1010, accountCode: '2', taxType: 'TAX' }, // 30.30
        { description: 'Half hours', quantity: 1.5, unitAmountMinor: 3333, accountCode: '1' }, // 49.995 → 50.00
        { description: 'Tenth', quantity: 0.1, unitAmountMinor: 30, accountCode: '1' }, // 0.03
      ],
    }, key('invoice'));
    const stored = qb.realm().invoices.get(invoice.id)!;
    expect(stored.lines.map((l) => [l.itemId, l.amountCents, l.taxCode])).toEqual([['2', 3030, 'TAX'], ['1', 5000, undefined], ['1', 3, undefined]]);
    expect(stored).toMatchObject({ docNumber: 'PSA-1001', customerMemo: 'PO 77', totalCents: 8033, balanceCents: 8033, txnDate: '2026-03-01', dueDate: '2026-03-31' });
    expect(invoice).toEqual({
      id: stored.id, number: 'PSA-1001', contactId: customer.id, reference: 'PO 77', status: 'authorised',
      date: '2026-03-01', dueDate: '2026-03-31', currency: 'USD', totalMinor: 8033, amountDueMinor: 8033,
    });
    expect(await platform.getInvoice(invoice.id)).toEqual(invoice);
  });

  it('refuses draft invoices without sending anything (QBO has no drafts)', async () => {
    const customer = await newCustomer();
    const requests = qb.emu.stats.requests;
    await expect(newInvoice(customer.id, 100, { status: 'draft' })).rejects.toBeInstanceOf(PlatformRejected);
    expect(qb.emu.stats.requests).toBe(requests);
    expect([...qb.realm().invoices.values()].filter((i) => i.customerId === customer.id)).toHaveLength(0);
  });

  it('is refused by QBO rules: another currency than the customer\'s, an unknown item, a duplicate number', async () => {
    const customer = await newCustomer();
    await expect(newInvoice(customer.id, 100, { currency: 'AUD' })).rejects.toMatchObject({ name: 'PlatformRejected', status: 400 });
    await expect(newInvoice(customer.id, 100, { lines: [line(100, 1, '999')] }))
      .rejects.toMatchObject({ name: 'PlatformRejected', details: [expect.stringMatching(/^2500: Invalid Reference Id/)] });
    await newInvoice(customer.id, 100, { number: 'DUP-1' });
    await expect(newInvoice(customer.id, 100, { number: 'DUP-1' }))
      .rejects.toMatchObject({ details: [expect.stringMatching(/^6140:/)] });
    expect([...qb.realm().invoices.values()].filter((i) => i.customerId === customer.id)).toHaveLength(1);
  });

  it('creates one invoice for a key used twice', async () => {
    const customer = await newCustomer();
    const k = key('invoice');
    const draft: NewInvoice = { contactId: customer.id, date: '2026-03-01', dueDate: '2026-03-31', currency: 'USD', status: 'authorised', lines: [line(500)] };
    const a = await platform.createInvoice(draft, k);
    const b = await platform.createInvoice(draft, k);
    expect(b).toEqual(a);
    expect([...qb.realm().invoices.values()].filter((i) => i.customerId === customer.id)).toHaveLength(1);
  });

  it('creates many invoices in one batch request: a refused one fails alone, a draft is never sent, the batch once per key', async () => {
    const customer = await newCustomer();
    const tag = `BT${++seq}`;
    const invoice = (n: number, extra: Partial<NewInvoice> = {}): NewInvoice => ({ contactId: customer.id, number: `${tag}-${n}`, date: '2026-03-01', dueDate: '2026-03-31',
      currency: 'USD', status: 'authorised', lines: [line(100 * n)], ...extra });
    const items = [invoice(1), invoice(2, { lines: [line(100, 1, '999')] }), invoice(3, { status: 'draft' }), invoice(4)].map((i, j) => ({ invoice: i, key: key(`item${j}`) }));
    const k = key('batch');
    const before = qb.emu.requests.length;
    const results = await platform.createInvoices(items, k);
    expect(results.map((r) => r.ok)).toEqual([true, false, false, true]);
    expect(results[1]).toMatchObject({ reason: expect.stringMatching(/2500/) });
    expect(results[2]).toMatchObject({ reason: expect.stringMatching(/draft/) });
    const sent = qb.emu.requests.slice(before);
    expect(sent.map((r) => [r.path.split('/').pop(), r.requestId])).toEqual([['batch', k]]);
    expect(await platform.createInvoices(items, k)).toEqual(results);
    expect([...qb.realm().invoices.values()].filter((i) => i.docNumber?.startsWith(`${tag}-`)).map((i) => [i.docNumber, i.totalCents]).sort())
      .toEqual([[`${tag}-1`, 100], [`${tag}-4`, 400]]);
    expect((await platform.findInvoicesByNumber([`${tag}-1`, `${tag}-2`, `${tag}-4`])).map((i) => i.number).sort()).toEqual([`${tag}-1`, `${tag}-4`]);
  });

  it('creates customers in one batch request, and finds many by account number (one read) and by name (one query)', async () => {
    const tag = `BC${++seq}`;
    const taken = await newCustomer(`Taken ${tag}`);
    const results = await platform.createContacts([{ name: `One ${tag}`, accountNumber: `${tag}-1` }, { name: `Taken ${tag}` }, { name: `Two ${tag}`, accountNumber: `${tag}-2` }]
      .map((contact, i) => ({ contact, key: key(`c${i}`) })), key('customers'));
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    expect(results[1]).toMatchObject({ reason: expect.stringMatching(/6240/) });
    const before = qb.emu.requests.length;
    expect((await platform.findContactsByAccountNumbers([`${tag}-1`, `${tag}-2`, `${tag}-3`])).map((c) => c.accountNumber).sort()).toEqual([`${tag}-1`, `${tag}-2`]);
    expect((await platform.findContactsByNames([`taken ${tag.toLowerCase()}`, `Nobody ${tag}`])).map((c) => c.id)).toEqual([taken.id]);
    expect(qb.emu.requests.length - before).toBe(2);
  });

  it('refuses a batch of more than 30 items, and the 41st batch request in a minute (QBO: 40 a minute)', async () => {
    const small = await startQuickBooks({ limits: { minuteMs: 60_000 } });
    try {
      const body = (n: number) => ({ BatchItemRequest: Array.from({ length: n }, (_, i) => ({ bId: String(i), Query: 'select * from Customer' })) });
      expect((await small.raw('POST', '/batch', body(31))).status).toBe(400);
      for (let i = 0; i < 39; i++) expect((await small.raw('POST', '/batch', body(1))).status).toBe(200);
      const limited = await small.raw('POST', '/batch', body(1));
      expect(limited.status).toBe(429);
      expect(limited.body.Fault.Error[0].Detail).toMatch(/40 batch requests per minute/);
      expect((await small.raw('POST', '/query?query=select%20*%20from%20Customer', undefined)).status).toBe(200);
    } finally {
      await small.close();
    }
  });

  it('answers undefined for an invoice that does not exist', async () => {
    expect(await platform.getInvoice('424242')).toBeUndefined();
  });

  it('reports a voided invoice as voided and leaves it out of the outstanding ones', async () => {
    const customer = await newCustomer();
    const invoice = await newInvoice(customer.id, 1250);
    const voided = await qb.raw('POST', '/invoice?operation=void&minorversion=75', { Id: invoice.id, SyncToken: '0' });
    expect(voided.status).toBe(200);
    expect(await platform.getInvoice(invoice.id)).toMatchObject({ status: 'voided', totalMinor: 0, amountDueMinor: 0 });
    expect((await platform.listInvoices({ contactId: customer.id, outstandingOnly: true })).invoices).toEqual([]);
  });

  it('lists by customer, outstanding and date, a page of 100 at a time', async () => {
    // A realm of its own: a hundred invoices would eat the shared realm's per-minute budget.
    const { realmId, tokens } = qb.emu.createRealm('Paging Co');
    const own = qb.platformFor(realmId, tokens.access_token);
    const a = await own.createContact({ name: 'A' }, key('contact'));
    const b = await own.createContact({ name: 'B' }, key('contact'));
    for (let i = 0; i < 101; i++) {
      await own.createInvoice({ contactId: a.id, date: i < 50 ? '2026-01-15' : '2026-02-15', dueDate: '2026-03-31', currency: 'USD', status: 'authorised', lines: [line(100 + i)] }, key('page'));
    }
    const other = await own.createInvoice({ contactId: b.id, date: '2026-02-01', dueDate: '2026-03-01', currency: 'USD', status: 'authorised', lines: [line(700)] }, key('page'));

    const first = await own.listInvoices({ contactId: a.id });
    expect(first.invoices).toHaveLength(100);
    expect(first.nextPage).toBe(2);
    const second = await own.listInvoices({ contactId: a.id, page: 2 });
    expect(second.invoices).toHaveLength(1);
    expect(second.nextPage).toBeUndefined();
    expect(new Set([...first.invoices, ...second.invoices].map((i) => i.id)).size).toBe(101);

    expect((await own.listInvoices({ contactId: a.id, fromDate: '2026-02-01' })).invoices).toHaveLength(51);
    await own.createPayments([{ invoiceId: other.id, amountMinor: 700, date: '2026-02-02', accountCode: '35' }], key('pay'));
    expect((await own.listInvoices({ contactId: b.id })).invoices.map((i) => i.status)).toEqual(['paid']);
    expect((await own.listInvoices({ contactId: b.id, outstandingOnly: true })).invoices).toEqual([]);
  });
});

describe('payments', () => {
  it('sends one request per payment, each with its own requestid; an invalid one fails alone', async () => {
    const customer = await newCustomer();
    const inv1 = await newInvoice(customer.id, 10_000);
    const inv2 = await newInvoice(customer.id, 5_000);
    const k = key('batch');
    const results = await platform.createPayments([
      { invoiceId: inv1.id, amountMinor: 4_000, date: '2026-03-05', accountCode: '35', reference: 'card 4242' },
      { invoiceId: inv2.id, amountMinor: 5_001, date: '2026-03-05', accountCode: '35' }, // more than is due
      { invoiceId: inv2.id, amountMinor: 5_000, date: '2026-03-05', accountCode: '4' },
      { invoiceId: '999999', amountMinor: 100, date: '2026-03-05', accountCode: '35' },
    ], k);
    // Each posted payment names its invoice's number (DocNumber), read with the invoices before posting.
    expect(results).toEqual([
      { ok: true, paymentId: expect.any(String), invoiceNumber: inv1.number },
      { ok: false, reason: expect.stringMatching(/^6000: .*exceeds its open balance/) },
      { ok: true, paymentId: expect.any(String), invoiceNumber: inv2.number },
      { ok: false, reason: expect.stringContaining('999999') },
    ]);
    const realm = qb.realm();
    const p0 = realm.payments.get((results[0] as { paymentId: string }).paymentId)!;
    expect(p0).toMatchObject({ totalCents: 4_000, unappliedCents: 0, depositAccountId: '35', refNum: 'card 4242', lines: [{ txnId: inv1.id, txnType: 'Invoice', amountCents: 4_000 }] });
    expect(realm.invoices.get(inv1.id)!.balanceCents).toBe(6_000);
    expect(realm.invoices.get(inv2.id)!.balanceCents).toBe(0);
    expect(await platform.getInvoice(inv2.id)).toMatchObject({ status: 'paid', amountDueMinor: 0 });
    expect(qb.emu.requests.filter((r) => r.path.endsWith('/payment')).slice(-3).map((r) => r.requestId)).toEqual([`${k}-0`, `${k}-1`, `${k}-2`]);

    // A retry of the whole batch with the same key makes nothing twice.
    const count = realm.payments.size;
    expect(await platform.createPayments([
      { invoiceId: inv1.id, amountMinor: 4_000, date: '2026-03-05', accountCode: '35', reference: 'card 4242' },
      { invoiceId: inv2.id, amountMinor: 5_001, date: '2026-03-05', accountCode: '35' },
      { invoiceId: inv2.id, amountMinor: 5_000, date: '2026-03-05', accountCode: '4' },
      { invoiceId: '999999', amountMinor: 100, date: '2026-03-05', accountCode: '35' },
    ], k)).toEqual(results);
    expect(realm.payments.size).toBe(count);
  });

  it('refuses a payment on a paid invoice and one deposited to a non-bank account', async () => {
    const customer = await newCustomer();
    const invoice = await newInvoice(customer.id, 2_000);
    const [paid] = await platform.createPayments([{ invoiceId: invoice.id, amountMinor: 2_000, date: '2026-03-05', accountCode: '35' }], key('pay'));
    expect(paid.ok).toBe(true);
    const results = await platform.createPayments([
      { invoiceId: invoice.id, amountMinor: 1, date: '2026-03-06', accountCode: '35' },
      { invoiceId: invoice.id, amountMinor: 1, date: '2026-03-06', accountCode: '79' },
    ], key('pay'));
    expect(results.map((r) => r.ok)).toEqual([false, false]);
    expect(qb.realm().paymentsLinking(invoice.id)).toHaveLength(1);
  });

  it('derives requestids of at most 50 characters from a long key', async () => {
    const customer = await newCustomer();
    const invoice = await newInvoice(customer.id, 3_000);
    const long = `settle:merchant-7f3a9c:payment-run:2026-03-05:${'x'.repeat(40)}`;
    const results = await platform.createPayments([1_000, 1_000].map((amountMinor) => ({ invoiceId: invoice.id, amountMinor, date: '2026-03-05', accountCode: '35' })), long);
    expect(results.every((r) => r.ok)).toBe(true);
    const ids = qb.emu.requests.filter((r) => r.path.endsWith('/payment')).slice(-2).map((r) => r.requestId!);
    expect(ids[0]).not.toBe(ids[1]);
    for (const id of ids) expect(id.length).toBeLessThanOrEqual(50);
    expect(qb.realm().invoices.get(invoice.id)!.balanceCents).toBe(1_000);
  });
});

describe('prepayments', () => {
  it('creates an unapplied payment, once per key', async () => {
    const customer = await newCustomer();
    const k = key('prepay');
    const prepayment = { contactId: customer.id, amountMinor: 12_345, currency: 'USD', date: '2026-03-07', accountCode: '35', reference: 'quote Q-88 deposit by card' };
    const { id } = await platform.createPrepayment(prepayment, k);
    expect((await platform.createPrepayment(prepayment, k)).id).toBe(id);
    const stored = qb.realm().payments.get(id)!;
    expect(stored).toMatchObject({ totalCents: 12_345, unappliedCents: 12_345, lines: [], depositAccountId: '35', privateNote: 'quote Q-88 deposit by card', refNum: undefined });
    expect([...qb.realm().payments.values()].filter((p) => p.customerId === customer.id)).toHaveLength(1);
    expect(qb.realm().customerBalanceCents(customer.id)).toBe(-12_345);
  });
});

describe('credit notes', () => {
  it('keeps a draft as a marked credit memo; approves it once; deletes only drafts', async () => {
    const customer = await newCustomer();
    const draft = await newCreditNote(customer.id, 4_000, 'draft');
    expect(draft).toMatchObject({ status: 'draft', totalMinor: 4_000, remainingMinor: 4_000, currency: 'USD', contactId: customer.id });
    expect(qb.realm().creditMemos.get(draft.id)!.privateNote).toMatch(new RegExp(`^${DRAFT_MARKER.replace(/[()]/g, '\\$&')}`));
    expect(await platform.getCreditNote(draft.id)).toEqual(draft);

    const invoice = await newInvoice(customer.id, 4_000);
    await expect(platform.allocateCreditNote(draft.id, { invoiceId: invoice.id, amountMinor: 1_000, date: '2026-03-08' }, key('alloc')))
      .rejects.toBeInstanceOf(PlatformRejected);

    const approved = await platform.approveCreditNote(draft.id, key('approve'));
    expect(approved).toMatchObject({ id: draft.id, status: 'authorised', remainingMinor: 4_000 });
    expect(qb.realm().creditMemos.get(draft.id)).toMatchObject({ privateNote: undefined, syncToken: 1 });
    expect(await platform.approveCreditNote(draft.id, key('approve'))).toEqual(approved);
    expect(qb.realm().creditMemos.get(draft.id)!.syncToken).toBe(1);

    await expect(platform.deleteCreditNote(draft.id)).rejects.toBeInstanceOf(PlatformRejected);
    expect(qb.realm().creditMemos.has(draft.id)).toBe(true);

    const other = await newCreditNote(customer.id, 500, 'draft');
    await platform.deleteCreditNote(other.id);
    expect(qb.realm().creditMemos.has(other.id)).toBe(false);
    expect(qb.realm().deleted).toContainEqual(expect.objectContaining({ entity: 'CreditMemo', id: other.id }));
    expect(await platform.getCreditNote(other.id)).toBeUndefined();
    await platform.deleteCreditNote(other.id); // gone already: nothing to do
    await expect(platform.voidCreditNote(draft.id + '0', key('void'))).rejects.toBeInstanceOf(PlatformNotFound);
  });

  it('allocates to an invoice, refuses to void while allocated, and frees the invoice when allocations are removed', async () => {
    const customer = await newCustomer();
    const invoice = await newInvoice(customer.id, 10_000);
    const credit = await newCreditNote(customer.id, 4_000);

    await platform.allocateCreditNote(credit.id, { invoiceId: invoice.id, amountMinor: 4_000, date: '2026-03-09' }, key('alloc'));
    const [allocation] = qb.realm().paymentsLinking(credit.id);
    expect(allocation).toMatchObject({
      totalCents: 0, unappliedCents: 0,
      lines: [{ txnType: 'Invoice', txnId: invoice.id, amountCents: 4_000 }, { txnType: 'CreditMemo', txnId: credit.id, amountCents: 4_000 }],
    });
    expect(await platform.getInvoice(invoice.id)).toMatchObject({ status: 'authorised', amountDueMinor: 6_000 });
    expect(await platform.getCreditNote(credit.id)).toMatchObject({ status: 'paid', remainingMinor: 0 });

    await expect(platform.allocateCreditNote(credit.id, { invoiceId: invoice.id, amountMinor: 1, date: '2026-03-09' }, key('alloc')))
      .rejects.toMatchObject({ name: 'PlatformRejected', details: [expect.stringMatching(/remaining credit/)] });
    await expect(platform.voidCreditNote(credit.id, key('void'))).rejects.toBeInstanceOf(PlatformRejected);
    await expect(platform.deleteCreditNote(credit.id)).rejects.toBeInstanceOf(PlatformRejected);

    // QBO's own rules, asked directly: an applied credit memo can be neither deleted nor cut below what is applied.
    const cm = qb.realm().creditMemos.get(credit.id)!;
    const del = await qb.raw('POST', '/creditmemo?operation=delete', { Id: credit.id, SyncToken: String(cm.syncToken) });
    expect(del).toMatchObject({ status: 400, body: { Fault: { type: 'ValidationFault', Error: [{ code: '6000' }] } } });
    const cut = await qb.raw('POST', '/creditmemo?operation=update', {
      Id: credit.id, SyncToken: String(cm.syncToken), sparse: true,
      Line: [{ DetailType: 'SalesItemLineDetail', Amount: 0, SalesItemLineDetail: { ItemRef: { value: '1' }, Qty: 1, UnitPrice: 0 } }],
    });
    expect(cut).toMatchObject({ status: 400, body: { Fault: { Error: [{ code: '6000' }] } } });
    expect(qb.realm().creditMemos.get(credit.id)!.totalCents).toBe(4_000);

    await platform.removeCreditNoteAllocations(credit.id);
    expect(qb.realm().payments.has(allocation.id)).toBe(false);
    expect(qb.realm().invoices.get(invoice.id)!.balanceCents).toBe(10_000);
    expect(await platform.getInvoice(invoice.id)).toMatchObject({ status: 'authorised', amountDueMinor: 10_000 });
    expect(await platform.getCreditNote(credit.id)).toMatchObject({ status: 'authorised', remainingMinor: 4_000 });
    await platform.removeCreditNoteAllocations(credit.id); // nothing left to remove

    const voided = await platform.voidCreditNote(credit.id, key('void'));
    expect(voided).toMatchObject({ status: 'voided', totalMinor: 0, remainingMinor: 0 });
    expect(qb.realm().creditMemos.get(credit.id)).toMatchObject({ totalCents: 0, privateNote: 'Voided' });
    expect(await platform.voidCreditNote(credit.id, key('void'))).toEqual(voided);
    await expect(platform.approveCreditNote(credit.id, key('approve'))).rejects.toBeInstanceOf(PlatformRejected);
  });

  it('refuses to void a partly allocated credit note, and to allocate across customers', async () => {
    const customer = await newCustomer();
    const stranger = await newCustomer();
    const invoice = await newInvoice(customer.id, 1_000);
    const theirs = await newInvoice(stranger.id, 1_000);
    const credit = await newCreditNote(customer.id, 3_000);
    await platform.allocateCreditNote(credit.id, { invoiceId: invoice.id, amountMinor: 500, date: '2026-03-09' }, key('alloc'));
    expect(await platform.getCreditNote(credit.id)).toMatchObject({ status: 'authorised', remainingMinor: 2_500 });
    await expect(platform.voidCreditNote(credit.id, key('void'))).rejects.toBeInstanceOf(PlatformRejected);
    await expect(platform.allocateCreditNote(credit.id, { invoiceId: theirs.id, amountMinor: 100, date: '2026-03-09' }, key('alloc')))
      .rejects.toBeInstanceOf(PlatformRejected);
    expect(qb.realm().creditMemos.get(credit.id)!.totalCents).toBe(3_000);
  });
});

describe('errors', () => {
  it('maps a burst of QBO 429s (Fault 3001) to PlatformRateLimited with the Retry-After', async () => {
    qb.emu.faults.set({ rateLimitBurst: { count: 1, retryAfterSeconds: 7 } });
    const before = qb.emu.stats.http429;
    await expect(platform.getInvoice('1')).rejects.toMatchObject({ name: 'PlatformRateLimited', retryAfterMs: 7_000, problem: 'throttle', status: 429 });
    expect(qb.emu.stats.http429).toBe(before + 1);
    expect(await platform.getInvoice('1')).toBeUndefined();
  });

  it('maps the XML 403 throttle to PlatformRateLimited too', async () => {
    qb.emu.throttleStyle = 'xml403';
    qb.emu.faults.set({ rateLimitBurst: { count: 1, retryAfterSeconds: 2 } });
    const err = await platform.findContacts({ name: 'x' }).catch((e) => e);
    expect(err).toBeInstanceOf(PlatformRateLimited);
    expect(err).toMatchObject({ status: 403, retryAfterMs: 2_000 });
  });

  it('enforces the per-minute limit per realm (scaled down) and lets calls through once the window moves', async () => {
    let now = Date.now();
    const small = await startQuickBooks({ clock: () => now, limits: { perMinute: 5, minuteMs: 1_000 } });
    try {
      for (let i = 0; i < 5; i++) await small.platform.getInvoice(String(i));
      const err = await small.platform.getInvoice('6').catch((e) => e);
      expect(err).toBeInstanceOf(PlatformRateLimited);
      expect(err.retryAfterMs).toBeGreaterThan(0);
      expect(err.retryAfterMs).toBeLessThanOrEqual(1_000);
      // Another realm has its own budget.
      const { realmId, tokens } = small.emu.createRealm('Other');
      expect(await small.platformFor(realmId, tokens.access_token).getInvoice('1')).toBeUndefined();
      now += 1_000;
      expect(await small.platform.getInvoice('6')).toBeUndefined();
      expect(small.emu.stats.http429).toBe(1);
    } finally {
      await small.close();
    }
  });

  it('enforces the concurrency limit per realm', async () => {
    const small = await startQuickBooks({ limits: { concurrent: 2 } });
    try {
      small.emu.faults.set({ latencyMs: 150 });
      const outcomes = await Promise.allSettled([1, 2, 3, 4, 5].map((i) => small.platform.getInvoice(String(i))));
      const limited = outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof PlatformRateLimited);
      expect(limited.length).toBeGreaterThanOrEqual(1);
      expect(outcomes.filter((o) => o.status === 'fulfilled').length).toBeGreaterThanOrEqual(2);
    } finally {
      await small.close();
    }
  });

  it('maps refused tokens to PlatformUnauthorized: unknown, expired, and for another realm', async () => {
    const bogus = qb.platformFor(qb.realmId, 'at_not-a-token');
    await expect(bogus.getInvoice('1')).rejects.toMatchObject({ name: 'PlatformUnauthorized', status: 401 });
    await expect(bogus.createContact({ name: 'Never' }, key('contact'))).rejects.toBeInstanceOf(PlatformUnauthorized);
    expect([...qb.realm().customers.values()].some((c) => c.displayName === 'Never')).toBe(false);

    const other = qb.emu.createRealm('Someone else');
    await expect(qb.platformFor(qb.realmId, other.tokens.access_token).getInvoice('1')).rejects.toBeInstanceOf(PlatformUnauthorized);

    let now = Date.now();
    const timed = await startQuickBooks({ clock: () => now });
    try {
      expect(await timed.platform.getInvoice('1')).toBeUndefined();
      now += 3_600_000; // QBO access tokens last an hour; the emulator's 30 minutes
      await expect(timed.platform.getInvoice('1')).rejects.toBeInstanceOf(PlatformUnauthorized);
    } finally {
      await timed.close();
    }
  });

  it('maps 5xx, dropped connections, timeouts and refused connections to PlatformUnavailable', async () => {
    qb.emu.faults.set({ errorRate: 1 });
    await expect(platform.getInvoice('1')).rejects.toMatchObject({ name: 'PlatformUnavailable', status: 503 });
    qb.emu.faults.set({ dropRate: 1 });
    await expect(platform.findContacts({ name: 'x' })).rejects.toBeInstanceOf(PlatformUnavailable);
    qb.emu.faults.clear();

    const closed = createQuickBooksPlatform({ endpoint: 'http://127.0.0.1:1/v3/company/', realmId: qb.realmId, accessToken: async () => 'x' });
    await expect(closed.getInvoice('1')).rejects.toBeInstanceOf(PlatformUnavailable);
  });

  it('times out a hung call as PlatformUnavailable; the retry with the same key finds the write done once', async () => {
    const slow = await startQuickBooks({ timeoutMs: 200 });
    try {
      slow.emu.faults.set({ timeout: { rate: 1, ms: 400 } });
      const k = key('contact');
      await expect(slow.platform.createContact({ name: 'Slow Co' }, k)).rejects.toBeInstanceOf(PlatformUnavailable);
      slow.emu.faults.clear();
      // The hung request still completes on the emulator after the client gave up on it.
      await eventually('the hung create lands on the emulator', async () => slow.realm().customers.size, (n) => n === 1);
      const retried = await slow.platform.createContact({ name: 'Slow Co' }, k);
      expect(slow.realm().customers.size).toBe(1);
      expect(retried.id).toBe([...slow.realm().customers.keys()][0]);
    } finally {
      await slow.close();
    }
  });

  it('rotates refresh tokens at the token endpoint: a refresh token works once', async () => {
    const fresh = qb.emu.createRealm('Rotating');
    const refresh = (token: string) => fetch(qb.emu.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('id:secret').toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }).toString(),
    });
    const first = await refresh(fresh.tokens.refresh_token);
    expect(first.status).toBe(200);
    const rotated = (await first.json()) as { access_token: string; refresh_token: string };
    expect(rotated.refresh_token).not.toBe(fresh.tokens.refresh_token);
    expect(await qb.platformFor(fresh.realmId, rotated.access_token).getInvoice('1')).toBeUndefined();

    const again = await refresh(fresh.tokens.refresh_token);
    expect(again.status).toBe(400);
    expect(await again.json()).toEqual({ error: 'invalid_grant' });
    expect((await refresh(rotated.refresh_token)).status).toBe(200);
  });
});

describe('emulator', () => {
  it('answers the query subset node-quickbooks sends, and a little more', async () => {
    const { realmId, tokens } = qb.emu.createRealm('Query Co');
    const own = qb.platformFor(realmId, tokens.access_token);
    for (const name of ['Alpha Ltd', 'Beta Ltd', 'Gamma Inc']) await own.createContact({ name, email: `ar@${name.split(' ')[0].toLowerCase()}.example` }, key('contact'));
    const query = async (q: string) => {
      const response = await fetch(`${qb.emu.endpoint}${realmId}/query?query=${encodeURIComponent(q)}&minorversion=75`, {
        headers: { authorization: `Bearer ${tokens.access_token}`, accept: 'application/json' },
      });
      return { status: response.status, body: (await response.json()) as any };
    };
    const names = (r: { body: any }) => (r.body.QueryResponse.Customer ?? []).map((c: any) => c.DisplayName);
    expect(names(await query("select * from Customer where DisplayName LIKE '%ltd' orderby DisplayName desc"))).toEqual(['Beta Ltd', 'Alpha Ltd']);
    expect(names(await query("select * from customer where DisplayName in ('alpha ltd', 'Gamma Inc') startposition 2 maxresults 5"))).toEqual(['Gamma Inc']);
    expect(names(await query("SELECT * FROM Customer WHERE PrimaryEmailAddr = 'ar@beta.example' AND Active = true"))).toEqual(['Beta Ltd']);
    expect((await query('select count(*) from Customer')).body.QueryResponse).toEqual({ totalCount: 3 });
    expect((await query("select * from Customer where DisplayName = 'none'")).body.QueryResponse).toEqual({});
    expect(await query('select * from Nothing')).toMatchObject({ status: 400, body: { Fault: { Error: [{ code: '4000' }] } } });
  });

  it('refuses a stale SyncToken (5010), which the adapter maps to a retryable PlatformUnavailable', async () => {
    const customer = await newCustomer();
    const credit = await newCreditNote(customer.id, 700, 'draft');
    const stale = await qb.raw('POST', '/creditmemo?operation=update', { Id: credit.id, SyncToken: '5', sparse: true, PrivateNote: '' });
    expect(stale).toMatchObject({ status: 400, body: { Fault: { Error: [{ code: '5010' }] } } });
    expect(qb.realm().creditMemos.get(credit.id)!.syncToken).toBe(0);
    expect(toPlatformError({ response: { status: 400, headers: {}, data: stale.body } }, 'update')).toBeInstanceOf(PlatformUnavailable);
  });

  it('maps every failure shape node-quickbooks hands over', () => {
    const fault = (code: string, type = 'ValidationFault') => ({ Fault: { Error: [{ Message: 'm', Detail: 'd', code }], type } });
    // A 200 whose body is a Fault comes as the body itself.
    expect(toPlatformError(fault('3001', 'SERVICE'), 'q')).toBeInstanceOf(PlatformRateLimited);
    expect(toPlatformError(fault('6000'), 'q')).toMatchObject({ name: 'PlatformRejected', details: ['6000: m - d'] });
    expect(toPlatformError({ response: { status: 400, data: fault('610') } }, 'q')).toBeInstanceOf(PlatformNotFound);
    expect(toPlatformError({ response: { status: 401, data: { fault: { error: [{ message: 'x', detail: 'Token expired', code: '3200' }], type: 'AUTHENTICATION' } } } }, 'q'))
      .toBeInstanceOf(PlatformUnauthorized);
    expect(toPlatformError({ response: { status: 403, data: fault('3100', 'SERVICE') } }, 'q')).toBeInstanceOf(PlatformUnauthorized);
    const at = new Date(Date.now() + 30_000).toUTCString();
    const limited = toPlatformError({ response: { status: 429, headers: { 'retry-after': at }, data: '' } }, 'q') as PlatformRateLimited;
    expect(limited.retryAfterMs).toBeGreaterThan(25_000);
    expect((toPlatformError({ response: { status: 429, headers: {}, data: '' } }, 'q') as PlatformRateLimited).retryAfterMs).toBe(60_000);
    expect(toPlatformError({ response: { status: 502, data: '<html>Bad gateway</html>' } }, 'q')).toBeInstanceOf(PlatformUnavailable);
    expect(toPlatformError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'q')).toBeInstanceOf(PlatformUnavailable);
    expect(toPlatformError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'q')).toBeInstanceOf(PlatformUnavailable);
  });

  it('has a control API: realms, faults and a state snapshot', async () => {
    const control = (method: string, path: string, body?: unknown) => fetch(`${qb.emu.url}/_emulator${path}`, {
      method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const created = await control('POST', '/realms', { name: 'Over HTTP', homeCurrency: 'AUD' });
    expect(created.status).toBe(201);
    const { realmId, tokens } = (await created.json()) as { realmId: string; tokens: { access_token: string } };
    const own = qb.platformFor(realmId, tokens.access_token);
    const contact = await own.createContact({ name: 'Aussie Pty Ltd' }, key('contact'));
    await expect(own.createInvoice({ contactId: contact.id, date: '2026-03-01', dueDate: '2026-03-31', currency: 'AUD', status: 'authorised', lines: [line(100)] }, key('inv')))
      .resolves.toMatchObject({ currency: 'AUD', totalMinor: 100 });

    expect((await control('POST', '/faults', { rateLimitBurst: { count: 1, retryAfterSeconds: 3 } })).status).toBe(204);
    await expect(own.getInvoice('1')).rejects.toMatchObject({ name: 'PlatformRateLimited', retryAfterMs: 3_000 });

    const snapshot = (await (await control('GET', '/state')).json()) as any;
    const realm = snapshot.realms.find((r: any) => r.id === realmId);
    expect(realm).toMatchObject({ homeCurrency: 'AUD', customers: [{ displayName: 'Aussie Pty Ltd', currency: 'AUD' }], invoices: [{ totalCents: 100 }] });
    expect(snapshot.stats.requests).toBe(qb.emu.stats.requests);
  });
});

describe('web links', () => {
  it('points into the QBO web app, or a base of choice', () => {
    expect(platform.webLink('invoice', '130')).toBe('https://app.qbo.intuit.com/app/invoice?txnId=130');
    expect(platform.webLink('creditNote', '131')).toBe('https://app.qbo.intuit.com/app/creditmemo?txnId=131');
    expect(platform.webLink('bill', '132')).toBe('https://app.qbo.intuit.com/app/bill?txnId=132');
    expect(platform.webLink('supplierCredit', '133')).toBe('https://app.qbo.intuit.com/app/vendorcredit?txnId=133');
    expect(platform.webLink('contact', '58')).toBe('https://app.qbo.intuit.com/app/customerdetail?nameId=58');
    expect(platform.webLink('payment', '140')).toBe('https://app.qbo.intuit.com/app/recvpayment?txnId=140');
    expect(platform.webLink('prepayment', '141')).toBe('https://app.qbo.intuit.com/app/recvpayment?txnId=141');
    const sandbox = createQuickBooksPlatform({ endpoint: qb.emu.endpoint, realmId: qb.realmId, accessToken: async () => '', webAppBaseUrl: 'https://app.sandbox.qbo.intuit.com/' });
    expect(sandbox.webLink('invoice', '7')).toBe('https://app.sandbox.qbo.intuit.com/app/invoice?txnId=7');
  });
});
