// Each API process remembers which merchant an API key belongs to (api/middleware/api-key-cache.ts). Remembering
// must never let a revoked key in: the process that revokes forgets at once, every other process forgets when
// Postgres notifies it, and a process whose listening connection is down or hung checks every key against Postgres.
import { sql } from 'kysely';
import { API_KEY_LISTENER_NAME, ApiKeyCache, type ApiKeyCacheOptions } from '../../../api/middleware/api-key-cache';
import { startApi, type RunningApi } from '../../../api/serve';
import { eventually } from '../../support/eventually';
import { httpClient } from '../../support/http';
import { createTestMerchant } from '../../support/merchants';
import { testLogger } from '../../support/run-logs';
import { startTestStack, type TestStack } from '../../support/stack';

let stack: TestStack;
const apis: RunningApi[] = [];
const caches: ApiKeyCache[] = [];
beforeAll(async () => {
  stack = await startTestStack({ roles: [] });
});
afterAll(async () => {
  await Promise.all(apis.map((a) => a.close()));
  await Promise.all(caches.map((c) => c.close()));
  await stack.close();
});

/** Another API process on the same database: its own cache and its own listening connection. */
async function anotherApi(options?: ApiKeyCacheOptions) {
  const apiKeys = await ApiKeyCache.start(stack.databaseUrl, stack.db, testLogger('api'), options);
  caches.push(apiKeys);
  const api = await startApi({ ...stack.apiDeps, apiKeys }, 0);
  apis.push(api);
  return { apiKeys, request: httpClient(api.url) };
}

const status = async (request: ReturnType<typeof httpClient>, key: string) => (await request('GET', '/v1/merchant', { key })).status;

/** Waits (at most `timeoutMs`) until `key` gets `expected` from `request`. */
const answers = (what: string, request: ReturnType<typeof httpClient>, key: string, expected: number, timeoutMs = 5_000) =>
  eventually(what, () => status(request, key), (s) => s === expected, { timeoutMs, everyMs: 20 });

const cacheState = (what: string, apiKeys: ApiKeyCache, listening: boolean) =>
  eventually(what, async () => apiKeys.listening, (l) => l === listening, { timeoutMs: 5_000, everyMs: 20 });

/** The server processes of this database's API key listeners (every cache in this file). */
async function listenerBackends(): Promise<number[]> {
  const rows = await sql<{ pid: number }>`select pid from pg_stat_activity
    where application_name = ${API_KEY_LISTENER_NAME} and datname = current_database()`.execute(stack.db);
  return rows.rows.map((r) => r.pid);
}

it('answers a known key from memory, and a key revoked on one process stops on every process', async () => {
  const { merchantId, apiKey, keyId } = await createTestMerchant(stack);
  const here = { apiKeys: stack.apiDeps.apiKeys, request: httpClient(stack.api!.url) };
  const there = await anotherApi();
  for (const api of [here, there]) {
    const before = { ...api.apiKeys.stats };
    for (let i = 0; i < 3; i++) expect(await status(api.request, apiKey)).toBe(200);
    expect(api.apiKeys.stats.misses - before.misses).toBe(1);
    expect(api.apiKeys.stats.hits - before.hits).toBe(2);
  }

  const revoked = await here.request('DELETE', `/v1/admin/merchants/${merchantId}/api-keys/${keyId}`, { key: stack.apiDeps.adminApiKey });
  expect(revoked.status).toBe(204);
  // The revoking process forgot before it answered.
  expect(await status(here.request, apiKey)).toBe(401);
  // The other one forgets when Postgres's notification arrives: milliseconds, far inside the entries' 60 s life.
  await answers('the other process refuses the revoked key', there.request, apiKey, 401, 2_000);
});

it('forgets a key revoked straight in Postgres (by ops, or another tool)', async () => {
  const { apiKey, keyId } = await createTestMerchant(stack);
  const request = httpClient(stack.api!.url);
  expect(await status(request, apiKey)).toBe(200);
  expect(await status(request, apiKey)).toBe(200);
  await stack.db.updateTable('merchant_api_keys').set({ revoked_at: new Date() }).where('id', '=', keyId).execute();
  await answers('the API refuses the revoked key', request, apiKey, 401, 2_000);
});

it('checks every key against Postgres while its listening connection is down, and remembers again once it is back', async () => {
  const { apiKey, keyId } = await createTestMerchant(stack);
  const api = await anotherApi({ reconnectMs: 500 });
  expect(await status(api.request, apiKey)).toBe(200);
  expect(await status(api.request, apiKey)).toBe(200);
  expect(api.apiKeys.stats.hits).toBe(1);

  // Postgres drops the listeners (a restart, a failover, a network cut that ends the connection).
  for (const pid of await listenerBackends()) await sql`select pg_terminate_backend(${pid})`.execute(stack.db);
  await cacheState('the listener is seen down', api.apiKeys, false);
  // Revoked while nobody listens: no notification reaches this process, and still the key stops at once.
  await stack.db.updateTable('merchant_api_keys').set({ revoked_at: new Date() }).where('id', '=', keyId).execute();
  const hitsWhileDown = api.apiKeys.stats.hits;
  expect(await status(api.request, apiKey)).toBe(401);

  await cacheState('the listener is back', api.apiKeys, true);
  const { apiKey: newKey } = await createTestMerchant(stack);
  for (let i = 0; i < 3; i++) expect(await status(api.request, newKey)).toBe(200);
  expect(api.apiKeys.stats.hits - hitsWhileDown).toBe(2);
  expect(await status(api.request, apiKey)).toBe(401);
});

// Signalling Postgres's own processes needs the embedded server on this machine (DATABASE_URL unset).
(process.env.DATABASE_URL ? it.skip : it)('gives up a listener that stops answering (a hung connection): a key revoked meanwhile is not answered from memory', async () => {
  const { apiKey, keyId } = await createTestMerchant(stack);
  // Short enough for a test; long enough that a loaded machine does not miss a heartbeat before the freeze.
  const api = await anotherApi({ heartbeatMs: 500 });
  expect(await status(api.request, apiKey)).toBe(200);
  expect(await status(api.request, apiKey)).toBe(200);
  expect(api.apiKeys.stats.hits).toBe(1);

  // The listeners' server processes freeze: their connections stay open, nothing comes back on them.
  const pids = await listenerBackends();
  expect(pids.length).toBeGreaterThan(0);
  for (const pid of pids) process.kill(pid, 'SIGSTOP');
  try {
    await stack.db.updateTable('merchant_api_keys').set({ revoked_at: new Date() }).where('id', '=', keyId).execute();
    // Its notification waits unread; the missed heartbeats (two intervals, 1 s) end the entries' use.
    await answers('the revoked key is refused', api.request, apiKey, 401);
  } finally {
    for (const pid of pids) process.kill(pid, 'SIGCONT');
  }
  await cacheState('a listener is back', api.apiKeys, true);
});

it('looks a key up again once its entry is older than its life, even with no notification', async () => {
  const { apiKey } = await createTestMerchant(stack);
  const api = await anotherApi({ ttlMs: 1_000 });
  expect(await status(api.request, apiKey)).toBe(200);
  expect(await status(api.request, apiKey)).toBe(200);
  expect(api.apiKeys.stats).toEqual({ hits: 1, misses: 1 });
  await new Promise((r) => setTimeout(r, 1_100));
  expect(await status(api.request, apiKey)).toBe(200);
  expect(api.apiKeys.stats).toEqual({ hits: 1, misses: 2 });
});
