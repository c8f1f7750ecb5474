// Invoice sync while the books are disconnected: the merchant's Xero grant dies (revoked in Xero), the sync's first
// call to Xero finds it dead, the connection becomes reconnect_required and the batch waits (durably: no call to
// Xero, no retry every minute) until the merchant consents again; then every invoice is posted exactly once and the
// batch is exported. Real Temporal and Postgres; Manage and Xero emulated at HTTP level.
import { invoiceSyncWorkflowId } from '../../../db/invoice-sync';
import { consent } from '../../support/consent';
import { recordHistory } from '../../support/histories';
import { eventually, setUpSyncMerchant, startInvoiceSyncWorld, type InvoiceSyncWorld } from '../../support/invoice-sync';

let world: InvoiceSyncWorld;
beforeAll(async () => {
  world = await startInvoiceSyncWorld({ consent: true });
});
afterAll(() => world.close());

const xeroApiCalls = () => world.xero.emu.requests.filter((r) => r.path.startsWith('/api.xro')).length;

it('waits for the merchant to reconnect (no calls meanwhile), then posts every invoice once', async () => {
  const m = await setUpSyncMerchant(world);
  expect((await m.api('PUT', '/v1/invoice-sync/mappings', { body: { mappings: [{ kind: 'product-type', value: 'Service', accountCode: '200', taxType: 'OUTPUT' }] } })).status).toBe(200);
  expect((await m.api('PUT', '/v1/invoice-sync/settings', { body: { createContacts: true } })).status).toBe(200);
  const companies = [m.tenant.addCompany('Contoso Pty Ltd', 'CONTOSO'), m.tenant.addCompany('Fabrikam Ltd', 'FABRIKAM')];
  const invoices = Array.from({ length: 6 }, (_, i) => m.tenant.addStandardInvoice(companies[i % 2].id, {
    date: '2026-11-01', dueDate: '2026-11-30', lines: [{ description: 'Managed support', quantity: 1, unitPrice: 100 + i, productType: 'Service' }] }));

  // The organisation ends Settle's grant inside Xero: the next call is refused and the refresh answers invalid_grant.
  world.xero.emu.oauth.revokeTenant(m.xeroTenantId!);
  const started = await m.api('POST', '/v1/invoice-sync/runs', { body: { batchIdentifier: 'B-RECONNECT' } });
  expect(started.status).toBe(202);
  const handle = world.stack.client.workflow.getHandle(started.body.workflowId);
  expect(started.body.workflowId).toBe(invoiceSyncWorkflowId(m.merchantId, 'B-RECONNECT'));

  await eventually('the sync waits for the connection', () => world.stack.db.selectFrom('accounting_connection_waiters').selectAll()
    .where('merchant_id', '=', m.merchantId).execute(), (rows) => rows.length === 1);
  const callsWhileWaiting = xeroApiCalls();
  const waiting = (await m.api('GET', '/v1/invoice-sync/batches/B-RECONNECT')).body;
  expect(waiting.workflow).toMatchObject({ status: 'matching-contacts', waitingForConnection: true });
  expect(waiting.counts).toMatchObject({ posted: 0, pending: 6 });
  expect((await m.api('GET', '/v1/connections')).body.connections[0].status).toBe('reconnect_required');
  expect((await m.api('GET', '/v1/actions')).body.actions).toContainEqual(expect.objectContaining({ kind: 'reconnect-accounting' }));
  // One failed attempt of each step in the history (the chunk's lookups go out beside the matching), not a retry
  // every minute.
  const history = await handle.fetchHistory();
  const scheduled = (name: string) => history.events!.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === name).length;
  expect(scheduled('matchBatchContacts')).toBe(1);
  expect(scheduled('postInvoiceChunk')).toBe(1);
  expect(world.xero.emu.state.tenant(m.xeroTenantId!).invoices.size).toBe(0);

  // The merchant consents again (same organisation). Nothing went to Xero while the sync waited.
  expect(xeroApiCalls()).toBe(callsWhileWaiting);
  expect((await consent(world.stack.api!.url, m.apiKey, { platform: 'xero', tenantIds: [m.xeroTenantId!] })).status).toBe(303);
  const done = await handle.result();
  expect(done).toMatchObject({ status: 'exported', posted: 6, failed: 0, held: 0 });

  const numbers = [...world.xero.emu.state.tenant(m.xeroTenantId!).invoices.values()].map((i) => i.number).sort();
  expect(numbers).toEqual(invoices.map((i) => i.invoiceNumber).sort());
  const batch = (await m.api('GET', '/v1/invoice-sync/batches/B-RECONNECT')).body;
  expect(batch).toMatchObject({ status: 'exported', counts: { posted: 6, failed: 0, held: 0, pending: 0 } });
  expect(m.tenant.batches.all()).toEqual([expect.objectContaining({ batchIdentifier: 'B-RECONNECT', exportedFlag: true })]);
  expect((await m.api('GET', '/v1/connections')).body.connections[0].status).toBe('connected');
  expect((await m.api('GET', '/v1/actions')).body.actions.filter((a: any) => a.kind === 'reconnect-accounting')).toEqual([]);
  await recordHistory(handle, 'invoiceSyncWorkflow.reconnection');
});
