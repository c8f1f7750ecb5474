// All activities, built from the clients they need so that tests can hand in emulator-backed ones.
// Workflows see only the type: `import type * as activities from '../activities'`.
import type { Client } from '@temporalio/client';
import type Stripe from 'stripe';
import type { Db } from '../db/database';
import type { Keyring } from '../lib/crypto/sealed-box';
import { accountingRunner, createAccountingActivities, type PlatformFactory } from './accounting';
import type { AccountingServices } from './accounting/services';
import { createConnectionUpkeepActivities } from './accounting/upkeep';
import { createWaiterActivities } from './accounting/waiters';
import { createBillingSyncActivities } from './billing-sync';
import { createRefreshActivities } from './accounting-data/refresh';
import { createAutoPaymentActivities } from './auto-payments';
import { createBpayActivities } from './bpay';
import { createFeeUploadActivities } from './fees/upload-fee-document';
import { createInvoicePaymentActivities } from './invoice-payments';
import { createCheckoutSurchargeActivities } from './invoice-payments/surcharge';
import { createSurchargeBooksActivities } from './invoice-payments/surcharge-books';
import { createInvoiceSyncActivities } from './invoice-sync';
import { createLogger, type Logger } from '../lib/logger';
import { noMailWaker, type MailWaker } from '../lib/mail/relay';
import type { MailSender } from '../lib/mail/transport';
import { createMailActivities } from './mail';
import { createPayerEmails } from './notifications/payer-emails';
import { createRecordPayment } from './payments/record-payment';
import { createUploadPayment } from './payments/upload-payment';
import { createQuoteActivities } from './quotes';
import { createPayoutActivities } from './payouts';
import { createChartActivities } from './payouts/chart';
import { createRefundActivities } from './refunds';
import { createReminderActivities } from './reminders';
import { reminderStopper } from './reminders/stop-reminders';

export interface ActivityDeps {
  db: Db;
  accounting: AccountingServices;
  /** Builds the Xero or QuickBooks adapter for a connection (accounting/platforms.ts). */
  platformFor: PlatformFactory;
  /** Opens sealed customer and payer details. */
  keyring: Keyring;
  /** Stripe, or the local emulator (activities/stripe/client.ts). */
  stripe: Stripe;
  /** Temporal, for what activities manage there (the nightly upload's Schedule). */
  temporal: Client;
  /** The invoice sync log (minimal at the normal level); stdout unless given (tests read it). */
  log?: Logger;
  /** SMTP for the mail relay; without it the outbox is not sent (SMTP_URL unset). */
  mail?: MailSender;
  /** SETTLE_PUBLIC_URL, for the Pay Now links in payers' emails (read per email). */
  publicUrl: () => string;
  /** Wakes the mail relay after an activity wrote an email (lib/mail/relay.ts); without it the relay's poll finds it. */
  wakeMail?: MailWaker;
}

export function createActivities(deps: ActivityDeps) {
  const accounting = accountingRunner(deps.accounting, deps.platformFor);
  const wakeMail = deps.wakeMail ?? noMailWaker;
  const payerEmails = createPayerEmails({ keyring: deps.keyring, publicUrl: deps.publicUrl });
  // The reminders of an invoice read settled end then (a signal to its reminder workflow), not at their next step.
  const stopReminders = reminderStopper(deps.temporal);
  return {
    recordPayment: createRecordPayment(deps.db, payerEmails, wakeMail),
    uploadPayment: createUploadPayment(deps.db, accounting),
    ...createAccountingActivities(deps.accounting, deps.platformFor),
    ...createWaiterActivities(deps.db, deps.accounting.connections),
    ...createConnectionUpkeepActivities({ db: deps.db, keyring: deps.keyring, connections: deps.accounting.connections, log: createLogger({ name: 'connections' }) }),
    ...createQuoteActivities({ db: deps.db, keyring: deps.keyring, stripe: deps.stripe, accounting, payerEmails, wakeMail }),
    ...createFeeUploadActivities({ db: deps.db, accounting }),
    ...createRefreshActivities({ db: deps.db, accounting, stopReminders }),
    ...createAutoPaymentActivities({ db: deps.db, keyring: deps.keyring, stripe: deps.stripe, accounting, wakeMail, stopReminders }),
    ...createInvoicePaymentActivities({ db: deps.db, keyring: deps.keyring, stripe: deps.stripe, accounting, payerEmails, wakeMail, stopReminders }),
    ...createCheckoutSurchargeActivities({ db: deps.db, stripe: deps.stripe }),
    ...createSurchargeBooksActivities({ db: deps.db, accounting }),
    ...createBpayActivities({ db: deps.db, keyring: deps.keyring, accounting, temporal: deps.temporal }),
    ...createBillingSyncActivities({ db: deps.db, keyring: deps.keyring }),
    ...createInvoiceSyncActivities({ db: deps.db, keyring: deps.keyring, accounting, log: deps.log ?? createLogger({ name: 'invoice-sync' }) }),
    ...createPayoutActivities({ db: deps.db, stripe: deps.stripe, accounting }),
    ...createChartActivities({ accounting }),
    ...createRefundActivities({ db: deps.db, stripe: deps.stripe, accounting, payerEmails, wakeMail }),
    ...createReminderActivities({ db: deps.db, keyring: deps.keyring, accounting, publicUrl: deps.publicUrl, wakeMail }),
    ...createMailActivities({ db: deps.db, keyring: deps.keyring, mail: deps.mail }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
