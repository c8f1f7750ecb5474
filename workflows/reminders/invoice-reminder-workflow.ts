// The reminders of one invoice: a durable timer until each step of the merchant's schedule (9:00 on the step's day in
// the merchant's time zone), then one activity that reads the invoice from the books and writes the step's emails to
// the outbox (keyed per invoice, step and payer: a retry or a restarted worker sends a step once). An invoice paid
// meanwhile (in Settle or by hand in the books), voided, put on autopay, or whose payers opted out ends the workflow
// at the next step, before anything is sent; when Settle reads the invoice settled it signals, and the wait ends then.
import { condition, setHandler, workflowInfo } from '@temporalio/workflow';
import { accountingQueueFor } from '../../lib/task-queues';
import { dayIn, reminderDate, reminderInstant, stepsAhead } from '../../lib/reminders/rules';
import { reconnectionWait } from '../support/reconnection';
import { invoiceReminderStateQuery, invoiceSettledSignal, type InvoiceReminderInput, type InvoiceReminderState } from './definitions';

export async function invoiceReminderWorkflow(input: InvoiceReminderInput): Promise<InvoiceReminderState> {
  const { taskQueue } = workflowInfo();
  // The check reads the books on the service connection: while they are disconnected the step waits for the merchant
  // to reconnect them (a late reminder, never a wrong one).
  const reconnect = reconnectionWait(input.merchantId);
  const service = reconnect.proxy({ taskQueue: accountingQueueFor(taskQueue, 'service'), startToCloseTimeout: '2 minutes', heartbeatTimeout: '10 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute' } });
  const state: InvoiceReminderState = { status: 'waiting', sent: [], skipped: [] };
  setHandler(invoiceReminderStateQuery, () => ({ ...state }));
  let settled = false;
  setHandler(invoiceSettledSignal, () => void (settled = true));

  for (const offset of stepsAhead(input.offsets, input.dueDate, dayIn(input.timezone, Date.now()))) {
    Object.assign(state, { status: 'waiting', next: offset });
    const wait = reminderInstant(reminderDate(input.dueDate, offset), input.timezone) - Date.now();
    // The same single timer a sleep would start (histories from before the signal replay unchanged); a signal cancels it.
    if (wait > 0) await condition(() => settled, wait);
    if (settled) return Object.assign(state, { status: 'stopped', next: undefined, reason: 'settled' });
    state.status = 'sending';
    const outcome = await service.sendInvoiceReminder({ merchantId: input.merchantId, invoiceId: input.invoiceId, offset });
    if (outcome.send) state.sent.push(offset);
    else if (outcome.stop) return Object.assign(state, { status: 'stopped', next: undefined, reason: outcome.reason });
    else state.skipped.push(offset);
  }
  return Object.assign(state, { status: 'done', next: undefined });
}
