// The merchant's surcharge settings (issue 27): off, or a percentage and/or fixed fee per card brand and for bank
// debit, a maximum, exempt customers, the books' revenue account and tax code, and whether a refund gives the
// surcharge back. Percentages travel as decimal strings ("2.50"), fees as amounts in the settings' currency ("0.30");
// stored as basis points and minor units (lib/surcharges). Laws and network rules are not settings: the answer lists
// the ones that apply where the merchant trades, with their sources, so the merchant sees why a payer may pay none.
import { z } from 'zod';
import { merchantSurcharges, saveMerchantSurcharges } from '../../db/surcharges';
import { CURRENCIES, CURRENCY_EXPONENT, type Currency } from '../../lib/money';
import { CARD_BRANDS, DEFAULT_BANK_DEBIT_MAX_BASIS_POINTS, DEFAULT_CARD_MAX_BASIS_POINTS, JURISDICTION_RULES, type FeeRule, type SurchargeSettings } from '../../lib/surcharges';
import type { ApiDeps } from '../deps';
import { defineRoute } from '../routing';
import { plainText } from '../schemas';

/** The largest percentage a merchant may set (a fee or a maximum): 10 %. Laws and networks cap lower still. */
const MAX_PERCENT_BASIS_POINTS = 1_000;
const PATH = '/v1/merchant/settings/surcharges';

const percentText = z.string().regex(/^\d{1,2}(\.\d{1,2})?$/, 'must be a percentage such as "2.50" (at most two decimals)');
const feeAmountText = z.string().regex(/^\d{1,6}(\.\d+)?$/, 'must be an amount such as "0.30" (zero allowed)');
const feeBody = z.object({ percent: percentText.describe('Percentage of the amount paid, e.g. "1.50"'), fixed: feeAmountText.describe('Fixed fee in the settings\' currency, e.g. "0.30"') }).strict();

const toBasisPoints = (text: string): number => {
  const [whole, fraction = ''] = text.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
};
const percentOf = (bp: number): string => `${Math.floor(bp / 100)}.${String(bp % 100).padStart(2, '0')}`;
const toMinor = (text: string, currency: Currency): number | null => {
  const [whole, fraction = ''] = text.split('.');
  const exponent = CURRENCY_EXPONENT[currency];
  if (fraction.length > exponent) return null;
  return Number(whole) * 10 ** exponent + Number(fraction.padEnd(exponent, '0') || '0');
};
const amountOf = (minor: number, currency: string): string => {
  const exponent: number = CURRENCY_EXPONENT[currency as Currency] ?? 2;
  return exponent === 0 ? String(minor) : `${Math.floor(minor / 10 ** exponent)}.${String(minor % 10 ** exponent).padStart(exponent, '0')}`;
};

const settingsBody = z.object({
  enabled: z.boolean(),
  currency: z.enum(CURRENCIES).describe('The currency fixed fees are in; they apply only to payments in it'),
  merchantCountry: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code such as "AU"').describe('Where the merchant trades from: its laws apply to every payment'),
  merchantState: z.string().regex(/^[A-Z]{2}$/, 'must be a two-letter state code such as "NY"').nullable().default(null).describe('US state, for state surcharge laws'),
  cards: z.partialRecord(z.enum(CARD_BRANDS), feeBody).default({}).describe('Fee per card brand; a brand not listed is not surcharged'),
  bankDebit: feeBody.nullable().default(null).describe('Bank debit is never surcharged unless this is set'),
  maxPercent: z.object({ card: percentText.default(percentOf(DEFAULT_CARD_MAX_BASIS_POINTS)), bankDebit: percentText.default(percentOf(DEFAULT_BANK_DEBIT_MAX_BASIS_POINTS)) }).strict()
    .default({ card: percentOf(DEFAULT_CARD_MAX_BASIS_POINTS), bankDebit: percentOf(DEFAULT_BANK_DEBIT_MAX_BASIS_POINTS) }).describe('The most a surcharge may be (default 3 % on cards, 1 % on bank debit)'),
  exemptContactIds: z.array(plainText(100)).max(1_000).default([]).describe('Customers (accounting contact ids) never surcharged'),
  books: z.object({
    revenueAccountCode: plainText(64).describe('The revenue account the surcharge is posted to (Xero account code / QuickBooks income account id)'),
    taxCode: plainText(64).nullable().default(null).describe('Tax code of the surcharge line (Xero TaxType / QuickBooks TaxCode id); null: the account\'s default'),
  }).strict(),
  refundSurcharge: z.boolean().describe('A refund of a surcharged payment gives the surcharge back too (true) or keeps it (false)'),
}).strict().superRefine((b, ctx) => {
  const percents: Array<[string, string]> = [['maxPercent.card', b.maxPercent.card], ['maxPercent.bankDebit', b.maxPercent.bankDebit]];
  const fees: Array<[string, z.infer<typeof feeBody>]> = Object.entries(b.cards).map(([brand, fee]) => [`cards.${brand}`, fee!]);
  if (b.bankDebit) fees.push(['bankDebit', b.bankDebit]);
  for (const [path, fee] of fees) {
    percents.push([`${path}.percent`, fee.percent]);
    if (toMinor(fee.fixed, b.currency) === null) ctx.addIssue({ code: 'custom', path: [...path.split('.'), 'fixed'], message: `${b.currency} amounts have at most ${CURRENCY_EXPONENT[b.currency]} decimal places` });
  }
  for (const [path, text] of percents) {
    if (toBasisPoints(text) > MAX_PERCENT_BASIS_POINTS) ctx.addIssue({ code: 'custom', path: path.split('.'), message: `must be at most ${percentOf(MAX_PERCENT_BASIS_POINTS)} %` });
  }
  if (b.merchantState !== null && b.merchantCountry !== 'US') ctx.addIssue({ code: 'custom', path: ['merchantState'], message: 'a state is only taken for the US' });
});

const feeView = z.object({ percent: z.string(), fixed: z.string() });
const ruleView = z.object({ id: z.string(), status: z.string(), effect: z.string(), explanation: z.string(), from: z.string().nullable(), source: z.object({ title: z.string(), url: z.string(), asOf: z.string() }), note: z.string().nullable() });
const settingsView = z.object({
  configured: z.boolean(),
  enabled: z.boolean(),
  currency: z.string(),
  merchantCountry: z.string().nullable(),
  merchantState: z.string().nullable(),
  cards: z.record(z.string(), feeView),
  bankDebit: feeView.nullable(),
  maxPercent: z.object({ card: z.string(), bankDebit: z.string() }),
  exemptContactIds: z.array(z.string()),
  books: z.object({ revenueAccountCode: z.string().nullable(), taxCode: z.string().nullable() }),
  refundSurcharge: z.boolean(),
  updatedAt: z.string().nullable(),
  jurisdictionRules: z.array(ruleView).describe('The laws and card-network rules Settle applies where the merchant trades (payers elsewhere: theirs too)'),
});

const feeToView = (fee: FeeRule, currency: string) => ({ percent: percentOf(fee.percentBasisPoints), fixed: amountOf(fee.fixedMinor, currency) });
const rulesFor = (country: string | null) => JURISDICTION_RULES.filter((r) => country !== null && r.countries.includes(country)).map((r) => ({
  id: r.id, status: r.status, effect: r.effect.kind === 'cap' ? `cap ${percentOf(r.effect.basisPoints)} %` : r.effect.kind, explanation: r.explanation,
  from: r.from ?? null, source: { title: r.source.title, url: r.source.url, asOf: r.source.asOf }, note: r.note ?? null,
}));

export function surchargeRoutes(deps: ApiDeps) {
  const view = async (merchantId: string): Promise<z.infer<typeof settingsView>> => {
    const stored = await merchantSurcharges(deps.db, merchantId);
    if (!stored) {
      return { configured: false, enabled: false, currency: 'AUD', merchantCountry: null, merchantState: null, cards: {}, bankDebit: null,
        maxPercent: { card: percentOf(DEFAULT_CARD_MAX_BASIS_POINTS), bankDebit: percentOf(DEFAULT_BANK_DEBIT_MAX_BASIS_POINTS) }, exemptContactIds: [],
        books: { revenueAccountCode: null, taxCode: null }, refundSurcharge: true, updatedAt: null, jurisdictionRules: [] };
    }
    const { rules, books } = stored;
    return {
      configured: true, enabled: rules.enabled, currency: rules.currency, merchantCountry: rules.merchantPlace.country, merchantState: rules.merchantPlace.state ?? null,
      cards: Object.fromEntries(Object.entries(rules.cards).map(([brand, fee]) => [brand, feeToView(fee!, rules.currency)])),
      bankDebit: rules.bankDebit ? feeToView(rules.bankDebit, rules.currency) : null,
      maxPercent: { card: percentOf(rules.maxBasisPoints.card), bankDebit: percentOf(rules.maxBasisPoints.bankDebit) },
      exemptContactIds: rules.exemptContactIds, books, refundSurcharge: stored.refundSurcharge, updatedAt: stored.updatedAt?.toISOString() ?? null,
      jurisdictionRules: rulesFor(rules.merchantPlace.country),
    };
  };
  return [
    defineRoute({
      method: 'get', path: PATH, operationId: 'getSurchargeSettings', tag: 'merchant', auth: 'merchant', merchantRole: 'admin',
      summary: 'Card and bank-debit surcharges: fees, maximum, exempt customers, the books\' account and tax code, the refund rule, and the laws applied',
      responses: { 200: { description: 'The settings (configured: false and off when never set)', schema: settingsView } },
      handler: async ({ state }) => ({ status: 200, body: await view(state.merchant.id) }),
    }),
    defineRoute({
      method: 'put', path: PATH, operationId: 'putSurchargeSettings', tag: 'merchant', auth: 'merchant', merchantRole: 'admin',
      summary: 'Replace the surcharge settings whole; payers are never surcharged where a law or card-network rule forbids it, whatever is set',
      body: settingsBody,
      responses: { 200: { description: 'Saved', schema: settingsView } },
      handler: async ({ body, state }) => {
        const fee = (f: z.infer<typeof feeBody>): FeeRule => ({ percentBasisPoints: toBasisPoints(f.percent), fixedMinor: toMinor(f.fixed, body.currency)! });
        const rules: SurchargeSettings = {
          enabled: body.enabled,
          currency: body.currency,
          merchantPlace: { country: body.merchantCountry, ...(body.merchantState ? { state: body.merchantState } : {}) },
          cards: Object.fromEntries(Object.entries(body.cards).map(([brand, f]) => [brand, fee(f!)])),
          bankDebit: body.bankDebit ? fee(body.bankDebit) : null,
          maxBasisPoints: { card: toBasisPoints(body.maxPercent.card), bankDebit: toBasisPoints(body.maxPercent.bankDebit) },
          exemptContactIds: [...new Set(body.exemptContactIds)],
        };
        await saveMerchantSurcharges(deps.db, state.merchant.id, { rules, books: body.books, refundSurcharge: body.refundSurcharge });
        return { status: 200, body: await view(state.merchant.id) };
      },
    }),
  ];
}
