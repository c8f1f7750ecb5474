// What the invoice sync activities need: Postgres, the keyring (the merchant's Manage private key is sealed, stored by
// the billing sync's connection route), the accounting runner (the company connection's budget and keys) and the sync
// log (pino: at the normal level it names only the batch, the accounting object and its total).
import { ApplicationFailure } from '@temporalio/activity';
import { manageCredentials } from '../../db/billing-sync';
import type { Db } from '../../db/database';
import type { Keyring } from '../../lib/crypto/sealed-box';
import type { Logger } from '../../lib/logger';
import type { OnConnection } from '../accounting';
import { createManageClient, type ManageClientOptions } from '../connectwise/client';
import { manageApi } from '../connectwise/manage';

export interface InvoiceSyncActivityDeps {
  db: Db;
  keyring: Keyring;
  accounting: { onConnection: OnConnection };
  log: Logger;
  manageClientOptions?: ManageClientOptions;
}

export async function manageOf(deps: InvoiceSyncActivityDeps, merchantId: string) {
  const creds = await manageCredentials(deps.db, deps.keyring, merchantId);
  if (!creds) throw ApplicationFailure.nonRetryable('the merchant has no ConnectWise Manage connection (PUT /v1/billing-sync/connections/manage)', 'NotConnected');
  return manageApi(createManageClient(creds, deps.manageClientOptions));
}
