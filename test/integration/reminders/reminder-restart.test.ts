// A reminder worker that stops mid-schedule on the time-skipping server: a send retried after its answer was lost,
// the worker restarted and the daily run run again send no step twice over 30 days. Its own suite and server: run on
// one server after the schedule suite's first test it hung (the server's clock stopped; cause not found yet).
import { randomBytes } from 'node:crypto';
import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';
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

it('sends each step once although the worker stops mid-schedule, a send is retried and the daily run runs again', async () => {
  const p = await payerWithInvoice(3_000, 4);
  expect(await runReminders()).toMatchObject({ started: 1 });
  await env.sleep(2 * DAY_MS);
  expect(await stepsSent(p.invoice.id)).toEqual([-3]);
  // The worker goes away while the workflow waits for its next timer.
  await workers.shutdown();
  // A send whose answer was lost (the worker died after writing the emails) runs again on another worker: the same
  // keys write nothing new.
  const retried = await new MockActivityEnvironment({ taskQueue: taskQueueName(prefix(), 'service') })
    .run(world.stack.activities.sendInvoiceReminder, { merchantId, invoiceId: p.invoice.id, offset: -3 });
  expect(retried).toEqual({ send: true, emails: 0 });
  workers = await startWorkersWithoutCache();
  // The next day's run finds the invoice's reminders already started.
  expect(await runReminders('reminderRunWorkflow')).toMatchObject({ started: 0, alreadyStarted: 1 });
  const handle = handleOf(p.invoice.id);
  expect(await resultWithin(env, handle)).toMatchObject({ status: 'done', sent: [-3, 0, 7, 14] });
  expect(await stepsSent(p.invoice.id)).toEqual([-3, 0, 7, 14]);
  const emails = await remindersTo(p.email);
  expect(emails).toHaveLength(4);
  expect(emails.filter((e) => e.subject.startsWith('Overdue'))).toHaveLength(2);
  // Another 30 days: the finished invoice is not started again (its id is taken), nothing more is sent.
  await env.sleep(30 * DAY_MS);
  expect(await runReminders()).toMatchObject({ started: 0 });
  expect(await remindersTo(p.email)).toHaveLength(4);
  await recordHistory(handle, 'invoiceReminderWorkflow');
});

