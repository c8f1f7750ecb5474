// Reminder emails over 30 days of schedules on the time-skipping server, against the Xero emulator and real Postgres:
// the daily run starts one reminder workflow per outstanding invoice, each step goes out at 9:00 (UTC merchant) with
// the Pay Now and opt-out links; an invoice paid by hand in the books on day 5 gets no later reminder; a payer who
// opted out gets none (reminder-opt-out.test.ts); a worker stopped mid-schedule sends no step twice (reminder-restart.test.ts).
import { randomBytes } from 'node:crypto';
import { type TestWorkflowEnvironment } from '@temporalio/testing';
import { listOutboxEmails } from '../../../db/outbox';
import { registerPayer } from '../../../db/payers';
import { taskQueueName } from '../../../lib/task-queues';
import { Worker } from '@temporalio/worker';
import { settleDataConverter } from '../../../lib/temporal/payload-codec';
import { testServers } from '../../support/servers';
import { saveInvoiceCopies } from '../../../activities/accounting-data/invoice-copies';
import { invoiceReminderWorkflowId } from '../../../workflows/reminders/definitions';
import { invoiceReminderWorkflow } from '../../../workflows/reminders/invoice-reminder-workflow';
import { reminderRunWorkflow } from '../../../workflows/reminders/reminder-run-workflow';
import { createTestMerchant } from '../../support/merchants';
import { httpClient } from '../../support/http';
import { recordHistory } from '../../support/histories';
import { startQuoteWorld, type QuoteWorld } from '../../support/quotes';
import { resultWithin, startTimeSkippingServer, type TimeSkippingServer } from '../../support/time-skipping';

/**
 * The workflows and service workers on the time-skipping server, without a workflow cache: a worker that stops leaves
 * no sticky queue behind (the test server would hold a task for it and stop time for good).
 */
async function startWorkersWithoutCache(): Promise<{ shutdown(): Promise<void> }> {
  const common = { connection: env.nativeConnection, namespace: 'default', dataConverter: settleDataConverter(world.stack.apiDeps.keyring), maxCachedWorkflows: 0 };
  const started = [
    await Worker.create({ ...common, taskQueue: taskQueueName(prefix(), 'workflows'), workflowBundle: { codePath: testServers().workflowBundlePath } }),
    await Worker.create({ ...common, taskQueue: taskQueueName(prefix(), 'service'), activities: world.stack.activities }),
  ];
  const done = Promise.all(started.map((w) => w.run()));
  return { async shutdown() {
    for (const w of started) if (w.getState() === 'RUNNING') w.shutdown();
    await done;
  } };
}

const DAY_MS = 86_400_000;
// Each test skips 30 days or more; a stopped worker's shutdown and restart take most of the real time on two busy cores.
jest.setTimeout(360_000);
let world: QuoteWorld;
let server: TimeSkippingServer;
let env: TestWorkflowEnvironment;
let workers: { shutdown(): Promise<void> };
let merchantId: string;
let merchant: ReturnType<typeof httpClient>;
const prefix = () => `${world.stack.taskQueuePrefix}-ts`;

beforeAll(async () => {
  world = await startQuoteWorld();
  server = await startTimeSkippingServer(world.stack.apiDeps.keyring);
  env = server.env;
  workers = await startWorkersWithoutCache();
  const created = await createTestMerchant(world.stack, `Reminder MSP ${randomBytes(3).toString('hex')}`);
  merchantId = created.merchantId;
  merchant = httpClient(world.stack.api!.url, created.apiKey);
  const tokens = world.xero.emu.oauth.issue(world.xero.tenantId, `settle-${merchantId}`);
  await world.stack.accounting.connections.connect(merchantId, 'wise-pay', { platform: 'xero', tenantId: world.xero.tenantId, tokens });
  // Turned on before any invoice is in Settle's copy: the run this starts (on the dev server's workers) finds none.
  const saved = await merchant('PUT', '/v1/merchant/settings/reminders', { body: { enabled: true, offsets: [14, -3, 7, 0] } });
  expect(saved).toMatchObject({ status: 200, body: { enabled: true, offsets: [-3, 0, 7, 14] } });
});
afterAll(async () => {
  await workers?.shutdown();
  await server?.stop();
  await world?.close();
});

/** A payer linked to a new Xero contact, and an authorised invoice of theirs due `dueInDays` from the server's today, in Settle's copy. */
async function payerWithInvoice(amountMinor: number, dueInDays: number) {
  const suffix = randomBytes(4).toString('hex');
  const contact = await world.xero.platform.createContact({ name: `Customer ${suffix}` }, `contact-${suffix}`);
  const email = `remind+${suffix}@payer.example`;
  const { payer } = await registerPayer(world.stack.db, world.stack.apiDeps.keyring, merchantId, { name: 'Robin', email });
  await world.stack.db.insertInto('payer_contacts').values({ merchant_id: merchantId, payer_id: payer.id, contact_id: contact.id }).execute();
  const now = await env.currentTimeMs();
  const today = new Date(now).toISOString().slice(0, 10);
  const due = new Date(now + dueInDays * DAY_MS).toISOString().slice(0, 10);
  const invoice = await world.xero.platform.createInvoice({ contactId: contact.id, date: today, dueDate: due, currency: 'USD', status: 'authorised',
    lines: [{ description: 'Managed services', quantity: 1, unitAmountMinor: amountMinor, accountCode: '200', taxType: 'NONE' }] }, `inv-${suffix}`);
  // What the invoice sync or an accounting refresh writes when it reads the invoice.
  await saveInvoiceCopies(world.stack.db, merchantId, [invoice]);
  return { payerId: payer.id, email, invoice, due };
}

const runReminders = async (history?: string) => {
  const handle = await env.client.workflow.start(reminderRunWorkflow, { workflowId: `reminder-run-${randomBytes(4).toString('hex')}`, taskQueue: taskQueueName(prefix(), 'workflows'), args: [{ merchantId }] });
  const result = await resultWithin(env, handle);
  if (history) await recordHistory(handle, history);
  return result;
};
const handleOf = (invoiceId: string) => env.client.workflow.getHandle<typeof invoiceReminderWorkflow>(invoiceReminderWorkflowId(merchantId, invoiceId));
const stepsSent = async (invoiceId: string) => (await world.stack.db.selectFrom('invoice_reminders').select('offset_days').where('merchant_id', '=', merchantId)
  .where('invoice_id', '=', invoiceId).orderBy('offset_days').execute()).map((r) => r.offset_days);
const remindersTo = async (email: string) => (await listOutboxEmails(world.stack.db, world.stack.apiDeps.keyring, merchantId, 500))
  .filter((e) => e.template === 'invoice-reminder' && e.to === email);

it('sends each step on its day with the Pay Now link, and none after the invoice is paid in the books on day 5', async () => {
  const p = await payerWithInvoice(12_000, 4);
  const startMs = await env.currentTimeMs();
  expect(await runReminders()).toMatchObject({ started: 1, alreadyStarted: 0 });
  // Day 5: the steps of day 1 (3 days before) and day 4 (the due date) have gone out.
  await env.sleep(5 * DAY_MS);
  expect(await stepsSent(p.invoice.id)).toEqual([-3, 0]);
  const emails = await remindersTo(p.email);
  expect(emails).toHaveLength(2);
  expect(emails.map((e) => e.subject).sort()).toEqual([`Reminder: invoice ${p.invoice.number} from ${(await merchant('GET', '/v1/merchant')).body.name} is due on ${p.due}`,
    `Reminder: invoice ${p.invoice.number} from ${(await merchant('GET', '/v1/merchant')).body.name} is due today`].sort());
  expect(emails[0].text).toContain(`/pay/m/${merchantId}/invoices`);
  expect(emails[0].text).toContain(`/pay/m/${merchantId}/reminders/opt-out?t=`);
  expect(emails[0].text).toContain('120.00 USD');
  // The payer pays by bank transfer and the merchant records it in Xero, not in Settle.
  await world.xero.platform.createPayments([{ invoiceId: p.invoice.id, amountMinor: 12_000, date: new Date().toISOString().slice(0, 10), accountCode: '090' }], `hand-${randomBytes(6).toString('hex')}`);
  const handle = handleOf(p.invoice.id);
  const result = await resultWithin(env, handle);
  expect(result).toMatchObject({ status: 'stopped', reason: 'paid', sent: [-3, 0] });
  // It ended at the step 7 days after the due date (day 11), having sent nothing more; nothing after it either.
  expect((await env.currentTimeMs()) - startMs).toBeGreaterThanOrEqual(10 * DAY_MS);
  await env.sleep(20 * DAY_MS);
  expect(await stepsSent(p.invoice.id)).toEqual([-3, 0]);
  expect(await remindersTo(p.email)).toHaveLength(2);
  // The console's list says what was sent.
  const listed = await merchant('GET', `/v1/reminders?invoiceId=${p.invoice.id}`);
  expect(listed.status).toBe(200);
  expect(listed.body.reminders.map((r: { offset: number; step: string; amountDue: string }) => [r.offset, r.step, r.amountDue]))
    .toEqual([[0, 'on the due date', '120.00'], [-3, '3 days before the due date', '120.00']]);
  await recordHistory(handle, 'invoiceReminderWorkflow.paid');
});

it('refuses a schedule it cannot run, with the reason', async () => {
  const refused = await merchant('PUT', '/v1/merchant/settings/reminders', { body: { enabled: true, offsets: [7, 7] } });
  expect(refused.status).toBe(400);
  expect(JSON.stringify(refused.body.errors)).toMatch(/different day/);
  expect((await merchant('PUT', '/v1/merchant/settings/reminders', { body: { enabled: true, offsets: [400] } })).status).toBe(400);
  expect((await merchant('GET', '/v1/merchant/settings/reminders')).body).toEqual({ enabled: true, offsets: [-3, 0, 7, 14] });
});
