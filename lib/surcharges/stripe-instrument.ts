// What a Stripe payment method tells the surcharge rules: the card's brand, funding and issuing country (known once
// Stripe has the method), or a bank debit. Pure, over the few fields read, so it is tested without Stripe.
import { CARD_BRANDS, CARD_FUNDINGS, type CardBrand, type CardFunding, type PaymentInstrument, type Place } from './types';

export interface StripeMethodFacts {
  type: string;
  card?: { brand?: string | null; funding?: string | null; country?: string | null } | null;
  billing_details?: { address?: { country?: string | null; state?: string | null } | null } | null;
}

/** Stripe spells some brands differently in different places (`American Express`, `eftpos_australia`). */
const BRAND_ALIASES: Record<string, CardBrand> = { 'american express': 'amex', american_express: 'amex', eftpos: 'eftpos_au', eftpos_australia: 'eftpos_au', 'diners club': 'diners' };

export function instrumentOf(pm: StripeMethodFacts): PaymentInstrument {
  if (pm.type !== 'card') return { kind: 'bank_debit' };
  const raw = (pm.card?.brand ?? 'unknown').toLowerCase();
  const brand: CardBrand = (CARD_BRANDS as readonly string[]).includes(raw) ? (raw as CardBrand) : (BRAND_ALIASES[raw] ?? 'unknown');
  const rawFunding = (pm.card?.funding ?? 'unknown').toLowerCase();
  const funding: CardFunding = (CARD_FUNDINGS as readonly string[]).includes(rawFunding) ? (rawFunding as CardFunding) : 'unknown';
  // An unknown issuing country matches no country's rules but the merchant's, which always apply.
  return { kind: 'card', brand, funding, country: (pm.card?.country ?? 'ZZ').toUpperCase() };
}

/** The payer's billing address, when the payment method has one. */
export function payerPlaceOf(pm: StripeMethodFacts): Place | undefined {
  const address = pm.billing_details?.address;
  if (!address?.country) return undefined;
  return { country: address.country.toUpperCase(), ...(address.state ? { state: address.state.toUpperCase() } : {}) };
}
