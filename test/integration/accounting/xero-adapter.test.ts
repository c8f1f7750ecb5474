// Settle's Xero adapter against the local Xero emulator, through the real xero-node SDK.
// Assertions look at the emulator's ledger (integer cents) and request log, not only at what the adapter returns.
import fc from 'fast-check';
import type { InvoiceLine, NewInvoice } from '../../../activities/accounting/platform';
import {
  PlatformNotFound, PlatformRateLimited, PlatformRejected, PlatformUnauthorized, PlatformUnavailable,
} from '../../../activities/accounting/platform';
import { createXeroPlatform } from '../../../activities/accounting/xero';
import { toPlatformError } from '../../../activities/accounting/xero/errors';
import { batchKey, decimalToMinor, minorToDecimal, toIsoDate } from '../../../activities/accounting/xero/mapping';
import { eventually } from '../../support/eventually';
import { startXero, type XeroFixture } from '../../support/xero';

let xero: XeroFixture;
let seq = 0;
const key = (what: string) => `test-${what}-${++seq}`;
// Generous limits here: the rate-limit tests start emulators of their own with tight ones.
const ROOMY = { perMinute: 100_000, perDay: 1_000_000, appPerMinute: 1_000_000 };

beforeAll(async () => {
  xero = await startXero({ limits: ROOMY });
});
afterAll(() => xero.close());
afterEach(() => xero.emu.faults.clear());

const platform = () => xero.platform;
const line = (unitAmountMinor: number, quantity = 1, extra: Partial<InvoiceLine> = {}): InvoiceLine => ({
  description: `Managed services × ${quantity}`, quantity, unitAmountMinor, accountCode: '200', ...extra,
});
const newContact = (name = `Customer ${++seq}`) => platform().createContact({ name }, key('contact'));
const newInvoice = (contactId: string, totalMinor: number, extra: Partial<NewInvoice> = {}) => platform().createInvoice({
  contactId, date: '2026-03-01', dueDate: '2026-03-31', currency: 'AUD', status: 'authorised', lines: [line(totalMinor)], ...extra,
}, key('invoice'));
const newCreditNote = (contactId: string, totalMinor: number, status: 'draft' | 'authorised' = 'authorised') =>
  platform().createCreditNote({ contactId, date: '2026-03-02', currency: 'AUD', status, lines: [line(totalMinor)] }, key('credit'));
const writesWithKey = (k: string) => xero.emu.requests.filter((r) => r.headers['idempotency-key'] === k);

describe('money and dates', () => {
  it('converts minor units to Xero decimals and back exactly, for any amount', () => {
    fc.assert(fc.property(fc.integer({ min: -1e13, max: 1e13 }), (minor) => {
      const decimal = minorToDecimal(minor, 'AUD');
      expect(decimalToMinor(JSON.parse(JSON.stringify(decimal)), 'AUD')).toBe(minor);
    }));
    expect(minorToDecimal(30, 'USD')).toBe(0.3);
    expect(decimalToMinor(0.1 + 0.2, 'USD')).toBe(30); // 0.30000000000000004 rounds back to 30 cents
    expect(minorToDecimal(1500, 'JPY')).toBe(1500);
    expect(() => minorToDecimal(10.5, 'USD')).toThrow(PlatformRejected);
  });

  it('reads Xero dates in every form the SDK hands over', () => {
    expect(toIsoDate('/Date(1772323200000+0000)/')).toBe('2026-03-01');
    expect(toIsoDate(new Date(Date.UTC(2026, 2, 1)))).toBe('2026-03-01');
    expect(toIsoDate('2026-03-01T00:00:00')).toBe('2026-03-01');
    expect(toIsoDate(undefined)).toBeUndefined();
  });

  it('derives batch keys of at most 50 characters', () => {
    expect(batchKey('sk_abc', 2)).toBe('sk_abc-b2');
    const long = 'x'.repeat(50);
    expect(batchKey(long, 0)).toHaveLength(45);
    expect(batchKey(long, 0)).not.toBe(batchKey(long, 1));
  });
});

describe('contacts', () => {
  it('creates a contact and finds it by name (case-insensitive, quotes and all), email and account number', async () => {
    const created = await platform().createContact({ name: 'O"Brien IT', email: 'ap@obrien.example', accountNumber: 'OB-7' }, key('contact'));
    const stored = xero.ledger().contacts.get(created.id)!;
    expect(stored).toMatchObject({ name: 'O"Brien IT', email: 'ap@obrien.example', accountNumber: 'OB-7', status: 'ACTIVE' });
    expect(created).toEqual({ id: stored.id, name: 'O"Brien IT', email: 'ap@obrien.example', accountNumber: 'OB-7' });

    expect(await platform().findContacts({ name: 'o"brien it' })).toEqual([created]);
    expect(await platform().findContacts({ email: 'AP@obrien.example' })).toEqual([created]);
    expect(await platform().findContacts({ accountNumber: 'ob-7' })).toEqual([created]);
    expect(await platform().findContacts({ name: 'O"Brien IT', accountNumber: 'other' })).toEqual([]);
    expect(await platform().findContacts({ name: 'O"Brien' })).toEqual([]); // exact, not a prefix
    const last = xero.emu.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/Contacts')).at(-1)!;
    expect(last.query.where).toBe('Name=="O\\"Brien"');
  });

  it('creates one contact for a key used twice, and Xero refuses a second contact of the same name', async () => {
    const k = key('contact');
    const before = xero.ledger().contacts.size;
    const first = await platform().createContact({ name: 'Twice Pty Ltd' }, k);
    const second = await platform().createContact({ name: 'Twice Pty Ltd' }, k);
    expect(second.id).toBe(first.id);
    expect(xero.ledger().contacts.size).toBe(before + 1);
    expect(writesWithKey(k)).toHaveLength(2);

    const duplicate = platform().createContact({ name: 'twice pty ltd' }, key('contact'));
    await expect(duplicate).rejects.toBeInstanceOf(PlatformRejected);
    await expect(duplicate).rejects.toMatchObject({ status: 400, details: [expect.stringMatching(/already assigned to another contact/)] });
    expect(xero.ledger().contacts.size).toBe(before + 1);
  });

  it('creates contacts in one PUT (a refused one fails alone, once per key) and finds many by account number or name in one GET each', async () => {
    const tag = `B${++seq}`;
    const k = key('contacts');
    const items = [{ name: `Bulk ${tag} One`, accountNumber: `${tag}-1` }, { name: `Bulk ${tag} Two`, accountNumber: `${tag}-2` }, { name: `Bulk ${tag} One` }]
      .map((contact, i) => ({ contact, key: `${k}-${i}` }));
    const requestsBefore = xero.emu.requests.length;
    const results = await platform().createContacts(items, k);
    expect(results.map((r) => r.ok)).toEqual([true, true, false]);
    expect(results[2]).toMatchObject({ reason: expect.stringMatching(/already assigned to another contact/) });
    expect(await platform().createContacts(items, k)).toEqual(results);
    expect([...xero.ledger().contacts.values()].filter((c) => c.name.includes(tag))).toHaveLength(2);

    const byNumber = await platform().findContactsByAccountNumbers([`${tag}-1`, `${tag.toLowerCase()}-2`, `${tag}-3`]);
    expect(byNumber.map((c) => c.accountNumber).sort()).toEqual([`${tag}-1`, `${tag}-2`]);
    const byName = await platform().findContactsByNames([`bulk ${tag.toLowerCase()} two`, `Bulk ${tag} "Three"`]);
    expect(byName.map((c) => c.name)).toEqual([`Bulk ${tag} Two`]);
    expect(xero.emu.requests.length - requestsBefore).toBe(4);
  });
});

describe('invoices', () => {
  it('creates an invoice with exact amounts, per-line tax, number and reference', async () => {
    const contact = await newContact();
    const invoice = await platform().createInvoice({
      contactId: contact.id, number: 'PSA-1001', reference: 'Agreement 42', date: '2026-03-01', dueDate: '2026-03-31', currency: 'AUD', status: 'authorised',
      lines: [line(3333, 3), line(10), line(20), line(1999, 1, { taxType: 'OUTPUT' })],
    }, key('invoice'));
    // 3 × 33.33 + 0.10 + 0.20 + 19.99 + GST 2.00 (1.999 rounded per line) = 122.28
    expect(invoice).toMatchObject({ number: 'PSA-1001', reference: 'Agreement 42', status: 'authorised', date: '2026-03-01', dueDate: '2026-03-31', currency: 'AUD', totalMinor: 12228, amountDueMinor: 12228 });
    const stored = xero.ledger().invoices.get(invoice.id)!;
    expect(stored).toMatchObject({ type: 'ACCREC', contactId: contact.id, subTotalCents: 12028, taxCents: 200, totalCents: 12228, status: 'AUTHORISED' });
    expect(stored.lines.map((l) => l.lineAmountCents)).toEqual([9999, 10, 20, 1999]);
    expect(await platform().getInvoice(invoice.id)).toEqual(invoice);
  });

  it('numbers invoices itself when Settle does not, refuses a duplicate number, and creates once per key', async () => {
    const contact = await newContact();
    const numbered = await newInvoice(contact.id, 1000);
    expect(numbered.number).toMatch(/^INV-\d{4}$/);
    await expect(newInvoice(contact.id, 1000, { number: numbered.number })).rejects.toMatchObject({ details: ['Invoice # must be unique.'] });

    const k = key('invoice');
    const draft: NewInvoice = { contactId: contact.id, date: '2026-03-05', dueDate: '2026-04-05', currency: 'AUD', status: 'draft', lines: [line(500)] };
    const first = await platform().createInvoice(draft, k);
    const again = await platform().createInvoice(draft, k);
    expect(again).toEqual(first);
    expect([...xero.ledger().invoices.values()].filter((i) => i.contactId === contact.id)).toHaveLength(2);
    expect(first).toMatchObject({ status: 'draft', amountDueMinor: 0, totalMinor: 500 });
  });

  it('returns undefined for an invoice that does not exist', async () => {
    expect(await platform().getInvoice('00000000-0000-0000-0000-000000000001')).toBeUndefined();
  });

  it('lists a contact\'s invoices: outstanding only, from a date, page by page', async () => {
    const contact = await newContact();
    // 105 invoices in one batch, straight to the API (setup, not the adapter under test).
    const created = await xero.raw('PUT', '/Invoices', {
      Invoices: Array.from({ length: 105 }, (_, i) => ({
        Type: 'ACCREC', Contact: { ContactID: contact.id }, Date: i < 5 ? '2026-01-15' : '2026-02-15', DueDate: '2026-03-15',
        Status: i === 7 ? 'DRAFT' : 'AUTHORISED', CurrencyCode: 'AUD', LineItems: [{ Description: 'x', Quantity: 1, UnitAmount: 10, AccountCode: '200' }],
      })),
    });
    expect(created.status).toBe(200);
    const other = await newContact();
    await newInvoice(other.id, 100);

    const page1 = await platform().listInvoices({ contactId: contact.id });
    expect(page1.invoices).toHaveLength(100);
    expect(page1.nextPage).toBe(2);
    const page2 = await platform().listInvoices({ contactId: contact.id, page: 2 });
    expect(page2.invoices).toHaveLength(5);
    expect(page2.nextPage).toBeUndefined();
    expect([...page1.invoices, ...page2.invoices].every((i) => i.contactId === contact.id)).toBe(true);

    const outstanding = await platform().listInvoices({ contactId: contact.id, outstandingOnly: true, fromDate: '2026-02-01' });
    expect(outstanding.invoices).toHaveLength(99); // 100 from February, less the draft
    expect(outstanding.invoices.every((i) => i.status === 'authorised' && i.amountDueMinor === 1000 && i.date >= '2026-02-01')).toBe(true);
    const sent = xero.emu.requests.filter((r) => r.path.endsWith('/Invoices') && r.method === 'GET').at(-1)!;
    expect(sent.query).toMatchObject({ ContactIDs: contact.id, Statuses: 'AUTHORISED', page: '1', where: 'Type=="ACCREC" AND Date>=DateTime(2026,02,01)' });
  });
});

describe('payments', () => {
  it('sends a batch with summarizeErrors=false: the invalid payments fail, the rest are created', async () => {
    const contact = await newContact();
    const a = await newInvoice(contact.id, 10_000);
    const b = await newInvoice(contact.id, 2_550);
    const draft = await newInvoice(contact.id, 1_000, { status: 'draft' });
    const k = key('payments');
    const results = await platform().createPayments([
      { invoiceId: a.id, amountMinor: 4_000, date: '2026-03-10', accountCode: '090', reference: 'card 1' },
      { invoiceId: draft.id, amountMinor: 1_000, date: '2026-03-10', accountCode: '090' },
      { invoiceId: b.id, amountMinor: 2_550, date: '2026-03-10', accountCode: '820' },
      { invoiceId: a.id, amountMinor: 6_001, date: '2026-03-10', accountCode: '090' },
      { invoiceId: a.id, amountMinor: 100, date: '2026-03-10', accountCode: '200' },
    ], k);
    // Each posted payment names its invoice's number, from Xero's answer.
    expect(results).toEqual([
      { ok: true, paymentId: expect.any(String), invoiceNumber: a.number },
      { ok: false, reason: 'Payments can only be made against Authorised documents' },
      { ok: true, paymentId: expect.any(String), invoiceNumber: b.number },
      { ok: false, reason: 'Payment amount exceeds the amount outstanding on this document' },
      { ok: false, reason: 'Account type is invalid for making a payment to/from' },
    ]);
    const ledger = xero.ledger();
    const ok = results.filter((r): r is { ok: true; paymentId: string } => r.ok);
    expect(ok.map((r) => ledger.payments.get(r.paymentId)!.amountCents)).toEqual([4_000, 2_550]);
    expect(ledger.amountDue(ledger.invoices.get(a.id)!)).toBe(6_000);
    expect(ledger.invoices.get(b.id)!.status).toBe('PAID');
    expect((await platform().getInvoice(b.id))!).toMatchObject({ status: 'paid', amountDueMinor: 0 });
    const [sent] = writesWithKey(`${k}-b0`);
    expect(sent.query.summarizeErrors).toBe('false');

    // The same key again: Xero's record answers, nothing is paid twice.
    const paymentsBefore = ledger.payments.size;
    expect(await platform().createPayments([
      { invoiceId: a.id, amountMinor: 4_000, date: '2026-03-10', accountCode: '090', reference: 'card 1' },
      { invoiceId: draft.id, amountMinor: 1_000, date: '2026-03-10', accountCode: '090' },
      { invoiceId: b.id, amountMinor: 2_550, date: '2026-03-10', accountCode: '820' },
      { invoiceId: a.id, amountMinor: 6_001, date: '2026-03-10', accountCode: '090' },
      { invoiceId: a.id, amountMinor: 100, date: '2026-03-10', accountCode: '200' },
    ], k)).toEqual(results);
    expect(ledger.payments.size).toBe(paymentsBefore);
  });

  it('splits more than 50 payments into batches with derived keys, results in order', async () => {
    const contact = await newContact();
    const invoice = await newInvoice(contact.id, 1_000_000);
    const k = key('many');
    const payments = Array.from({ length: 120 }, (_, i) => ({ invoiceId: invoice.id, amountMinor: i + 1, date: '2026-03-11', accountCode: '090' }));
    const results = await platform().createPayments(payments, k);
    expect(results).toHaveLength(120);
    const ledger = xero.ledger();
    expect(results.map((r) => (r.ok ? ledger.payments.get(r.paymentId)!.amountCents : -1))).toEqual(payments.map((p) => p.amountMinor));
    expect([0, 1, 2].map((i) => (writesWithKey(`${k}-b${i}`)[0]?.body as any)?.Payments?.length)).toEqual([50, 50, 20]);
    expect(ledger.amountDue(ledger.invoices.get(invoice.id)!)).toBe(1_000_000 - (120 * 121) / 2);
    expect(await platform().createPayments([], key('none'))).toEqual([]);
  });
});

describe('credit notes', () => {
  it('approves a draft; refuses to delete an authorised one; deletes a draft', async () => {
    const contact = await newContact();
    const draft = await newCreditNote(contact.id, 2_500, 'draft');
    expect(draft).toMatchObject({ status: 'draft', totalMinor: 2_500, remainingMinor: 2_500, currency: 'AUD', number: expect.stringMatching(/^CN-/) });
    const k = key('approve');
    const approved = await platform().approveCreditNote(draft.id, k);
    expect(approved.status).toBe('authorised');
    const replays = xero.emu.idempotency.replays;
    expect(await platform().approveCreditNote(draft.id, k)).toEqual(approved); // a retry is answered from the record
    expect(xero.emu.idempotency.replays).toBe(replays + 1);
    expect(xero.ledger().creditNotes.get(draft.id)!.status).toBe('AUTHORISED');

    const refused = platform().deleteCreditNote(draft.id);
    await expect(refused).rejects.toBeInstanceOf(PlatformRejected);
    await expect(refused).rejects.toMatchObject({ details: ['Credit Note not of valid status for modification'] });
    expect(xero.ledger().creditNotes.get(draft.id)!.status).toBe('AUTHORISED');

    const other = await newCreditNote(contact.id, 700, 'draft');
    await platform().deleteCreditNote(other.id);
    await platform().deleteCreditNote(other.id); // a retry gets the first answer back (a key derived from the id)
    const deletes = xero.emu.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/CreditNotes/${other.id}`));
    expect(deletes.map((r) => r.headers['idempotency-key'])).toEqual([`del_${other.id}`, `del_${other.id}`]);
    expect(xero.emu.idempotency.replays).toBe(replays + 2);
    expect(xero.ledger().creditNotes.get(other.id)!.status).toBe('DELETED');
    expect(await platform().getCreditNote(other.id)).toMatchObject({ status: 'deleted', remainingMinor: 0 });
    expect(await platform().getCreditNote('00000000-0000-0000-0000-000000000002')).toBeUndefined();
  });

  it('allocates to an invoice; cannot be voided once allocated; removing allocations makes the invoice outstanding again', async () => {
    const contact = await newContact();
    const invoice = await newInvoice(contact.id, 5_000);
    const note = await newCreditNote(contact.id, 5_000);
    await platform().allocateCreditNote(note.id, { invoiceId: invoice.id, amountMinor: 2_000, date: '2026-03-03' }, key('allocate'));
    await platform().allocateCreditNote(note.id, { invoiceId: invoice.id, amountMinor: 3_000, date: '2026-03-03' }, key('allocate'));
    const ledger = xero.ledger();
    expect(ledger.creditNotes.get(note.id)!.status).toBe('PAID');
    expect(ledger.invoices.get(invoice.id)!.status).toBe('PAID');
    expect(ledger.allocationsOf(note.id, 'creditNote').map((a) => a.amountCents)).toEqual([2_000, 3_000]);
    expect(await platform().getCreditNote(note.id)).toMatchObject({ status: 'paid', remainingMinor: 0 });

    await expect(platform().voidCreditNote(note.id, key('void'))).rejects.toBeInstanceOf(PlatformRejected);
    await expect(platform().allocateCreditNote(note.id, { invoiceId: invoice.id, amountMinor: 1, date: '2026-03-03' }, key('allocate')))
      .rejects.toBeInstanceOf(PlatformRejected);
    expect(ledger.creditNotes.get(note.id)!.status).toBe('PAID');

    await platform().removeCreditNoteAllocations(note.id);
    expect(ledger.allocationsOf(note.id, 'creditNote')).toEqual([]);
    expect(ledger.invoices.get(invoice.id)!.status).toBe('AUTHORISED');
    expect(await platform().getInvoice(invoice.id)).toMatchObject({ status: 'authorised', amountDueMinor: 5_000 });
    expect(await platform().getCreditNote(note.id)).toMatchObject({ status: 'authorised', remainingMinor: 5_000 });
    await platform().removeCreditNoteAllocations(note.id); // nothing left: a no-op

    const voided = await platform().voidCreditNote(note.id, key('void'));
    expect(voided).toMatchObject({ status: 'voided', remainingMinor: 0 });
    expect(ledger.creditNotes.get(note.id)!.status).toBe('VOIDED');
    await expect(platform().removeCreditNoteAllocations('00000000-0000-0000-0000-000000000003')).rejects.toBeInstanceOf(PlatformNotFound);
  });

  it('refuses allocations beyond the amount due, and edits to a paid invoice', async () => {
    const contact = await newContact();
    const invoice = await newInvoice(contact.id, 1_000);
    const note = await newCreditNote(contact.id, 5_000);
    const tooMuch = platform().allocateCreditNote(note.id, { invoiceId: invoice.id, amountMinor: 1_001, date: '2026-03-03' }, key('allocate'));
    await expect(tooMuch).rejects.toMatchObject({ details: ['The amount allocated exceeds the amount due on the invoice'] });
    await platform().allocateCreditNote(note.id, { invoiceId: invoice.id, amountMinor: 1_000, date: '2026-03-03' }, key('allocate'));
    expect(xero.ledger().invoices.get(invoice.id)!.status).toBe('PAID');
    expect(xero.ledger().remainingCredit(xero.ledger().creditNotes.get(note.id)!)).toBe(4_000);

    const edit = await xero.raw('POST', `/Invoices/${invoice.id}`, { Invoices: [{ LineItems: [{ Description: 'more', Quantity: 1, UnitAmount: 20, AccountCode: '200' }] }] });
    expect(edit.status).toBe(400);
    expect(edit.body.Elements[0].ValidationErrors[0].Message).toMatch(/cannot be edited as it has a payment or credit note/);
    expect(xero.ledger().invoices.get(invoice.id)!.totalCents).toBe(1_000);
  });
});

describe('prepayments', () => {
  it('records a RECEIVE-PREPAYMENT bank transaction once per key', async () => {
    const contact = await newContact();
    const k = key('prepay');
    const prepayment = { contactId: contact.id, amountMinor: 12_345, currency: 'AUD', date: '2026-03-04', accountCode: '090', reference: 'BPAY 778' };
    const { id } = await platform().createPrepayment(prepayment, k);
    expect((await platform().createPrepayment(prepayment, k)).id).toBe(id);
    const stored = xero.ledger().bankTransactions.get(id)!;
    expect(stored).toMatchObject({ type: 'RECEIVE-PREPAYMENT', contactId: contact.id, bankAccountCode: '090', totalCents: 12_345, taxCents: 0, reference: 'BPAY 778', status: 'AUTHORISED' });
    expect([...xero.ledger().bankTransactions.values()].filter((t) => t.contactId === contact.id)).toHaveLength(1);
    await expect(platform().createPrepayment({ ...prepayment, accountCode: '200' }, key('prepay'))).rejects.toBeInstanceOf(PlatformRejected);
  });
});

describe('web links', () => {
  it('deep-links into Xero, on an overridable base', () => {
    const id = '8b2f6c1e-0000-4000-8000-000000000001';
    expect(platform().webLink('invoice', id)).toBe(`https://go.xero.com/AccountsReceivable/View.aspx?InvoiceID=${id}`);
    expect(platform().webLink('creditNote', id)).toBe(`https://go.xero.com/AccountsReceivable/ViewCreditNote.aspx?creditNoteID=${id}`);
    expect(platform().webLink('bill', id)).toBe(`https://go.xero.com/AccountsPayable/View.aspx?InvoiceID=${id}`);
    expect(platform().webLink('supplierCredit', id)).toBe(`https://go.xero.com/AccountsPayable/ViewCreditNote.aspx?creditNoteID=${id}`);
    expect(platform().webLink('contact', id)).toBe(`https://go.xero.com/Contacts/View/${id}`);
    expect(platform().webLink('payment', id)).toBe(`https://go.xero.com/Bank/ViewTransaction.aspx?bankTransactionID=${id}`);
    expect(platform().webLink('prepayment', id)).toBe(`https://go.xero.com/Bank/ViewTransaction.aspx?bankTransactionID=${id}`);
    const local = xero.platformFor(xero.tenantId, xero.tokens.access_token, { webAppBaseUrl: 'http://localhost:9/' });
    expect(local.webLink('invoice', id)).toBe(`http://localhost:9/AccountsReceivable/View.aspx?InvoiceID=${id}`);
  });
});

describe('rate limits', () => {
  it('turns an injected 429 burst into PlatformRateLimited with Retry-After in ms and the problem', async () => {
    const before = xero.emu.stats.http429;
    xero.emu.faults.set({ rateLimitBurst: { count: 1, retryAfterSeconds: 7 } });
    const contactsBefore = xero.ledger().contacts.size;
    const err = await platform().createContact({ name: 'Throttled Ltd' }, key('contact')).catch((e) => e);
    expect(err).toBeInstanceOf(PlatformRateLimited);
    expect(err).toMatchObject({ retryAfterMs: 7000, problem: 'minute', status: 429 });
    expect(xero.emu.stats.http429).toBe(before + 1);
    expect(xero.ledger().contacts.size).toBe(contactsBefore);
    expect(await platform().findContacts({ name: 'Nobody at all' })).toEqual([]); // the burst is over
  });

  it('enforces the real per-minute limit (scaled down) with Retry-After and X-Rate-Limit-Problem: minute', async () => {
    const tight = await startXero({ limits: { perMinute: 3 } });
    try {
      for (let i = 0; i < 3; i++) await tight.platform.findContacts({ name: `n${i}` });
      const remaining = tight.emu.requests.map((r) => r.status);
      expect(remaining).toEqual([200, 200, 200]);
      const err = await tight.platform.createContact({ name: 'One too many' }, 'k-over').catch((e) => e);
      expect(err).toBeInstanceOf(PlatformRateLimited);
      expect(err.problem).toBe('minute');
      expect(err.retryAfterMs).toBeGreaterThanOrEqual(1000);
      expect(err.retryAfterMs).toBeLessThanOrEqual(60_000);
      expect(tight.ledger().contacts.size).toBe(0);
      expect(tight.emu.stats.byProblem).toEqual({ minute: 1 });
      const probe = await tight.raw('GET', '/Contacts');
      expect(probe.status).toBe(429);
      expect(probe.headers.get('x-minlimit-remaining')).toBe('0');
      expect(probe.headers.get('x-daylimit-remaining')).toBe(String(5000 - 5));
      expect(Number(probe.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    } finally {
      await tight.close();
    }
  });

  it('enforces the concurrent, daily and app-wide limits', async () => {
    const limited = await startXero({ limits: { concurrent: 2, perDay: 6, appPerMinute: 8 } });
    try {
      limited.emu.faults.set({ latencyMs: 300 });
      const outcomes = await Promise.all(Array.from({ length: 4 }, (_, i) => limited.platform.findContacts({ name: `c${i}` }).then(() => 'ok', (e) => e)));
      expect(outcomes.filter((o) => o === 'ok')).toHaveLength(2);
      expect(outcomes.filter((o) => o instanceof PlatformRateLimited && o.problem === 'concurrent')).toHaveLength(2);
      limited.emu.faults.clear();
      for (let i = 0; i < 4; i++) await limited.platform.findContacts({});
      await expect(limited.platform.findContacts({})).rejects.toMatchObject({ problem: 'day' });

      const second = limited.emu.createTenant('Second Org');
      const other = limited.platformFor(second.tenantId, second.tokens.access_token);
      await other.findContacts({});
      await other.findContacts({});
      await expect(other.findContacts({})).rejects.toMatchObject({ problem: 'appminute' });
      expect(limited.emu.stats.byProblem).toEqual({ concurrent: 2, day: 1, appminute: 1 });
    } finally {
      await limited.close();
    }
  });

  it('counts the tenant limits per app: another app\'s grant to the same organisation has its own budget', async () => {
    const limited = await startXero({ limits: { concurrent: 2 } });
    try {
      limited.emu.faults.set({ latencyMs: 300 });
      const otherApp = limited.emu.oauth.issue(limited.tenantId, 'settle-service');
      const sameTenantOtherApp = limited.platformFor(limited.tenantId, otherApp.access_token);
      const outcomes = await Promise.all([
        ...Array.from({ length: 3 }, () => limited.platform.findContacts({}).then(() => 'ok', (e) => e)),
        ...Array.from({ length: 2 }, () => sameTenantOtherApp.findContacts({}).then(() => 'ok', (e) => e)),
      ]);
      // Two of the first app's three calls fit, and both of the second app's.
      expect(outcomes.filter((o) => o === 'ok')).toHaveLength(4);
      expect(outcomes.filter((o) => o instanceof PlatformRateLimited && o.problem === 'concurrent')).toHaveLength(1);
    } finally {
      await limited.close();
    }
  });

  it('reads Retry-After and the problem case-insensitively, in seconds or as an HTTP date', () => {
    const rejection = (headers: Record<string, string>) => JSON.stringify({ response: { statusCode: 429, headers, body: '' } });
    expect(toPlatformError(rejection({ 'Retry-After': '3', 'X-Rate-Limit-Problem': 'Day' }), 'x')).toMatchObject({ retryAfterMs: 3000, problem: 'day' });
    const at = new Date(Date.now() + 10_000).toUTCString();
    const err = toPlatformError(rejection({ 'retry-after': at }), 'x') as PlatformRateLimited;
    expect(err.retryAfterMs).toBeGreaterThan(8000);
    expect(err.problem).toBe('unknown');
  });
});

describe('authentication', () => {
  it('maps an expired token to PlatformUnauthorized, with Xero\'s TokenExpired body', async () => {
    const { tenantId, tokens } = xero.emu.createTenant('Expiring Org');
    const expiring = xero.platformFor(tenantId, tokens.access_token);
    await expiring.findContacts({});
    xero.advance(31 * 60_000);
    try {
      const err = await expiring.findContacts({}).catch((e) => e);
      expect(err).toBeInstanceOf(PlatformUnauthorized);
      expect(err.status).toBe(401);
      expect(err.message).toMatch(/TokenExpired/);
    } finally {
      xero.advance(-31 * 60_000);
    }
  });

  it('refuses an unknown token, and a token for another tenant', async () => {
    await expect(xero.platformFor(xero.tenantId, 'at_not-a-token').findContacts({})).rejects.toBeInstanceOf(PlatformUnauthorized);
    const other = xero.emu.createTenant('Other Org');
    await expect(xero.platformFor(xero.tenantId, other.tokens.access_token).findContacts({})).rejects.toBeInstanceOf(PlatformUnauthorized);
    expect(xero.emu.requests.at(-1)!.status).toBe(401);
  });

  it('rotates refresh tokens at the token endpoint: a second use of one answers invalid_grant', async () => {
    const { tenantId, tokens } = xero.emu.createTenant('Refreshing Org');
    const refresh = (refreshToken: string) => fetch(xero.emu.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('client:secret').toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
    });
    const first = await refresh(tokens.refresh_token);
    expect(first.status).toBe(200);
    const rotated = (await first.json()) as { access_token: string; refresh_token: string };
    expect(rotated.refresh_token).not.toBe(tokens.refresh_token);
    expect(await xero.platformFor(tenantId, rotated.access_token).findContacts({})).toEqual([]);

    const reused = await refresh(tokens.refresh_token);
    expect(reused.status).toBe(400);
    expect(await reused.json()).toEqual({ error: 'invalid_grant' });
    expect((await refresh(rotated.refresh_token)).status).toBe(200);
  });
});

describe('outages', () => {
  it('maps an injected 5xx to PlatformUnavailable, writes nothing, and the retry with the same key writes once', async () => {
    const k = key('contact');
    const before = xero.ledger().contacts.size;
    xero.emu.faults.set({ errorRate: 1 });
    const failed = platform().createContact({ name: 'Outage Co' }, k);
    await expect(failed).rejects.toBeInstanceOf(PlatformUnavailable);
    await expect(failed).rejects.toMatchObject({ status: 503 });
    expect(xero.ledger().contacts.size).toBe(before);
    xero.emu.faults.clear();
    await platform().createContact({ name: 'Outage Co' }, k);
    await platform().createContact({ name: 'Outage Co' }, k);
    expect(xero.ledger().contacts.size).toBe(before + 1);
  });

  it('maps a dropped connection, a timeout and a refused connection to PlatformUnavailable', async () => {
    xero.emu.faults.set({ dropRate: 1 });
    await expect(platform().findContacts({})).rejects.toBeInstanceOf(PlatformUnavailable);
    expect(xero.emu.faults.counts.dropped).toBeGreaterThan(0);

    xero.emu.faults.set({ timeout: { rate: 1, ms: 600 } });
    const impatient = xero.platformFor(xero.tenantId, xero.tokens.access_token, { timeoutMs: 150 });
    const late = impatient.findContacts({});
    await expect(late).rejects.toBeInstanceOf(PlatformUnavailable);
    await expect(late).rejects.toThrow(/did not answer in time/);
    xero.emu.faults.clear();
    await eventually('the emulator finishes the request it held', async () => xero.emu.faults.holding, (n) => n === 0);

    const nowhere = createXeroPlatform({ basePath: 'http://127.0.0.1:1/api.xro/2.0', tenantId: xero.tenantId, accessToken: async () => 'x' });
    await expect(nowhere.findContacts({})).rejects.toBeInstanceOf(PlatformUnavailable);
  });
});

describe('control API', () => {
  it('creates tenants, sets faults and shows the state over HTTP', async () => {
    const control = (method: string, p: string, body?: unknown) =>
      fetch(`${xero.emu.url}/_emulator${p}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const created = await control('POST', '/tenants', { name: 'Over HTTP Ltd', baseCurrency: 'NZD' });
    expect(created.status).toBe(201);
    const { tenantId, tokens } = (await created.json()) as { tenantId: string; tokens: { access_token: string } };
    const overHttp = xero.platformFor(tenantId, tokens.access_token);
    const contact = await overHttp.createContact({ name: 'Kiwi Co' }, key('contact'));
    const invoice = await overHttp.createInvoice({ contactId: contact.id, date: '2026-03-01', dueDate: '2026-03-31', currency: 'NZD', status: 'authorised', lines: [line(1000, 1, { taxType: 'OUTPUT2' })] }, key('invoice'));
    expect(invoice.totalMinor).toBe(1150);

    expect((await control('POST', '/faults', { rateLimitBurst: { count: 1, retryAfterSeconds: 2 } })).status).toBe(204);
    await expect(overHttp.findContacts({})).rejects.toMatchObject({ retryAfterMs: 2000 });
    const state = (await (await control('GET', '/state')).json()) as any;
    const tenant = state.tenants.find((t: any) => t.id === tenantId);
    expect(tenant).toMatchObject({ name: 'Over HTTP Ltd', baseCurrency: 'NZD', contacts: [{ name: 'Kiwi Co' }], invoices: [{ totalCents: 1150, amountDueCents: 1150 }] });
    expect(state.faults.rateLimited).toBeGreaterThan(0);
  });
});

describe('the emulator\'s own Xero rules', () => {
  it('filters with the where forms clients send, and refuses unknown fields as Xero does', async () => {
    const contact = await newContact();
    const paid = await newInvoice(contact.id, 700);
    await platform().createPayments([{ invoiceId: paid.id, amountMinor: 700, date: '2026-03-09', accountCode: '090' }], key('pay'));
    const open = await newInvoice(contact.id, 900, { date: '2026-04-02' });
    const ids = async (where: string) => {
      const res = await xero.raw('GET', `/Invoices?where=${encodeURIComponent(where)}`);
      expect(res.status).toBe(200);
      return res.body.Invoices.map((i: any) => i.InvoiceID).sort();
    };
    const c = `Contact.ContactID=guid("${contact.id}")`;
    expect(await ids(`${c} AND AmountDue>0`)).toEqual([open.id]);
    expect(await ids(`${c} && Status=="PAID"`)).toEqual([paid.id]);
    expect(await ids(`${c} AND (Status=="PAID" OR Date>=DateTime(2026,04,01))`)).toEqual([open.id, paid.id].sort());
    expect(await ids(`${c} AND AmountDue>=9.00 AND AmountDue<9.01`)).toEqual([open.id]);
    const bad = await xero.raw('GET', `/Invoices?where=${encodeURIComponent('Amount>0')}`);
    expect(bad).toMatchObject({ status: 400, body: { Type: 'QueryParseException', Message: "No property or field 'Amount' exists in type 'Invoice'" } });
  });

  it('with summarizeErrors (the default) answers 400 for a batch with an invalid element, having created the valid ones', async () => {
    const contact = await newContact();
    const before = xero.ledger().invoices.size;
    const res = await xero.raw('PUT', '/Invoices', {
      Invoices: [
        { Type: 'ACCREC', Contact: { ContactID: contact.id }, DueDate: '2026-05-01', Status: 'AUTHORISED', LineItems: [{ Description: 'ok', Quantity: 1, UnitAmount: 5, AccountCode: '200' }] },
        { Type: 'ACCREC', Contact: { ContactID: contact.id }, DueDate: '2026-05-01', Status: 'AUTHORISED', LineItems: [{ Description: 'bad', Quantity: 1, UnitAmount: 5, AccountCode: '999' }] },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ Type: 'ValidationException', Elements: [{ ValidationErrors: [{ Message: "Account code '999' is not a valid code for this document." }] }] });
    expect(res.body.Elements).toHaveLength(1);
    expect(xero.ledger().invoices.size).toBe(before + 1);
  });
});
