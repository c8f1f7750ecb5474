// A 5,000-line month (250 customers with 20 subscriptions each, 10 products) from the BSS to invoices in Manage, timed
// phase by phase (printed, not asserted: the machine varies). The workflow's history stays small: lines and changes
// live in Postgres, the workflow keeps counts.
import { charge, setUpBillingMerchant, startBillingWorld, untilRunStatus, type BillingWorld } from '../../support/billing-sync';

let world: BillingWorld;
beforeAll(async () => {
  // Manage's per-member limit raised for this run: it measures Settle's own work, not the throttle.
  world = await startBillingWorld({ manageRequestsPerSecond: 5_000 });
});
afterAll(() => world.close());

it('syncs and invoices a 5,000-line month', async () => {
  const m = await setUpBillingMerchant(world);
  const products = Array.from({ length: 10 }, (_, p) => m.tenant.addProduct(`CLOUD-${p}`, `Cloud product ${p}`, 2 + p));
  for (let c = 0; c < 250; c++) m.tenant.addAgreement(m.tenant.addCompany(`Customer ${c}`, `CUST${c}`).id, `Customer ${c} cloud`);
  m.bssAccount.setCharges('2026-11', Array.from({ length: 5_000 }, (_, i) =>
    charge(`Customer ${Math.floor(i / 20)}`, `SUB-${i}`, products[i % 10].description, 1 + (i % 25), { unitCost: `${2 + (i % 10)}.00` })));

  const times: Record<string, number> = {};
  let t = Date.now();
  const lap = (name: string) => {
    times[name] = Date.now() - t;
    t = Date.now();
  };
  const started = Date.now();
  expect((await m.api('POST', '/v1/billing-sync/runs', { body: { month: '2026-11' } })).status).toBe(201);
  const ready = await untilRunStatus(m, '2026-11', 'awaiting-approval', 120_000);
  lap('fetch, suggest and validate');
  expect(ready).toMatchObject({ lines: 5_000, unlinked: 0, proposal: { changes: 5_000, byKind: { 'addition-missing': 5_000 } } });
  const page = (await m.api('GET', '/v1/billing-sync/runs/2026-11/lines?page=50&pageSize=100')).body;
  expect(page).toMatchObject({ total: 5_000, lines: expect.arrayContaining([expect.objectContaining({ 'Contract ID': 'SUB-4999' })]) });
  lap('grid page');

  expect((await m.api('POST', '/v1/billing-sync/runs/2026-11/approve', { body: { proposalVersion: ready.proposal!.version } })).status).toBe(202);
  await untilRunStatus(m, '2026-11', 'applied', 300_000);
  lap('apply 5,000 changes');
  expect(m.tenant.additions.all()).toHaveLength(5_000);

  const invoiced = await m.api('POST', '/v1/billing-sync/runs/2026-11/invoices');
  lap('invoice 250 agreements');
  expect(invoiced.body.invoices.count).toBe(250);
  const expected = Array.from({ length: 5_000 }, (_, i) => (1 + (i % 25)) * (200 + 100 * (i % 10))).reduce((a, b) => a + b, 0);
  expect(invoiced.body.invoices.totalMinor).toBe(expected);
  const total = Date.now() - started;

  const history = await m.handle('2026-11').fetchHistory();
  expect(history.events!.length).toBeLessThan(300); // a few events per step and per batch of 500 changes, never per line
  const bytes = JSON.stringify(history).length;
  process.stdout.write(`\n5,000-line month: ${(total / 1000).toFixed(1)} s in all — ${Object.entries(times).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ')}; `
    + `workflow history ${history.events!.length} events, ${Math.round(bytes / 1024)} KiB; Manage requests ${world.manage.requests.length}\n`);
}, 600_000);
