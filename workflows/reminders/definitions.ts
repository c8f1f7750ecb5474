// What the reminder workflows, their daily Schedule (lib/schedules/invoice-reminders.ts) and the API share.
import { defineQuery, defineSignal } from '@temporalio/workflow';

export interface InvoiceReminderInput {
  merchantId: string;
  invoiceId: string;
  /** YYYY-MM-DD, the merchant's calendar. */
  dueDate: string;
  timezone: string;
  /** The merchant's schedule when the reminders started: days relative to the due date. */
  offsets: number[];
}

export interface InvoiceReminderState {
  status: 'waiting' | 'sending' | 'done' | 'stopped';
  /** The step it waits for (days relative to the due date). */
  next?: number;
  sent: number[];
  /** Steps passed over (no payer linked to the invoice's contact yet). */
  skipped: number[];
  /** Why the reminders ended early: paid (in Settle or in the books), voided, autopay, opted out, turned off. */
  reason?: string;
}

export interface ReminderRunInput {
  /** One merchant only (a merchant that just turned reminders on); all merchants with reminders on when absent. */
  merchantId?: string;
}

export interface ReminderRunResult {
  candidates: number;
  started: number;
  /** Invoices whose reminders an earlier run started: never started twice. */
  alreadyStarted: number;
}

export const invoiceReminderStateQuery = defineQuery<InvoiceReminderState>('invoiceReminderState');

/** Settle read the invoice settled (paid in full, voided or gone): the reminders end now, not at their next step. */
export const invoiceSettledSignal = defineSignal('invoiceSettled');

/** One Schedule per deployment (task-queue prefix), like the connection upkeep. */
export const reminderScheduleId = (taskQueuePrefix: string) => `invoice-reminders/${taskQueuePrefix}`;

/** One per invoice, ever (reuse is rejected): a run that finds the invoice again leaves its reminders alone. */
export const invoiceReminderWorkflowId = (merchantId: string, invoiceId: string) => `invoice-reminder/${merchantId}/${invoiceId}`;
