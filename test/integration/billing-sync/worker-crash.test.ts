// The company worker dies (SIGKILL) while applying an approved month: it runs as a real process (the production entry
// point) and is killed at the worst moment, when Manage has created an addition whose answer never reached it. A new
// worker finishes the job, and Manage ends with exactly one addition per subscription: the retry found the orphaned
// addition by the Contract ID it carries instead of creating it again, and skipped every change already recorded.
import { runWorkerProcess, type RunningProcess } from '../../support/processes';
import { eventually } from '../../support/eventually';
import { charge, setUpBillingMerchant, startBillingWorld, untilRunStatus, type BillingWorld } from '../../support/billing-sync';

let world: BillingWorld;
const running: RunningProcess[] = [];

beforeAll(async () => {
  // No company worker in this process: the test runs it as a process it can kill.
  world = await startBillingWorld({ roles: ['workflows', 'wise-pay', 'service'] });
});
afterAll(async () => {
  world.manage.holdAnswers = false;
  await Promise.all(running.map((p) => p.stop('SIGKILL')));
  await world.close();
});

function startCompanyWorker(): RunningProcess {
  const { stack } = world;
  const worker = runWorkerProcess(stack, 'company');
  running.push(worker);
  return worker;
}

it('re-applies after the worker is killed mid-apply, creating nothing twice', async () => {
  const m = await setUpBillingMerchant(world);
  const company = m.tenant.addCompany('Contoso Ltd', 'Contoso');
  m.tenant.addAgreement(company.id, 'Contoso cloud');
  m.tenant.addProduct('M365', 'M365', 6);
  const LINES = 120;
  m.bssAccount.setCharges('2026-11', Array.from({ length: LINES }, (_, i) => charge('Contoso Ltd', `SUB-${i}`, 'M365', 1 + (i % 9))));
  const first = startCompanyWorker();
  await first.waitForOutput(/"msg":"worker started"/);

  expect((await m.api('POST', '/v1/billing-sync/runs', { body: { month: '2026-11' } })).status).toBe(201);
  const ready = await untilRunStatus(m, '2026-11', 'awaiting-approval');
  expect(ready.proposal!.byKind['addition-missing']).toBe(LINES);

  const created = () => m.tenant.additions.all().length;
  const approved = await m.api('POST', '/v1/billing-sync/runs/2026-11/approve', { body: { proposalVersion: ready.proposal!.version } });
  expect(approved.status).toBe(202);
  // Let some changes through, then hold the next answer: Manage has the addition, the worker has not heard.
  await eventually('some additions were applied', async () => created(), (n) => n >= 30, { everyMs: 5, timeoutMs: 30_000 });
  world.manage.holdAnswers = true;
  await eventually('a write is applied but unanswered', async () => world.manage.heldAnswers, (n) => n > 0, { everyMs: 5 });
  await first.stop('SIGKILL');
  const createdAtKill = created();
  const recordedAtKill = await world.stack.db.selectFrom('billing_sync_changes').select('change_id').where('status', '=', 'applied').execute();
  expect(createdAtKill).toBeLessThan(LINES);
  expect(recordedAtKill.length).toBe(createdAtKill - 1); // the held one is in Manage but not recorded
  world.manage.holdAnswers = false;

  const second = startCompanyWorker();
  await second.waitForOutput(/"msg":"worker started"/);
  const done = await untilRunStatus(m, '2026-11', 'applied', 60_000);
  expect(done.applied).toBe(LINES);

  const additions = m.tenant.additions.all();
  expect(additions).toHaveLength(LINES);
  expect(new Set(additions.map((a) => a.serialNumber)).size).toBe(LINES);
  const results = (await m.api('GET', '/v1/billing-sync/runs/2026-11/proposal?pageSize=1000')).body.changes;
  expect(results.filter((c: { result: { alreadyThere: boolean } }) => c.result.alreadyThere)).toHaveLength(1);
  // The same request went out again only for the orphan: once per change otherwise.
  const posts = world.manage.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/additions'));
  expect(posts).toHaveLength(LINES);
  await second.stop();
}, 120_000);
