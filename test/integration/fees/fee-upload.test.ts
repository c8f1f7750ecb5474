// Settle's fee invoices uploaded to a merchant's Xero on real Temporal and Postgres: bills against the "Settle"
// contact on the accounts the merchant chose per fee type (waiting, with an action, until it has), credits that
// stay open and apply themselves to the next invoices, nothing from before the start date, a refused account
// retried after the merchant fixes it, and the same number never uploaded twice.
import { randomBytes } from 'node:crypto';
import { feeUploadStateQuery, feeUploadWorkflowId } from '../../../workflows/fees/definitions';
import { eventually } from '../../support/eventually';
import { recordHistory } from '../../support/histories';
import { httpClient } from '../../support/http';
import { createTestMerchant } from '../../support/merchants';
import { startQuoteWorld, type QuoteWorld } from '../../support/quotes';

let world: QuoteWorld;
beforeAll(async () => {
  world = await startQuoteWorld();
});
afterAll(() => world.close());

const today = () => new Date().toISOString().slice(0, 10);
const admin = () => httpClient(world.stack.api!.url, world.stack.apiDeps.adminApiKey);

async function connectedMerchant() {
  const { merchantId, apiKey } = await createTestMerchant(world.stack, `Fees MSP ${randomBytes(3).toString('hex')}`);
  const tokens = world.xero.emu.oauth.issue(world.xero.tenantId, `settle-${merchantId}`);
  await world.stack.accounting.connections.connect(merchantId, 'wise-pay', { platform: 'xero', tenantId: world.xero.tenantId, tokens });
  return { merchantId, api: httpClient(world.stack.api!.url, apiKey) };
}

let seq = 0;
async function issue(merchantId: string, kind: 'invoice' | 'credit', lines: Array<[string, string]>, over: Record<string, unknown> = {}) {
  const number = `${kind === 'invoice' ? 'SI' : 'SC'}-${randomBytes(3).toString('hex')}-${++seq}`;
  const res = await admin()('POST', `/v1/admin/merchants/${merchantId}/fee-documents`, { body: {
    number, kind, issuedOn: today(), currency: 'AUD', lines: lines.map(([feeType, amount]) => ({ feeType, description: `${feeType} fees`, amount })), ...over } });
  expect(res.status).toBe(201);
  return res.body as { id: string; number: string };
}

type Api = ReturnType<typeof httpClient>;
const documentOf = async (api: Api, id: string) => ((await api('GET', '/v1/merchant/fee-documents')).body.documents as any[]).find((d) => d.id === id);
const settled = (api: Api, id: string, status = 'uploaded') =>
  eventually(`fee document ${id} is ${status}`, () => documentOf(api, id), (d) => d?.uploadStatus === status);
const xeroInvoice = (id: string) => world.xero.ledger().invoices.get(id)!;
const xeroCredit = (id: string) => world.xero.ledger().creditNotes.get(id)!;

it('waits for the fee accounts with an action, then uploads a bill against the Settle contact on those accounts', async () => {
  const { merchantId, api } = await connectedMerchant();
  const doc = await issue(merchantId, 'invoice', [['transaction', '12.50'], ['subscription', '49.00']]);
  const waiting = await settled(api, doc.id, 'waiting-for-accounts');
  expect(waiting.uploadReason).toMatch(/subscription|transaction/);
  const actions = (await api('GET', '/v1/actions')).body.actions as Array<{ kind: string; detail: string }>;
  expect(actions.find((a) => a.kind === 'choose-fee-accounts')?.detail).toMatch(/transaction, subscription/);

  expect((await api('PUT', '/v1/merchant/fee-accounts', { body: { accounts: { transaction: '404', subscription: '429' } } })).status).toBe(200);
  const uploaded = await settled(api, doc.id);
  expect(uploaded).toMatchObject({ total: '61.50', amountDue: '61.50', accountingUrl: expect.stringContaining(uploaded.accountingId) });
  const bill = xeroInvoice(uploaded.accountingId);
  expect(bill).toMatchObject({ type: 'ACCPAY', status: 'AUTHORISED', number: doc.number });
  expect(world.xero.ledger().contacts.get(bill.contactId)!.name).toBe('Settle');
  expect(bill.lines.map((l: { accountCode?: string }) => l.accountCode)).toEqual(['404', '429']);
  expect((await api('GET', '/v1/actions')).body.actions.some((a: { kind: string }) => a.kind === 'choose-fee-accounts')).toBe(false);

  // One Settle contact per organisation, however many documents follow.
  const second = await issue(merchantId, 'invoice', [['transaction', '1.00']]);
  const again = await settled(api, second.id);
  expect(xeroInvoice(again.accountingId).contactId).toBe(bill.contactId);

  // Re-issuing the same number changes nothing; other details under it are refused.
  const replay = await admin()('POST', `/v1/admin/merchants/${merchantId}/fee-documents`, { body: {
    number: second.number, kind: 'invoice', issuedOn: today(), currency: 'AUD', lines: [{ feeType: 'transaction', description: 'transaction fees', amount: '1.00' }] } });
  expect(replay).toMatchObject({ status: 200, body: { id: second.id } });
  const clash = await admin()('POST', `/v1/admin/merchants/${merchantId}/fee-documents`, { body: {
    number: second.number, kind: 'invoice', issuedOn: today(), currency: 'AUD', lines: [{ feeType: 'transaction', description: 'transaction fees', amount: '2.00' }] } });
  expect(clash.status).toBe(409);
  const bills = [...world.xero.ledger().invoices.values()].filter((i) => i.number === second.number);
  expect(bills).toHaveLength(1);

  const handle = world.stack.client.workflow.getHandle(feeUploadWorkflowId(merchantId));
  expect(await handle.query(feeUploadStateQuery)).toMatchObject({ handled: 2, waitingForAccounts: false });
  await handle.terminate('test done: record its history');
  await recordHistory(handle, 'feeUploadWorkflow');
});

it('uploads a credit unapplied and applies it to the next invoices until it is used up', async () => {
  const { merchantId, api } = await connectedMerchant();
  await api('PUT', '/v1/merchant/fee-accounts', { body: { accounts: { transaction: '404', other: '429' } } });
  const credit = await settled(api, (await issue(merchantId, 'credit', [['other', '50.00']])).id);
  expect(credit).toMatchObject({ unapplied: '50.00' });
  expect(xeroCredit(credit.accountingId)).toMatchObject({ type: 'ACCPAYCREDIT', status: 'AUTHORISED' });

  const first = await settled(api, (await issue(merchantId, 'invoice', [['transaction', '30.00']])).id);
  expect(first.amountDue).toBe('0.00');
  expect(xeroInvoice(first.accountingId).status).toBe('PAID');
  expect(await documentOf(api, credit.id)).toMatchObject({ unapplied: '20.00' });

  const second = await settled(api, (await issue(merchantId, 'invoice', [['transaction', '40.00']])).id);
  expect(second.amountDue).toBe('20.00');
  expect(await documentOf(api, credit.id)).toMatchObject({ unapplied: '0.00' });
  const allocations = world.xero.ledger().allocationsOf(credit.accountingId, 'creditNote').filter((a) => !a.deleted);
  expect(allocations.map((a) => [a.invoiceId, a.amountCents])).toEqual([[first.accountingId, 3_000], [second.accountingId, 2_000]]);
  expect(xeroCredit(credit.accountingId).status).toBe('PAID');
  const log = (await api('GET', '/v1/activity-log')).body.entries as Array<{ kind: string }>;
  expect(log.filter((e) => e.kind === 'fee-credit-applied')).toHaveLength(2);
});

it('skips documents issued before the accounting start date', async () => {
  const { merchantId, api } = await connectedMerchant();
  await api('PUT', '/v1/merchant/fee-accounts', { body: { accounts: { transaction: '404' } } });
  const before = world.xero.ledger().invoices.size;
  const old = await issue(merchantId, 'invoice', [['transaction', '5.00']], { issuedOn: '2020-01-31' });
  const skipped = await settled(api, old.id, 'skipped');
  expect(skipped.uploadReason).toMatch(/before the accounting start date/);
  expect(world.xero.ledger().invoices.size).toBe(before);
});

it('records an account the platform refuses, raises an action, and uploads once the merchant fixes it', async () => {
  const { merchantId, api } = await connectedMerchant();
  await api('PUT', '/v1/merchant/fee-accounts', { body: { accounts: { chargeback: '999' } } });
  const doc = await issue(merchantId, 'invoice', [['chargeback', '15.00']]);
  const failed = await settled(api, doc.id, 'failed');
  expect(failed.uploadReason).toMatch(/999/);
  expect((await api('GET', '/v1/actions')).body.actions).toContainEqual(expect.objectContaining({ kind: 'fee-document-upload-failed', subject: doc.id }));
  await api('PUT', '/v1/merchant/fee-accounts', { body: { accounts: { chargeback: '404' } } });
  const uploaded = await settled(api, doc.id);
  expect(xeroInvoice(uploaded.accountingId).lines[0].accountCode).toBe('404');
});

it('refuses bad documents with a reason and another merchant\'s id with a 404', async () => {
  const { merchantId } = await connectedMerchant();
  const bad = await admin()('POST', `/v1/admin/merchants/${merchantId}/fee-documents`, { body: { number: 'X', kind: 'invoice', issuedOn: today(), currency: 'AUD', lines: [{ feeType: 'parking', description: 'x', amount: '1.00' }] } });
  expect(bad.status).toBe(400);
  const none = await admin()('POST', `/v1/admin/merchants/mer_${'0'.repeat(24)}/fee-documents`, { body: { number: 'X', kind: 'invoice', issuedOn: today(), currency: 'AUD', lines: [{ feeType: 'other', description: 'x', amount: '1.00' }] } });
  expect(none.status).toBe(404);
});
