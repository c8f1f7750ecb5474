// The main path on QuickBooks Online (emulated at HTTP level): a batch posted as invoices and a credit memo against
// customers matched or created, lines on the mapped Items with their tax codes, DocNumber and memo carrying the Manage
// number, the batch exported; then a payment and a credit applied in QuickBooks carried back to Manage once.
import { paymentSync, setUpSyncMerchant, startInvoiceSyncWorld, syncBatch, type InvoiceSyncWorld } from '../../support/invoice-sync';

let world: InvoiceSyncWorld;
beforeAll(async () => {
  world = await startInvoiceSyncWorld();
});
afterAll(() => world.close());

it('syncs a batch to QuickBooks and carries payments back', async () => {
  const m = await setUpSyncMerchant(world, 'quickbooks');
  // On QuickBooks an account code is an Item id (1 Services, 2 Managed services).
  await m.api('PUT', '/v1/invoice-sync/mappings', { body: { mappings: [
    { kind: 'product-type', value: 'Service', accountCode: '2', taxType: 'TAX' }, { kind: 'product-type', value: 'Hardware', accountCode: '1' }] } });
  await m.api('PUT', '/v1/invoice-sync/settings', { body: { createContacts: true } });
  const company = m.tenant.addCompany('Wingtip Toys', 'WINGTIP');
  const inv = m.tenant.addStandardInvoice(company.id, { date: '2026-11-01', dueDate: '2026-11-30', lines: [
    { description: 'Support', quantity: 3, unitPrice: 100, productType: 'Service' }, { description: 'Router', quantity: 1, unitPrice: 250.5, productType: 'Hardware' }] });
  const credit = m.tenant.addStandardInvoice(company.id, { date: '2026-11-02', lines: [{ description: 'Credit', quantity: 1, unitPrice: -50, productType: 'Hardware' }] });

  const batch = await syncBatch(world, m, 'Q-1');
  expect(batch).toMatchObject({ status: 'exported', counts: { posted: 2 } });
  const realm = world.qb.emu.state.realm(m.realmId!);
  const [invoice] = [...realm.invoices.values()];
  expect(invoice).toMatchObject({ docNumber: inv.invoiceNumber, customerMemo: inv.invoiceNumber, txnDate: '2026-11-01', dueDate: '2026-11-30', totalCents: 55050 });
  expect(invoice.lines.map((l) => [l.itemId, l.taxCode, l.amountCents])).toEqual([['2', 'TAX', 30000], ['1', undefined, 25050]]);
  expect([...realm.creditMemos.values()]).toEqual([expect.objectContaining({ docNumber: credit.invoiceNumber, totalCents: 5000 })]);
  expect([...realm.customers.values()].map((c) => [c.displayName, c.acctNum])).toEqual([['Wingtip Toys', 'WINGTIP']]);
  expect(m.tenant.batches.all()[0].exportedFlag).toBe(true);

  // In QuickBooks: the credit memo applied to the invoice, and a payment.
  const memo = [...realm.creditMemos.values()][0];
  await m.books.allocateCreditNote(memo.id, { invoiceId: invoice.id, amountMinor: 5000, date: '2026-11-10' }, 'qb-alloc');
  await m.books.createPayments([{ invoiceId: invoice.id, amountMinor: 10000, date: '2026-11-12', accountCode: '35' }], 'qb-pay');
  expect(await paymentSync(world, m)).toMatchObject({ carried: 2, failed: 0 });
  expect(m.tenant.invoicePayments.all().map((p) => [p.type, p.amount]).sort()).toEqual([['Credit', 50], ['Payment', 100]]);
  expect(m.tenant.invoices.get(inv.id)!.balance).toBe(400.5);
  expect(await paymentSync(world, m)).toMatchObject({ carried: 0 });
  // Re-running the batch posts nothing again.
  expect((await syncBatch(world, m, 'Q-1')).counts.posted).toBe(2);
  expect(realm.invoices.size).toBe(1);
});
