// The merchant's surcharge settings through the API: stored (migration 0025) as basis points and minor units, answered
// as the merchant wrote them, validated with problem+json field errors, admin-only, and each merchant its own.
// Real Postgres and the real API; no workers needed.
import { consoleUser } from '../../support/console';
import { httpClient } from '../../support/http';
import { createTestMerchant } from '../../support/merchants';
import { startTestStack, type TestStack } from '../../support/stack';
import { surchargeRulesOf } from '../../../db/surcharges';
import { computeSurcharge } from '../../../lib/surcharges';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ roles: [] });
});
afterAll(async () => {
  await stack?.close();
});

const PATH = '/v1/merchant/settings/surcharges';
const valid = {
  enabled: true,
  currency: 'AUD',
  merchantCountry: 'AU',
  cards: { visa: { percent: '1.20', fixed: '0.00' }, amex: { percent: '2.5', fixed: '0.30' } },
  bankDebit: null,
  exemptContactIds: ['contact-vip', 'contact-vip'],
  books: { revenueAccountCode: '270', taxCode: 'OUTPUT' },
  refundSurcharge: false,
};

it('is off until set; a PUT is stored and answered as written, with the laws that apply where the merchant trades', async () => {
  const { merchantId, apiKey } = await createTestMerchant(stack, 'Surcharge MSP');
  const api = httpClient(stack.api!.url, apiKey);
  const before = await api('GET', PATH);
  expect(before.status).toBe(200);
  expect(before.body).toMatchObject({ configured: false, enabled: false, cards: {}, bankDebit: null, maxPercent: { card: '3.00', bankDebit: '1.00' }, books: { revenueAccountCode: null } });

  const saved = await api('PUT', PATH, { body: valid });
  expect(saved.status).toBe(200);
  expect(saved.body).toMatchObject({
    configured: true, enabled: true, currency: 'AUD', merchantCountry: 'AU', merchantState: null,
    cards: { visa: { percent: '1.20', fixed: '0.00' }, amex: { percent: '2.50', fixed: '0.30' } }, bankDebit: null,
    maxPercent: { card: '3.00', bankDebit: '1.00' }, exemptContactIds: ['contact-vip'], books: { revenueAccountCode: '270', taxCode: 'OUTPUT' }, refundSurcharge: false,
  });
  const ruleIds = saved.body.jurisdictionRules.map((r: { id: string }) => r.id);
  expect(ruleIds).toEqual(['au-rba-cost-based', 'au-rba-2025-review-designated-networks']);
  expect(saved.body.jurisdictionRules[1]).toMatchObject({ status: 'under_review', from: '2026-07-01', source: { asOf: '2025-07-15' } });
  expect((await api('GET', PATH)).body).toEqual(saved.body);

  // What the payer pages compute with is what was stored: basis points and minor units.
  const rules = await surchargeRulesOf(stack.apiDeps.db, merchantId);
  expect(rules).toMatchObject({ enabled: true, cards: { visa: { percentBasisPoints: 120, fixedMinor: 0 }, amex: { percentBasisPoints: 250, fixedMinor: 30 } }, maxBasisPoints: { card: 300, bankDebit: 100 } });
  const amex = computeSurcharge({ settings: rules, amountMinor: 10_000, currency: 'AUD', instrument: { kind: 'card', brand: 'amex', funding: 'credit', country: 'AU' }, at: new Date('2026-12-07T00:00:00Z') });
  expect(amex.surchargeMinor).toBe(280);
  expect(computeSurcharge({ settings: rules, amountMinor: 10_000, currency: 'AUD', contactId: 'contact-vip', instrument: { kind: 'card', brand: 'amex', funding: 'credit', country: 'AU' }, at: new Date('2026-12-07T00:00:00Z') }).surchargeMinor).toBe(0);

  // Turning it off keeps the rest.
  const off = await api('PUT', PATH, { body: { ...valid, enabled: false } });
  expect(off.body).toMatchObject({ enabled: false, books: { revenueAccountCode: '270' } });
  // Another merchant sees only its own.
  const other = await createTestMerchant(stack, 'Other MSP');
  expect((await httpClient(stack.api!.url, other.apiKey)('GET', PATH)).body.configured).toBe(false);
});

it('refuses bad settings with problem+json naming each field, and changes nothing', async () => {
  const { apiKey } = await createTestMerchant(stack, 'Careless MSP');
  const api = httpClient(stack.api!.url, apiKey);
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ ...valid, cards: { visa: { percent: '12.00', fixed: '0' } } }, 'cards.visa.percent'],
    [{ ...valid, cards: { visa: { percent: '1.234', fixed: '0' } } }, 'cards.visa.percent'],
    [{ ...valid, cards: { visa: { percent: '1', fixed: '0.305' } } }, 'cards.visa.fixed'],
    [{ ...valid, cards: { bitcoin: { percent: '1', fixed: '0' } } }, 'cards'],
    [{ ...valid, maxPercent: { card: '11', bankDebit: '1' } }, 'maxPercent.card'],
    [{ ...valid, merchantState: 'CT' }, 'merchantState'],
    [{ ...valid, merchantCountry: 'Australia' }, 'merchantCountry'],
    [{ ...valid, currency: 'JPY' }, 'currency'],
    [{ ...valid, books: { taxCode: 'OUTPUT' } }, 'books.revenueAccountCode'],
    [{ ...valid, refundSurcharge: undefined }, 'refundSurcharge'],
  ];
  for (const [body, field] of cases) {
    const res = await api('PUT', PATH, { body });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.type).toBe('/problems/validation-error');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(field);
  }
  expect((await api('GET', PATH)).body.configured).toBe(false);
});

it('is for merchant admins only: a billing user gets 403 on both', async () => {
  const { merchantId } = await createTestMerchant(stack, 'Staffed MSP');
  const admin = await consoleUser(stack, merchantId, { email: 'ada@surcharge-msp.example', role: 'admin' });
  const billing = await consoleUser(stack, merchantId, { email: 'bill@surcharge-msp.example', role: 'billing', invitedBy: admin });
  expect((await admin.request('PUT', PATH, { body: valid })).status).toBe(200);
  expect((await billing.request('GET', PATH)).status).toBe(403);
  expect((await billing.request('PUT', PATH, { body: { ...valid, enabled: false } })).status).toBe(403);
  expect((await admin.request('GET', PATH)).body.enabled).toBe(true);
});
