// Table types for kysely. Keep in step with db/migrations.
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

export interface MerchantsTable {
  id: string;
  name: string;
  created_at: CreatedAt;
  /** Off: every role uses the wise-pay connection. */
  multi_connection: ColumnType<boolean, boolean | undefined, boolean>;
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
}

export interface AccountingConnectionsTable {
  id: string;
  merchant_id: string;
  role: 'wise-pay' | 'company' | 'service';
  platform: 'xero' | 'quickbooks';
  tenant_id: string;
  status: 'connected' | 'disconnected';
  token_sealed: string;
  access_expires_at: Date;
  connected_at: ColumnType<Date, Date | undefined, Date>;
  disconnected_at: Date | null;
  last_used_at: Date | null;
}

export interface AccountingCallsTable {
  id: Generated<string>;
  connection_id: string;
  platform: string;
  started_at: Date;
  finished_at: Date | null;
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

export interface Database {
  accounting_connections: AccountingConnectionsTable;
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
