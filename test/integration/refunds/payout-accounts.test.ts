// The accounts a merchant's Stripe money moves through, per merchant, against the real stack and the Xero emulator's
// chart of accounts (GET Accounts): GET shows the organisation's defaults when nothing is chosen; PUT checks a choice
// against the chart (422 problem+json for an account that does not exist or cannot serve its role, nothing changed);
// a chosen clearing account is where the next card payment is received and its refund paid from.
import { randomBytes } from 'node:crypto';
import { eventually } from '../../support/eventually';
import { recordHistory } from '../../support/histories';
import { setUpQuoteMerchant, startQuoteWorld, type QuoteMerchant, type QuoteWorld } from '../../support/quotes';
import { payInvoiceByCard, xeroBooks } from '../../support/refunds';
import { refundWorkflowId } from '../../../workflows/refunds/definitions';

let world: QuoteWorld;
let m: QuoteMerchant;

beforeAll(async () => {
  world = await startQuoteWorld();
  m = await setUpQuoteMerchant(world);
});
afterAll(() => world.close());

const PATH = '/v1/integrations/stripe/payout-accounts';

it("shows the organisation's defaults, read from its chart of accounts, until the merchant chooses", async () => {
  const got = await m.merchant('GET', PATH);
  expect(got.status).toBe(200);
  expect(got.body).toEqual({
    platform: 'xero',
    clearing: { id: '090', name: 'Business Bank Account', type: 'BANK', source: 'default' },
    bank: { id: '091', name: 'Business Savings Account', type: 'BANK', source: 'default' },
    fees: { id: '404', name: 'Bank Fees', type: 'EXPENSE', source: 'default' },
  });
  expect(world.xero.emu.requests.some((r) => r.method === 'GET' && r.path.endsWith('/Accounts'))).toBe(true);
  const listed = async () => {
    const ids: string[] = [];
    for await (const run of world.stack.client.workflow.list({ query: `WorkflowType = 'chartOfAccountsWorkflow'` })) ids.push(run.workflowId);
    return ids;
  };
  const [runId] = await eventually('the chart workflow listed', listed, (ids) => ids.length > 0);
  await recordHistory(world.stack.client.workflow.getHandle(runId), 'chartOfAccountsWorkflow');
});

it('refuses an account that does not exist or cannot serve its role (422 problem+json), changing nothing', async () => {
  const missing = await m.merchant('PUT', PATH, { body: { fees: '999' } });
  expect(missing.status).toBe(422);
  expect(missing.headers.get('content-type')).toMatch(/application\/problem\+json/);
  expect(missing.body).toMatchObject({ type: '/problems/payout-account-invalid', problems: [{ role: 'fees', id: '999', problem: 'not-found' }] });
  const wrongType = await m.merchant('PUT', PATH, { body: { clearing: '820', fees: '200' } });
  expect(wrongType.status).toBe(422);
  expect(wrongType.body.problems).toEqual([
    expect.objectContaining({ role: 'clearing', id: '820', problem: 'wrong-type' }),
    expect.objectContaining({ role: 'fees', id: '200', problem: 'wrong-type' }),
  ]);
  const same = await m.merchant('PUT', PATH, { body: { clearing: '091', bank: '091' } });
  expect(same.body).toMatchObject({ type: '/problems/payout-account-invalid', problems: [expect.objectContaining({ problem: 'same-as-clearing' })] });
  expect((await m.merchant('GET', PATH)).body.clearing).toMatchObject({ id: '090', source: 'default' });
  // Another merchant's settings are its own.
  const other = await setUpQuoteMerchant(world);
  expect((await other.merchant('GET', PATH)).body.fees).toMatchObject({ id: '404', source: 'default' });
});

it("receives card payments into the chosen clearing account and pays refunds from it; null goes back to the default", async () => {
  const set = await m.merchant('PUT', PATH, { body: { clearing: '091', bank: '090', fees: '429' } });
  expect(set.status).toBe(200);
  expect(set.body).toMatchObject({ clearing: { id: '091', source: 'setting' }, bank: { id: '090', source: 'setting' }, fees: { id: '429', name: 'General Expenses', source: 'setting' } });

  const paid = await payInvoiceByCard(xeroBooks(world), m, 7_000);
  expect(world.xero.ledger().paymentsOf(paid.invoiceId).map((p) => p.accountCode)).toEqual(['091']);
  const asked = await m.merchant('POST', `/v1/payments/${paid.paymentId}/refunds`, { body: {}, headers: { 'Idempotency-Key': `acc-${randomBytes(4).toString('hex')}` } });
  expect(await world.stack.client.workflow.getHandle(refundWorkflowId(m.merchantId, asked.body.id)).result()).toMatchObject({ status: 'reversed' });
  const refundPayment = [...world.xero.ledger().payments.values()].find((p) => p.creditNoteId && [...world.xero.ledger().creditNotes.values()].some((n) => n.id === p.creditNoteId && n.contactId === paid.payer.contactId));
  expect(refundPayment).toMatchObject({ amountCents: 7_000, accountCode: '091' });

  const reset = await m.merchant('PUT', PATH, { body: { clearing: null, bank: null } });
  expect(reset.body).toMatchObject({ clearing: { id: '090', source: 'default' }, bank: { id: '091', source: 'default' }, fees: { id: '429', source: 'setting' } });
});
