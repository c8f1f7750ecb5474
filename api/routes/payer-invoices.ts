// Payers' invoices: what a payer owes and has paid (from Settle's copy of the accounting data), the merchant's
// "Download latest accounting platform data" refresh, the contacts a payer pays for, billing terms, and the
// automatic payments that charge by them.
import { z } from 'zod';
import { amountText } from '../schemas';
import { outstandingInvoices, payerPayments } from '../../db/payer-invoices';
import { findPayer } from '../../db/payers';
import { formatAmount, parseAmount, type Currency } from '../../lib/money';
import { invoicesPayNowUrl } from '../../lib/pay-now-links';
import { ensureAutoPaymentSchedule } from '../../lib/schedules/auto-payments';
import { taskQueueName } from '../../lib/task-queues';
import { accountingRefreshWorkflowId, refreshProgressQuery } from '../../workflows/accounting-data/definitions';
import { accountingRefreshWorkflow } from '../../workflows/accounting-data/refresh-workflow';
import { autoPaymentScheduleId } from '../../workflows/auto-payments/definitions';
import type { ApiDeps } from '../deps';
import { currentMerchant } from '../middleware/auth';
import { notFound, ProblemError } from '../problem';
import { defineRoute } from '../routing';

const payerIdParam = z.string().regex(/^pyr_[0-9a-f]{24}$/, 'must be a payer id (pyr_…)');
const termsIdParam = z.string().regex(/^bt_[0-9a-f]{24}$/, 'must be a billing terms id (bt_…)');
const contactId = z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9-]+$/, 'must be an accounting contact id');

const invoiceView = z.object({ id: z.string(), number: z.string(), status: z.string(), date: z.string(), dueDate: z.string().nullable(), currency: z.string(), total: z.string(), amountDue: z.string() });
const paymentView = z.object({ id: z.string(), amount: z.string(), currency: z.string(), channel: z.string(), invoices: z.array(z.string()), recordedAt: z.string().nullable(), syncStatus: z.string() });
const progressView = z.object({ status: z.enum(['running', 'done']), pages: z.number(), invoices: z.number(), rechecked: z.number(), startedAt: z.string(), finishedAt: z.string().optional() });
const settingsView = z.object({ attempts: z.number(), retryDays: z.number(), scheduleId: z.string() });
const termsView = z.object({ id: z.string(), payerId: z.string(), contactId: z.string().nullable(), rule: z.enum(['due-date', 'days-after-invoice']), daysAfter: z.number().nullable(),
  maxAmount: z.string(), currency: z.string(), status: z.enum(['active', 'revoked']), source: z.string() });

type TermsRow = { id: string; payer_id: string; contact_id: string | null; rule: 'due-date' | 'days-after-invoice'; days_after: number | null; max_amount_minor: number; currency: string; status: 'active' | 'revoked'; source: string };
const toTerms = (t: TermsRow): z.infer<typeof termsView> => ({ id: t.id, payerId: t.payer_id, contactId: t.contact_id, rule: t.rule, daysAfter: t.days_after,
  maxAmount: formatAmount(t.max_amount_minor, t.currency as Currency), currency: t.currency, status: t.status, source: t.source });

export function payerInvoiceRoutes(deps: ApiDeps) {
  const payNowUrl = (merchantId: string) => invoicesPayNowUrl(deps.publicUrl, merchantId);
  const schedule = async (merchantId: string) => {
    const m = await deps.db.selectFrom('merchants').select('timezone').where('id', '=', merchantId).executeTakeFirstOrThrow();
    await ensureAutoPaymentSchedule(deps.temporal, { merchantId, timezone: m.timezone, taskQueuePrefix: deps.taskQueuePrefix, payNowUrl: payNowUrl(merchantId) });
  };
  const ownPayer = async (merchantId: string, payerId: string) => {
    if (!(await findPayer(deps.db, merchantId, payerId))) throw notFound('payer');
  };
  const ownTerms = async (merchantId: string, termsId: string) => {
    const row = await deps.db.selectFrom('billing_terms').selectAll().where('id', '=', termsId).where('merchant_id', '=', merchantId).executeTakeFirst();
    if (!row) throw notFound('billing terms');
    return row;
  };
  const refreshHandle = (merchantId: string) => deps.temporal.workflow.getHandle(accountingRefreshWorkflowId(merchantId));

  return [
    defineRoute({
      method: 'get', path: '/v1/payers/:payerId/invoices', operationId: 'listPayerInvoices', summary: "A payer's outstanding invoices and past payments, from Settle's copy of the accounting data", tag: 'payer invoices', auth: 'merchant',
      params: z.object({ payerId: payerIdParam }),
      responses: { 200: { description: 'Outstanding oldest first; payments newest first', schema: z.object({ outstanding: z.array(invoiceView), payments: z.array(paymentView), refreshedAt: z.string().nullable() }) }, 404: { description: 'No such payer' } },
      handler: async ({ params, state }) => {
        const merchantId = state.merchant.id;
        await ownPayer(merchantId, params.payerId);
        const invoices = await outstandingInvoices(deps.db, merchantId, params.payerId);
        const payments = await payerPayments(deps.db, merchantId, params.payerId);
        const money = (minor: number, c: string) => formatAmount(minor, c as Currency);
        const refreshed = invoices.reduce<Date | null>((latest, i) => (!latest || i.refreshed_at > latest ? i.refreshed_at : latest), null);
        return { status: 200, body: {
          outstanding: invoices.map((i) => ({ id: i.id, number: i.number, status: i.status, date: i.date, dueDate: i.due_date, currency: i.currency, total: money(i.total_minor, i.currency), amountDue: money(i.amount_due_minor, i.currency) })),
          payments: payments.map((p) => ({ id: p.id, amount: money(p.amount_minor, p.currency), currency: p.currency, channel: p.channel, invoices: p.applications.map((a) => a.invoiceId),
            recordedAt: p.recorded_at?.toISOString() ?? null, syncStatus: p.sync_status })),
          refreshedAt: refreshed?.toISOString() ?? null,
        } };
      },
    }),
    defineRoute({
      method: 'put', path: '/v1/payers/:payerId/contacts', operationId: 'setPayerContacts', summary: 'The accounting contacts whose invoices this payer pays', tag: 'payer invoices', auth: 'merchant',
      params: z.object({ payerId: payerIdParam }), body: z.object({ contactIds: z.array(contactId).max(20) }),
      responses: { 200: { description: 'Saved', schema: z.object({ contactIds: z.array(z.string()) }) }, 404: { description: 'No such payer' } },
      handler: async ({ params, body, state }) => {
        const merchantId = state.merchant.id;
        await ownPayer(merchantId, params.payerId);
        const contactIds = [...new Set(body.contactIds)];
        await deps.db.transaction().execute(async (trx) => {
          await trx.deleteFrom('payer_contacts').where('merchant_id', '=', merchantId).where('payer_id', '=', params.payerId).execute();
          if (contactIds.length) await trx.insertInto('payer_contacts').values(contactIds.map((c) => ({ merchant_id: merchantId, payer_id: params.payerId, contact_id: c }))).execute();
        });
        return { status: 200, body: { contactIds } };
      },
    }),
    defineRoute({
      method: 'post', path: '/v1/accounting/refresh', operationId: 'refreshAccountingData', summary: 'Download latest accounting platform data now (a second click joins the running download)', tag: 'payer invoices', auth: 'merchant',
      responses: { 202: { description: 'Running; GET it for progress', schema: z.object({ workflowId: z.string() }) } },
      handler: async ({ state }) => {
        const workflowId = accountingRefreshWorkflowId(state.merchant.id);
        // USE_EXISTING: a click while one runs gets that one; a finished one is replaced by a new download.
        await deps.temporal.workflow.start(accountingRefreshWorkflow, { workflowId, taskQueue: taskQueueName(deps.taskQueuePrefix, 'workflows'),
          args: [{ merchantId: state.merchant.id }], workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'ALLOW_DUPLICATE' });
        return { status: 202, body: { workflowId }, headers: { Location: '/v1/accounting/refresh' } };
      },
    }),
    defineRoute({
      method: 'get', path: '/v1/accounting/refresh', operationId: 'getAccountingRefresh', summary: 'Progress of the latest accounting data download', tag: 'payer invoices', auth: 'merchant',
      responses: { 200: { description: 'Progress', schema: progressView }, 404: { description: 'No download yet' } },
      handler: async ({ state }) => {
        const handle = refreshHandle(state.merchant.id);
        try {
          const described = await handle.describe();
          const progress = described.status.name === 'RUNNING' ? await handle.query(refreshProgressQuery) : await handle.result();
          return { status: 200, body: progress };
        } catch (err) {
          if ((err as Error).name === 'WorkflowNotFoundError') throw notFound('accounting data download');
          throw err;
        }
      },
    }),
    defineRoute({
      method: 'get', path: '/v1/merchant/auto-payments', operationId: 'getAutoPaymentSettings', summary: 'How declined automatic payments are retried', tag: 'payer invoices', auth: 'merchant',
      responses: { 200: { description: 'Settings', schema: settingsView } },
      handler: async ({ state }) => {
        const merchant = await currentMerchant(deps.db, state.merchant.id);
        return { status: 200, body: { attempts: merchant.auto_pay_attempts, retryDays: merchant.auto_pay_retry_days, scheduleId: autoPaymentScheduleId(merchant.id) } };
      },
    }),
    defineRoute({
      method: 'put', path: '/v1/merchant/auto-payments', operationId: 'setAutoPaymentSettings', summary: 'Turn on automatic payments (a daily run at 06:00 in your time zone) and set the retries of a declined charge', tag: 'payer invoices', auth: 'merchant',
      body: z.object({ attempts: z.number().int().min(1).max(10).default(3), retryDays: z.number().int().min(1).max(30).default(3) }),
      responses: { 200: { description: 'Saved; the daily run is scheduled', schema: settingsView } },
      handler: async ({ body, state }) => {
        await deps.db.updateTable('merchants').set({ auto_pay_attempts: body.attempts, auto_pay_retry_days: body.retryDays }).where('id', '=', state.merchant.id).execute();
        await schedule(state.merchant.id);
        return { status: 200, body: { ...body, scheduleId: autoPaymentScheduleId(state.merchant.id) } };
      },
    }),
    defineRoute({
      method: 'post', path: '/v1/merchant/auto-payments/run', operationId: 'runAutoPayments', summary: "Run today's automatic payments now (invoices already charged are left alone)", tag: 'payer invoices', auth: 'merchant',
      responses: { 202: { description: 'Triggered', schema: z.object({ scheduleId: z.string() }) } },
      handler: async ({ state }) => {
        await schedule(state.merchant.id);
        await deps.temporal.schedule.getHandle(autoPaymentScheduleId(state.merchant.id)).trigger();
        return { status: 202, body: { scheduleId: autoPaymentScheduleId(state.merchant.id) } };
      },
    }),
    defineRoute({
      method: 'get', path: '/v1/billing-terms', operationId: 'listBillingTerms', summary: "Payers' billing terms (set up from CPQ quotes' recurring portions)", tag: 'payer invoices', auth: 'merchant',
      query: z.object({ payerId: payerIdParam.optional() }),
      responses: { 200: { description: 'Oldest first', schema: z.object({ terms: z.array(termsView) }) } },
      handler: async ({ query, state }) => {
        let q = deps.db.selectFrom('billing_terms').selectAll().where('merchant_id', '=', state.merchant.id);
        if (query.payerId) q = q.where('payer_id', '=', query.payerId);
        return { status: 200, body: { terms: (await q.orderBy('created_at').limit(500).execute()).map(toTerms) } };
      },
    }),
    defineRoute({
      method: 'put', path: '/v1/billing-terms/:termsId', operationId: 'updateBillingTerms', summary: 'Edit billing terms: when invoices are charged, the maximum per invoice, the contact', tag: 'payer invoices', auth: 'merchant',
      params: z.object({ termsId: termsIdParam }),
      body: z.object({ rule: z.enum(['due-date', 'days-after-invoice']), daysAfter: z.number().int().min(0).max(365).nullable().default(null), maxAmount: amountText, contactId: contactId.nullable().optional() })
        .refine((b) => (b.rule === 'days-after-invoice') === (b.daysAfter !== null), { message: 'daysAfter is given exactly when the rule is days-after-invoice', path: ['daysAfter'] }),
      responses: { 200: { description: 'Saved', schema: termsView }, 404: { description: 'No such terms' }, 409: { description: 'Revoked by the payer' } },
      handler: async ({ params, body, state }) => {
        const row = await ownTerms(state.merchant.id, params.termsId);
        if (row.status === 'revoked') throw new ProblemError('conflict', 'the payer revoked these terms; they can no longer be changed');
        const max = parseAmount(body.maxAmount, row.currency as Currency);
        if (!max.ok) throw new ProblemError('validation-error', `maxAmount: ${max.reason}`);
        const updated = await deps.db.updateTable('billing_terms').set({ rule: body.rule, days_after: body.daysAfter, max_amount_minor: max.minor,
          ...(body.contactId !== undefined ? { contact_id: body.contactId } : {}) }).where('id', '=', row.id).returningAll().executeTakeFirstOrThrow();
        if (updated.contact_id) {
          await deps.db.insertInto('payer_contacts').values({ merchant_id: state.merchant.id, payer_id: updated.payer_id, contact_id: updated.contact_id })
            .onConflict((oc) => oc.columns(['merchant_id', 'payer_id', 'contact_id']).doNothing()).execute();
        }
        return { status: 200, body: toTerms(updated) };
      },
    }),
    defineRoute({
      method: 'post', path: '/v1/billing-terms/:termsId/revoke', operationId: 'revokeBillingTerms', summary: "Revoke billing terms on the payer's instruction: nothing more is charged by them", tag: 'payer invoices', auth: 'merchant',
      params: z.object({ termsId: termsIdParam }),
      responses: { 200: { description: 'Revoked', schema: termsView }, 404: { description: 'No such terms' } },
      handler: async ({ params, state }) => {
        await ownTerms(state.merchant.id, params.termsId);
        const updated = await deps.db.updateTable('billing_terms').set({ status: 'revoked' }).where('id', '=', params.termsId).returningAll().executeTakeFirstOrThrow();
        return { status: 200, body: toTerms(updated) };
      },
    }),
  ];
}
