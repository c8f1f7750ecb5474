// Billing sync records shared by the API and the activities: the merchant's Manage and BSS connections (secrets sealed
// with the keyring, bound to the merchant and system so a sealed key cannot be moved to another merchant), the run of a
// month, its lines and the remembered links.
import type { BssCredentials } from '../activities/bss/client';
import type { ManageCredentials } from '../activities/connectwise/client';
import { open, seal, type Keyring } from '../lib/crypto/sealed-box';
import { derivedId } from '../lib/ids';
import type { Db } from './database';
import type { BillingSyncSystem } from './schema';

const boundTo = (merchantId: string, system: BillingSyncSystem) => `billing-sync:${system}:${merchantId}`;

export const billingRunId = (merchantId: string, month: string) => derivedId('bsr', merchantId, month);
export const billingWorkflowId = (merchantId: string, month: string) => `billing-sync/${merchantId}/${month}`;

export async function saveManageConnection(db: Db, keyring: Keyring, merchantId: string, c: ManageCredentials): Promise<void> {
  const values = { base_url: c.baseUrl, settings: JSON.stringify({ companyId: c.companyId, publicKey: c.publicKey, clientId: c.clientId }),
    secret_sealed: seal(keyring, c.privateKey, boundTo(merchantId, 'manage')), updated_at: new Date() };
  await db.insertInto('billing_sync_connections').values({ merchant_id: merchantId, system: 'manage', ...values })
    .onConflict((oc) => oc.columns(['merchant_id', 'system']).doUpdateSet(values)).execute();
}

export async function saveBssConnection(db: Db, keyring: Keyring, merchantId: string, c: BssCredentials): Promise<void> {
  const values = { base_url: c.baseUrl, settings: JSON.stringify({}), secret_sealed: seal(keyring, c.apiKey, boundTo(merchantId, 'bss')), updated_at: new Date() };
  await db.insertInto('billing_sync_connections').values({ merchant_id: merchantId, system: 'bss', ...values })
    .onConflict((oc) => oc.columns(['merchant_id', 'system']).doUpdateSet(values)).execute();
}

async function connectionRow(db: Db, merchantId: string, system: BillingSyncSystem) {
  return db.selectFrom('billing_sync_connections').selectAll().where('merchant_id', '=', merchantId).where('system', '=', system).executeTakeFirst();
}

export async function manageCredentials(db: Db, keyring: Keyring, merchantId: string): Promise<ManageCredentials | undefined> {
  const row = await connectionRow(db, merchantId, 'manage');
  if (!row) return undefined;
  return { baseUrl: row.base_url, companyId: row.settings.companyId, publicKey: row.settings.publicKey, clientId: row.settings.clientId,
    privateKey: open(keyring, row.secret_sealed, boundTo(merchantId, 'manage')) };
}

export async function bssCredentials(db: Db, keyring: Keyring, merchantId: string): Promise<BssCredentials | undefined> {
  const row = await connectionRow(db, merchantId, 'bss');
  return row && { baseUrl: row.base_url, apiKey: open(keyring, row.secret_sealed, boundTo(merchantId, 'bss')) };
}

/** What the merchant may see of its connections: never a secret. */
export async function connectionSettings(db: Db, merchantId: string) {
  const rows = await db.selectFrom('billing_sync_connections').select(['system', 'base_url', 'settings', 'updated_at']).where('merchant_id', '=', merchantId).execute();
  const of = (system: BillingSyncSystem) => rows.find((r) => r.system === system);
  const manage = of('manage');
  const bss = of('bss');
  return {
    manage: manage ? { baseUrl: manage.base_url, companyId: manage.settings.companyId, publicKey: manage.settings.publicKey, clientId: manage.settings.clientId,
      hasPrivateKey: true, updatedAt: manage.updated_at.toISOString() } : null,
    bss: bss ? { baseUrl: bss.base_url, hasApiKey: true, updatedAt: bss.updated_at.toISOString() } : null,
  };
}

/** Remembered links of a merchant, by kind and key (lib/billing-sync/mapping.ts). */
export async function rememberedLinks(db: Db, merchantId: string) {
  const rows = await db.selectFrom('billing_sync_mappings').select(['kind', 'source_key', 'target_id']).where('merchant_id', '=', merchantId).execute();
  const of = (kind: string) => new Map(rows.filter((r) => r.kind === kind).map((r) => [r.source_key, r.target_id]));
  return { company: of('company'), agreement: of('agreement'), product: of('product') };
}

export async function rememberLink(db: Db, merchantId: string, kind: 'company' | 'agreement' | 'product', key: string, targetId: number, targetName: string): Promise<void> {
  await db.insertInto('billing_sync_mappings').values({ merchant_id: merchantId, kind, source_key: key, target_id: targetId, target_name: targetName })
    .onConflict((oc) => oc.columns(['merchant_id', 'kind', 'source_key']).doUpdateSet({ target_id: targetId, target_name: targetName, updated_at: new Date() }))
    .execute();
}
