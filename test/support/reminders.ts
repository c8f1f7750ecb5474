// The reminder suites' world: the real stack (Xero emulator, Postgres, the dev server's workers for the API) and a
// time-skipping server whose own workers run the reminder workflows, a merchant connected to Xero with reminders on
// (-3, 0, 7, 14), and the helpers each suite reads its outcome with. Each suite starts its own server, so the files run
// side by side on jest's workers.
import { randomBytes } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { saveInvoiceCopies } from '../../activities/accounting-data/invoice-copies';
import { listOutboxEmails } from '../../db/outbox';
import { registerPayer } from '../../db/payers';
import { taskQueueName } from '../../lib/task-queues';
import { settleDataConverter } from '../../lib/temporal/payload-codec';
import { invoiceReminderWorkflowId } from '../../workflows/reminders/definitions';
import type { invoiceReminderWorkflow } from '../../workflows/reminders/invoice-reminder-workflow';
import { reminderRunWorkflow } from '../../workflows/reminders/reminder-run-workflow';
import { recordHistory } from './histories';
import { httpClient } from './http';
import { createTestMerchant } from './merchants';
import { startQuoteWorld, type QuoteWorld } from './quotes';
import { testServers } from './servers';
import { releaseLockLeakedByChild, resultWithin, startTimeSkippingServer } from './time-skipping';

export const DAY_MS = 86_400_000;

export interface ReminderSuite {
  world: QuoteWorld;
  env: TestWorkflowEnvironment;
  /** The activities the time-skipping server's workers run: their Temporal client is that server's. */
  activities: ReturnType<QuoteWorld['stack']['activitiesFor']>;
  merchantId: string;
  merchant: ReturnType<typeof httpClient>;
  /** The task queue prefix of the time-skipping server's workers. */
  prefix(): string;
  /** A payer linked to a new Xero contact, and an authorised invoice of theirs due `dueInDays` from the server's today, in Settle's copy. */
  payerWithInvoice(amountMinor: number, dueInDays: number): Promise<{ payerId: string; email: string; invoice: Awaited<ReturnType<QuoteWorld['xero']['platform']['createInvoice']>>; due: string }>;
  /** One daily run for the merchant, to its end (its history recorded under `history` when given). */
  runReminders(history?: string): Promise<{ started: number; alreadyStarted: number }>;
  handleOf(invoiceId: string): ReturnType<TestWorkflowEnvironment['client']['workflow']['getHandle']>;
  /**
   * The invoice's reminder workflow's result. It is the daily run's abandoned child, and closes after the run did: the
   * time-skipping lock the test server leaks for that is given back, so later `env.sleep`s skip time again.
   */
  reminderResult(invoiceId: string): Promise<Awaited<ReturnType<typeof invoiceReminderWorkflow>>>;
  /** The steps (days from the due date) recorded as sent for an invoice. */
  stepsSent(invoiceId: string): Promise<number[]>;
  remindersTo(email: string): ReturnType<typeof listOutboxEmails>;
  stopWorkers(): Promise<void>;
  startWorkers(): Promise<void>;
  close(): Promise<void>;
}

export async function startReminderSuite(): Promise<ReminderSuite> {
  const world = await startQuoteWorld();
  const server = await startTimeSkippingServer(world.stack.apiDeps.keyring);
  const env = server.env;
  const prefix = () => `${world.stack.taskQueuePrefix}-ts`;
  const activities = world.stack.activitiesFor(env.client);
  const untimedClient = new Client({ connection: env.connection, namespace: 'default', dataConverter: settleDataConverter(world.stack.apiDeps.keyring) });

  // The workflows and service workers on the time-skipping server, without a workflow cache: a worker that stops
  // leaves no sticky queue behind (the test server would hold a task for it and stop time for good).
  let stopWorkers = async () => undefined as void;
  const startWorkers = async () => {
    const common = { connection: env.nativeConnection, namespace: 'default', dataConverter: settleDataConverter(world.stack.apiDeps.keyring), maxCachedWorkflows: 0 };
    const started = [
      await Worker.create({ ...common, taskQueue: taskQueueName(prefix(), 'workflows'), workflowBundle: { codePath: testServers().workflowBundlePath } }),
      await Worker.create({ ...common, taskQueue: taskQueueName(prefix(), 'service'), activities }),
    ];
    const done = Promise.all(started.map((w) => w.run()));
    stopWorkers = async () => {
      for (const w of started) if (w.getState() === 'RUNNING') w.shutdown();
      await done;
    };
  };
  await startWorkers();

  const created = await createTestMerchant(world.stack, `Reminder MSP ${randomBytes(3).toString('hex')}`);
  const merchantId = created.merchantId;
  const merchant = httpClient(world.stack.api!.url, created.apiKey);
  const tokens = world.xero.emu.oauth.issue(world.xero.tenantId, `settle-${merchantId}`);
  await world.stack.accounting.connections.connect(merchantId, 'wise-pay', { platform: 'xero', tenantId: world.xero.tenantId, tokens });
  // Turned on before any invoice is in Settle's copy: the run this starts (on the dev server's workers) finds none.
  const saved = await merchant('PUT', '/v1/merchant/settings/reminders', { body: { enabled: true, offsets: [14, -3, 7, 0] } });
  if (saved.status !== 200) throw new Error(`turning reminders on: ${saved.status} ${JSON.stringify(saved.body)}`);

  return {
    world, env, activities, merchantId, merchant, prefix,
    async payerWithInvoice(amountMinor, dueInDays) {
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
    },
    async runReminders(history) {
      // Awaited through a plain client: the environment's own would let time skip while it waits, and the clock would
      // race on to the first reminder timer the run's children start, before the test looks.
      const handle = await untimedClient.workflow.start(reminderRunWorkflow, { workflowId: `reminder-run-${randomBytes(4).toString('hex')}`, taskQueue: taskQueueName(prefix(), 'workflows'), args: [{ merchantId }] });
      const result = await resultWithin(env, handle);
      if (history) await recordHistory(handle, history);
      return result;
    },
    handleOf: (invoiceId) => env.client.workflow.getHandle<typeof invoiceReminderWorkflow>(invoiceReminderWorkflowId(merchantId, invoiceId)),
    async reminderResult(invoiceId) {
      const handle = env.client.workflow.getHandle<typeof invoiceReminderWorkflow>(invoiceReminderWorkflowId(merchantId, invoiceId));
      const result = await resultWithin(env, handle);
      await releaseLockLeakedByChild(env, handle);
      return result;
    },
    stepsSent: async (invoiceId) => (await world.stack.db.selectFrom('invoice_reminders').select('offset_days').where('merchant_id', '=', merchantId)
      .where('invoice_id', '=', invoiceId).orderBy('offset_days').execute()).map((r) => r.offset_days),
    remindersTo: async (email) => (await listOutboxEmails(world.stack.db, world.stack.apiDeps.keyring, merchantId, 500))
      .filter((e) => e.template === 'invoice-reminder' && e.to === email),
    stopWorkers: () => stopWorkers(),
    startWorkers,
    async close() {
      await stopWorkers();
      await server.stop();
      await world.close();
    },
  };
}
