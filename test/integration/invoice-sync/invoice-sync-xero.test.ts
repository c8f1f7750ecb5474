// Invoice sync from ConnectWise Manage to Xero and payment sync back, on real Temporal and Postgres with Manage and Xero
// emulated at HTTP level: contacts matched and created, account/tax mapping, a negative invoice as a credit note, held
// customers, failed invoices inside a batch, re-runs that never post twice, an invoice already in the books linked,
// payments (Settle's and hand-made, and credit allocations) carried back once, and the minimal/debug log contents.
import { recordHistory } from '../../support/histories';
import { paymentSync, setUpSyncMerchant, startInvoiceSyncWorld, syncBatch, type InvoiceSyncWorld, type SyncMerchant } from '../../support/invoice-sync';

let world: InvoiceSyncWorld;
beforeAll(async () => {
  world = await startInvoiceSyncWorld();
});
afterAll(() => world.close());

const MAPPINGS = [
  { kind: 'product-type', value: 'Service', accountCode: '200', taxType: 'OUTPUT' },
  { kind: 'product-type', value: 'Hardware', accountCode: '260', taxType: 'NONE' },
  { kind: 'gl-account', value: '4100', accountCode: '260', taxType: 'OUTPUT2' },
];

async function mapped(m: SyncMerchant, settings: Record<string, unknown> = {}) {
  expect((await m.api('PUT', '/v1/invoice-sync/mappings', { body: { mappings: MAPPINGS } })).status).toBe(200);
  expect((await m.api('PUT', '/v1/invoice-sync/settings', { body: settings })).status).toBe(200);
}

const ledger = (m: SyncMerchant) => world.xero.emu.state.tenant(m.xeroTenantId!);
const service = (unitPrice: number, over: Record<string, unknown> = {}) => ({ description: 'Managed support', quantity: 1, unitPrice, productType: 'Service', ...over });

it('matches and creates contacts, maps accounts and tax, posts a negative invoice as a credit note, and exports the batch', async () => {
  const m = await setUpSyncMerchant(world);
  await mapped(m, { createContacts: true });
  const known = m.tenant.addCompany('Contoso Pty Ltd', 'CONTOSO');
  const fresh = m.tenant.addCompany('Fabrikam Ltd', 'FABRIKAM');
  const existing = await m.books.createContact({ name: 'Contoso Pty Ltd' }, 'seed-contoso');
  const a = m.tenant.addStandardInvoice(known.id, { date: '2026-11-01', dueDate: '2026-11-30', lines: [
    service(150, { quantity: 2 }), { description: 'Laptop', quantity: 1, unitPrice: 1200, productType: 'Hardware', glAccount: '4100' }] });
  const b = m.tenant.addStandardInvoice(fresh.id, { date: '2026-11-02', dueDate: '2026-12-02', lines: [service(99.95)] });
  const credit = m.tenant.addStandardInvoice(fresh.id, { date: '2026-11-03', lines: [{ description: 'Returned switch', quantity: 1, unitPrice: -80, productType: 'Hardware' }] });

  const batch = await syncBatch(world, m, 'B-MAIN-1');
  expect(batch).toMatchObject({ status: 'exported', counts: { posted: 3, failed: 0, held: 0, pending: 0 } });
  const books = ledger(m);
  const invoices = [...books.invoices.values()];
  expect(invoices.map((i) => [i.number, i.reference, i.status, i.totalCents]).sort()).toEqual([
    [a.invoiceNumber, a.invoiceNumber, 'AUTHORISED', 30000 + 3000 + 120000 + 18000], [b.invoiceNumber, b.invoiceNumber, 'AUTHORISED', 9995 + 1000]].sort());
  const posted = invoices.find((i) => i.number === a.invoiceNumber)!;
  expect(posted).toMatchObject({ contactId: existing.id, date: '2026-11-01', dueDate: '2026-11-30', currency: 'AUD' });
  expect(posted.lines.map((l) => [l.accountCode, l.taxType])).toEqual([['200', 'OUTPUT'], ['260', 'OUTPUT2']]);
  const note = [...books.creditNotes.values()][0];
  expect(note).toMatchObject({ number: credit.invoiceNumber, reference: credit.invoiceNumber, totalCents: 8000, status: 'AUTHORISED' });
  const created = [...books.contacts.values()].find((c) => c.name === 'Fabrikam Ltd')!;
  expect(created.accountNumber).toBe('FABRIKAM');
  expect(note.contactId).toBe(created.id);
  expect(books.contacts.size).toBe(2);
  expect(m.tenant.batches.all()).toEqual([expect.objectContaining({ batchIdentifier: 'B-MAIN-1', exportedFlag: true })]);
  const record = batch.invoices.find((r: any) => r.invoiceNumber === a.invoiceNumber);
  expect(record).toMatchObject({ status: 'posted', postedHow: 'created', accountingId: posted.id, total: '1710.00' });
  expect(record.accountingUrl).toBe(`https://go.xero.com/AccountsReceivable/View.aspx?InvoiceID=${posted.id}`);

  // Nothing new in Manage: a second run is an empty batch and posts nothing.
  expect((await syncBatch(world, m, 'B-MAIN-2')).status).toBe('exported');
  expect(books.invoices.size).toBe(2);
  const handle = world.stack.client.workflow.getHandle(`invoice-sync/${m.merchantId}/B-MAIN-1`);
  // Each shape the workflow has shipped in keeps its recorded history (parallel chunks; planned while matching; posted while matching).
  await recordHistory(handle, 'invoiceSyncWorkflow.posted-while-matching');
});

it("holds only an unmatched customer's invoices, raises an action, and posts them on a re-run once allowed", async () => {
  const m = await setUpSyncMerchant(world);
  await mapped(m);
  const known = m.tenant.addCompany('Northwind Traders', 'NORTHWIND');
  const unknown = m.tenant.addCompany('Tailspin Toys', 'TAILSPIN');
  await m.books.createContact({ name: 'Someone else', accountNumber: 'NORTHWIND' }, 'seed-northwind');
  m.tenant.addStandardInvoice(known.id, { date: '2026-11-01', lines: [service(10)] });
  const held = m.tenant.addStandardInvoice(unknown.id, { date: '2026-11-01', lines: [service(20)] });

  const first = await syncBatch(world, m, 'B-HOLD');
  expect(first).toMatchObject({ status: 'incomplete', counts: { posted: 1, held: 1 } });
  expect(first.invoices.find((r: any) => r.invoiceNumber === held.invoiceNumber)).toMatchObject({ status: 'held', error: 'no accounting contact for this customer' });
  const actions = (await m.api('GET', '/v1/actions')).body.actions;
  expect(actions).toContainEqual(expect.objectContaining({ kind: 'invoice-sync-contact-missing', subject: `manage-company-${unknown.id}` }));
  expect(m.tenant.batches.all()[0].exportedFlag).toBe(false);

  await m.api('PUT', '/v1/invoice-sync/settings', { body: { createContacts: true } });
  const again = await syncBatch(world, m, 'B-HOLD');
  expect(again).toMatchObject({ status: 'exported', counts: { posted: 2, held: 0 } });
  expect(ledger(m).invoices.size).toBe(2);
  expect((await m.api('GET', '/v1/actions')).body.actions.filter((a: any) => a.kind === 'invoice-sync-contact-missing')).toEqual([]);
});

it('records an unmapped account and a closed period on their invoices, posts the rest, and re-runs without duplicates', async () => {
  const m = await setUpSyncMerchant(world);
  await mapped(m, { createContacts: true });
  const company = m.tenant.addCompany('Adventure Works', 'ADVWORKS');
  // Already in the books under its Manage number (entered by hand): linked, not posted again.
  const handEntered = m.tenant.addStandardInvoice(company.id, { date: '2026-11-05', lines: [service(40)] });
  const contact = await m.books.createContact({ name: 'Adventure Works', accountNumber: 'ADVWORKS' }, 'seed-adv');
  const mine = await m.books.createInvoice({ contactId: contact.id, number: handEntered.invoiceNumber, date: '2026-11-05', dueDate: '2026-11-05', currency: 'AUD',
    lines: [{ description: 'by hand', quantity: 1, unitAmountMinor: 4000, accountCode: '200' }], status: 'authorised' }, 'seed-inv');
  const good = Array.from({ length: 60 }, (_, i) => m.tenant.addStandardInvoice(company.id, { date: '2026-11-10', lines: [service(10 + i)] }));
  const unmapped = m.tenant.addStandardInvoice(company.id, { date: '2026-11-10', lines: [{ description: 'Travel', quantity: 1, unitPrice: 55, productType: 'Expense' }] });
  const closed = m.tenant.addStandardInvoice(company.id, { date: '2026-06-30', lines: [service(70)] });
  ledger(m).lockDate = '2026-06-30';

  const first = await syncBatch(world, m, 'B-FAIL');
  expect(first).toMatchObject({ status: 'incomplete', counts: { posted: 61, failed: 2, held: 0, pending: 0 } });
  const byNumber = (n: string) => first.invoices.find((r: any) => r.invoiceNumber === n);
  expect(byNumber(unmapped.invoiceNumber)).toMatchObject({ status: 'failed', error: 'no account mapped for product type "Expense"' });
  expect(byNumber(closed.invoiceNumber).error).toMatch(/period lock date/);
  expect(byNumber(handEntered.invoiceNumber)).toMatchObject({ status: 'posted', postedHow: 'linked', accountingId: mine.id });
  expect(m.tenant.batches.all()[0].exportedFlag).toBe(false);

  // Fixed in the books and the mapping; the same batch again posts only the two, and exports.
  ledger(m).lockDate = undefined;
  await m.api('PUT', '/v1/invoice-sync/mappings', { body: { mappings: [...MAPPINGS, { kind: 'product-type', value: 'Expense', accountCode: '260' }] } });
  const again = await syncBatch(world, m, 'B-FAIL');
  expect(again).toMatchObject({ status: 'exported', counts: { posted: 63, failed: 0 } });
  const numbers = [...ledger(m).invoices.values()].map((i) => i.number);
  expect(numbers).toHaveLength(63);
  expect(new Set(numbers).size).toBe(63);
  expect(numbers).toEqual(expect.arrayContaining(good.map((g) => g.invoiceNumber)));
  // And a third time changes nothing at all.
  const writes = world.xero.emu.requests.filter((r) => r.method !== 'GET').length;
  expect((await syncBatch(world, m, 'B-FAIL')).status).toBe('exported');
  expect(world.xero.emu.requests.filter((r) => r.method !== 'GET').length).toBe(writes);
});

it("carries payments and credit allocations back to Manage once, whether Settle's or made by hand", async () => {
  const m = await setUpSyncMerchant(world);
  await mapped(m, { createContacts: true });
  const company = m.tenant.addCompany('Litware Inc', 'LITWARE');
  const inv = m.tenant.addStandardInvoice(company.id, { date: '2026-11-01', lines: [service(100, { taxCode: undefined, productType: 'Hardware' })] });
  const other = m.tenant.addStandardInvoice(company.id, { date: '2026-11-01', lines: [service(50, { productType: 'Hardware' })] });
  const batch = await syncBatch(world, m, 'B-PAY');
  const accountingId = batch.invoices.find((r: any) => r.invoiceNumber === inv.invoiceNumber).accountingId;

  // By hand in Xero: a payment of 30.00, and a credit note of 20.00 allocated to the invoice (as a quote's credit note is).
  const [paid] = await m.books.createPayments([{ invoiceId: accountingId, amountMinor: 3000, date: '2026-11-20', accountCode: '090' }], 'hand-pay');
  expect(paid.ok).toBe(true);
  const contactId = [...ledger(m).invoices.values()][0].contactId;
  const note = await m.books.createCreditNote({ contactId, date: '2026-11-21', currency: 'AUD', status: 'authorised',
    lines: [{ description: 'Quote PF', quantity: 1, unitAmountMinor: 2000, accountCode: '200', taxType: 'NONE' }] }, 'hand-note');
  await m.books.allocateCreditNote(note.id, { invoiceId: accountingId, amountMinor: 2000, date: '2026-11-21' }, 'hand-alloc');

  expect(await paymentSync(world, m)).toMatchObject({ carried: 2, failed: 0 });
  const payments = m.tenant.invoicePayments.all().filter((p) => p.invoice.id === inv.id);
  expect(payments.map((p) => [p.type, p.amount, p.paymentDate.slice(0, 10)]).sort()).toEqual([['Credit', 20, '2026-11-21'], ['Payment', 30, '2026-11-20']]);
  expect(m.tenant.invoices.get(inv.id)!.balance).toBe(50);
  expect(m.tenant.invoices.get(other.id)!.balance).toBe(50);

  // Never twice: again carries nothing; a new payment is carried alone.
  expect(await paymentSync(world, m)).toMatchObject({ carried: 0 });
  await m.books.createPayments([{ invoiceId: accountingId, amountMinor: 5000, date: '2026-11-25', accountCode: '090' }], 'hand-pay-2');
  expect(await paymentSync(world, m)).toMatchObject({ carried: 1 });
  expect(m.tenant.invoices.get(inv.id)!.balance).toBe(0);
  expect(m.tenant.invoicePayments.all()).toHaveLength(3);
  const handle = world.stack.client.workflow.getHandle(`payment-sync/${m.merchantId}`);
  await recordHistory(handle, 'paymentSyncWorkflow');
});

it('logs only the batch, the accounting object and the total; with debug on, keeps the detail and inventory for the merchant, and clears it', async () => {
  const m = await setUpSyncMerchant(world);
  await mapped(m, { createContacts: true, syncInventory: true });
  const company = m.tenant.addCompany('Blue Yonder Airlines', 'BLUEYONDER');
  const lines = [{ description: 'Firewall appliance', quantity: 2, unitPrice: 500, unitCost: 320, productClass: 'Inventory', productType: 'Hardware' }];
  m.tenant.addStandardInvoice(company.id, { date: '2026-11-01', lines });
  const quiet = await syncBatch(world, m, 'B-LOG-1');
  const linesFor = (batchId: string) => world.logLines.filter((l) => l.batchId === batchId);
  const batchId = (await world.stack.db.selectFrom('invoice_sync_batches').select('id').where('merchant_id', '=', m.merchantId).where('batch_identifier', '=', 'B-LOG-1').executeTakeFirstOrThrow()).id;
  const [entry] = linesFor(batchId);
  const { level, time, pid, hostname, name, msg, ...fields } = entry;
  void level; void time; void pid; void hostname; void name;
  expect(msg).toBe('invoice synced');
  expect(fields).toEqual({ batchId, accountingId: quiet.invoices[0].accountingId, link: quiet.invoices[0].accountingUrl, totalMinor: 100000 });
  expect(JSON.stringify(world.logLines)).not.toMatch(/Blue Yonder|BLUEYONDER|Firewall/);
  expect((await m.api('GET', '/v1/merchant/debug-logs')).body).toEqual({ debugLogging: false, entries: [], inventory: [] });

  expect((await m.api('PUT', '/v1/merchant/settings/debug-logging', { body: { enabled: true } })).body).toEqual({ debugLogging: true });
  m.tenant.addStandardInvoice(company.id, { date: '2026-11-02', lines });
  const loud = await syncBatch(world, m, 'B-LOG-2');
  const logs = (await m.api('GET', '/v1/merchant/debug-logs')).body;
  expect(logs.entries).toEqual([expect.objectContaining({ kind: 'invoice-created', detail: expect.objectContaining({ number: loud.invoices[0].invoiceNumber,
    accountingId: loud.invoices[0].accountingId, totalMinor: 100000, lines: [expect.objectContaining({ description: 'Firewall appliance', accountCode: '260' })] }) })]);
  expect(logs.inventory).toEqual([expect.objectContaining({ product: 'Firewall appliance', quantity: 2, unitCost: '320.00', cost: '640.00', accountingId: loud.invoices[0].accountingId })]);
  expect(JSON.stringify(world.logLines)).not.toMatch(/Blue Yonder|BLUEYONDER|Firewall/);

  const cleared = await m.api('DELETE', '/v1/merchant/debug-logs');
  expect(cleared.body).toEqual({ deleted: 2 });
  expect((await m.api('GET', '/v1/merchant/debug-logs')).body).toMatchObject({ entries: [], inventory: [] });
  expect(await world.stack.db.selectFrom('debug_log_entries').select('id').where('merchant_id', '=', m.merchantId).execute()).toEqual([]);
});

it("answers 404 for another merchant's batch", async () => {
  const a = await setUpSyncMerchant(world);
  const b = await setUpSyncMerchant(world);
  await mapped(a);
  await syncBatch(world, a, 'B-ISO');
  expect((await b.api('GET', '/v1/invoice-sync/batches/B-ISO')).status).toBe(404);
  expect((await a.api('GET', '/v1/invoice-sync/batches/B-ISO')).status).toBe(200);
});
