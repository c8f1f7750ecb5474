// The merchant's surcharge settings (migration 0025): read by the API, the payer pages (to quote a surcharge) and the
// accounting activities (revenue account, tax code, refund rule). No row: surcharges are off.
import { SURCHARGES_OFF, type SurchargeSettings } from '../lib/surcharges';
import type { Db } from './database';

export interface MerchantSurcharges {
  /** What lib/surcharges computes with. */
  rules: SurchargeSettings;
  books: { revenueAccountCode: string; taxCode: string | null };
  /** A refund of a surcharged payment gives the surcharge back too. */
  refundSurcharge: boolean;
  updatedAt: Date | null;
}

export async function merchantSurcharges(db: Db, merchantId: string): Promise<MerchantSurcharges | null> {
  const row = await db.selectFrom('surcharge_settings').selectAll().where('merchant_id', '=', merchantId).executeTakeFirst();
  if (!row) return null;
  return {
    rules: {
      enabled: row.enabled,
      currency: row.currency,
      merchantPlace: { country: row.merchant_country, ...(row.merchant_state ? { state: row.merchant_state } : {}) },
      cards: row.fees.cards as SurchargeSettings['cards'],
      bankDebit: row.fees.bankDebit,
      maxBasisPoints: row.fees.maxBasisPoints,
      exemptContactIds: row.exempt_contact_ids,
    },
    books: { revenueAccountCode: row.revenue_account_code, taxCode: row.tax_code },
    refundSurcharge: row.refund_surcharge,
    updatedAt: row.updated_at,
  };
}

/** Replaces the merchant's settings whole (what the merchant sees is what is used). */
export async function saveMerchantSurcharges(db: Db, merchantId: string, s: Omit<MerchantSurcharges, 'updatedAt'>): Promise<void> {
  const values = {
    enabled: s.rules.enabled,
    currency: s.rules.currency,
    merchant_country: s.rules.merchantPlace.country,
    merchant_state: s.rules.merchantPlace.state ?? null,
    fees: JSON.stringify({ cards: s.rules.cards, bankDebit: s.rules.bankDebit, maxBasisPoints: s.rules.maxBasisPoints }),
    exempt_contact_ids: s.rules.exemptContactIds,
    revenue_account_code: s.books.revenueAccountCode,
    tax_code: s.books.taxCode,
    refund_surcharge: s.refundSurcharge,
    updated_at: new Date(),
  };
  await db.insertInto('surcharge_settings').values({ merchant_id: merchantId, ...values })
    .onConflict((oc) => oc.column('merchant_id').doUpdateSet(values)).execute();
}

/** The settings to compute with: the stored ones, or off. */
export async function surchargeRulesOf(db: Db, merchantId: string): Promise<SurchargeSettings> {
  const stored = await merchantSurcharges(db, merchantId);
  return stored?.rules ?? { ...SURCHARGES_OFF, currency: 'AUD', merchantPlace: { country: 'AU' } };
}

