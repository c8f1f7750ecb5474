// The ConnectWise Manage and BSS clients against their emulators over HTTP: Manage's auth, conditions, forward-only
// paging at 1,000 a page (following the Link header), 429s waited out after Retry-After (and given up on, bounded),
// and the BSS export read page by page.
import { createBssClient } from '../../../activities/bss/client';
import { createManageClient, ManageApiError, type ManageCredentials } from '../../../activities/connectwise/client';
import { manageApi } from '../../../activities/connectwise/manage';
import { startBssEmulator, type BssEmulator } from '../../../emulators/bss';
import { startManageEmulator, type ManageEmulator, type ManageTenant } from '../../../emulators/connectwise';
import { charge } from '../../support/billing-sync';

let manage: ManageEmulator;
let bss: BssEmulator;
let tenant: ManageTenant;
let creds: ManageCredentials;
beforeAll(async () => {
  [manage, bss] = await Promise.all([startManageEmulator({ requestsPerSecond: 1000 }), startBssEmulator()]);
  const made = manage.createTenant('acmemsp');
  tenant = made.tenant;
  creds = { baseUrl: manage.apiBase, companyId: made.companyId, publicKey: made.publicKey, privateKey: made.privateKey, clientId: 'settle-test' };
  for (let i = 0; i < 2_500; i++) tenant.addCompany(`Customer ${i}`, `C${i}`);
});
afterAll(async () => {
  await Promise.all([manage.close(), bss.close()]);
});
afterEach(() => manage.faults.clear());

it('lists every record with forward-only paging, 1,000 a page, following the Link header', async () => {
  const client = createManageClient(creds);
  const before = manage.requests.length;
  const companies = await client.list<{ id: number; name: string }>('/company/companies');
  expect(companies).toHaveLength(2_500);
  expect(new Set(companies.map((c) => c.id)).size).toBe(2_500);
  const pages = manage.requests.slice(before);
  expect(pages).toHaveLength(3);
  expect(client.stats.requests).toBe(3);
  // A page size above Manage's maximum is capped by the server: still 1,000.
  expect((await createManageClient(creds, { pageSize: 5_000 }).list('/company/companies')).length).toBe(2_500);
});

it('filters with conditions (quoted strings, in, and/or) and refuses one it cannot read', async () => {
  const api = manageApi(createManageClient(creds));
  expect((await api.companies.byIdentifier('c42'))?.name).toBe('Customer 42');
  const some = await api.companies.list('(identifier in ("C1","C2") or name contains "ustomer 2499") and id > 0');
  expect(some.map((c) => c.identifier).sort()).toEqual(['C1', 'C2', 'C2499']);
  const quoted = tenant.addCompany('Say "hi", Ltd', 'SayHi');
  expect((await api.companies.list(`name="Say \\"hi\\", Ltd"`)).map((c) => c.id)).toEqual([quoted.id]);
  await expect(createManageClient(creds).list('/company/companies', { conditions: 'name = unquoted words' })).rejects.toMatchObject({ status: 400 });
});

it('authenticates as company+publicKey:privateKey with a clientId, and never says the key in an error', async () => {
  const wrong = createManageClient({ ...creds, privateKey: 'not-the-key' });
  const err = await wrong.get('/company/companies').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ManageApiError);
  expect((err as ManageApiError).status).toBe(401);
  expect((err as Error).message).not.toContain('not-the-key');
  expect((err as Error).message).not.toContain(creds.privateKey);
});

it('waits out a 429 for its Retry-After, and gives up after a bounded number of tries', async () => {
  const waits: number[] = [];
  const client = createManageClient(creds, { sleep: async (ms) => void waits.push(ms) });
  manage.faults.set({ rateLimitBurst: { count: 2, retryAfterSeconds: 3 } });
  expect(await client.get<{ id: number }[]>('/company/companies', { pageSize: '1' })).toHaveLength(1);
  expect(waits).toEqual([3_000, 3_000]);
  expect(client.stats.rateLimited).toBe(2);

  manage.faults.set({ rateLimitBurst: { count: 20, retryAfterSeconds: 1 } });
  await expect(createManageClient(creds, { sleep: async () => undefined, maxRateLimitRetries: 3 }).get('/company/companies')).rejects.toMatchObject({ status: 429 });
  expect(manage.faults.counts.rateLimited).toBe(2 + 4);
});

it('stays under the per-member rate limit by honouring the real Retry-After', async () => {
  const slow = await startManageEmulator({ requestsPerSecond: 5 });
  try {
    const made = slow.createTenant();
    const client = createManageClient({ ...creds, baseUrl: slow.apiBase, companyId: made.companyId, publicKey: made.publicKey, privateKey: made.privateKey });
    const started = Date.now();
    for (let i = 0; i < 8; i++) await client.get('/company/companies');
    expect(client.stats.rateLimited).toBeGreaterThan(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900); // the 6th call had to wait for the window
    expect(slow.requests.filter((r) => r.status === 200)).toHaveLength(8);
  } finally {
    await slow.close();
  }
});

it('reads a month from the BSS a page at a time, and refuses a month with a bad line', async () => {
  const account = bss.createAccount();
  account.setCharges('2026-11', Array.from({ length: 1_234 }, (_, i) => charge(`Customer ${i % 50}`, `SUB-${i}`, 'M365', i % 7)));
  const client = createBssClient({ baseUrl: bss.url, apiKey: account.apiKey }, { pageSize: 500 });
  const before = bss.stats.requests;
  const lines = await client.recurringLines('2026-11');
  expect(lines).toHaveLength(1_234);
  expect(lines[1_233]).toMatchObject({ lineNo: 1_234, contractId: 'SUB-1233', units: 1_233 % 7, costMinor: 600 });
  expect(bss.stats.requests - before).toBe(3);

  bss.faults.set({ rateLimitBurst: { count: 1, retryAfterSeconds: 1 } });
  expect(await createBssClient({ baseUrl: bss.url, apiKey: account.apiKey }, { sleep: async () => undefined }).recurringLines('2026-12')).toEqual([]);
  bss.faults.clear();

  account.setCharges('2027-01', [charge('A', 'S1', 'P', 1), charge('B', 'S1', 'P', 2), charge('C', 'S3', 'P', 1, { billingCycle: 'weekly' })]);
  await expect(client.recurringLines('2027-01')).rejects.toMatchObject({ errors: [
    { line: 3, message: expect.stringContaining('Commitment Period') }, { line: 2, message: 'Contract ID "S1" is already on line 1' },
  ] });
  await expect(createBssClient({ baseUrl: bss.url, apiKey: 'wrong' }).recurringLines('2026-11')).rejects.toMatchObject({ status: 401 });
});
