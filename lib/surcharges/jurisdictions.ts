// Where a surcharge is forbidden or capped, as data, each rule with the source it was taken from and the date it was
// read. Settle takes payments online (card not present), so rules about in-store payments only are recorded for the
// record but forbid nothing. When a law changes, add a rule with its `from` date (or end one with `until`); never edit
// an old one, so a payment is always judged by the rules of its own day.
//
// Where a rule is under review, or its final form was not yet known when it was encoded, the conservative reading is
// applied (the payer is not surcharged): charging a surcharge that is banned costs the merchant more than not charging
// one that is allowed. Such rules say so in `status` and `note`; the review dates are in the notes.
import type { CardBrand, CardCategory, CardFunding } from './types';

export type RuleEffect =
  | { kind: 'forbid' }
  /** The surcharge may be at most this many basis points of the amount paid. */
  | { kind: 'cap'; basisPoints: number }
  /** Recorded so that what was checked is visible; changes nothing. */
  | { kind: 'allow' };

export interface JurisdictionRule {
  id: string;
  /** ISO 3166-1 alpha-2 countries the rule applies in (the payer's or the merchant's). */
  countries: readonly string[];
  /** Only in these subdivisions (US states) of those countries; absent: the whole country. */
  states?: readonly string[];
  /** What it applies to; an absent field matches everything. */
  applies: {
    method?: 'card' | 'bank_debit';
    brands?: readonly CardBrand[];
    funding?: readonly CardFunding[];
    category?: readonly CardCategory[];
    /** Only payments in these currencies (SEPA debits are euro debits). */
    currencies?: readonly string[];
  };
  effect: RuleEffect;
  /** ISO dates: in force from (inclusive) and until (exclusive). */
  from?: string;
  until?: string;
  /** `in_force`: law or network rule as published; `proposed`/`under_review`: applied conservatively, see note. */
  status: 'in_force' | 'proposed' | 'under_review';
  /** What the payer is told when this rule removes or reduces the surcharge. */
  explanation: string;
  source: {
    title: string;
    url: string;
    /** The date of the rule text encoded here (the newest source it was checked against). */
    asOf: string;
    /** True when the source itself (or a report of it) was read when encoding; false: encoded from the published rule as known, re-check before relying on it. */
    checked: boolean;
  };
  note?: string;
}

/** The EU member states and the rest of the EEA, where PSD2 applies. */
export const EEA_COUNTRIES = [
  'AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU', 'MT', 'NL',
  'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE', 'IS', 'LI', 'NO',
] as const;

export const JURISDICTION_RULES: readonly JurisdictionRule[] = [
  // ---- Australia -------------------------------------------------------------------------------------------------
  {
    id: 'au-rba-cost-based',
    countries: ['AU'],
    applies: { method: 'card' },
    effect: { kind: 'allow' },
    status: 'in_force',
    explanation: 'In Australia a card surcharge may not exceed what it costs the merchant to accept the card.',
    source: {
      title: 'RBA Standard No. 3 of 2016, Scheme Rules relating to Merchant Pricing for Credit, Debit and Prepaid Card Transactions; RBA Bulletin Dec 2018 "Payment Surcharges: Economics, Regulation and Enforcement"',
      url: 'https://www.rba.gov.au/publications/bulletin/2018/dec/payment-surcharges-economics-regulation-and-enforcement.html',
      asOf: '2018-12-13',
      checked: true,
    },
    note: 'Cost-based: the merchant\'s cap (maxBasisPoints.card) must not exceed its average cost of acceptance shown on its acquirer\'s (Stripe\'s) annual statement. The ACCC enforces excessive surcharging. Applies until the review below removes surcharging on the designated networks.',
  },
  {
    id: 'au-rba-2025-review-designated-networks',
    countries: ['AU'],
    applies: { method: 'card', brands: ['eftpos_au', 'visa', 'mastercard'] },
    effect: { kind: 'forbid' },
    from: '2026-07-01',
    status: 'under_review',
    explanation: 'Surcharges on eftpos, Visa and Mastercard cards are being removed in Australia (RBA review of merchant card payment costs and surcharging).',
    source: {
      title: 'RBA, Review of Merchant Card Payment Costs and Surcharging – Consultation Paper, July 2025, section 2 "Surcharging"',
      url: 'https://www.rba.gov.au/payments-and-infrastructure/review-of-retail-payments-regulation/2025-07/consultation-paper/surcharging.html',
      asOf: '2025-07-15',
      checked: true,
    },
    note: 'The RBA proposed (July 2025) to let eftpos, Mastercard and Visa impose no-surcharge rules from 1 July 2026 (debit and credit), and to recommend legislation if they did not. Its final conclusions were due December 2025 and were deferred to March 2026; those conclusions are NOT in the sources this rule was written from, so the proposal is applied as written (the conservative reading). Confirm against the RBA\'s conclusions paper and the networks\' rules, and change `status`/`from` (add a rule, do not edit history) when confirmed. American Express and other three-party schemes are outside the proposal.',
  },
  // ---- United States ---------------------------------------------------------------------------------------------
  {
    id: 'us-debit-prepaid-never',
    countries: ['US'],
    applies: { method: 'card', funding: ['debit', 'prepaid', 'unknown'] },
    effect: { kind: 'forbid' },
    status: 'in_force',
    explanation: 'In the United States debit and prepaid cards may not be surcharged.',
    source: {
      title: 'Visa Rules (surcharges only on credit cards, U.S. and territories), as restated in Visa\'s April 2023 update notice; Mastercard Rules 5.12.2 (credit cards only); Durbin Amendment, 15 U.S.C. § 1693o-2',
      url: 'https://paya.helpjuice.com/visa-updates/updates-to-visas-surcharge-rules-in-canada-the-us-and-us-territories',
      asOf: '2026-12-07', checked: true,
    },
    note: 'A card whose funding Stripe reports as `unknown` is treated as debit: the surcharge is allowed only on a card known to be credit. Checked 2026-12-07: the Visa notice above ("surcharges are only permitted on credit cards"); that Visa, Mastercard and Discover allow none on debit or prepaid cards, even run as credit: https://www.easypaydirect.com/blog/visa-announces-changes-to-credit-card-surcharge-rules/ (an acquirer\'s summary, not the networks\' own rule text).',
  },
  {
    id: 'us-visa-cap-3',
    countries: ['US'],
    applies: { method: 'card', brands: ['visa'], funding: ['credit'] },
    effect: { kind: 'cap', basisPoints: 300 },
    from: '2023-04-15',
    status: 'in_force',
    explanation: 'Visa caps a US credit card surcharge at 3 %.',
    source: { title: 'Visa Rules update notice: the U.S. credit card surcharge maximum lowered from 4 % to 3 % from 15 April 2023', url: 'https://paya.helpjuice.com/visa-updates/updates-to-visas-surcharge-rules-in-canada-the-us-and-us-territories', asOf: '2026-12-07', checked: true },
    note: 'The cap is also limited to the merchant\'s cost of acceptance; the merchant\'s own cap must reflect it. Visa\'s own page (https://usa.visa.com/support/small-business/regulations-fees.html) was not among the stored sources; the notice above (an acquirer\'s copy of Visa\'s announcement) was.',
  },
  {
    id: 'us-mastercard-cap-4',
    countries: ['US'],
    applies: { method: 'card', brands: ['mastercard'], funding: ['credit'] },
    effect: { kind: 'cap', basisPoints: 400 },
    status: 'in_force',
    explanation: 'Mastercard caps a US credit card surcharge at 4 % (and the merchant\'s cost).',
    source: { title: 'Mastercard Rules, rule 5.12.2 "Brand-level and product-level surcharging" (U.S. Region), as summarised by a payment processor guide', url: 'https://www.cardpaymentoptions.com/credit-card-processing/mastercards-u-s-surcharge-rules-businesses-must-follow-these', asOf: '2026-12-07', checked: true },
    note: 'Checked against a third-party summary ("stands at 4 % as of the publishing of this article"; never on debit or prepaid), not Mastercard\'s rule book itself (https://www.mastercard.us/en-us/business/overview/support/merchant-surcharge-rules.html was not among the stored sources). Mastercard publishes the cap "periodically": re-check.',
  },
  {
    id: 'us-ct-ban',
    countries: ['US'],
    states: ['CT'],
    applies: { method: 'card' },
    effect: { kind: 'forbid' },
    status: 'in_force',
    explanation: 'Connecticut law does not allow card surcharges.',
    source: { title: 'Connecticut General Statutes § 42-133ff (statute at https://www.cga.ct.gov/current/pub/chap_743y.htm), listed among the three state bans Visa recognises', url: 'https://blog.payjunction.com/credit-card-surcharge-laws-by-state-considerations-for-merchants', asOf: '2026-12-07', checked: true },
  },
  {
    id: 'us-ma-ban',
    countries: ['US'],
    states: ['MA'],
    applies: { method: 'card' },
    effect: { kind: 'forbid' },
    status: 'in_force',
    explanation: 'Massachusetts law does not allow card surcharges.',
    source: { title: 'Massachusetts General Laws c. 140D § 28A (statute at https://malegislature.gov/Laws/GeneralLaws/PartI/TitleXX/Chapter140D/Section28A), listed among the three state bans Visa recognises', url: 'https://blog.payjunction.com/credit-card-surcharge-laws-by-state-considerations-for-merchants', asOf: '2026-12-07', checked: true },
  },
  {
    id: 'us-me-ban',
    countries: ['US'],
    states: ['ME'],
    applies: { method: 'card' },
    effect: { kind: 'forbid' },
    status: 'in_force',
    explanation: 'Maine law does not allow card surcharges.',
    source: { title: 'Maine Revised Statutes, Title 9-A § 8-509 (statute at https://legislature.maine.gov/statutes/9-A/title9-Asec8-509.html), listed among the three state bans Visa recognises', url: 'https://blog.payjunction.com/credit-card-surcharge-laws-by-state-considerations-for-merchants', asOf: '2026-12-07', checked: true },
  },
  {
    id: 'us-co-cap-2',
    countries: ['US'],
    states: ['CO'],
    applies: { method: 'card' },
    effect: { kind: 'cap', basisPoints: 200 },
    from: '2022-06-01',
    status: 'in_force',
    explanation: 'Colorado caps a card surcharge at 2 % (or the merchant\'s cost, if lower).',
    source: { title: 'Colorado Revised Statutes § 5-2-212, as amended by SB21-091 (signed 9 July 2021)', url: 'https://bassberry.com/news/colorado-surcharge-ban', asOf: '2026-12-07', checked: true },
    note: 'Checked 2026-12-07: the cap is 2 % of the payment or the merchant\'s discount fee, and no surcharge on debit cards (https://bassberry.com/news/colorado-surcharge-ban, https://digitaltransactions.net/elavon-launches-a-platform-for-contactless-payments-in-mass-transit/and). The bill was SB21-091, not HB21-1133 as first written; one source has the old ban in force through 30 June 2022, so `from` may be a month early (it matters only for payments of June 2022).',
  },
  // ---- United Kingdom --------------------------------------------------------------------------------------------
  {
    id: 'uk-consumer-cards-ban',
    countries: ['GB'],
    applies: { method: 'card', category: ['consumer'] },
    effect: { kind: 'forbid' },
    from: '2018-01-13',
    status: 'in_force',
    explanation: 'In the UK consumer cards may not be surcharged.',
    source: {
      title: 'The Consumer Rights (Payment Surcharges) Regulations 2012, reg. 6A(1), inserted by the Payment Services Regulations 2017 (https://www.legislation.gov.uk/uksi/2012/3110/regulation/6A)',
      url: 'https://lewissilkin.com/hk/insights/say-farewell-to-credit-and-debit-card-surcharges',
      asOf: '2026-12-07', checked: true,
    },
    note: 'Commercial cards may be surcharged at cost. A card is consumer unless known to be commercial. Checked 2026-12-07 against a law firm\'s summary of the 2018 rules (absolute ban on debit and credit cards, online payment services and direct debits; not on commercial means of payment) and https://www.which.co.uk/consumer-rights/advice/ive-been-charged-an-excessive-payment-surcharge-what-can-i-do; legislation.gov.uk itself was not among the stored sources.',
  },
  {
    id: 'uk-payment-account-debits-ban',
    countries: ['GB'],
    applies: { method: 'bank_debit' },
    effect: { kind: 'forbid' },
    from: '2018-01-13',
    status: 'in_force',
    explanation: 'In the UK payments from a consumer\'s bank account may not be surcharged.',
    source: { title: 'The Consumer Rights (Payment Surcharges) Regulations 2012, reg. 6A(1) (the prohibition; 6A(2) only limits surcharges to cost)', url: 'https://lewissilkin.com/hk/insights/say-farewell-to-credit-and-debit-card-surcharges', asOf: '2026-12-07', checked: true },
    note: 'First written as reg. 6A(2)(b); the government guidance (contents: "Prohibition of surcharges: retail customer to merchant payments under Regulation 6A(1)", https://dokumen.tips/documents/consumer-rights-payment-surcharges-regulations-2012-on-the-consumer-rights-payment.html) puts the ban in 6A(1). Direct debits are within it (Lewis Silkin, and https://www.acs.org.uk/advice/payment-surcharging).',
  },
  // ---- European Union / EEA --------------------------------------------------------------------------------------
  {
    id: 'eu-psd2-consumer-cards-ban',
    countries: EEA_COUNTRIES,
    applies: { method: 'card', category: ['consumer'] },
    effect: { kind: 'forbid' },
    from: '2018-01-13',
    status: 'in_force',
    explanation: 'In the EU and EEA consumer cards may not be surcharged.',
    source: { title: 'Directive (EU) 2015/2366 (PSD2), Article 62(4), with Regulation (EU) 2015/751 (Interchange Fee Regulation) Chapter II (EBA Interactive Single Rulebook)', url: 'https://www.eba.europa.eu/regulation-and-policy/single-rulebook/interactive-single-rulebook/5586', asOf: '2026-12-07', checked: true },
    note: 'Checked 2026-12-07: Art. 62(4) as published by the EBA (no charges for payment instruments whose interchange fees Chapter II of Regulation (EU) 2015/751 regulates, nor for payment services under Regulation (EU) No 260/2012); Art. 62(5) lets member states ban more. PSD2 bans surcharges on cards whose interchange the IFR caps (consumer four-party cards); member states may ban the rest, and most do. Applied to every consumer card brand here (conservative).',
  },
  {
    id: 'eu-psd2-sepa-debit-ban',
    countries: EEA_COUNTRIES,
    applies: { method: 'bank_debit', currencies: ['EUR'] },
    effect: { kind: 'forbid' },
    from: '2018-01-13',
    status: 'in_force',
    explanation: 'In the EU and EEA euro direct debits may not be surcharged.',
    source: { title: 'Directive (EU) 2015/2366 (PSD2), Article 62(4) (SEPA credit transfers and direct debits, Regulation (EU) No 260/2012) (EBA Interactive Single Rulebook)', url: 'https://www.eba.europa.eu/regulation-and-policy/single-rulebook/interactive-single-rulebook/5586', asOf: '2026-12-07', checked: true },
  },
  // ---- New Zealand -----------------------------------------------------------------------------------------------
  {
    id: 'nz-in-store-ban-not-online',
    countries: ['NZ'],
    applies: { method: 'card' },
    effect: { kind: 'allow' },
    from: '2026-05-01',
    status: 'under_review',
    explanation: 'New Zealand bans in-store card surcharges; online payments are outside the ban.',
    source: {
      title: 'Retail Payment System (Ban on Merchant Surcharges) Amendment Bill 2025 (No. 205), amending the Retail Payment System Act 2022',
      url: 'https://www.legislation.govt.nz/bill/government/2025/0205/latest/whole.html',
      asOf: '2025-09-16',
      checked: true,
    },
    note: 'The ban covers in-store eftpos, Visa and Mastercard payments (in force by May 2026). Settle\'s payments are online, so they may still be surcharged at cost (Fair Trading Act 1986: not misleading, shown before payment). The Act lets the Commerce Commission extend the ban to online payments by regulation: watch for it and add a forbid rule from its date.',
  },
];
