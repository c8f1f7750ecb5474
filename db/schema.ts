// Table types for kysely. Keep in step with db/migrations.
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { PaymentMethodKind } from '../lib/quotes/methods';

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

export interface MerchantsTable {
  id: string;
  name: string;
  created_at: CreatedAt;
  /** Off: every role uses the wise-pay connection. */
  multi_connection: ColumnType<boolean, boolean | undefined, boolean>;
  /** What the merchant has enabled with its payment processor ('card', 'bank_debit'). */
  payment_methods: ColumnType<PaymentMethodKind[], PaymentMethodKind[] | undefined, PaymentMethodKind[]>;
  /** IANA time zone: the nightly upload runs in the merchant's night. */
  timezone: ColumnType<string, string | undefined, string>;
  /** YYYY-MM-DD: payments made before it are never uploaded. */
  accounting_start_date: ColumnType<string | null, string | null | undefined, string | null>;
  bpay_upload_enabled: ColumnType<boolean, boolean | undefined, boolean>;
  /** Automatic payments: how many times a declined invoice is charged, and how many days apart. */
  auto_pay_attempts: ColumnType<number, number | undefined, number>;
  auto_pay_retry_days: ColumnType<number, number | undefined, number>;
  /** Where Settle emails the merchant about its account (sealed, bound to `{id}:notification-email`); null: nowhere. */
  notification_email_sealed: ColumnType<string | null, string | null | undefined, string | null>;
  /** Console users must sign in with a second factor (they enrol at their next sign-in). */
  console_two_factor_required: ColumnType<boolean, boolean | undefined, boolean>;
  /** Reminder emails for outstanding invoices: on or off, and the steps in days relative to the due date. */
  reminders_enabled: ColumnType<boolean, boolean | undefined, boolean>;
  reminder_offsets: ColumnType<number[], number[] | undefined, number[]>;
  /** Partial payments: whether payers may pay part of an invoice, and the least they may pay (minor units). */
  partial_payments_enabled: ColumnType<boolean, boolean | undefined, boolean>;
  partial_payment_minimum_minor: ColumnType<number, number | undefined, number>;
}


export interface MerchantApiKeysTable {
  id: string;
  merchant_id: string;
  // SHA-256 of the key; the key itself is shown once at creation and never stored.
  key_hash: Buffer;
  // First characters of the key, so a merchant can tell keys apart.
  key_prefix: string;
  created_at: CreatedAt;
  revoked_at: Date | null;
}

export interface PaymentsTable {
  id: string;
  merchant_id: string;
  amount_minor: number;
  currency: string;
  reference: string;
  status: string;
  workflow_id: string;
  created_at: CreatedAt;
  recorded_at: Date | null;
  channel: ColumnType<PaymentChannel, PaymentChannel | undefined, PaymentChannel>;
  method: ColumnType<PaymentMethod, PaymentMethod | undefined, PaymentMethod>;
  applications: ColumnType<PaymentApplication[], string | undefined, string>;
  /** YYYY-MM-DD; rows from before payment upload have none (their recorded day stands in). */
  paid_on: ColumnType<string | null, string | null | undefined, string | null>;
  sync_status: ColumnType<PaymentSyncStatus, PaymentSyncStatus | undefined, PaymentSyncStatus>;
  sync_reason: string | null;
  synced_at: Date | null;
  sync_records: ColumnType<PaymentSyncRecord[], string | undefined, string>;
  payer_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** The Stripe PaymentIntent it was taken with (card and bank debit payments through Stripe): what a refund names. */
  stripe_payment_intent_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export type PaymentChannel = 'pay_now' | 'virtual_terminal' | 'batch_debit' | 'auto_payment';
export type PaymentMethod = 'card' | 'bank_debit';
export type PaymentSyncStatus = 'pending' | 'synced' | 'not-uploaded' | 'failed';
export interface PaymentApplication {
  invoiceId: string;
  amountMinor: number;
  /** What the invoice owed before this payment, kept only when the payment is part of it (the receipt says so). */
  amountDueMinor?: number;
}
export interface PaymentSyncRecord extends PaymentApplication {
  accountingPaymentId: string;
  url: string;
  /** The invoice's number in the books (INV-0042), from the platform's answer; absent on records older than it. */
  invoiceNumber?: string;
}

export interface AccountingConnectionsTable {
  id: string;
  merchant_id: string;
  role: 'wise-pay' | 'company' | 'service';
  platform: 'xero' | 'quickbooks';
  tenant_id: string;
  /** The organisation's name as the platform gave it at consent (Xero); null when it did not (QuickBooks, older rows). */
  tenant_name: ColumnType<string | null, string | null | undefined, string | null>;
  /** disconnected: by the merchant; reconnect_required: the grant died (revoked, expired) and must be consented again. */
  status: 'connected' | 'disconnected' | 'reconnect_required';
  /** Erased (null) when the merchant disconnects. */
  token_sealed: string | null;
  access_expires_at: Date;
  connected_at: ColumnType<Date, Date | undefined, Date>;
  disconnected_at: Date | null;
  last_used_at: Date | null;
  /** Xero's connection id (DELETE /connections/{id} takes it, not the tenant id); null for QuickBooks (migration 0015). */
  platform_connection_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** QuickBooks: when the refresh token lapses unless used (rolling) and the grant's hard expiry. */
  refresh_expires_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  refresh_hard_expires_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** The expiry the merchant was last warned about (one message per expiry). */
  expiry_warned_for: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface OAuthStatesTable {
  state_hash: string;
  merchant_id: string;
  role: 'wise-pay' | 'company' | 'service';
  platform: 'xero' | 'quickbooks';
  created_at: CreatedAt;
  expires_at: Date;
  used_at: Date | null;
}

export interface PendingConsentTenant {
  tenantId: string;
  name: string;
  connectionId: string;
}

export interface OAuthPendingConsentsTable {
  id: string;
  merchant_id: string;
  role: 'wise-pay' | 'company' | 'service';
  platform: 'xero' | 'quickbooks';
  tokens_sealed: string;
  tenants: ColumnType<PendingConsentTenant[], string, string>;
  created_at: CreatedAt;
  expires_at: Date;
}

export interface AccountingConnectionWaitersTable {
  workflow_id: string;
  merchant_id: string;
  created_at: CreatedAt;
}

export interface AccountingCallsTable {
  id: Generated<string>;
  connection_id: string;
  platform: string;
  started_at: Date;
  finished_at: Date | null;
  /** Last renewal of the lease by the live process making the call (migration 0013). */
  renewed_at: Date | null;
  /** 'batch' for a batch request, metered against the platform's batch limit too (migration 0017); else null. */
  kind: Generated<string | null>;
}

export interface MerchantActionsTable {
  id: string;
  merchant_id: string;
  kind: string;
  subject: string;
  detail: string;
  created_at: CreatedAt;
  resolved_at: Date | null;
}

export interface CpqIntegrationsTable {
  merchant_id: string;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  api_key_sealed: string | null;
  api_key_hash: Buffer | null;
  /** What CPQ may offer for one-time quote payments; intersected with the merchant's own methods. */
  allowed_methods: ColumnType<PaymentMethodKind[], PaymentMethodKind[] | undefined, PaymentMethodKind[]>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface NotificationSubscriptionsTable {
  id: string;
  merchant_id: string;
  event: string;
  webhook_url: string | null;
  email_sealed: string | null;
  secret_sealed: string;
  created_at: CreatedAt;
}

export interface PayersTable {
  id: string;
  merchant_id: string;
  email_index: string;
  details_sealed: string;
  password_hash: string | null;
  stripe_customer_id: string | null;
  created_at: CreatedAt;
}

export interface PayerPasswordTokensTable {
  token_hash: Buffer;
  payer_id: string;
  expires_at: Date;
  used_at: Date | null;
}

export interface QuotePaymentsTable {
  id: string;
  merchant_id: string;
  quote_id: string;
  revision: number;
  workflow_id: string;
  checkout_token_hash: Buffer;
  checkout_token_sealed: string;
  amount_minor: number;
  currency: string;
  recurring_amount_minor: number | null;
  recurring_interval: string | null;
  methods: PaymentMethodKind[];
  customer_sealed: string;
  return_url: string;
  status: string;
  payer_id: string | null;
  method: string | null;
  payment_intent_id: string | null;
  invoice_id: string | null;
  invoice_url: string | null;
  credit_note_id: string | null;
  credit_note_url: string | null;
  downpayment_invoice_id: string | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | undefined, Date>;
  paid_at: Date | null;
}

export interface PayerPaymentMethodsTable {
  id: string;
  payer_id: string;
  stripe_payment_method_id: string;
  type: string;
  created_at: CreatedAt;
}

export interface BillingTermsTable {
  id: string;
  merchant_id: string;
  payer_id: string;
  source: string;
  source_id: string;
  payment_method_id: string;
  rule: 'due-date' | 'days-after-invoice';
  days_after: number | null;
  max_amount_minor: number;
  currency: string;
  interval: string;
  status: ColumnType<'active' | 'revoked', 'active' | 'revoked' | undefined, 'active' | 'revoked'>;
  created_at: CreatedAt;
  /** The accounting contact whose invoices these terms pay (the quote's customer). */
  contact_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface OutboxEmailsTable {
  id: string;
  merchant_id: string;
  template: string;
  dedupe_key: string;
  message_sealed: string;
  created_at: CreatedAt;
  sent_at: Date | null;
  status: ColumnType<'pending' | 'sent' | 'failed' | 'skipped', 'pending' | 'sent' | 'failed' | 'skipped' | undefined>;
  attempts: ColumnType<number, number | undefined>;
  next_attempt_at: ColumnType<Date, Date | undefined>;
  last_error: string | null;
  transport_response: string | null;
  failed_at: Date | null;
}

export interface WebhookDeliveriesTable {
  id: string;
  merchant_id: string;
  event: string;
  url: string;
  attempts: ColumnType<number, number | undefined, number>;
  last_status: number | null;
  delivered_at: Date | null;
  created_at: CreatedAt;
}

export interface StripeWebhookEndpointsTable {
  merchant_id: string;
  secret_sealed: string;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

/** The merchant's Stripe connected account (0017_stripe_connect.ts). */
export interface MerchantStripeAccountsTable {
  merchant_id: string;
  account_id: string;
  livemode: boolean;
  details_submitted: ColumnType<boolean, boolean | undefined, boolean>;
  charges_enabled: ColumnType<boolean, boolean | undefined, boolean>;
  payouts_enabled: ColumnType<boolean, boolean | undefined, boolean>;
  /** What Stripe still asks for (`requirements.currently_due`). */
  requirements_due: ColumnType<string[], string | undefined, string>;
  disabled_reason: string | null;
  platform_fee_bps: ColumnType<number, number | undefined, number>;
  clearing_account: string | null;
  fees_account: string | null;
  bank_account: string | null;
  onboarding_refresh_hash: string | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}
export type MerchantStripeAccount = Selectable<MerchantStripeAccountsTable>;

export interface StripeEventsTable {
  id: string;
  merchant_id: string;
  type: string;
  payment_intent_id: string | null;
  handling: 'signalled' | 'recorded' | 'ignored';
  created: number;
  received_at: CreatedAt;
}

export interface ActivityLogTable {
  id: string;
  merchant_id: string;
  kind: string;
  subject: string;
  detail: string;
  created_at: CreatedAt;
}

export interface CustomersTable {
  id: string;
  merchant_id: string;
  customer_reference: string;
  name: string;
  account_number: string | null;
  email_sealed: string | null;
  contact_id: string | null;
  contact_url: string | null;
  match_status: ColumnType<'unmatched' | 'matched' | 'needs-action', 'unmatched' | 'matched' | 'needs-action' | undefined, 'unmatched' | 'matched' | 'needs-action'>;
  last_synced_at: Date | null;
  created_at: CreatedAt;
}

export interface BpayImportsTable {
  id: string;
  merchant_id: string;
  status: 'processing' | 'done';
  lines_total: ColumnType<number, number | undefined, number>;
  lines_done: ColumnType<number, number | undefined, number>;
  rows_accepted: ColumnType<number, number | undefined, number>;
  errors: ColumnType<Array<{ line: number; message: string }>, string | undefined, string>;
  created_at: CreatedAt;
  finished_at: Date | null;
  content: string;
  currency: string;
}

export interface BpayUploadRunsTable {
  id: string;
  merchant_id: string;
  plan: ColumnType<StoredBpayPlan, string, string>;
  created_at: CreatedAt;
}

/** A night's plan as the upload posts it: chunks of payments, each with its applications and prepayment. */
export interface StoredBpayPlan {
  chunks: Array<Array<{ paymentId: string; contactId: string; customerReference: string; currency: string; paidDate: string;
    applications: Array<{ invoiceId: string; amountMinor: number }>; prepaymentMinor: number }>>;
}

export interface BpayUploadRecord {
  applications: Array<{ invoiceId: string; amountMinor: number; paymentId: string; url: string }>;
  prepayment?: { id: string; amountMinor: number; url: string };
}

export interface BpayPaymentsTable {
  id: string;
  merchant_id: string;
  customer_reference: string;
  amount_minor: number;
  currency: string;
  /** YYYY-MM-DD (read as text). */
  paid_date: ColumnType<string, string, string>;
  dedupe_key: string;
  import_id: string | null;
  status: ColumnType<'pending' | 'uploaded' | 'before-start', 'pending' | 'uploaded' | 'before-start' | undefined, 'pending' | 'uploaded' | 'before-start'>;
  uploaded_at: Date | null;
  upload: ColumnType<BpayUploadRecord | null, string | null | undefined, string | null>;
  created_at: CreatedAt;
}

export interface PaymentPlanInvoicesTable {
  merchant_id: string;
  invoice_id: string;
}

export interface MerchantMessagesTable {
  id: string;
  merchant_id: string;
  kind: string;
  text: string;
  created_at: CreatedAt;
  /** When someone of the merchant marked it read; null: unread. */
  read_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export type FeeType = 'transaction' | 'subscription' | 'dishonour' | 'chargeback' | 'other';
export interface FeeLine {
  feeType: FeeType;
  description: string;
  amountMinor: number;
}

export type FeeUploadStatus = 'pending' | 'waiting-for-accounts' | 'uploaded' | 'skipped' | 'failed';

export interface MerchantFeeAccountsTable {
  merchant_id: string;
  fee_type: FeeType;
  account_code: string;
}

export interface MerchantFeeDocumentsTable {
  id: string;
  merchant_id: string;
  number: string;
  kind: 'invoice' | 'credit';
  issued_on: string;
  currency: string;
  total_minor: number;
  lines: ColumnType<FeeLine[], string, string>;
  upload_status: ColumnType<FeeUploadStatus, FeeUploadStatus | undefined, FeeUploadStatus>;
  upload_reason: string | null;
  accounting_id: string | null;
  accounting_url: string | null;
  uploaded_at: Date | null;
  unapplied_minor: ColumnType<number, number | undefined, number>;
  amount_due_minor: ColumnType<number, number | undefined, number>;
  created_at: CreatedAt;
}

export interface MerchantFeeCreditApplicationsTable {
  credit_id: string;
  invoice_id: string;
  amount_minor: number;
  applied_at: CreatedAt;
}

export interface PayerContactsTable {
  merchant_id: string;
  payer_id: string;
  contact_id: string;
}

/** Settle's copy of an accounting invoice: what payers see and auto-payments start from, between refreshes. */
export interface AccountingInvoicesTable {
  merchant_id: string;
  id: string;
  contact_id: string;
  number: string;
  status: string;
  date: string;
  due_date: string | null;
  currency: string;
  total_minor: number;
  amount_due_minor: number;
  refreshed_at: ColumnType<Date, Date | undefined, Date>;
}

/** A reminder sent: one row per invoice and step (the step's emails are keyed the same way in the outbox). */
export interface InvoiceRemindersTable {
  merchant_id: string;
  invoice_id: string;
  offset_days: number;
  invoice_number: string;
  due_date: string;
  currency: string;
  amount_due_minor: ColumnType<number, number, number>;
  recipients: number;
  sent_at: CreatedAt;
}

/** A payer who asked for no more reminder emails from this merchant. */
export interface ReminderOptOutsTable {
  merchant_id: string;
  payer_id: string;
  created_at: CreatedAt;
}

export interface AutoPaymentAttemptsTable {
  merchant_id: string;
  invoice_id: string;
  attempt: number;
  terms_id: string;
  amount_minor: number;
  payment_intent_id: string | null;
  outcome: ColumnType<'charging' | 'succeeded' | 'processing' | 'failed', 'charging' | undefined, 'charging' | 'succeeded' | 'processing' | 'failed'>;
  failure: string | null;
  created_at: CreatedAt;
}

/** Pay Now for invoices: the checkout paying an invoice; at most one held (unreleased) claim per invoice. */
export interface InvoicePaymentClaimsTable {
  checkout_id: string;
  merchant_id: string;
  invoice_id: string;
  payer_id: string;
  created_at: CreatedAt;
  released_at: Date | null;
}

// Invoice sync (0011_invoice_sync.ts).
export interface InvoiceSyncSettingsTable {
  merchant_id: string;
  create_contacts: ColumnType<boolean, boolean | undefined, boolean>;
  debug_logging: ColumnType<boolean, boolean | undefined, boolean>;
  sync_inventory: ColumnType<boolean, boolean | undefined, boolean>;
  invoice_sync_every_minutes: ColumnType<number | null, number | null | undefined, number | null>;
  payment_sync_every_minutes: ColumnType<number | null, number | null | undefined, number | null>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}
export type AccountMappingKind = 'gl-account' | 'product-type';
export interface InvoiceSyncAccountMappingsTable {
  merchant_id: string;
  source_kind: AccountMappingKind;
  source_value: string;
  account_code: string;
  tax_type: string | null;
}
export interface InvoiceSyncContactsTable {
  merchant_id: string;
  manage_company_id: number;
  contact_id: string;
  source: 'matched' | 'created';
  updated_at: ColumnType<Date, Date | undefined, Date>;
}
export type InvoiceSyncBatchStatus = 'open' | 'incomplete' | 'exported';
export interface InvoiceSyncBatchesTable {
  id: string;
  merchant_id: string;
  batch_identifier: string;
  manage_batch_id: number | null;
  workflow_id: string;
  status: InvoiceSyncBatchStatus;
  contacts_matched_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}
export type InvoiceSyncRecordStatus = 'pending' | 'posted' | 'failed' | 'held';
export interface InvoiceSyncRecordsTable {
  merchant_id: string;
  manage_invoice_id: number;
  batch_id: string;
  revision: string;
  invoice_number: string;
  manage_company_id: number;
  kind: 'invoice' | 'credit-note';
  total_minor: number;
  currency: string;
  status: InvoiceSyncRecordStatus;
  error: string | null;
  accounting_id: string | null;
  accounting_link: string | null;
  posted_how: 'created' | 'linked' | null;
  carried_back_minor: ColumnType<number, number | undefined, number>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}
export interface InvoiceSyncPaymentsTable {
  merchant_id: string;
  accounting_id: string;
  manage_invoice_id: number;
  kind: 'payment' | 'credit';
  amount_minor: number;
  paid_on: string;
  manage_payment_id: number | null;
  status: 'carried' | 'failed';
  error: string | null;
  created_at: CreatedAt;
}
export interface DebugLogEntriesTable {
  id: Generated<string>;
  merchant_id: string;
  batch_id: string | null;
  kind: string;
  detail: ColumnType<Record<string, unknown>, string, string>;
  created_at: CreatedAt;
}
export interface InventoryAuditEntriesTable {
  id: Generated<string>;
  merchant_id: string;
  batch_id: string;
  manage_invoice_id: number;
  invoice_number: string;
  accounting_id: string;
  product: string;
  quantity: ColumnType<string, string | number, string | number>;
  unit_cost_minor: number;
  cost_minor: number;
  created_at: CreatedAt;
}

export type MerchantUserRole = 'admin' | 'billing';

export interface MerchantUsersTable {
  id: string;
  merchant_id: string;
  email_index: string;
  /** JSON {email, name}, sealed with the user id as associated data. */
  details_sealed: string;
  role: MerchantUserRole;
  password_hash: string | null;
  created_at: CreatedAt;
  /** Base32 TOTP secret, sealed (bound to `{id}:totp`), once a first code confirmed it; null: no two-factor sign-in. */
  totp_secret_sealed: ColumnType<string | null, string | null | undefined, string | null>;
  /** The secret being enrolled (bound to `{id}:totp-pending`), until confirmed. */
  totp_pending_sealed: ColumnType<string | null, string | null | undefined, string | null>;
  /** The last TOTP time step accepted: a code of it or before is refused (no replay). */
  totp_last_step: ColumnType<number | null, number | null | undefined, number | null>;
  /** Settle's own staff (set only by the platform admin API or a seed): may change what the platform decides. */
  platform_admin: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface MerchantUserRecoveryCodesTable {
  user_id: string;
  /** SHA-256 of the user id and the code: the codes are shown once, never stored. */
  code_hash: Buffer;
  used_at: Date | null;
}

export interface MerchantUserTokensTable {
  token_hash: Buffer;
  user_id: string;
  expires_at: Date;
  used_at: Date | null;
}

export interface MerchantSessionsTable {
  id_hash: Buffer;
  user_id: string;
  created_at: CreatedAt;
  last_seen_at: ColumnType<Date, Date | undefined, Date>;
  expires_at: Date;
  /** 'signed-in' is usable; the others only finish signing in (the code, or enrolment the merchant requires). */
  stage: ColumnType<SessionStage, SessionStage | undefined, SessionStage>;
  code_failures: ColumnType<number, number | undefined, number>;
}

export type SessionStage = 'signed-in' | 'second-factor' | 'enrolment';

export type MerchantUser = Selectable<MerchantUsersTable>;

// Surcharges (0025_surcharge_settings.ts).
export interface SurchargeSettingsTable {
  merchant_id: string;
  enabled: boolean;
  currency: string;
  merchant_country: string;
  merchant_state: string | null;
  /** { cards, bankDebit, maxBasisPoints } of lib/surcharges' SurchargeSettings. */
  fees: ColumnType<StoredSurchargeFees, string, string>;
  exempt_contact_ids: string[];
  revenue_account_code: string;
  tax_code: string | null;
  refund_surcharge: boolean;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}
export interface StoredSurchargeFees {
  cards: Partial<Record<string, { percentBasisPoints: number; fixedMinor: number }>>;
  bankDebit: { percentBasisPoints: number; fixedMinor: number } | null;
  maxBasisPoints: { card: number; bankDebit: number };
}

export interface PaymentSurchargesTable {
  /** The Pay Now payment that carried the surcharge, or (null) … */
  payment_id: ColumnType<string | null, string | null | undefined, never>;
  /** … the quote payment that did (migration 0029): exactly one of the two. */
  quote_payment_id: ColumnType<string | null, string | null | undefined, never>;
  merchant_id: string;
  surcharge_minor: number;
  currency: string;
  accounting_invoice_id: string | null;
  accounting_payment_id: string | null;
  sync_status: 'synced' | 'failed';
  sync_reason: string | null;
  created_at: CreatedAt;
}

export interface Database {
  surcharge_settings: SurchargeSettingsTable;
  payment_surcharges: PaymentSurchargesTable;
  merchant_users: MerchantUsersTable;
  merchant_user_tokens: MerchantUserTokensTable;
  merchant_user_recovery_codes: MerchantUserRecoveryCodesTable;
  merchant_sessions: MerchantSessionsTable;
  invoice_sync_settings: InvoiceSyncSettingsTable;
  invoice_sync_account_mappings: InvoiceSyncAccountMappingsTable;
  invoice_sync_contacts: InvoiceSyncContactsTable;
  invoice_sync_batches: InvoiceSyncBatchesTable;
  invoice_sync_records: InvoiceSyncRecordsTable;
  invoice_sync_payments: InvoiceSyncPaymentsTable;
  debug_log_entries: DebugLogEntriesTable;
  inventory_audit_entries: InventoryAuditEntriesTable;
  payer_contacts: PayerContactsTable;
  accounting_invoices: AccountingInvoicesTable;
  invoice_reminders: InvoiceRemindersTable;
  reminder_opt_outs: ReminderOptOutsTable;
  auto_payment_attempts: AutoPaymentAttemptsTable;
  invoice_payment_claims: InvoicePaymentClaimsTable;
  billing_sync_connections: BillingSyncConnectionsTable;
  billing_sync_runs: BillingSyncRunsTable;
  billing_sync_lines: BillingSyncLinesTable;
  billing_sync_mappings: BillingSyncMappingsTable;
  billing_sync_changes: BillingSyncChangesTable;
  merchant_fee_accounts: MerchantFeeAccountsTable;
  merchant_fee_documents: MerchantFeeDocumentsTable;
  merchant_fee_credit_applications: MerchantFeeCreditApplicationsTable;
  bpay_imports: BpayImportsTable;
  bpay_payments: BpayPaymentsTable;
  bpay_upload_runs: BpayUploadRunsTable;
  customers: CustomersTable;
  merchant_messages: MerchantMessagesTable;
  payment_plan_invoices: PaymentPlanInvoicesTable;
  activity_log: ActivityLogTable;
  stripe_events: StripeEventsTable;
  payment_refunds: PaymentRefundsTable;
  payouts: PayoutsTable;
  merchant_stripe_accounts: MerchantStripeAccountsTable;
  stripe_webhook_endpoints: StripeWebhookEndpointsTable;
  billing_terms: BillingTermsTable;
  cpq_integrations: CpqIntegrationsTable;
  notification_subscriptions: NotificationSubscriptionsTable;
  outbox_emails: OutboxEmailsTable;
  payer_password_tokens: PayerPasswordTokensTable;
  payer_payment_methods: PayerPaymentMethodsTable;
  payers: PayersTable;
  quote_payments: QuotePaymentsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  accounting_connections: AccountingConnectionsTable;
  oauth_states: OAuthStatesTable;
  oauth_pending_consents: OAuthPendingConsentsTable;
  accounting_connection_waiters: AccountingConnectionWaitersTable;
  accounting_calls: AccountingCallsTable;
  merchant_actions: MerchantActionsTable;
  merchants: MerchantsTable;
  merchant_api_keys: MerchantApiKeysTable;
  payments: PaymentsTable;
}

export type Merchant = Selectable<MerchantsTable>;
export type Payment = Selectable<PaymentsTable>;
export type NewPayment = Insertable<PaymentsTable>;
export type AccountingConnection = Selectable<AccountingConnectionsTable>;
export type MerchantAction = Selectable<MerchantActionsTable>;
export type CpqIntegration = Selectable<CpqIntegrationsTable>;
export type Payer = Selectable<PayersTable>;
export type QuotePaymentRow = Selectable<QuotePaymentsTable>;
export type Customer = Selectable<CustomersTable>;
export type BpayPaymentRow = Selectable<BpayPaymentsTable>;

// Monthly billing sync (db/migrations/0008_billing_sync.ts).
export type BillingSyncSystem = 'manage' | 'bss';
export type LinkSource = 'remembered' | 'suggested' | 'chosen' | 'created';

export interface BillingSyncConnectionsTable {
  merchant_id: string;
  system: BillingSyncSystem;
  base_url: string;
  settings: ColumnType<Record<string, string>, string, string>;
  secret_sealed: string;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface BillingSyncRunsTable {
  id: string;
  merchant_id: string;
  month: string;
  workflow_id: string;
  source: 'bss' | 'csv';
  csv_content: string | null;
  status: string;
  proposal_version: string | null;
  report: ColumnType<unknown, string | null | undefined, string | null>;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface BillingSyncLinesTable {
  run_id: string;
  line_no: number;
  customer: string;
  contract_id: string;
  product: string;
  billing_period: string;
  commitment_period: string;
  units: number;
  cost_minor: number;
  effective_date: ColumnType<string, string, string>;
  company_id: number | null;
  company_source: LinkSource | null;
  agreement_id: number | null;
  agreement_source: LinkSource | null;
  product_id: number | null;
  product_source: LinkSource | null;
}

export interface BillingSyncMappingsTable {
  merchant_id: string;
  kind: 'company' | 'agreement' | 'product';
  source_key: string;
  target_id: number;
  target_name: string;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface BillingSyncChangesTable {
  run_id: string;
  change_id: string;
  seq: number;
  proposal_version: string;
  mismatch: string;
  change: ColumnType<unknown, string, string>;
  status: ColumnType<'proposed' | 'skipped' | 'applied', 'proposed' | 'skipped' | 'applied' | undefined, 'proposed' | 'skipped' | 'applied'>;
  result: ColumnType<unknown, string | null | undefined, string | null>;
  applied_at: Date | null;
}

export type RefundStatus = 'requested' | 'succeeded' | 'failed';
export type RefundBooksStatus = 'pending' | 'reversed' | 'failed' | 'not-posted';
/** What a refund's reversal made in the books (AccountingPlatform's PostedRecord). */
export interface RefundBooksRecord {
  kind: string;
  id: string;
}

export interface PaymentRefundsTable {
  id: string;
  merchant_id: string;
  /** The refunded payment, or (exclusive) the refunded quote payment. */
  payment_id: ColumnType<string | null, string | null | undefined, string | null>;
  quote_payment_id: ColumnType<string | null, string | null | undefined, string | null>;
  idempotency_key: string;
  amount_minor: number;
  currency: string;
  reason: string | null;
  origin: 'api' | 'dashboard';
  status: ColumnType<RefundStatus, RefundStatus | undefined, RefundStatus>;
  stripe_refund_id: string | null;
  failure: string | null;
  books_status: ColumnType<RefundBooksStatus, RefundBooksStatus | undefined, RefundBooksStatus>;
  books_records: ColumnType<RefundBooksRecord[], string | undefined, string>;
  /** The surcharge given back with this refund (0025_surcharge_settings.ts); Stripe refunds amount_minor + this. */
  surcharge_minor: ColumnType<number, number | undefined, number>;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}
export type PaymentRefund = Selectable<PaymentRefundsTable>;

export type PayoutBooksStatus = 'pending' | 'posted' | 'failed';
export interface PayoutsTable {
  id: string;
  merchant_id: string;
  stripe_payout_id: string;
  amount_minor: number;
  currency: string;
  /** YYYY-MM-DD (a date column, read as text). */
  arrival_date: ColumnType<string, string, string>;
  books_status: ColumnType<PayoutBooksStatus, PayoutBooksStatus | undefined, PayoutBooksStatus>;
  books_records: ColumnType<Array<{ kind: string; id: string }>, string | undefined, string>;
  books_failure: string | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}
export type Payout = Selectable<PayoutsTable>;
