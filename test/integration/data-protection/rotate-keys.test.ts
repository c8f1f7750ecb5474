// Key rotation on real Postgres: values sealed under k1 are re-encrypted under k2 by `npm run rotate-keys`
// (db/rotate-keys-cli.ts) with SETTLE_ENCRYPTION_KEYS="k2,k1"; afterwards they open with k2 alone, the payer is
// still found by email, and a second run changes nothing.
import { sql } from 'kysely';
import { configureCpqIntegration, displayCpqApiKey, findCpqIntegration, generateCpqApiKey } from '../../../db/cpq-integrations';
import { createMerchant } from '../../../db/merchants';
import { findPayerByEmail, payerDetails, registerPayer } from '../../../db/payers';
import { rotateSealedColumns, SEALED_COLUMNS, sealedKeyIds } from '../../../db/rotate-keys';
import { saveStripeWebhookSecret, stripeWebhookSecret } from '../../../db/stripe-webhooks';
import { newKeyringText, parseKeyring } from '../../../lib/crypto/sealed-box';
import { runEntryPoint } from '../../support/processes';
import { createTestDatabase, type TestDatabase } from '../../support/stack';

const k1 = newKeyringText('k1');
const k2 = newKeyringText('k2');
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

it('lists every sealed column of the schema', async () => {
  const columns = await sql<{ table_name: string; column_name: string }>`
    select table_name, column_name from information_schema.columns
    where table_schema = 'public' and column_name like '%\\_sealed'`.execute(database.db);
  const listed = new Set(SEALED_COLUMNS.map((c) => `${c.table}.${c.column}`));
  expect(columns.rows.map((r) => `${r.table_name}.${r.column_name}`).filter((c) => !listed.has(c))).toEqual([]);
});

it('re-encrypts every sealed value under the current key, idempotently, and the old key can then go', async () => {
  const { db } = database;
  const old = parseKeyring(k1);
  const { merchant } = await createMerchant(db, 'Rotation MSP');
  await configureCpqIntegration(db, merchant.id, { enabled: true, allowedMethods: ['card'] });
  const cpqKey = await generateCpqApiKey(db, old, merchant.id);
  await saveStripeWebhookSecret(db, old, merchant.id, 'whsec_rotation');
  await registerPayer(db, old, merchant.id, { name: 'Rhea Rotate', email: 'rhea@rotate.example' });
  const before = await sealedKeyIds(db);
  expect(before['payers.details_sealed']).toEqual({ k1: 1 });

  const run = runEntryPoint('db/rotate-keys-cli.ts', { DATABASE_URL: database.url, SETTLE_ENCRYPTION_KEYS: `${k2},${k1}` });
  expect(await run.exited).toBe(0);
  expect(run.stdout()).toMatch(/payers\.details_sealed\s+stale 1, re-encrypted 1/);
  expect(run.stdout()).toContain('re-encrypted 3 value(s) under key k2');

  for (const [column, byKey] of Object.entries(await sealedKeyIds(db))) {
    expect([column, Object.keys(byKey)]).toEqual([column, Object.keys(before[column]).length ? ['k2'] : []]);
  }
  // k1 retired: everything still opens, and the payer is found by email (the blind index moved to k2).
  const only = parseKeyring(k2);
  expect(displayCpqApiKey(only, (await findCpqIntegration(db, merchant.id))!)).toBe(cpqKey);
  expect(await stripeWebhookSecret(db, only, merchant.id)).toBe('whsec_rotation');
  const payer = await findPayerByEmail(db, only, merchant.id, 'rhea@rotate.example');
  expect(payerDetails(only, payer!)).toEqual({ name: 'Rhea Rotate', email: 'rhea@rotate.example' });

  // Nothing is left under an older key: a second run touches nothing.
  const again = await rotateSealedColumns(db, parseKeyring(`${k2},${k1}`), { batchSize: 1 });
  expect(again.every((c) => c.stale === 0 && c.reencrypted === 0)).toBe(true);
});

it('pages through more rows than a batch', async () => {
  const { db } = database;
  const old = parseKeyring(k1);
  const { merchant } = await createMerchant(db, 'Paging MSP');
  for (let i = 0; i < 5; i++) await registerPayer(db, old, merchant.id, { name: `Payer ${i}`, email: `p${i}@paging.example` });
  const counts = await rotateSealedColumns(db, parseKeyring(`${k2},${k1}`), { batchSize: 2 });
  expect(counts.find((c) => c.table === 'payers')).toMatchObject({ stale: 5, reencrypted: 5, skipped: 0 });
});
