// Every migration, in order. Listed by hand (not read from the folder) so the same list works under
// ts-jest, tsx and compiled JavaScript.
import type { Migration } from 'kysely';
import * as m0001 from './0001_initial';
import * as m0002 from './0002_accounting_connections';
import * as m0003 from './0003_quote_payments';
import * as m0004 from './0004_bank_debit_settlement';
import * as m0005 from './0005_bpay_upload';
import * as m0006 from './0006_acquire_call_function';
import * as m0007 from './0007_payment_and_fee_uploads';
import * as m0008 from './0008_billing_sync';
import * as m0010 from './0010_payer_invoices';
import * as m0011 from './0011_invoice_sync';
import * as m0012 from './0012_invoice_payment_claims';
import * as m0013 from './0013_call_lease_renewal';
import * as m0014 from './0014_api_key_changes';
import * as m0015 from './0015_oauth_consent';
import * as m0016 from './0016_outbox_delivery';
import * as m0017 from './0017_stripe_connect';
import * as m0018 from './0018_merchant_notification_email';
import * as m0019 from './0019_merchant_users';
import * as m0020 from './0020_payment_refunds';
import * as m0021 from './0021_batch_call_budget';
import * as m0022 from './0022_invoice_sync_contacts_matched';
import * as m0023 from './0023_quote_payment_refunds';
import * as m0023b from './0023b_payouts';
import * as m0024 from './0024_console_two_factor';
import * as m0024b from './0024b_connection_names_message_reads';
import * as m0025 from './0025_surcharge_settings';
import * as m0026 from './0026_invoice_reminders';
import * as m0026b from './0026b_partial_payments';
import * as m0027 from './0027_console_platform_admins';
import * as m0029 from './0029_quote_payment_surcharges';

export const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_accounting_connections': m0002,
  '0003_quote_payments': m0003,
  '0004_bank_debit_settlement': m0004,
  '0005_bpay_upload': m0005,
  '0006_acquire_call_function': m0006,
  '0007_payment_and_fee_uploads': m0007,
  '0008_billing_sync': m0008,
  '0010_payer_invoices': m0010,
  '0011_invoice_sync': m0011,
  '0012_invoice_payment_claims': m0012,
  '0013_call_lease_renewal': m0013,
  '0014_api_key_changes': m0014,
  '0015_oauth_consent': m0015,
  '0016_outbox_delivery': m0016,
  '0017_stripe_connect': m0017,
  '0018_merchant_notification_email': m0018,
  '0019_merchant_users': m0019,
  '0020_payment_refunds': m0020,
  '0021_batch_call_budget': m0021,
  '0022_invoice_sync_contacts_matched': m0022,
  '0023_quote_payment_refunds': m0023,
  '0023b_payouts': m0023b,
  '0024_console_two_factor': m0024,
  '0024b_connection_names_message_reads': m0024b,
  '0025_surcharge_settings': m0025,
  '0026_invoice_reminders': m0026,
  '0026b_partial_payments': m0026b,
  '0027_console_platform_admins': m0027,
  '0029_quote_payment_surcharges': m0029,
};
