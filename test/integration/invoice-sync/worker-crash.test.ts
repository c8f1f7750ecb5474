// The company worker dies (SIGKILL) mid-batch at the worst moment: Xero has created chunks of invoices whose answers
// never reached it, so Settle has recorded none of them. A new worker finishes the batch and Xero ends with exactly one
// invoice per Manage invoice: the retry looked the chunk up by number and linked what the dead worker had created.
import { eventually } from '../../support/eventually';
import { runWorkerProcess, type RunningProcess, xeroWorkerEnv } from '../../support/processes';
import { setUpSyncMerchant, startInvoiceSyncWorld, type InvoiceSyncWorld } from '../../support/invoice-sync';

let world: InvoiceSyncWorld;
const running: RunningProcess[] = [];

beforeAll(async () => {
  world = await startInvoiceSyncWorld({ roles: ['workflows', 'wise-pay', 'service'] });
});
afterAll(async () => {
  world.xero.emu.holdAnswers = false;
  await Promise.all(running.map((p) => p.stop('SIGKILL')));
  await world.close();
});

function startCompanyWorker(): RunningProcess {
  const { stack, xero } = world;
  const worker = runWorkerProcess(stack, 'company', xeroWorkerEnv(xero.emu));
  running.push(worker);
  return worker;
}

it('finishes the batch after the worker is killed with a chunk created but unrecorded, posting nothing twice', async () => {
  const m = await setUpSyncMerchant(world);
  await m.api('PUT', '/v1/invoice-sync/mappings', { body: { mappings: [{ kind: 'product-type', value: 'Service', accountCode: '200' }] } });
  const company = m.tenant.addCompany('Crash Test Dummies', 'CRASH');
  await m.books.createContact({ name: 'Crash Test Dummies', accountNumber: 'CRASH' }, 'seed-crash');
  const INVOICES = 120;
  for (let i = 0; i < INVOICES; i++) m.tenant.addStandardInvoice(company.id, { date: '2026-11-01', lines: [{ description: 'Support', quantity: 1, unitPrice: 10 + i, productType: 'Service' }] });
  const ledger = world.xero.emu.state.tenant(m.xeroTenantId!);

  const first = startCompanyWorker();
  await first.waitForOutput(/"msg":"worker started"/);
  world.xero.emu.holdAnswers = true; // writes (chunks of invoices) are applied, and their answers held
  const started = await m.api('POST', '/v1/invoice-sync/runs', { body: { batchIdentifier: 'CRASH-1' } });
  expect(started.status).toBe(202);
  await eventually('a chunk is created but unanswered', async () => world.xero.emu.heldAnswers, (n) => n > 0, { everyMs: 5, timeoutMs: 30_000 });
  await first.stop('SIGKILL');
  // Chunks (50, 50 and 20 invoices) post at once, in no set order: any of them, whole, may be in Xero when the worker dies.
  const createdAtKill = ledger.invoices.size;
  expect([20, 50, 70, 100, INVOICES]).toContain(createdAtKill);
  const recorded = await world.stack.db.selectFrom('invoice_sync_records').select('status').where('merchant_id', '=', m.merchantId).where('status', '=', 'posted').execute();
  expect(recorded).toHaveLength(0);
  world.xero.emu.holdAnswers = false;

  const second = startCompanyWorker();
  await second.waitForOutput(/"msg":"worker started"/);
  const result = await world.stack.client.workflow.getHandle(started.body.workflowId).result();
  expect(result).toMatchObject({ status: 'exported', posted: INVOICES, failed: 0 });
  const numbers = [...ledger.invoices.values()].map((i) => i.number);
  expect(numbers).toHaveLength(INVOICES);
  expect(new Set(numbers).size).toBe(INVOICES);
  const batch = (await m.api('GET', '/v1/invoice-sync/batches/CRASH-1')).body;
  expect(batch.invoices.filter((r: { postedHow: string }) => r.postedHow === 'linked')).toHaveLength(createdAtKill);
  expect(m.tenant.batches.all()[0].exportedFlag).toBe(true);
  await second.stop();
}, 120_000);
