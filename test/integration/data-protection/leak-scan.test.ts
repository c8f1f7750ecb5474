// The database half of the run's leak check (test/global-teardown.ts) on real Postgres: leaks planted in clear
// columns are found and named, what is sealed or hashed is not a leak, and the sealed payers and secrets are
// opened with the database's keyring (secrets then count as leaks wherever they appear in clear; payers' names are
// what the log check looks for). The planted rows are removed again, or the run's own check would fail.
import { sql } from 'kysely';
import { raiseMerchantAction } from '../../../db/actions';
import { generateCpqApiKey } from '../../../db/cpq-integrations';
import { createMerchant } from '../../../db/merchants';
import { registerPayer } from '../../../db/payers';
import { saveStripeWebhookSecret } from '../../../db/stripe-webhooks';
import { newKeyringText, parseKeyring } from '../../../lib/crypto/sealed-box';
import { describeLeaks } from '../../support/leak-scan';
import { scanDatabase } from '../../support/leak-scan-db';
import { createTestDatabase, type TestDatabase } from '../../support/stack';

const keyring = parseKeyring(newKeyringText('k1'));
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop({ keyring }));

it('finds planted leaks by table, column and row, and passes sealed and hashed values', async () => {
  const { db } = database;
  const { merchant, apiKey } = await createMerchant(db, 'Leaky MSP');
  await generateCpqApiKey(db, keyring, merchant.id);
  // No known format: only opening the sealed column tells it is a secret.
  const webhookSecret = 'sealed-only-0123456789abcdef';
  await saveStripeWebhookSecret(db, keyring, merchant.id, webhookSecret);
  await registerPayer(db, keyring, merchant.id, { name: 'Lena Leak', email: 'lena@leak.example' });
  const name = new URL(database.url).pathname.slice(1);

  const clean = await scanDatabase(db, name, keyring);
  expect(clean.leaks).toEqual([]);
  expect(clean.identities).toEqual({ names: ['Lena Leak'], emails: ['lena@leak.example'] });

  await raiseMerchantAction(db, { merchantId: merchant.id, kind: 'planted', subject: 'leak', detail: `lena@leak.example paid; key ${apiKey.key}` });
  await sql`update merchants set name = ${`Webhook ${webhookSecret} for Lena Leak`} where id = ${merchant.id}`.execute(db);
  try {
    const { leaks } = await scanDatabase(db, name, keyring);
    expect(leaks.map((l) => [l.kind, l.where.replace(/ \(id .*\)$/, '')]).sort()).toEqual([
      ['email address', `${name}: merchant_actions.detail`],
      ['merchant API key', `${name}: merchant_actions.detail`],
      ['payer name', `${name}: merchants.name`],
      ['sealed secret in clear', `${name}: merchants.name`],
    ]);
    const message = describeLeaks(leaks);
    for (const value of [apiKey.key, 'lena@leak.example', webhookSecret]) expect(message).not.toContain(value);
  } finally {
    await sql`delete from merchant_actions where kind = 'planted'`.execute(db);
    await sql`update merchants set name = 'Leaky MSP' where id = ${merchant.id}`.execute(db);
  }
});
