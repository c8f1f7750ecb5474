// The surcharge on one payment, in minor units: the merchant's fee for the instrument, capped by the merchant's maximum
// and by every law or network rule of the payer's and the merchant's place, zero wherever one of them forbids it.
// Pure and deterministic: the payer page shows it, and the server computes it again from the same facts before it
// charges (it never takes the page's number).
import { JURISDICTION_RULES, type JurisdictionRule } from './jurisdictions';
import type { FeeRule, PaymentInstrument, Place, SurchargeSettings } from './types';

export interface SurchargeAsk {
  settings: SurchargeSettings;
  /** What the payer pays before any surcharge, minor units of `currency`. */
  amountMinor: number;
  currency: string;
  instrument: PaymentInstrument;
  /** The payer's place (billing address); when unknown, the card's issuing country stands in for it. */
  payerPlace?: Place;
  /** The payer's customer in the books (accounting contact id), for the merchant's exemptions. */
  contactId?: string;
  /** The day the payment is made: rules in force that day apply. */
  at: Date;
}

export interface SurchargeQuote {
  surchargeMinor: number;
  /** The fee before any cap, minor units (what the merchant's rule alone gives). */
  feeMinor: number;
  /** Rules that lowered or removed the surcharge. */
  appliedRuleIds: string[];
  /** Why the surcharge is zero or lower than the merchant's fee, for the payer; empty when nothing intervened. */
  explanation: string;
}

/** a * bp / 10000, rounded half up, exactly in integers (amounts up to 10^12 times 10^4 stay below 2^53). */
export function percentOfMinor(amountMinor: number, basisPoints: number): number {
  return Math.floor((amountMinor * basisPoints + 5_000) / 10_000);
}

/** a * bp / 10000 rounded down: a cap is never exceeded by rounding. */
export function capOfMinor(amountMinor: number, basisPoints: number): number {
  return Math.floor((amountMinor * basisPoints) / 10_000);
}

function feeRuleFor(settings: SurchargeSettings, instrument: PaymentInstrument): FeeRule | null {
  if (instrument.kind === 'bank_debit') return settings.bankDebit;
  return settings.cards[instrument.brand] ?? null;
}

function placesOf(ask: SurchargeAsk): Place[] {
  const places: Place[] = [ask.settings.merchantPlace];
  if (ask.payerPlace) places.push(ask.payerPlace);
  if (ask.instrument.kind === 'card') places.push({ country: ask.instrument.country });
  return places.map((p) => ({ country: p.country.toUpperCase(), state: p.state?.toUpperCase() }));
}

function ruleMatches(rule: JurisdictionRule, ask: SurchargeAsk, places: Place[], day: string): boolean {
  if (rule.from && day < rule.from) return false;
  if (rule.until && day >= rule.until) return false;
  const placed = places.some((p) => rule.countries.includes(p.country) && (!rule.states || (p.state !== undefined && rule.states.includes(p.state))));
  if (!placed) return false;
  const { applies } = rule;
  const { instrument } = ask;
  if (applies.method && applies.method !== instrument.kind) return false;
  if (applies.currencies && !applies.currencies.includes(ask.currency.toUpperCase())) return false;
  if (instrument.kind === 'card') {
    if (applies.brands && !applies.brands.includes(instrument.brand)) return false;
    if (applies.funding && !applies.funding.includes(instrument.funding)) return false;
    if (applies.category && !applies.category.includes(instrument.category ?? 'consumer')) return false;
  } else if (applies.brands || applies.funding || applies.category) {
    return false;
  }
  return true;
}

/** The jurisdiction rules that apply to this payment (all of them, `allow` ones included). */
export function applicableRules(ask: SurchargeAsk, rules: readonly JurisdictionRule[] = JURISDICTION_RULES): JurisdictionRule[] {
  const day = ask.at.toISOString().slice(0, 10);
  const places = placesOf(ask);
  return rules.filter((r) => ruleMatches(r, ask, places, day));
}

const zero = (feeMinor: number, appliedRuleIds: string[], explanation: string): SurchargeQuote => ({ surchargeMinor: 0, feeMinor, appliedRuleIds, explanation });

export function computeSurcharge(ask: SurchargeAsk, rules: readonly JurisdictionRule[] = JURISDICTION_RULES): SurchargeQuote {
  const { settings, amountMinor, instrument } = ask;
  if (!Number.isSafeInteger(amountMinor) || amountMinor < 0) throw new RangeError(`amount must be a non-negative integer of minor units, not ${amountMinor}`);
  if (!settings.enabled || amountMinor === 0) return zero(0, [], '');
  if (ask.contactId !== undefined && settings.exemptContactIds.includes(ask.contactId)) return zero(0, [], '');
  const feeRule = feeRuleFor(settings, instrument);
  if (!feeRule) return zero(0, [], '');

  const sameCurrency = settings.currency.toUpperCase() === ask.currency.toUpperCase();
  const feeMinor = percentOfMinor(amountMinor, feeRule.percentBasisPoints) + (sameCurrency ? feeRule.fixedMinor : 0);
  if (feeMinor === 0) return zero(0, [], '');

  const applicable = applicableRules(ask, rules);
  const forbidding = applicable.filter((r) => r.effect.kind === 'forbid');
  if (forbidding.length > 0) return zero(feeMinor, forbidding.map((r) => r.id), forbidding[0].explanation);

  const merchantMaxBp = instrument.kind === 'card' ? settings.maxBasisPoints.card : settings.maxBasisPoints.bankDebit;
  let surcharge = Math.min(feeMinor, capOfMinor(amountMinor, merchantMaxBp));
  const lowering: JurisdictionRule[] = [];
  for (const rule of applicable) {
    if (rule.effect.kind !== 'cap') continue;
    const cap = capOfMinor(amountMinor, rule.effect.basisPoints);
    if (cap < surcharge) {
      surcharge = cap;
      lowering.push(rule);
    }
  }
  return { surchargeMinor: surcharge, feeMinor, appliedRuleIds: lowering.map((r) => r.id), explanation: lowering.map((r) => r.explanation).join(' ') };
}
