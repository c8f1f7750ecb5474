// Payable documents through Settle's QuickBooks adapter against the QuickBooks Online emulator (real node-quickbooks):
// supplier contacts are Vendors, payable invoices Bills and payable credits VendorCredits posted to expense accounts,
// and allocating a credit is a zero BillPayment linking both. Assertions read the emulator's ledger (integer cents).
import type { AccountingPlatform, InvoiceLine, NewCreditNote, NewInvoice } from '../../../activities/accounting/platform';
import { PlatformRejected } from '../../../activities/accounting/platform';
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

// Account 57 is the emulated chart's "Merchant Fees" expense account, 69 "Dues & Subscriptions".
const line = (unitAmountMinor: number, accountCode = '57', quantity = 1): InvoiceLine => ({ description: 'Settle fees', quantity, unitAmountMinor, accountCode });
const newVendor = (name = `Supplier ${++seq}`) => platform.createContact({ name, supplier: true }, key('vendor'));
const bill = (contactId: string, lines: InvoiceLine[], extra: Partial<NewInvoice> = {}, k = key('bill')) => platform.createInvoice({
  contactId, number: `SI-${++seq}`, reference: 'Settle fees', date: '2026-03-01', dueDate: '2026-03-01', currency: 'USD', status: 'authorised', payable: true, lines, ...extra,
}, k);
const credit = (contactId: string, totalMinor: number, extra: Partial<NewCreditNote> = {}) => platform.createCreditNote({
  contactId, reference: 'Settle credit', date: '2026-03-01', currency: 'USD', status: 'authorised', payable: true, lines: [line(totalMinor)], ...extra,
}, key('vendor-credit'));

describe('supplier contacts', () => {
  it('are Vendors, found apart from customers; QBO names are unique across both', async () => {
    const vendor = await newVendor('Settle Supplies');
    expect(qb.realm().vendors.get(vendor.id)).toMatchObject({ displayName: 'Settle Supplies', currency: 'USD' });
    expect(qb.realm().customers.has(vendor.id)).toBe(false);
    expect(await platform.findContacts({ name: 'settle supplies', supplier: true })).toEqual([vendor]);
    expect(await platform.findContacts({ name: 'Settle Supplies' })).toEqual([]);
    const clash = platform.createContact({ name: 'Settle Supplies' }, key('customer'));
    await expect(clash).rejects.toMatchObject({ name: 'PlatformRejected', details: [expect.stringMatching(/^6240: Duplicate Name/)] });
  });
});

describe('bills', () => {
  it('creates a Bill on expense accounts with exact amounts, number and memo, and reads it back', async () => {
    const vendor = await newVendor();
    const created = await bill(vendor.id, [line(1250, '57'), line(3333, '69', 1.5)], { number: 'SI-2026-7' });
    const stored = qb.realm().bills.get(created.id)!;
    expect(stored.lines.map((l) => [l.accountId, l.amountCents])).toEqual([['57', 1250], ['69', 5000]]);
    expect(stored).toMatchObject({ vendorId: vendor.id, docNumber: 'SI-2026-7', privateNote: 'Settle fees', totalCents: 6250, balanceCents: 6250 });
    expect(created).toEqual({
      id: stored.id, number: 'SI-2026-7', contactId: vendor.id, reference: 'Settle fees', status: 'authorised',
      date: '2026-03-01', dueDate: '2026-03-01', currency: 'USD', totalMinor: 6250, amountDueMinor: 6250,
    });
    expect(await platform.getInvoice(created.id, { payable: true })).toEqual(created);
    expect(await platform.getInvoice(created.id)).toBeUndefined(); // not a customer invoice
    expect(platform.webLink('bill', created.id)).toBe(`https://app.qbo.intuit.com/app/bill?txnId=${created.id}`);
  });

  it('creates one bill for a key used twice, and refuses drafts, unknown and A/P accounts', async () => {
    const vendor = await newVendor();
    const k = key('bill');
    const a = await bill(vendor.id, [line(500)], {}, k);
    expect(await bill(vendor.id, [line(500)], {}, k)).toEqual(a);
    const requests = qb.emu.stats.requests;
    await expect(bill(vendor.id, [line(500)], { status: 'draft' })).rejects.toBeInstanceOf(PlatformRejected);
    expect(qb.emu.stats.requests).toBe(requests); // refused before sending
    await expect(bill(vendor.id, [line(500, '999')])).rejects.toMatchObject({ details: [expect.stringMatching(/^2500: Invalid Reference Id.*AccountRef.*999/)] });
    await expect(bill(vendor.id, [line(500, '33')])).rejects.toMatchObject({ details: [expect.stringMatching(/^6000:.*Accounts Payable/)] });
    expect([...qb.realm().bills.values()].filter((b) => b.vendorId === vendor.id)).toHaveLength(1);
  });
});

describe('vendor credits', () => {
  it('apply to bills as zero bill payments (a check from the first bank account), once per key', async () => {
    const vendor = await newVendor();
    const vc = await credit(vendor.id, 5000);
    expect(vc).toMatchObject({ contactId: vendor.id, status: 'authorised', totalMinor: 5000, remainingMinor: 5000, reference: 'Settle credit' });
    expect(platform.webLink('supplierCredit', vc.id)).toBe(`https://app.qbo.intuit.com/app/vendorcredit?txnId=${vc.id}`);
    const first = await bill(vendor.id, [line(3000)]);
    const second = await bill(vendor.id, [line(4000)]);

    const k = key('apply');
    await platform.allocateCreditNote(vc.id, { invoiceId: first.id, amountMinor: 3000, date: '2026-03-02', payable: true }, k);
    await platform.allocateCreditNote(vc.id, { invoiceId: first.id, amountMinor: 3000, date: '2026-03-02', payable: true }, k); // a retry
    await platform.allocateCreditNote(vc.id, { invoiceId: second.id, amountMinor: 2000, date: '2026-03-03', payable: true }, key('apply'));

    const realm = qb.realm();
    expect(realm.vendorCredits.get(vc.id)!.balanceCents).toBe(0);
    expect([realm.bills.get(first.id)!.balanceCents, realm.bills.get(second.id)!.balanceCents]).toEqual([0, 2000]);
    const payments = realm.billPaymentsLinking(vc.id);
    expect(payments.map((p) => [p.totalCents, p.payType, p.paidFromAccountId, p.lines.map((l) => [l.txnType, l.txnId, l.amountCents])])).toEqual([
      [0, 'Check', '35', [['Bill', first.id, 3000], ['VendorCredit', vc.id, 3000]]],
      [0, 'Check', '35', [['Bill', second.id, 2000], ['VendorCredit', vc.id, 2000]]],
    ]);
    expect(await platform.getCreditNote(vc.id, { payable: true })).toMatchObject({ status: 'paid', remainingMinor: 0 });
    expect(await platform.getInvoice(first.id, { payable: true })).toMatchObject({ status: 'paid', amountDueMinor: 0 });
  });

  it('refuses more than the credit has left, and a bill of another vendor', async () => {
    const vendor = await newVendor();
    const vc = await credit(vendor.id, 1000);
    const own = await bill(vendor.id, [line(5000)]);
    await expect(platform.allocateCreditNote(vc.id, { invoiceId: own.id, amountMinor: 1500, date: '2026-03-02', payable: true }, key('apply')))
      .rejects.toMatchObject({ name: 'PlatformRejected', details: [expect.stringMatching(/^6000:.*exceeds its remaining credit/)] });
    const other = await bill((await newVendor()).id, [line(500)]);
    await expect(platform.allocateCreditNote(vc.id, { invoiceId: other.id, amountMinor: 500, date: '2026-03-02', payable: true }, key('apply')))
      .rejects.toThrow(/different vendors/);
    expect(qb.realm().billPaymentsLinking(vc.id)).toEqual([]);
  });
});

describe('the emulator\'s bill payment rules', () => {
  it('needs a bank account for a check, a total that adds up, and the vendor\'s own forms', async () => {
    const vendor = await newVendor();
    const vc = await credit(vendor.id, 1000);
    const b = await bill(vendor.id, [line(1000)]);
    const lines = [{ Amount: 10, LinkedTxn: [{ TxnId: b.id, TxnType: 'Bill' }] }, { Amount: 10, LinkedTxn: [{ TxnId: vc.id, TxnType: 'VendorCredit' }] }];
    const post = (body: object) => qb.raw('POST', '/billpayment?minorversion=75', { VendorRef: { value: vendor.id }, PayType: 'Check', TotalAmt: 0, Line: lines, ...body });
    expect((await post({})).body.Fault.Error[0]).toMatchObject({ code: '2020', element: 'CheckPayment.BankAccountRef' });
    expect((await post({ CheckPayment: { BankAccountRef: { value: '57' } } })).body.Fault.Error[0].code).toBe('6000');
    expect((await post({ CheckPayment: { BankAccountRef: { value: '35' } }, TotalAmt: 5 })).body.Fault.Error[0].Detail).toMatch(/TotalAmt/);
    const ok = await post({ CheckPayment: { BankAccountRef: { value: '35' } } });
    expect(ok).toMatchObject({ status: 200, body: { BillPayment: { TotalAmt: 0, PayType: 'Check' } } });
    expect((await qb.raw('GET', `/bill/${b.id}?minorversion=75`)).body.Bill).toMatchObject({ Balance: 0, LinkedTxn: [{ TxnId: ok.body.BillPayment.Id, TxnType: 'BillPayment' }] });
  });
});
