// What the quote payment activities need: Postgres, the keyring for sealed customer and payer details, the
// Stripe client, and the accounting runner (connection of the queue's role, rate budget, idempotency keys).
import type Stripe from 'stripe';
import type { Db } from '../../db/database';
import type { Keyring } from '../../lib/crypto/sealed-box';
import type { accountingRunner } from '../accounting';

export interface QuoteActivityDeps {
  db: Db;
  keyring: Keyring;
  stripe: Stripe;
  accounting: ReturnType<typeof accountingRunner>;
}
