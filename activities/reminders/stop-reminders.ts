// Ends an invoice's reminders the moment Settle learns the invoice is settled (a refresh, the auto-payment scheduler or
// a checkout reads it paid, voided or gone), instead of at the reminder's next step. The step's own check of the books
// stays: this only makes the stop prompt, and a missed signal still sends nothing.
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { invoiceReminderWorkflowId, invoiceSettledSignal } from '../../workflows/reminders/definitions';

export type ReminderStopper = (merchantId: string, invoiceIds: string[]) => Promise<void>;

export function reminderStopper(temporal: Client): ReminderStopper {
  return async (merchantId, invoiceIds) => {
    for (const invoiceId of invoiceIds) {
      await temporal.workflow.getHandle(invoiceReminderWorkflowId(merchantId, invoiceId)).signal(invoiceSettledSignal).catch((err) => {
        // No reminders were started for it, or they have ended: nothing to stop.
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      });
    }
  };
}
