// What the API needs from the outside world; tests build it from the real test stack.
import type { Client } from '@temporalio/client';
import type { AccountingServices } from '../activities/accounting/services';
import type { Db } from '../db/database';
import type { Logger } from '../lib/logger';

export interface ApiDeps {
  db: Db;
  temporal: Client;
  accounting: AccountingServices;
  log: Logger;
  /** Task queue prefix of the workers this API starts workflows for. */
  taskQueuePrefix: string;
  adminApiKey: string;
  maxBodyBytes: number;
}
