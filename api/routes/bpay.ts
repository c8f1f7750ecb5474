// Payment upload: the merchant's settings (time zone of the nightly upload), customers and their contacts, BPAY
// payments (one by one or as the bank's file), invoices on payment plans, messages, and the admin switch that turns
// the upload on again after the 30-day limit turned it off.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { z } from 'zod';
import { sql } from 'kysely';
import { resolveMerchantActions } from '../../db/actions';
import { seal } from '../../lib/crypto/sealed-box';
import { derivedId, newId } from '../../lib/ids';
import { CURRENCIES, formatAmount, parseAmount, type Currency } from '../../lib/money';
import { followTimezone } from '../../lib/schedules/auto-payments';
import { bpayScheduleId, ensureBpaySchedule } from '../../lib/schedules/bpay-upload';
import { taskQueueName } from '../../lib/task-queues';
import { bpayImportWorkflow } from '../../workflows/bpay/bpay-import-workflow';
import type { ApiDeps } from '../deps';
import { unauthenticated } from '../middleware/auth';
import { notFound, ProblemError } from '../problem';
import { defineRoute } from '../routing';
import { merchantIdParam, plainText, amountText } from '../schemas';

const timezone = z.string().max(64).refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as Australia/Sydney');
const crn = z.string().regex(/^\d{2,20}$/, 'must be a BPAY customer reference number (2 to 20 digits)');
const isoDate = z.iso.date();
const customerView = z.object({ id: z.string(), customerReference: z.string(), name: z.string(), matchStatus: z.string(), contactId: z.string().nullable(), contactUrl: z.string().nullable(), lastSyncedAt: z.string().nullable() });
const paymentView = z.object({ id: z.string(), customerReference: z.string(), amount: z.string(), currency: z.string(), paidDate: z.string(), status: z.string(), uploadedAt: z.string().nullable(), upload: z.unknown().nullable() });

export function bpayRoutes(deps: ApiDeps) {
  const schedule = (merchantId: string, tz: string, enabled: boolean) =>
    ensureBpaySchedule(deps.temporal, { merchantId, timezone: tz, taskQueuePrefix: deps.taskQueuePrefix, enabled });
  const customerOf = async (merchantId: string, id: string) => {
    const row = await deps.db.selectFrom('customers').selectAll().where('merchant_id', '=', merchantId).where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('customer');
    return row;
  };
  const toCustomer = (c: Awaited<ReturnType<typeof customerOf>>) => ({ id: c.id, customerReference: c.customer_reference, name: c.name, matchStatus: c.match_status,
    contactId: c.contact_id, contactUrl: c.contact_url, lastSyncedAt: c.last_synced_at?.toISOString() ?? null });

  return [
    defineRoute({
      method: 'put', path: '/v1/merchant/settings', operationId: 'updateMerchantSettings', summary: "The merchant's time zone: the nightly BPAY upload runs at 01:30 in it", tag: 'payment upload', auth: 'merchant', merchantRole: 'admin',
      body: z.object({ timezone }),
      responses: { 200: { description: 'Saved; the upload Schedule follows', schema: z.object({ timezone: z.string(), scheduleId: z.string(), uploadEnabled: z.boolean() }) } },
      handler: async ({ body, state }) => {
        const saved = await deps.db.updateTable('merchants').set({ timezone: body.timezone }).where('id', '=', state.merchant.id)
          .returning('bpay_upload_enabled').executeTakeFirst();
        if (!saved) throw unauthenticated();
        await schedule(state.merchant.id, body.timezone, saved.bpay_upload_enabled);
        await followTimezone(deps.temporal, state.merchant.id, body.timezone);
        return { status: 200, body: { timezone: body.timezone, scheduleId: bpayScheduleId(state.merchant.id), uploadEnabled: saved.bpay_upload_enabled } };
      },
    }),
    defineRoute({
      method: 'put', path: '/v1/admin/merchants/:merchantId/bpay-upload', operationId: 'setBpayUpload', summary: 'Turn the BPAY upload on again (or off) for a merchant', tag: 'admin', auth: 'admin',
      params: z.object({ merchantId: merchantIdParam }), body: z.object({ enabled: z.boolean() }),
      responses: { 200: { description: 'Saved', schema: z.object({ enabled: z.boolean() }) }, 404: { description: 'No such merchant' } },
      handler: async ({ params, body }) => {
        const merchant = await deps.db.updateTable('merchants').set({ bpay_upload_enabled: body.enabled }).where('id', '=', params.merchantId).returningAll().executeTakeFirst();
        if (!merchant) throw notFound('merchant');
        await schedule(merchant.id, merchant.timezone, body.enabled);
        return { status: 200, body: { enabled: body.enabled } };
      },
    }),
    defineRoute({
      method: 'post', path: '/v1/customers', operationId: 'createCustomer', summary: 'A customer who pays by BPAY; matched to a contact on the next night', tag: 'payment upload', auth: 'merchant',
      body: z.object({ customerReference: crn, name: plainText(255), accountNumber: plainText(64).optional(), email: z.email().max(254).optional() }),
      responses: { 201: { description: 'Created', schema: customerView }, 409: { description: 'A customer with this reference exists' } },
      handler: async ({ body, state }) => {
        const id = newId('cus');
        const row = await deps.db.insertInto('customers').values({ id, merchant_id: state.merchant.id, customer_reference: body.customerReference, name: body.name,
          account_number: body.accountNumber ?? null, email_sealed: body.email ? seal(deps.keyring, body.email, id) : null })
          .onConflict((oc) => oc.constraint('customers_merchant_reference').doNothing()).returningAll().executeTakeFirst();
        if (!row) throw new ProblemError('conflict', `a customer with reference ${body.customerReference} exists`);
        return { status: 201, body: toCustomer(row) };
      },
    }),
    defineRoute({
      method: 'get', path: '/v1/customers', operationId: 'listCustomers', summary: 'Customers by name, with their contact match and when each was last synchronised', tag: 'payment upload', auth: 'merchant',
      query: z.object({ match: z.enum(['unmatched', 'matched', 'needs-action']).optional(), page: z.coerce.number().int().min(1).default(1), pageSize: z.coerce.number().int().min(1).max(200).default(50) }),
      responses: { 200: { description: 'A page of customers', schema: z.object({ page: z.number(), pageSize: z.number(), total: z.number(), customers: z.array(customerView) }) } },
      handler: async ({ query, state }) => {
        let q = deps.db.selectFrom('customers').where('merchant_id', '=', state.merchant.id);
        if (query.match) q = q.where('match_status', '=', query.match);
        const total = Number((await q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
        const rows = await q.selectAll().orderBy('name').orderBy('id').limit(query.pageSize).offset((query.page - 1) * query.pageSize).execute();
        return { status: 200, body: { page: query.page, pageSize: query.pageSize, total, customers: rows.map(toCustomer) } };
      },
    }),
    defineRoute({
      method: 'get', path: '/v1/customers/:customerId', operationId: 'getCustomer', summary: 'A customer: its contact and when it was last synchronised', tag: 'payment upload', auth: 'merchant',
      params: z.object({ customerId: z.string().max(40) }),
      responses: { 200: { description: 'The customer', schema: customerView }, 404: { description: 'No such customer' } },
      handler: async ({ params, state }) => ({ status: 200, body: toCustomer(await customerOf(state.merchant.id, params.customerId)) }),
    }),
    defineRoute({
      method: 'put', path: '/v1/customers/:customerId/contact', operationId: 'resolveCustomerContact', summary: "Choose the customer's contact (resolves its action; its payments catch up on the next night)", tag: 'payment upload', auth: 'merchant',
      params: z.object({ customerId: z.string().max(40) }), body: z.object({ contactId: plainText(64) }),
      responses: { 200: { description: 'Matched', schema: customerView }, 404: { description: 'No such customer' } },
      handler: async ({ params, body, state }) => {
        const customer = await customerOf(state.merchant.id, params.customerId);
        const row = await deps.db.updateTable('customers').set({ contact_id: body.contactId, match_status: 'matched', contact_url: null })
          .where('id', '=', customer.id).returningAll().executeTakeFirstOrThrow();
        await resolveMerchantActions(deps.db, state.merchant.id, 'match-customer', customer.id);
        return { status: 200, body: toCustomer(row) };
      },
    }),
    defineRoute({
      method: 'post', path: '/v1/bpay/payments', operationId: 'recordBpayPayment', summary: 'A BPAY payment from the bank (uploaded on the next night)', tag: 'payment upload', auth: 'merchant',
      headers: z.object({ 'idempotency-key': z.string().regex(/^[\x21-\x7e]{1,255}$/).optional() }),
      body: z.object({ customerReference: crn, amount: amountText, currency: z.enum(CURRENCIES), paidDate: isoDate }).transform((b, ctx) => {
        const parsed = parseAmount(b.amount, b.currency);
        if (!parsed.ok) ctx.addIssue({ code: 'custom', path: ['amount'], message: parsed.reason });
        if (b.paidDate > new Date().toISOString().slice(0, 10)) ctx.addIssue({ code: 'custom', path: ['paidDate'], message: 'must not be in the future' });
        return { ...b, amountMinor: parsed.ok ? parsed.minor : 0 };
      }),
      responses: { 201: { description: 'Recorded', schema: paymentView }, 200: { description: 'The same payment, sent again with its Idempotency-Key', schema: paymentView } },
      handler: async ({ headers, body, state }) => {
        const key = headers['idempotency-key'] ?? newId('key');
        const id = derivedId('bp', state.merchant.id, 'api', key);
        const inserted = await deps.db.insertInto('bpay_payments').values({ id, merchant_id: state.merchant.id, customer_reference: body.customerReference,
          amount_minor: body.amountMinor, currency: body.currency, paid_date: body.paidDate, dedupe_key: `api:${key}` })
          .onConflict((oc) => oc.constraint('bpay_payments_dedupe').doNothing()).returning('id').executeTakeFirst();
        const row = await deps.db.selectFrom('bpay_payments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
        return { status: inserted ? 201 : 200, body: toPayment(row) };
      },
    }),
    defineRoute({
      method: 'get', path: '/v1/bpay/payments/:paymentId', operationId: 'getBpayPayment', summary: 'A BPAY payment: whether, when and where it was synchronised', tag: 'payment upload', auth: 'merchant',
      params: z.object({ paymentId: z.string().max(40) }),
      responses: { 200: { description: 'The payment', schema: paymentView }, 404: { description: 'No such payment' } },
      handler: async ({ params, state }) => {
        const row = await deps.db.selectFrom('bpay_payments').selectAll().where('merchant_id', '=', state.merchant.id).where('id', '=', params.paymentId).executeTakeFirst();
        if (!row) throw notFound('payment');
        return { status: 200, body: toPayment(row) };
      },
    }),
    defineRoute({
      method: 'post', path: '/v1/bpay/imports', operationId: 'importBpayFile', summary: "Import the bank's BPAY file (CSV: customer_reference, amount, paid_date)", tag: 'payment upload', auth: 'merchant',
      body: z.object({ currency: z.enum(CURRENCIES), csv: z.string().min(1) }),
      responses: { 202: { description: 'Importing: follow its progress at Location', schema: z.object({ id: z.string() }) } },
      handler: async ({ body, state }) => {
        const id = newId('imp');
        await deps.db.insertInto('bpay_imports').values({ id, merchant_id: state.merchant.id, status: 'processing', content: body.csv, currency: body.currency }).execute();
        try {
          await deps.temporal.workflow.start(bpayImportWorkflow, { workflowId: `bpay-import/${state.merchant.id}/${id}`, taskQueue: taskQueueName(deps.taskQueuePrefix, 'workflows'),
            args: [{ merchantId: state.merchant.id, importId: id }] });
        } catch (err) {
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        }
        return { status: 202, body: { id }, headers: { Location: `/v1/bpay/imports/${id}` } };
      },
    }),
    defineRoute({
      method: 'get', path: '/v1/bpay/imports/:importId', operationId: 'getBpayImport', summary: 'An import: progress, accepted rows and every bad row with its line', tag: 'payment upload', auth: 'merchant',
      params: z.object({ importId: z.string().max(40) }),
      responses: { 200: { description: 'The import', schema: z.object({ id: z.string(), status: z.string(), linesDone: z.number(), linesTotal: z.number(), rowsAccepted: z.number(), errors: z.array(z.object({ line: z.number(), message: z.string() })) }) } },
      handler: async ({ params, state }) => {
        const row = await deps.db.selectFrom('bpay_imports').select(['id', 'status', 'lines_done', 'lines_total', 'rows_accepted', 'errors'])
          .where('merchant_id', '=', state.merchant.id).where('id', '=', params.importId).executeTakeFirst();
        if (!row) throw notFound('import');
        return { status: 200, body: { id: row.id, status: row.status, linesDone: row.lines_done, linesTotal: row.lines_total, rowsAccepted: row.rows_accepted, errors: row.errors } };
      },
    }),
    defineRoute({
      method: 'put', path: '/v1/payment-plans/invoices/:invoiceId', operationId: 'linkInvoiceToPaymentPlan', summary: 'Mark an invoice as on a payment plan: BPAY payments are never applied to it', tag: 'payment upload', auth: 'merchant',
      params: z.object({ invoiceId: plainText(64) }),
      responses: { 204: { description: 'Linked' } },
      handler: async ({ params, state }) => {
        await deps.db.insertInto('payment_plan_invoices').values({ merchant_id: state.merchant.id, invoice_id: params.invoiceId }).onConflict((oc) => oc.doNothing()).execute();
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get', path: '/v1/messages', operationId: 'listMessages', summary: 'Information of significance (limits reached, feature disabled), newest first, each read or not', tag: 'payment upload', auth: 'merchant',
      responses: { 200: { description: 'Messages', schema: z.object({ unread: z.number().int().describe('Unread messages (of all, not only the ones listed)'),
        messages: z.array(z.object({ id: z.string(), kind: z.string(), text: z.string(), createdAt: z.string(), readAt: z.string().nullable() })) }) } },
      handler: async ({ state }) => {
        const [rows, unread] = await Promise.all([
          deps.db.selectFrom('merchant_messages').selectAll().where('merchant_id', '=', state.merchant.id).orderBy('created_at', 'desc').limit(100).execute(),
          deps.db.selectFrom('merchant_messages').where('merchant_id', '=', state.merchant.id).where('read_at', 'is', null).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
        ]);
        return { status: 200, body: { unread: Number(unread.n),
          messages: rows.map((m) => ({ id: m.id, kind: m.kind, text: m.text, createdAt: m.created_at.toISOString(), readAt: m.read_at?.toISOString() ?? null })) } };
      },
    }),
    defineRoute({
      method: 'put', path: '/v1/messages/:messageId/read', operationId: 'markMessageRead', summary: 'Mark a message read (for everyone of the merchant); again: no change', tag: 'payment upload', auth: 'merchant',
      params: z.object({ messageId: z.string().regex(/^msg_[0-9a-f]{24}$/, 'must be a message id (msg_…)') }),
      responses: { 204: { description: 'Read' }, 404: { description: 'No such message for this merchant' } },
      handler: async ({ params, state }) => {
        const found = await deps.db.updateTable('merchant_messages').set({ read_at: sql<Date>`coalesce(read_at, now())` })
          .where('id', '=', params.messageId).where('merchant_id', '=', state.merchant.id).executeTakeFirst();
        if (found.numUpdatedRows === 0n) throw notFound('message');
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'post', path: '/v1/messages/read', operationId: 'markAllMessagesRead', summary: "Mark every unread message of the merchant read", tag: 'payment upload', auth: 'merchant',
      responses: { 200: { description: 'Marked', schema: z.object({ marked: z.number().int() }) } },
      handler: async ({ state }) => {
        const done = await deps.db.updateTable('merchant_messages').set({ read_at: sql<Date>`now()` }).where('merchant_id', '=', state.merchant.id).where('read_at', 'is', null).executeTakeFirst();
        return { status: 200, body: { marked: Number(done.numUpdatedRows) } };
      },
    }),
  ];
}

function toPayment(row: { id: string; customer_reference: string; amount_minor: number; currency: string; paid_date: string; status: string; uploaded_at: Date | null; upload: unknown }) {
  return { id: row.id, customerReference: row.customer_reference, amount: formatAmount(row.amount_minor, row.currency as Currency), currency: row.currency,
    paidDate: row.paid_date, status: row.status, uploadedAt: row.uploaded_at?.toISOString() ?? null, upload: row.upload ?? null };
}
