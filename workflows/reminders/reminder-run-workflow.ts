// The daily reminder run (its Schedule `invoice-reminders/{prefix}`): finds, in Settle's copy of the books, the
// outstanding invoices of merchants with reminders on that have a step ahead, and starts one reminder workflow per
// invoice. An invoice whose reminders an earlier run started (or this run started twice) is left alone: its id is
// the merchant's and the invoice's, and reuse is rejected.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, proxyActivities, startChild, workflowInfo } from '@temporalio/workflow';
import type * as activities from '../../activities';
import { accountingQueueFor } from '../../lib/task-queues';
import { invoiceReminderWorkflowId, type ReminderRunInput, type ReminderRunResult } from './definitions';
import { invoiceReminderWorkflow } from './invoice-reminder-workflow';

export async function reminderRunWorkflow(input: ReminderRunInput = {}): Promise<ReminderRunResult> {
  // Postgres only: on the service queue with the other background work.
  const service = proxyActivities<activities.Activities>({ taskQueue: accountingQueueFor(workflowInfo().taskQueue, 'service'), startToCloseTimeout: '5 minutes',
    retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes', maximumAttempts: 20 } });
  const candidates = await service.findReminderCandidates({ nowMs: Date.now(), merchantId: input.merchantId });
  const result: ReminderRunResult = { candidates: candidates.length, started: 0, alreadyStarted: 0 };
  for (const c of candidates) {
    try {
      await startChild(invoiceReminderWorkflow, {
        workflowId: invoiceReminderWorkflowId(c.merchantId, c.invoiceId),
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        parentClosePolicy: ParentClosePolicy.ABANDON,
        args: [{ merchantId: c.merchantId, invoiceId: c.invoiceId, dueDate: c.dueDate, timezone: c.timezone, offsets: c.offsets }],
      });
      result.started++;
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      result.alreadyStarted++;
    }
  }
  return result;
}
