// Reminder emails over 30 days of schedules on the time-skipping server, against the Xero emulator and real Postgres:
// the daily run starts one reminder workflow per outstanding invoice, each step goes out at 9:00 (UTC merchant) with
// the Pay Now and opt-out links; an invoice paid by hand in the books on day 5 gets no later reminder; a payer who
// opted out gets none (reminder-opt-out.test.ts); a worker stopped mid-schedule sends no step twice (reminder-restart.test.ts).
import { randomBytes } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { taskQueueName } from '../../../lib/task-queues';
import { recordHistory } from '../../support/histories';
import { DAY_MS, startReminderSuite, type ReminderSuite } from '../../support/reminders';
import { invoiceReminderStateQuery } from '../../../workflows/reminders/definitions';

// Each test skips 30 days or more; a stopped worker's shutdown and restart take most of the real time on two busy cores.
jest.setTimeout(360_000);
let r: ReminderSuite;
beforeAll(async () => {
  r = await startReminderSuite();
});
afterAll(() => r?.close());

it('sends each step on its day with the Pay Now link, and none after the invoice is paid in the books on day 5', async () => {
  const p = await r.payerWithInvoice(12_000, 4);
  const startMs = await r.env.currentTimeMs();
  expect(await r.runReminders()).toMatchObject({ started: 1, alreadyStarted: 0 });
  // Day 5: the steps of day 1 (3 days before) and day 4 (the due date) have gone out.
  await r.env.sleep(5 * DAY_MS);
  expect(await r.stepsSent(p.invoice.id)).toEqual([-3, 0]);
  const emails = await r.remindersTo(p.email);
  expect(emails).toHaveLength(2);
  expect(emails.map((e) => e.subject).sort()).toEqual([`Reminder: invoice ${p.invoice.number} from ${(await r.merchant('GET', '/v1/merchant')).body.name} is due on ${p.due}`,
    `Reminder: invoice ${p.invoice.number} from ${(await r.merchant('GET', '/v1/merchant')).body.name} is due today`].sort());
  expect(emails[0].text).toContain(`/pay/m/${r.merchantId}/invoices`);
  expect(emails[0].text).toContain(`/pay/m/${r.merchantId}/reminders/opt-out?t=`);
  expect(emails[0].text).toContain('120.00 USD');
  // The payer pays by bank transfer and the merchant records it in Xero, not in Settle.
  await r.world.xero.platform.createPayments([{ invoiceId: p.invoice.id, amountMinor: 12_000, date: new Date().toISOString().slice(0, 10), accountCode: '090' }], `hand-${randomBytes(6).toString('hex')}`);
  const handle = r.handleOf(p.invoice.id);
  const result = await r.reminderResult(p.invoice.id);
  expect(result).toMatchObject({ status: 'stopped', reason: 'paid', sent: [-3, 0] });
  // It ended at the step 7 days after the due date (day 11), having sent nothing more; nothing after it either.
  expect((await r.env.currentTimeMs()) - startMs).toBeGreaterThanOrEqual(10 * DAY_MS);
  await r.env.sleep(20 * DAY_MS);
  expect(await r.stepsSent(p.invoice.id)).toEqual([-3, 0]);
  expect(await r.remindersTo(p.email)).toHaveLength(2);
  // The console's list says what was sent.
  const listed = await r.merchant('GET', `/v1/reminders?invoiceId=${p.invoice.id}`);
  expect(listed.status).toBe(200);
  expect(listed.body.reminders.map((r: { offset: number; step: string; amountDue: string }) => [r.offset, r.step, r.amountDue]))
    .toEqual([[0, 'on the due date', '120.00'], [-3, '3 days before the due date', '120.00']]);
  await recordHistory(handle, 'invoiceReminderWorkflow.paid');
});

it('ends the moment a refresh reads the invoice paid by hand in the books, before its first step', async () => {
  const p = await r.payerWithInvoice(8_000, 10);
  const startMs = await r.env.currentTimeMs();
  expect(await r.runReminders()).toMatchObject({ started: 1 });
  await r.env.sleep(DAY_MS);
  const handle = r.handleOf(p.invoice.id);
  const waiting = await handle.query(invoiceReminderStateQuery);
  expect(waiting).toMatchObject({ status: 'waiting', next: -3, sent: [] });
  await r.world.xero.platform.createPayments([{ invoiceId: p.invoice.id, amountMinor: 8_000, date: new Date().toISOString().slice(0, 10), accountCode: '090' }], `hand-${randomBytes(6).toString('hex')}`);
  // "Download latest accounting platform data": the refresh re-reads the copy it holds as owed, finds it paid, and
  // signals the invoice's reminders.
  const refresh = new MockActivityEnvironment({ taskQueue: taskQueueName(r.prefix(), 'wise-pay') });
  expect(await refresh.run(r.activities.refreshUnseenInvoices, { merchantId: r.merchantId, since: new Date().toISOString() })).toBeGreaterThanOrEqual(1);
  expect(await r.reminderResult(p.invoice.id)).toMatchObject({ status: 'stopped', reason: 'settled', sent: [] });
  // It ended then, not at its first step (7 days after it started) and its own check of the books.
  expect((await r.env.currentTimeMs()) - startMs).toBeLessThan(6 * DAY_MS);
  expect(await r.remindersTo(p.email)).toHaveLength(0);
  await recordHistory(handle, 'invoiceReminderWorkflow.settled');
});

it('refuses a schedule it cannot run, with the reason', async () => {
  const refused = await r.merchant('PUT', '/v1/merchant/settings/reminders', { body: { enabled: true, offsets: [7, 7] } });
  expect(refused.status).toBe(400);
  expect(JSON.stringify(refused.body.errors)).toMatch(/different day/);
  expect((await r.merchant('PUT', '/v1/merchant/settings/reminders', { body: { enabled: true, offsets: [400] } })).status).toBe(400);
  expect((await r.merchant('GET', '/v1/merchant/settings/reminders')).body).toEqual({ enabled: true, offsets: [-3, 0, 7, 14] });
});
