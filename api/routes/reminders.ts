// Reminder emails (issue 27): the merchant's schedule of reminders relative to invoices' due dates, and what was sent.
// Saving a schedule with reminders on starts a reminder run for the merchant at once (its outstanding invoices get
// their reminder workflows now, not at the next daily run); each invoice still starts once.
import { z } from 'zod';
import { formatAmount, type Currency } from '../../lib/money';
import { DEFAULT_REMINDER_OFFSETS, normaliseSchedule, REMINDER_LIMITS, scheduleProblem, stepWords } from '../../lib/reminders/rules';
import { taskQueueName } from '../../lib/task-queues';
import { reminderRunWorkflow } from '../../workflows/reminders/reminder-run-workflow';
import type { ApiDeps } from '../deps';
import { defineRoute } from '../routing';

const offsets = z.array(z.number().int().min(REMINDER_LIMITS.minOffset).max(REMINDER_LIMITS.maxOffset))
  .min(1).max(REMINDER_LIMITS.maxSteps)
  .describe('Days relative to the due date: negative before it, 0 on the day, positive after it (e.g. [-3, 0, 7, 14])');
const settingsView = z.object({ enabled: z.boolean(), offsets });
const settingsBody = settingsView.superRefine((s, ctx) => {
  const problem = scheduleProblem(s.offsets);
  if (problem) ctx.addIssue({ code: 'custom', path: ['offsets'], message: problem });
});
const reminderView = z.object({
  invoiceId: z.string(), invoiceNumber: z.string(), offset: z.number().int().describe('The step: days relative to the due date'), step: z.string().describe('The step in words'),
  dueDate: z.string(), amountDue: z.string().describe('The amount due when the reminder was sent'), currency: z.string(), recipients: z.number().int(), sentAt: z.string(),
});

/** A merchant's own reminder run, started now; a click while one runs joins it. */
export const reminderRunNowId = (merchantId: string) => `invoice-reminders-now/${merchantId}`;

export function reminderRoutes(deps: ApiDeps) {
  const settingsOf = async (merchantId: string) => {
    const m = await deps.db.selectFrom('merchants').select(['reminders_enabled', 'reminder_offsets']).where('id', '=', merchantId).executeTakeFirstOrThrow();
    return { enabled: m.reminders_enabled, offsets: m.reminder_offsets.length ? m.reminder_offsets : [...DEFAULT_REMINDER_OFFSETS] };
  };
  return [
    defineRoute({
      method: 'get', path: '/v1/merchant/settings/reminders', operationId: 'getReminderSettings', tag: 'reminders', auth: 'merchant',
      summary: 'The schedule of reminder emails for outstanding invoices (off until turned on; 3 days before, on the day, 7 and 14 days after by default)',
      responses: { 200: { description: 'The settings', schema: settingsView } },
      handler: async ({ state }) => ({ status: 200, body: await settingsOf(state.merchant.id) }),
    }),
    defineRoute({
      method: 'put', path: '/v1/merchant/settings/reminders', operationId: 'putReminderSettings', tag: 'reminders', auth: 'merchant',
      summary: 'Turn reminder emails on or off and set their schedule; each reminder carries the Pay Now link and a link that stops reminders for that payer',
      body: settingsBody,
      responses: { 200: { description: 'Saved (steps in time order)', schema: settingsView } },
      handler: async ({ body, state }) => {
        const merchantId = state.merchant.id;
        const saved = { enabled: body.enabled, offsets: normaliseSchedule(body.offsets) };
        await deps.db.updateTable('merchants').set({ reminders_enabled: saved.enabled, reminder_offsets: saved.offsets }).where('id', '=', merchantId).execute();
        if (saved.enabled) {
          await deps.temporal.workflow.start(reminderRunWorkflow, { workflowId: reminderRunNowId(merchantId), taskQueue: taskQueueName(deps.taskQueuePrefix, 'workflows'),
            args: [{ merchantId }], workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'ALLOW_DUPLICATE' });
        }
        return { status: 200, body: saved };
      },
    }),
    defineRoute({
      method: 'get', path: '/v1/reminders', operationId: 'listReminders', tag: 'reminders', auth: 'merchant',
      summary: 'Reminder emails sent, newest first: one per invoice and step',
      query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50), invoiceId: z.string().max(64).optional().describe('Only this invoice\'s reminders') }),
      responses: { 200: { description: 'The reminders', schema: z.object({ reminders: z.array(reminderView) }) } },
      handler: async ({ query, state }) => {
        let rows = deps.db.selectFrom('invoice_reminders').selectAll().where('merchant_id', '=', state.merchant.id);
        if (query.invoiceId) rows = rows.where('invoice_id', '=', query.invoiceId);
        const found = await rows.orderBy('sent_at', 'desc').orderBy('offset_days', 'desc').limit(query.limit).execute();
        return { status: 200, body: { reminders: found.map((r) => ({ invoiceId: r.invoice_id, invoiceNumber: r.invoice_number, offset: r.offset_days, step: stepWords(r.offset_days),
          dueDate: r.due_date, amountDue: formatAmount(r.amount_due_minor, r.currency as Currency), currency: r.currency, recipients: r.recipients, sentAt: r.sent_at.toISOString() })) } };
      },
    }),
  ];
}
