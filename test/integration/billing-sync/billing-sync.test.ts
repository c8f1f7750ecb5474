// A merchant's months of billing sync on real Temporal and Postgres, over the API, against the Manage and BSS
// emulators: the first month's mapping (suggested links, a refused link, creating what Manage lacks), a stale
// approval refused, the changes applied and invoiced; the second month needing no mapping and finding each kind of
// mismatch; an uploaded export as the source; and another merchant's month unseen.
import { recordHistory } from '../../support/histories';
import { charge, setUpBillingMerchant, startBillingWorld, untilRunStatus, type BillingMerchant, type BillingWorld } from '../../support/billing-sync';
import { eventually } from '../../support/eventually';
import { createTestMerchant } from '../../support/merchants';
import { httpClient } from '../../support/http';
import { formatBssCsv } from '../../../lib/billing-sync/csv';
import { linkKey } from '../../../lib/billing-sync/mapping';

let world: BillingWorld;
beforeAll(async () => {
  world = await startBillingWorld();
});
afterAll(() => world.close());

const M365 = 'Microsoft 365 Business Basic';
const AZURE = 'Azure Plan';

describe('a merchant\'s first two months', () => {
  let m: BillingMerchant;
  let contoso: { id: number };
  beforeAll(async () => {
    m = await setUpBillingMerchant(world);
    contoso = m.tenant.addCompany('Contoso Ltd', 'Contoso');
    m.tenant.addAgreement(contoso.id, 'Managed services');
    m.tenant.addProduct('M365-BB', M365, 6);
    m.tenant.addCompany('Unrelated Pty', 'Unrelated');
  });
  const additionOf = (contractId: string) => m.tenant.additions.all().filter((a) => a.serialNumber === contractId);

  it('month 1: suggests links, creates what Manage lacks, refuses a stale approval, applies the approved changes and invoices them', async () => {
    m.bssAccount.setCharges('2026-11', [charge('Contoso Ltd', 'SUB-1', M365, 10), charge('Contoso Ltd', 'SUB-2', AZURE, 1, { unitCost: '100.00' }), charge('Fabrikam', 'SUB-3', M365, 5)]);
    const started = await m.api('POST', '/v1/billing-sync/runs', { body: { month: '2026-11' } });
    expect(started.status).toBe(201);
    const { runId } = await m.handle('2026-11').describe();
    const again = await m.api('POST', '/v1/billing-sync/runs', { body: { month: '2026-11' } });
    expect(again.status).toBe(200); // the same month joins the running one
    expect((await m.handle('2026-11').describe()).runId).toBe(runId);

    await untilRunStatus(m, '2026-11', 'awaiting-links');
    const grid = (await m.api('GET', '/v1/billing-sync/runs/2026-11/lines')).body;
    expect(grid.total).toBe(3);
    const [l1, l2, l3] = grid.lines;
    expect(l1).toMatchObject({ 'Customer': 'Contoso Ltd', 'Contract ID': 'SUB-1', 'Product': M365, 'Billing Period': 'Monthly', 'Commitment Period': 'monthly',
      'Units': 10, 'Cost': '6.00', 'Effective Date': '2026-11-01', links: { company: { id: contoso.id, source: 'suggested' }, agreement: { source: 'suggested' }, product: { source: 'suggested' } } });
    expect(l2.links.product).toBeNull();
    expect(l3.links).toEqual({ company: null, agreement: null, product: { id: l1.links.product.id, source: 'suggested' } });
    expect((await m.api('GET', '/v1/billing-sync/runs/2026-11/lines?unlinked=true')).body.total).toBe(2);
    const { searchAttributes } = await m.handle('2026-11').describe();
    expect(searchAttributes).toMatchObject({ SettleMerchantId: [m.merchantId], SettleStatus: ['awaiting-links'] });

    // A record that is not in Manage is refused, and changes nothing.
    const refused = await m.api('PUT', '/v1/billing-sync/runs/2026-11/links', { body: { links: [{ kind: 'company', key: l3.customerKey, id: 99_999 }] } });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/no open company 99999/);

    // Creating the missing company, its agreement and the product, from Settle.
    const company = await m.api('POST', '/v1/billing-sync/runs/2026-11/create-missing', { body: { kind: 'company', key: l3.customerKey } });
    expect(company.status).toBe(201);
    expect(m.tenant.companies.get(company.body.id)).toMatchObject({ name: 'Fabrikam' });
    const tooEarly = await m.api('POST', '/v1/billing-sync/runs/2026-11/create-missing', { body: { kind: 'agreement', key: 'nobody' } });
    expect(tooEarly.status).toBe(409);
    const agreement = await m.api('POST', '/v1/billing-sync/runs/2026-11/create-missing', { body: { kind: 'agreement', key: l3.customerKey } });
    expect(m.tenant.agreements.get(agreement.body.id)).toMatchObject({ name: 'Fabrikam - Cloud Services', company: { id: company.body.id } });
    const product = await m.api('POST', '/v1/billing-sync/runs/2026-11/create-missing', { body: { kind: 'product', key: l2.productKey } });
    expect(product.status).toBe(201);
    expect(m.tenant.catalog.get(product.body.id)).toMatchObject({ description: AZURE, cost: 100 });
    expect(product.body.run.unlinked).toBe(0);

    const first = await untilRunStatus(m, '2026-11', 'awaiting-approval');
    expect(first.proposal).toMatchObject({ changes: 3, byKind: { 'addition-missing': 3, 'quantity-differs': 0 } });
    expect(m.tenant.additions.all()).toHaveLength(0); // nothing is written before approval

    // The merchant moves Contoso's lines to another agreement: a new proposal, and the first one is stale.
    const cloud = m.tenant.addAgreement(contoso.id, 'Contoso cloud');
    await m.api('PUT', '/v1/billing-sync/runs/2026-11/links', { body: { links: [{ kind: 'agreement', key: linkKey('Contoso Ltd'), id: cloud.id }] } });
    const second = await untilRunStatus(m, '2026-11', 'awaiting-approval');
    const proposal = (await m.api('GET', '/v1/billing-sync/runs/2026-11/proposal')).body;
    expect(proposal.version).toBe(second.proposal!.version);
    expect(proposal.version).not.toBe(first.proposal!.version);
    expect(proposal.changes.map((c: { change: { agreementId: number; contractId: string } }) => [c.change.contractId, c.change.agreementId]))
      .toEqual([['SUB-1', cloud.id], ['SUB-2', cloud.id], ['SUB-3', agreement.body.id]]);
    const stale = await m.api('POST', '/v1/billing-sync/runs/2026-11/approve', { body: { proposalVersion: first.proposal!.version } });
    expect(stale.status).toBe(409);
    expect(stale.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(stale.body.detail).toMatch(/stale/);
    expect(m.tenant.additions.all()).toHaveLength(0);

    const approved = await m.api('POST', '/v1/billing-sync/runs/2026-11/approve', { body: { proposalVersion: proposal.version } });
    expect(approved.status).toBe(202);
    const applied = await untilRunStatus(m, '2026-11', 'applied');
    expect(applied.applied).toBe(3);
    expect(additionOf('SUB-1')).toEqual([expect.objectContaining({ agreementId: cloud.id, quantity: 10, unitCost: 6, effectiveDate: '2026-11-01T00:00:00Z' })]);
    expect(additionOf('SUB-2')).toEqual([expect.objectContaining({ quantity: 1, unitCost: 100, product: expect.objectContaining({ id: product.body.id }) })]);
    expect(additionOf('SUB-3')).toEqual([expect.objectContaining({ agreementId: agreement.body.id, quantity: 5 })]);
    const writes = world.manage.requests.filter((r) => r.method !== 'GET' && r.path.includes('/additions'));
    expect(writes.every((w) => w.idempotencyKey?.startsWith('sk_'))).toBe(true);
    expect(new Set(writes.map((w) => w.idempotencyKey)).size).toBe(writes.length);
    expect((await m.api('GET', '/v1/billing-sync/runs/2026-11/proposal')).body.changes.every((c: { status: string }) => c.status === 'applied')).toBe(true);
    expect((await m.api('GET', '/v1/billing-sync/runs/2026-11/report')).status).toBe(404);

    const invoiced = await m.api('POST', '/v1/billing-sync/runs/2026-11/invoices');
    expect(invoiced.status).toBe(200);
    expect(invoiced.body).toMatchObject({ status: 'invoiced', invoices: { count: 2, totalMinor: 60_00 + 100_00 + 30_00 } });
    const report = (await m.api('GET', '/v1/billing-sync/runs/2026-11/report')).body;
    expect(report.invoices.map((i: { agreementId: number; total: string }) => [i.agreementId, i.total])).toEqual([[agreement.body.id, '30.00'], [cloud.id, '160.00']]);
    expect(report.changes).toMatchObject({ applied: 3, skipped: 0, byKind: { 'addition-missing': 3 } });
    expect(m.tenant.invoices.all()).toHaveLength(2);
    expect((await m.api('POST', '/v1/billing-sync/runs/2026-11/invoices')).status).toBe(409); // the run has finished
    expect(m.tenant.invoices.all()).toHaveLength(2);
    await m.handle('2026-11').result();
    await recordHistory(m.handle('2026-11'), 'billingSyncWorkflow');
    expect((await m.api('GET', '/v1/billing-sync/runs/2026-11')).body).toMatchObject({ status: 'invoiced', lines: 3, applied: 3 });
  });

  it('month 2: needs no mapping, finds each kind of mismatch, applies what the merchant keeps', async () => {
    m.bssAccount.setCharges('2026-12', [
      charge('Contoso Ltd', 'SUB-1', M365, 12), // quantity differs
      charge('CONTOSO LTD.', 'SUB-2', AZURE, 1, { unitCost: '100.00', effectiveDate: '2026-12-10' }), // effective date differs (another spelling of the customer)
      charge('Fabrikam', 'SUB-4', M365, 2, { effectiveDate: '2026-12-05' }), // addition missing; SUB-3 is no longer billed
    ]);
    expect((await m.api('POST', '/v1/billing-sync/runs', { body: { month: '2026-12' } })).status).toBe(201);
    const state = await untilRunStatus(m, '2026-12', 'awaiting-approval');
    expect(state.unlinked).toBe(0);
    const grid = (await m.api('GET', '/v1/billing-sync/runs/2026-12/lines')).body.lines;
    expect(grid.flatMap((l: { links: Record<string, { source: string }> }) => Object.values(l.links).map((k) => k.source))).toEqual(Array(9).fill('remembered'));
    expect(state.proposal!.byKind).toEqual({ 'addition-missing': 1, 'quantity-differs': 1, 'effective-date-differs': 1, 'addition-no-longer-billed': 1 });
    const proposal = (await m.api('GET', '/v1/billing-sync/runs/2026-12/proposal')).body;
    const dateChange = proposal.changes.find((c: { mismatch: string }) => c.mismatch === 'effective-date-differs');
    expect(dateChange.change).toMatchObject({ contractId: 'SUB-2', from: '2026-11-01', to: '2026-12-10' });

    // The merchant keeps the effective date as Manage has it and approves the rest.
    const approved = await m.api('POST', '/v1/billing-sync/runs/2026-12/approve', { body: { proposalVersion: proposal.version, skip: [dateChange.changeId] } });
    expect(approved.status).toBe(202);
    expect(approved.body.skipped).toBe(1);
    await untilRunStatus(m, '2026-12', 'applied');
    expect(additionOf('SUB-1')).toEqual([expect.objectContaining({ quantity: 12 })]);
    expect(additionOf('SUB-2')).toEqual([expect.objectContaining({ effectiveDate: '2026-11-01T00:00:00Z' })]);
    expect(additionOf('SUB-3')).toEqual([expect.objectContaining({ cancelledDate: '2026-12-01T00:00:00Z' })]);
    expect(additionOf('SUB-4')).toEqual([expect.objectContaining({ quantity: 2, effectiveDate: '2026-12-05T00:00:00Z' })]);

    await m.api('POST', '/v1/billing-sync/runs/2026-12/invoices');
    const report = (await m.api('GET', '/v1/billing-sync/runs/2026-12/report')).body;
    expect(report.changes).toEqual({ applied: 3, skipped: 1, byKind: { 'addition-missing': 1, 'quantity-differs': 1, 'effective-date-differs': 0, 'addition-no-longer-billed': 1 } });
    // Fabrikam's December invoice bills SUB-4 only: SUB-3 was cancelled from the 1st.
    const fabrikam = m.tenant.invoices.all().find((i) => i.date.startsWith('2026-12') && i.company.name === 'Fabrikam')!;
    expect(fabrikam.lines.map((l) => [l.quantity, l.unitPrice])).toEqual([[2, 6]]);
  });
});

describe('an uploaded BSS export as the source', () => {
  it('refuses a file with bad lines (each with its line number) and syncs a good one', async () => {
    const m = await setUpBillingMerchant(world);
    const c = m.tenant.addCompany('Northwind', 'Northwind');
    m.tenant.addAgreement(c.id, 'Northwind cloud');
    m.tenant.addProduct('AZ', 'Azure', 1);
    const bad = await m.api('POST', '/v1/billing-sync/runs', { body: { month: '2026-11', csv: 'end_customer,subscription_id,product,billing_plan,billing_cycle,quantity,unit_cost,effective_date\nNorthwind,S1,Azure,Monthly,fortnightly,1,5.00,2026-11-01\n' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ in: 'body', path: 'csv line 2', message: 'Commitment Period "fortnightly" must be monthly or annual' }]);
    expect((await m.api('GET', '/v1/billing-sync/runs/2026-11')).status).toBe(404);

    const csv = formatBssCsv([{ customer: 'Northwind', contractId: 'S1', product: 'Azure', billingPeriod: 'Monthly', commitmentPeriod: 'annual', units: 4, costMinor: 550, effectiveDate: '2026-11-03' }]);
    expect((await m.api('POST', '/v1/billing-sync/runs', { body: { month: '2026-11', csv } })).status).toBe(201);
    const state = await untilRunStatus(m, '2026-11', 'awaiting-approval');
    expect(state).toMatchObject({ lines: 1, unlinked: 0, proposal: { changes: 1 } });
    expect((await m.api('GET', '/v1/billing-sync/runs/2026-11/lines')).body.lines[0]).toMatchObject({ 'Commitment Period': 'annual', 'Cost': '5.50' });
  });
});

describe('a source it cannot reach', () => {
  it('shows each failure with the attempt count, tells the merchant, fails after a bounded time, and starts again once fixed', async () => {
    world.stack.apiDeps.billingSourceRetry = { attempts: 4, messageAfter: 2, initialIntervalMs: 200, maxIntervalMs: 400 };
    try {
      const m = await setUpBillingMerchant(world);
      m.bssAccount.setCharges('2026-11', [charge('Contoso Ltd', 'SUB-9', M365, 1)]);
      // A typo in the BSS's URL: nothing listens there.
      expect((await m.api('PUT', '/v1/billing-sync/connections/bss', { body: { baseUrl: 'http://127.0.0.1:1/api', apiKey: m.bssAccount.apiKey } })).status).toBe(200);
      expect((await m.api('POST', '/v1/billing-sync/runs', { body: { month: '2026-11' } })).status).toBe(201);

      const retrying = await eventually('the run says what failed while it retries', async () => (await m.api('GET', '/v1/billing-sync/runs/2026-11')).body,
        (v) => v.status === 'fetching' && (v.fetchAttempts ?? 0) >= 1 && /attempt \d of 4/.test(v.problem ?? ''));
      expect(retrying.problem).not.toMatch(/apiKey|Bearer/);
      const failed = await untilRunStatus(m, '2026-11', 'failed');
      expect(failed).toMatchObject({ fetchAttempts: 4, problem: expect.stringMatching(/could not be read in 4 attempts.*start the run again/) });
      const messages = (await m.api('GET', '/v1/messages')).body.messages as Array<{ kind: string; text: string }>;
      const told = messages.filter((x) => x.kind === 'billing-sync-source-unreachable').map((x) => x.text);
      expect(told).toHaveLength(2); // once while it still tries, once when it gives up
      expect(told).toEqual(expect.arrayContaining([expect.stringContaining('keeps trying'), expect.stringContaining('could not be read in 4 attempts')]));

      // Fixed: the same month starts again and reads its lines.
      expect((await m.api('PUT', '/v1/billing-sync/connections/bss', { body: { baseUrl: world.bss.url, apiKey: m.bssAccount.apiKey } })).status).toBe(200);
      expect((await m.api('POST', '/v1/billing-sync/runs', { body: { month: '2026-11' } })).status).toBe(201);
      const again = await untilRunStatus(m, '2026-11', 'awaiting-links');
      expect(again).toMatchObject({ lines: 1, fetchAttempts: 1 });
      expect(again.problem).toBeUndefined();
    } finally {
      delete world.stack.apiDeps.billingSourceRetry;
    }
  });
});

describe('merchants', () => {
  it('see only their own months and connections, never a secret', async () => {
    const m = await setUpBillingMerchant(world);
    m.bssAccount.setCharges('2026-11', [charge('Solo', 'S1', 'P', 1)]);
    expect((await m.api('POST', '/v1/billing-sync/runs', { body: { month: '2026-11' } })).status).toBe(201);
    const other = await createTestMerchant(world.stack, 'Other MSP');
    const otherApi = httpClient(world.stack.api!.url, other.apiKey);
    for (const path of ['', '/lines', '/proposal', '/report']) expect((await otherApi('GET', `/v1/billing-sync/runs/2026-11${path}`)).status).toBe(404);
    expect((await otherApi('POST', '/v1/billing-sync/runs/2026-11/approve', { body: { proposalVersion: 'v_x' } })).status).toBe(404);
    const connections = await m.api('GET', '/v1/billing-sync/connections');
    expect(connections.body.manage).toMatchObject({ hasPrivateKey: true, clientId: 'settle-test' });
    const stored = await world.stack.db.selectFrom('billing_sync_connections').selectAll().where('merchant_id', '=', m.merchantId).execute();
    const privateKey = world.manage.state.tenant(connections.body.manage.companyId)!.members[0].privateKey;
    expect(JSON.stringify(connections.body)).not.toContain(privateKey);
    expect(JSON.stringify(stored)).not.toContain(privateKey);
    expect(JSON.stringify(stored)).not.toContain(m.bssAccount.apiKey);
    expect((await otherApi('GET', '/v1/billing-sync/connections')).body).toEqual({ manage: null, bss: null });
  });
});
