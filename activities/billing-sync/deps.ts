// What the billing sync activities need: Postgres (runs, lines, links, changes) and the keyring (the merchant's Manage
// and BSS secrets are sealed). The Manage and BSS clients are built per merchant from its stored connection.
import { ApplicationFailure } from '@temporalio/activity';
import { bssCredentials, manageCredentials } from '../../db/billing-sync';
import type { Db } from '../../db/database';
import type { Keyring } from '../../lib/crypto/sealed-box';
import { createBssClient } from '../bss/client';
import { createManageClient, type ManageClientOptions } from '../connectwise/client';
import { manageApi } from '../connectwise/manage';

export interface BillingSyncActivityDeps {
  db: Db;
  keyring: Keyring;
  /** Tests shorten the 429 waits; production uses the defaults. */
  manageClientOptions?: ManageClientOptions;
}

export async function manageFor(deps: BillingSyncActivityDeps, merchantId: string) {
  const creds = await manageCredentials(deps.db, deps.keyring, merchantId);
  if (!creds) throw ApplicationFailure.nonRetryable('the merchant has no ConnectWise Manage connection (PUT /v1/billing-sync/connections/manage)', 'NotConnected');
  return manageApi(createManageClient(creds, deps.manageClientOptions));
}

export async function bssFor(deps: BillingSyncActivityDeps, merchantId: string) {
  const creds = await bssCredentials(deps.db, deps.keyring, merchantId);
  if (!creds) throw ApplicationFailure.nonRetryable('the merchant has no BSS connection (PUT /v1/billing-sync/connections/bss)', 'NotConnected');
  return createBssClient(creds);
}

/** Lines of the run still missing a company, agreement or product link. */
export async function unlinkedCount(db: Db, runId: string): Promise<number> {
  const row = await db.selectFrom('billing_sync_lines').select((eb) => eb.fn.countAll<string>().as('n')).where('run_id', '=', runId)
    .where((eb) => eb.or([eb('company_id', 'is', null), eb('agreement_id', 'is', null), eb('product_id', 'is', null)])).executeTakeFirstOrThrow();
  return Number(row.n);
}
