// What the payment upload activities need: Postgres, the keyring (customer emails are sealed), the accounting
// runner (the service connection, its rate budget and idempotency keys), and Temporal (to pause the Schedule).
import type { Client } from '@temporalio/client';
import type { Db } from '../../db/database';
import type { Keyring } from '../../lib/crypto/sealed-box';
import type { accountingRunner } from '../accounting';

export interface BpayActivityDeps {
  db: Db;
  keyring: Keyring;
  accounting: ReturnType<typeof accountingRunner>;
  temporal: Client;
}
