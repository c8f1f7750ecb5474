// Settle's fee invoices uploaded to a merchant's QuickBooks Online on real Temporal and Postgres (QBO emulated at
// HTTP level): bills against a "Settle" vendor on the expense accounts the merchant chose (by account Id), credits
// as vendor credits that stay open and are applied to the next bills through zero bill payments, and an account
// QBO refuses retried once the merchant fixes it. Each merchant has its own QBO company (realm).
import { randomBytes } from 'node:crypto';
import { eventually } from '../../support/eventually';
import { httpClient } from '../../support/http';
import { createTestMerchant } from '../../support/merchants';
import { startQuickBooks, type QuickBooksFixture } from '../../support/quickbooks';
import { startTestStack, type TestStack } from '../../support/stack';

let qb: QuickBooksFixture;
let stack: TestStack;
beforeAll(async () => {
  qb = await startQuickBooks();
  const endpoint = { apiBase: qb.emu.endpoint, tokenUrl: qb.emu.tokenUrl, clientId: 'settle', clientSecret: 'secret' };
  stack = await startTestStack({ endpoints: { xero: endpoint, quickbooks: endpoint } });
});
afterAll(async () => {
  await stack.close();
  await qb.close();
});

const today = () => new Date().toISOString().slice(0, 10);
const admin = () => httpClient(stack.api!.url, stack.apiDeps.adminApiKey);
// The emulated chart's expense accounts: 8 Bank Charges, 57 Merchant Fees, 69 Dues & Subscriptions.
const MERCHANT_FEES = '57';
const SUBSCRIPTIONS = '69';

async function connectedMerchant() {
  const { merchantId, apiKey } = await createTestMerchant(stack, `Fees QBO MSP ${randomBytes(3).toString('hex')}`);
  const { realmId, tokens } = qb.emu.createRealm(`Books of ${merchantId}`, { homeCurrency: 'AUD' });
  await stack.accounting.connections.connect(merchantId, 'wise-pay', { platform: 'quickbooks', tenantId: realmId, tokens });
  return { merchantId, api: httpClient(stack.api!.url, apiKey), realm: () => qb.emu.state.realm(realmId) };
}

let seq = 0;
async function issue(merchantId: string, kind: 'invoice' | 'credit', lines: Array<[string, string]>) {
  const number = `${kind === 'invoice' ? 'SI' : 'SC'}-${randomBytes(3).toString('hex')}-${++seq}`;
  const res = await admin()('POST', `/v1/admin/merchants/${merchantId}/fee-documents`, { body: {
    number, kind, issuedOn: today(), currency: 'AUD', lines: lines.map(([feeType, amount]) => ({ feeType, description: `${feeType} fees`, amount })) } });
  expect(res.status).toBe(201);
  return res.body as { id: string; number: string };
}

type Api = ReturnType<typeof httpClient>;
const documentOf = async (api: Api, id: string) => ((await api('GET', '/v1/merchant/fee-documents')).body.documents as any[]).find((d) => d.id === id);
const settled = (api: Api, id: string, status = 'uploaded') =>
  eventually(`fee document ${id} is ${status}`, () => documentOf(api, id), (d) => d?.uploadStatus === status);

it('waits for the fee accounts, then uploads bills against one Settle vendor on those accounts', async () => {
  const { merchantId, api, realm } = await connectedMerchant();
  const doc = await issue(merchantId, 'invoice', [['transaction', '12.50'], ['subscription', '49.00']]);
  await settled(api, doc.id, 'waiting-for-accounts');
  expect((await api('GET', '/v1/actions')).body.actions.some((a: { kind: string }) => a.kind === 'choose-fee-accounts')).toBe(true);

  expect((await api('PUT', '/v1/merchant/fee-accounts', { body: { accounts: { transaction: MERCHANT_FEES, subscription: SUBSCRIPTIONS } } })).status).toBe(200);
  const uploaded = await settled(api, doc.id);
  expect(uploaded).toMatchObject({ total: '61.50', amountDue: '61.50', accountingUrl: `https://app.qbo.intuit.com/app/bill?txnId=${uploaded.accountingId}` });
  const bill = realm().bills.get(uploaded.accountingId)!;
  expect(bill).toMatchObject({ docNumber: doc.number, privateNote: `Settle ${doc.number}`, currency: 'AUD', totalCents: 6150, balanceCents: 6150 });
  expect(bill.lines.map((l) => [l.accountId, l.amountCents])).toEqual([[MERCHANT_FEES, 1250], [SUBSCRIPTIONS, 4900]]);
  expect(realm().vendors.get(bill.vendorId)!.displayName).toBe('Settle');
  expect(realm().customers.size).toBe(0); // Settle is the merchant's supplier, never its customer

  // One Settle vendor per company, however many documents follow.
  const second = await settled(api, (await issue(merchantId, 'invoice', [['transaction', '1.00']])).id);
  expect(realm().bills.get(second.accountingId)!.vendorId).toBe(bill.vendorId);
  expect(realm().vendors.size).toBe(1);
});

it('uploads a credit as an open vendor credit and applies it to the next two bills', async () => {
  const { merchantId, api, realm } = await connectedMerchant();
  await api('PUT', '/v1/merchant/fee-accounts', { body: { accounts: { transaction: MERCHANT_FEES, other: '8' } } });
  const credit = await settled(api, (await issue(merchantId, 'credit', [['other', '50.00']])).id);
  expect(credit).toMatchObject({ unapplied: '50.00', accountingUrl: `https://app.qbo.intuit.com/app/vendorcredit?txnId=${credit.accountingId}` });
  expect(realm().vendorCredits.get(credit.accountingId)).toMatchObject({ totalCents: 5000, balanceCents: 5000 });

  const first = await settled(api, (await issue(merchantId, 'invoice', [['transaction', '30.00']])).id);
  expect(first.amountDue).toBe('0.00');
  expect(realm().bills.get(first.accountingId)!.balanceCents).toBe(0);
  expect(realm().vendorCredits.get(credit.accountingId)!.balanceCents).toBe(2000);

  const second = await settled(api, (await issue(merchantId, 'invoice', [['transaction', '40.00']])).id);
  expect(second.amountDue).toBe('20.00');
  expect(await documentOf(api, credit.id)).toMatchObject({ unapplied: '0.00' });
  expect(realm().bills.get(second.accountingId)!.balanceCents).toBe(2000);
  expect(realm().vendorCredits.get(credit.accountingId)!.balanceCents).toBe(0);
  const applications = realm().billPaymentsLinking(credit.accountingId).map((p) => [p.totalCents, p.lines.map((l) => [l.txnType, l.txnId, l.amountCents])]);
  expect(applications).toEqual([
    [0, [['Bill', first.accountingId, 3000], ['VendorCredit', credit.accountingId, 3000]]],
    [0, [['Bill', second.accountingId, 2000], ['VendorCredit', credit.accountingId, 2000]]],
  ]);
  const log = (await api('GET', '/v1/activity-log')).body.entries as Array<{ kind: string }>;
  expect(log.filter((e) => e.kind === 'fee-credit-applied')).toHaveLength(2);
});

it('records an account QuickBooks refuses, raises an action, and uploads once the merchant fixes it', async () => {
  const { merchantId, api, realm } = await connectedMerchant();
  await api('PUT', '/v1/merchant/fee-accounts', { body: { accounts: { chargeback: '999' } } });
  const doc = await issue(merchantId, 'invoice', [['chargeback', '15.00']]);
  const failed = await settled(api, doc.id, 'failed');
  expect(failed.uploadReason).toMatch(/AccountRef.*999/);
  expect((await api('GET', '/v1/actions')).body.actions).toContainEqual(expect.objectContaining({ kind: 'fee-document-upload-failed', subject: doc.id }));
  expect(realm().bills.size).toBe(0);

  await api('PUT', '/v1/merchant/fee-accounts', { body: { accounts: { chargeback: MERCHANT_FEES } } });
  const uploaded = await settled(api, doc.id);
  expect(realm().bills.get(uploaded.accountingId)!.lines[0].accountId).toBe(MERCHANT_FEES);
});
