// Table types for kysely. Keep in step with db/migrations.
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

export interface MerchantsTable {
  id: string;
  name: string;
  created_at: CreatedAt;
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

export interface Database {
  merchants: MerchantsTable;
  merchant_api_keys: MerchantApiKeysTable;
  payments: PaymentsTable;
}

export type Merchant = Selectable<MerchantsTable>;
export type Payment = Selectable<PaymentsTable>;
export type NewPayment = Insertable<PaymentsTable>;

// Generated is re-exported for migrations that add serial columns later.
export type { Generated };
