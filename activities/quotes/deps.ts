// What the quote payment activities need: Postgres, the keyring for sealed customer and payer details, the
// Stripe client, the accounting runner (connection of the queue's role, rate budget, idempotency keys), and the
// payer's emails.
import type Stripe from 'stripe';
import type { Db } from '../../db/database';
import type { Keyring } from '../../lib/crypto/sealed-box';
import type { MailWaker } from '../../lib/mail/relay';
import type { accountingRunner } from '../accounting';
import type { PayerEmails } from '../notifications/payer-emails';

export interface QuoteActivityDeps {
  db: Db;
  keyring: Keyring;
  stripe: Stripe;
  accounting: ReturnType<typeof accountingRunner>;
  /** The payer's receipt and "payment declined" emails, written with the outcome they tell of. */
  payerEmails: PayerEmails;
  /** After a commit that wrote an email: the relay sends it now instead of at its next poll. */
  wakeMail: MailWaker;
}
