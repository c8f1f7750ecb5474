// The nightly BPAY upload on real Temporal (its Schedule, triggered here instead of waiting for 01:30) and Postgres,
// against the Xero emulator: customers matched to contacts or raised as actions, payments matched, split and
// prepaid, the 200-prepayment night, the 30-day limit that turns the upload off, and an unresolved customer
// catching up once the merchant chooses its contact.
import { randomBytes } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { bpayScheduleId } from '../../../lib/schedules/bpay-upload';
import type { BpayNightResult } from '../../../workflows/bpay/bpay-upload-workflow';
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
const ledger = () => world.xero.ledger();

/** A merchant connected to the world's Xero organisation (its own app grant), with its settings saved. */
async function bpayMerchant(timezone = 'Australia/Sydney') {
  const { merchantId, apiKey } = await createTestMerchant(world.stack, `BPAY MSP ${randomBytes(3).toString('hex')}`);
  const tokens = world.xero.emu.oauth.issue(world.xero.tenantId, `settle-${merchantId}`);
  await world.stack.accounting.connections.connect(merchantId, 'wise-pay', { platform: 'xero', tenantId: world.xero.tenantId, tokens });
  const api = httpClient(world.stack.api!.url, apiKey);
  expect((await api('PUT', '/v1/merchant/settings', { body: { timezone } })).status).toBe(200);
  return { merchantId, api };
}
type Api = Awaited<ReturnType<typeof bpayMerchant>>['api'];

async function contact(name: string, extra: { accountNumber?: string; email?: string } = {}) {
  return world.xero.platform.createContact({ name, ...extra }, `ct-${randomBytes(8).toString('hex')}`);
}
async function invoice(contactId: string, amountMinor: number, date: string) {
  return world.xero.platform.createInvoice({ contactId, date, dueDate: date, currency: 'AUD', status: 'authorised',
    lines: [{ description: 'Managed services', quantity: 1, unitAmountMinor: amountMinor, accountCode: '200', taxType: 'NONE' }] }, `inv-${randomBytes(8).toString('hex')}`);
}
let crnSeq = 1000;
async function customer(api: Api, body: Record<string, string>) {
  const res = await api('POST', '/v1/customers', { body: { customerReference: String(++crnSeq), ...body } });
  expect(res.status).toBe(201);
  return res.body as { id: string; customerReference: string };
}
async function bpay(api: Api, customerReference: string, amount: string, paidDate = today()) {
  const res = await api('POST', '/v1/bpay/payments', { body: { customerReference, amount, currency: 'AUD', paidDate } });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

/** Runs the merchant's night now, through its Schedule, and waits for it (recording its history when named). */
async function runNight(merchantId: string, history?: string): Promise<BpayNightResult> {
  const schedule = world.stack.client.schedule.getHandle(bpayScheduleId(merchantId));
  const before = (await schedule.describe()).info.recentActions.length;
  await schedule.trigger();
  let handle: WorkflowHandle | undefined;
  for (let i = 0; i < 200 && !handle; i++) {
    const actions = (await schedule.describe()).info.recentActions;
    if (actions.length > before) handle = world.stack.client.workflow.getHandle(actions[actions.length - 1].action.workflow.workflowId);
    else await new Promise((r) => setTimeout(r, 50));
  }
  if (!handle) throw new Error('the schedule started no upload');
  const result = await handle.result();
  if (history) await recordHistory(handle, history);
  return result;
}

const paymentOf = async (api: Api, id: string) => (await api('GET', `/v1/bpay/payments/${id}`)).body;

describe('the schedule', () => {
  it('is created in the merchant\'s time zone, follows a change of it, and is paused while the upload is off', async () => {
    const { merchantId, api } = await bpayMerchant('Australia/Sydney');
    const schedule = world.stack.client.schedule.getHandle(bpayScheduleId(merchantId));
    const first = await schedule.describe();
    expect(first.spec.timezone).toBe('Australia/Sydney');
    expect(first.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 1, end: 1, step: 1 }], minute: [{ start: 30, end: 30, step: 1 }] });
    expect(first.state.paused).toBe(false);
    await api('PUT', '/v1/merchant/settings', { body: { timezone: 'Pacific/Auckland' } });
    expect((await schedule.describe()).spec.timezone).toBe('Pacific/Auckland');
    const bad = await api('PUT', '/v1/merchant/settings', { body: { timezone: 'Mars/Olympus' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].message).toMatch(/IANA time zone/);

    const admin = httpClient(world.stack.api!.url, world.stack.apiDeps.adminApiKey);
    await admin('PUT', `/v1/admin/merchants/${merchantId}/bpay-upload`, { body: { enabled: false } });
    expect((await schedule.describe()).state.paused).toBe(true);
    await admin('PUT', `/v1/admin/merchants/${merchantId}/bpay-upload`, { body: { enabled: true } });
    expect((await schedule.describe()).state.paused).toBe(false);
  });
});

describe('a night', () => {
  it('matches customers, applies payments (exact, oldest first, prepayment, never to a payment-plan invoice), and holds unmatched customers until resolved', async () => {
    const { merchantId, api } = await bpayMerchant();
    const tag = randomBytes(3).toString('hex');
    const byAccount = await contact(`Alpha ${tag}`, { accountNumber: `ACC-${tag}` });
    const byName = await contact(`Bravo ${tag}`);
    await contact(`Charlie One ${tag}`, { email: `shared-${tag}@example.com` });
    await contact(`Charlie Two ${tag}`, { email: `shared-${tag}@example.com` });
    const a1 = await invoice(byAccount.id, 10_000, '2026-10-01');
    const a2 = await invoice(byAccount.id, 25_000, '2026-10-05');
    const planned = await invoice(byAccount.id, 40_000, '2026-09-01');
    const b1 = await invoice(byName.id, 10_000, '2026-10-01');
    const b2 = await invoice(byName.id, 10_000, '2026-10-10');
    await api('PUT', `/v1/payment-plans/invoices/${planned.id}`);

    const alpha = await customer(api, { name: 'Alpha (as the MSP calls them)', accountNumber: `ACC-${tag}` });
    const bravo = await customer(api, { name: `Bravo ${tag}` });
    const charlie = await customer(api, { name: `Charlie ${tag}`, email: `shared-${tag}@example.com` });
    const nobody = await customer(api, { name: `Nobody ${tag}` });
    // Connected since March; payments are taken in paid-date order, so the 250.00 goes before the 400.00.
    await world.stack.db.updateTable('merchants').set({ accounting_start_date: '2026-03-01' }).where('id', '=', merchantId).execute();
    const exact = await bpay(api, alpha.customerReference, '250.00', '2026-11-02');
    const overpaid = await bpay(api, alpha.customerReference, '400.00', '2026-11-03');
    const split = await bpay(api, bravo.customerReference, '150.00', '2026-11-02');
    const held = await bpay(api, charlie.customerReference, '75.00', '2026-11-02');
    const lost = await bpay(api, nobody.customerReference, '20.00', '2026-11-02');
    const beforeStart = await bpay(api, bravo.customerReference, '10.00', '2026-01-02');

    const night = await runNight(merchantId, 'bpayUploadWorkflow');
    expect(night).toMatchObject({ disabled: false, customersMatched: 2, customersNeedingAction: 2, uploaded: 3, heldForCustomers: 2, beforeStart: 1 });
    // Exact amount: the 250.00 invoice, not the older 100.00 one.
    expect((await paymentOf(api, exact)).upload.applications.map((a: { invoiceId: string }) => a.invoiceId)).toEqual([a2.id]);
    // Oldest first, then the rest as a prepayment; never the payment-plan invoice.
    const over = await paymentOf(api, overpaid);
    expect(over.upload.applications.map((a: { invoiceId: string; amountMinor: number }) => [a.invoiceId, a.amountMinor])).toEqual([[a1.id, 10_000]]);
    expect(over.upload.prepayment.amountMinor).toBe(30_000);
    expect([...ledger().bankTransactions.values()].filter((t) => t.contactId === byAccount.id && t.type === 'RECEIVE-PREPAYMENT').map((t) => t.totalCents)).toEqual([30_000]);
    expect(ledger().amountDue(ledger().invoices.get(planned.id)!)).toBe(40_000);
    expect((await paymentOf(api, split)).upload.applications.map((a: { invoiceId: string; amountMinor: number }) => [a.invoiceId, a.amountMinor])).toEqual([[b1.id, 10_000], [b2.id, 5_000]]);
    expect(ledger().paymentsOf(b2.id).map((p) => p.amountCents)).toEqual([5_000]);
    expect((await paymentOf(api, beforeStart)).status).toBe('before-start');
    expect((await paymentOf(api, held)).status).toBe('pending');
    expect((await paymentOf(api, lost)).status).toBe('pending');
    expect((await api('GET', `/v1/customers/${alpha.id}`)).body).toMatchObject({ matchStatus: 'matched', contactId: byAccount.id, contactUrl: expect.stringContaining(byAccount.id), lastSyncedAt: expect.any(String) });
    const actions = JSON.stringify((await api('GET', '/v1/actions')).body);
    expect(actions).toContain(`matches 2 contacts by email`);
    expect(actions).toContain('matches no contact');
    const log = (await api('GET', '/v1/activity-log')).body.entries;
    expect(log.filter((e: { kind: string }) => e.kind === 'bpay-uploaded')).toHaveLength(3);

    // The merchant chooses Charlie's contact: the next night catches up; nothing is posted twice.
    const chosen = await contact(`Charlie Chosen ${tag}`);
    await api('PUT', `/v1/customers/${charlie.id}/contact`, { body: { contactId: chosen.id } });
    expect(JSON.stringify((await api('GET', '/v1/actions')).body)).not.toContain('matches 2 contacts');
    const next = await runNight(merchantId);
    expect(next).toMatchObject({ uploaded: 1, heldForCustomers: 1 });
    expect((await paymentOf(api, held)).upload.prepayment.amountMinor).toBe(7_500);
    expect(ledger().paymentsOf(a1.id)).toHaveLength(1);
  });

  it('uploads at most 200 prepayments a night; the rest follow the next night in paid-date order', async () => {
    const { merchantId, api } = await bpayMerchant();
    const who = await contact(`Prepaid ${randomBytes(3).toString('hex')}`);
    const c = await customer(api, { name: 'Prepaid customer' });
    await api('PUT', `/v1/customers/${c.id}/contact`, { body: { contactId: who.id } });
    // Connected since March: paid one a day from then on, so paid-date order is the order they were made.
    await world.stack.db.updateTable('merchants').set({ accounting_start_date: '2026-03-01' }).where('id', '=', merchantId).execute();
    const ids = [];
    for (let i = 0; i < 203; i++) ids.push(await bpay(api, c.customerReference, `${i + 1}.00`, new Date(Date.UTC(2026, 2, 1 + i)).toISOString().slice(0, 10)));
    const first = await runNight(merchantId);
    expect(first).toMatchObject({ uploaded: 200, deferred: 3 });
    const statuses = (await Promise.all(ids.map((id) => paymentOf(api, id)))).map((p) => p.status);
    expect(statuses.slice(0, 200).every((s) => s === 'uploaded')).toBe(true);
    expect(statuses.slice(200)).toEqual(['pending', 'pending', 'pending']);
    const messages = (await api('GET', '/v1/messages')).body.messages as Array<{ kind: string; text: string }>;
    expect(messages).toEqual([expect.objectContaining({ kind: 'bpay-prepayment-limit-reached', text: expect.stringMatching(/200 prepayments: 3 BPAY payments wait/) })]);
    const second = await runNight(merchantId);
    expect(second).toMatchObject({ uploaded: 3, deferred: 0 });
    expect([...ledger().bankTransactions.values()].filter((t) => t.contactId === who.id)).toHaveLength(203);
  }, 120_000);

  it('turns the upload off past 4,000 payments in 30 days, says why, pauses the schedule; an admin turns it on again', async () => {
    const { merchantId, api } = await bpayMerchant();
    const who = await contact(`Busy ${randomBytes(3).toString('hex')}`);
    const c = await customer(api, { name: 'Busy customer' });
    await api('PUT', `/v1/customers/${c.id}/contact`, { body: { contactId: who.id } });
    // 3,995 already uploaded this month (as earlier nights left them).
    await world.stack.db.insertInto('bpay_payments').values(Array.from({ length: 3_995 }, (_, i) => ({
      id: `bp_past_${merchantId}_${i}`, merchant_id: merchantId, customer_reference: c.customerReference, amount_minor: 100, currency: 'AUD',
      paid_date: today(), dedupe_key: `past:${i}`, status: 'uploaded' as const, uploaded_at: new Date(),
    }))).execute();
    const waiting = [];
    for (let i = 0; i < 6; i++) waiting.push(await bpay(api, c.customerReference, '10.00'));
    const night = await runNight(merchantId);
    expect(night).toMatchObject({ disabled: true, uploaded: 0 });
    expect((await paymentOf(api, waiting[0])).status).toBe('pending');
    expect((await api('GET', '/v1/messages')).body.messages[0]).toMatchObject({ kind: 'bpay-upload-disabled', text: expect.stringContaining('4000') });
    expect((await world.stack.client.schedule.getHandle(bpayScheduleId(merchantId)).describe()).state.paused).toBe(true);

    const admin = httpClient(world.stack.api!.url, world.stack.apiDeps.adminApiKey);
    expect((await admin('PUT', `/v1/admin/merchants/${merchantId}/bpay-upload`, { body: { enabled: true } })).status).toBe(200);
    expect((await world.stack.client.schedule.getHandle(bpayScheduleId(merchantId)).describe()).state.paused).toBe(false);
  });
});

describe('importing the bank file', () => {
  it('records every good row, reports every bad row with its line, and shows its progress', async () => {
    const { merchantId, api } = await bpayMerchant();
    const csv = ['customer_reference,amount,paid_date', '1234567,100.00,2026-11-01', 'abc,5.00,2026-11-01', '7654321,12.345,2026-11-02', '', '5555555,7.50,02/11/2026', '9999999,1.00,2999-01-01'].join('\n');
    const started = await api('POST', '/v1/bpay/imports', { body: { currency: 'AUD', csv } });
    expect(started.status).toBe(202);
    const report = await eventually('the import is done', async () => (await api('GET', `/v1/bpay/imports/${started.body.id}`)).body, (r) => r.status === 'done');
    expect(report).toMatchObject({ status: 'done', rowsAccepted: 2, linesDone: report.linesTotal });
    const importRun = world.stack.client.workflow.getHandle(`bpay-import/${merchantId}/${started.body.id}`);
    await importRun.result();
    await recordHistory(importRun, 'bpayImportWorkflow');
    expect(report.errors.map((e: { line: number }) => e.line)).toEqual([3, 4, 7]);
    const rows = await world.stack.db.selectFrom('bpay_payments').select(['customer_reference', 'amount_minor', 'paid_date']).where('import_id', '=', started.body.id).orderBy('customer_reference').execute();
    expect(rows).toEqual([{ customer_reference: '1234567', amount_minor: 10_000, paid_date: '2026-11-01' }, { customer_reference: '5555555', amount_minor: 750, paid_date: '2026-11-02' }]);
  });
});
