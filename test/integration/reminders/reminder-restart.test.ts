// A reminder worker that stops mid-schedule on the time-skipping server: a send retried after its answer was lost,
// the worker restarted and the daily run run again send no step twice over 30 days. Its own suite and server, so it
// runs beside the other reminder suites.
import { MockActivityEnvironment } from '@temporalio/testing';
import { taskQueueName } from '../../../lib/task-queues';
import { recordHistory } from '../../support/histories';
import { DAY_MS, startReminderSuite, type ReminderSuite } from '../../support/reminders';

// Each test skips 30 days or more; a stopped worker's shutdown and restart take most of the real time on two busy cores.
jest.setTimeout(360_000);
let r: ReminderSuite;
beforeAll(async () => {
  r = await startReminderSuite();
});
afterAll(() => r?.close());

it('sends each step once although the worker stops mid-schedule, a send is retried and the daily run runs again', async () => {
  const p = await r.payerWithInvoice(3_000, 4);
  expect(await r.runReminders()).toMatchObject({ started: 1 });
  await r.env.sleep(2 * DAY_MS);
  expect(await r.stepsSent(p.invoice.id)).toEqual([-3]);
  // The worker goes away while the workflow waits for its next timer.
  await r.stopWorkers();
  // A send whose answer was lost (the worker died after writing the emails) runs again on another worker: the same
  // keys write nothing new.
  const retried = await new MockActivityEnvironment({ taskQueue: taskQueueName(r.prefix(), 'service') })
    .run(r.world.stack.activities.sendInvoiceReminder, { merchantId: r.merchantId, invoiceId: p.invoice.id, offset: -3 });
  expect(retried).toEqual({ send: true, emails: 0 });
  await r.startWorkers();
  // The next day's run finds the invoice's reminders already started.
  expect(await r.runReminders('reminderRunWorkflow')).toMatchObject({ started: 0, alreadyStarted: 1 });
  const handle = r.handleOf(p.invoice.id);
  expect(await r.reminderResult(p.invoice.id)).toMatchObject({ status: 'done', sent: [-3, 0, 7, 14] });
  expect(await r.stepsSent(p.invoice.id)).toEqual([-3, 0, 7, 14]);
  const emails = await r.remindersTo(p.email);
  expect(emails).toHaveLength(4);
  expect(emails.filter((e) => e.subject.startsWith('Overdue'))).toHaveLength(2);
  // Another 30 days: the finished invoice is not started again (its id is taken), nothing more is sent.
  await r.env.sleep(30 * DAY_MS);
  expect(await r.runReminders()).toMatchObject({ started: 0 });
  expect(await r.remindersTo(p.email)).toHaveLength(4);
  await recordHistory(handle, 'invoiceReminderWorkflow');
});

