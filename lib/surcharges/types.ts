// The words the surcharge rules are written in: what the payer pays with, where, and what the merchant set.
// Percentages are integer basis points (1 % = 100), so no floating point ever touches an amount.

/** Card brands as Stripe names them (`payment_method.card.brand`, plus the Australian eftpos network). */
export const CARD_BRANDS = ['visa', 'mastercard', 'amex', 'discover', 'diners', 'jcb', 'unionpay', 'eftpos_au', 'unknown'] as const;
export type CardBrand = (typeof CARD_BRANDS)[number];

/** `payment_method.card.funding` in Stripe. */
export const CARD_FUNDINGS = ['credit', 'debit', 'prepaid', 'unknown'] as const;
export type CardFunding = (typeof CARD_FUNDINGS)[number];

/**
 * Consumer or commercial (business) card. Stripe's payment method does not say it, so a card is taken as a consumer
 * card unless something says otherwise: the conservative reading wherever consumer cards may not be surcharged.
 */
export type CardCategory = 'consumer' | 'commercial';

export type PaymentInstrument =
  | { kind: 'card'; brand: CardBrand; funding: CardFunding; /** issuing country, ISO 3166-1 alpha-2 */ country: string; category?: CardCategory }
  | { kind: 'bank_debit' };

/** Where a law applies: the payer's country (and US state), and the merchant's. Both are checked; any ban wins. */
export interface Place {
  /** ISO 3166-1 alpha-2, upper case. */
  country: string;
  /** US state (or other subdivision) code such as `CT`, upper case, when known. */
  state?: string;
}

/** A percentage and/or a fixed fee. */
export interface FeeRule {
  /** Basis points of the amount paid (250 = 2.5 %). */
  percentBasisPoints: number;
  /** Minor units of the settings' currency; charged only on payments in that currency. */
  fixedMinor: number;
}

export interface SurchargeSettings {
  /** Off: no surcharge for anyone, whatever else is set. */
  enabled: boolean;
  /** The currency `fixedMinor` amounts are in. */
  currency: string;
  /** Where the merchant trades from: its laws apply to every payment it takes. */
  merchantPlace: Place;
  /** Per card brand; a brand not listed is not surcharged. */
  cards: Partial<Record<CardBrand, FeeRule>>;
  /** Bank debit (BECS, ACH, SEPA): never surcharged unless this is set. */
  bankDebit: FeeRule | null;
  /** The most a surcharge may be, in basis points of the amount paid, for cards and for bank debit. */
  maxBasisPoints: { card: number; bankDebit: number };
  /** Accounting contact ids (the payer's customer in the books) who are never surcharged. */
  exemptContactIds: string[];
}

/** The default maximum on cards: 3 % (the cap most card networks allow where surcharging is allowed at all). */
export const DEFAULT_CARD_MAX_BASIS_POINTS = 300;
export const DEFAULT_BANK_DEBIT_MAX_BASIS_POINTS = 100;

export const SURCHARGES_OFF: Omit<SurchargeSettings, 'currency' | 'merchantPlace'> = {
  enabled: false,
  cards: {},
  bankDebit: null,
  maxBasisPoints: { card: DEFAULT_CARD_MAX_BASIS_POINTS, bankDebit: DEFAULT_BANK_DEBIT_MAX_BASIS_POINTS },
  exemptContactIds: [],
};
