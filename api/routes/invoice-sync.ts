// Invoice sync from ConnectWise Manage to the accounting package, and payment sync back (both on the company
// connection; Manage is connected through the billing sync's connection route): the account/tax mapping, contact
// creation and schedules, "sync now" (a batch; the same identifier again re-runs that batch), "Payment Sync" now, each
// batch's status with its invoices, and the merchant's debug logging: the setting (off by default), the log it keeps and
// "clear logs". Every route reads the key's merchant only: another merchant's batch is a 404.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  accountMappings, batchCounts, clearDebugLogs, invoiceSyncBatchId, invoiceSyncSettings, invoiceSyncWorkflowId, paymentSyncWorkflowId, replaceAccountMappings,
  saveInvoiceSyncSettings,
} from '../../db/invoice-sync';
import { ensureInvoiceSyncSchedules } from '../../lib/schedules/invoice-sync';
import { taskQueueName } from '../../lib/task-queues';
import { SettleMerchantId } from '../../lib/temporal/search-attributes';
import { invoiceSyncStateQuery } from '../../workflows/invoice-sync/definitions';
import { invoiceSyncWorkflow } from '../../workflows/invoice-sync/invoice-sync-workflow';
import { paymentSyncWorkflow } from '../../workflows/invoice-sync/payment-sync-workflow';
import type { ApiDeps } from '../deps';
import { notFound } from '../problem';
import { defineRoute } from '../routing';
import { plainText } from '../schemas';

const identifier = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, - and _ (at most 40)');
const mapping = z.object({ kind: z.enum(['gl-account', 'product-type']), value: plainText(100), accountCode: plainText(50), taxType: plainText(50).nullable().optional() });
const settingsBody = z.object({
  createContacts: z.boolean().optional().describe('Create a contact for a Manage company none matches (else its invoices are held)'),
  syncInventory: z.boolean().optional().describe('With debug logging on, keep an inventory audit trail of posted inventory lines'),
  invoiceSyncEveryMinutes: z.number().int().min(5).max(10_080).nullable().optional(),
  paymentSyncEveryMinutes: z.number().int().min(5).max(10_080).nullable().optional(),
});
const minor = (n: number) => (n / 100).toFixed(2);

export function invoiceSyncRoutes(deps: ApiDeps) {
  const workflows = () => taskQueueName(deps.taskQueuePrefix, 'workflows');
  return [
    defineRoute({
      method: 'get', path: '/v1/invoice-sync/mappings', operationId: 'getInvoiceSyncMappings', summary: 'Account and tax type per Manage GL account or product type', tag: 'invoice sync', auth: 'merchant',
      responses: { 200: { description: 'The mapping', schema: z.object({ mappings: z.array(z.unknown()) }) } },
      handler: async ({ state }) => ({ status: 200, body: { mappings: await accountMappings(deps.db, state.merchant.id) } }),
    }),
    defineRoute({
      method: 'put', path: '/v1/invoice-sync/mappings', operationId: 'putInvoiceSyncMappings', summary: 'Replace the mapping (a GL account wins over a product type)', tag: 'invoice sync', auth: 'merchant',
      body: z.object({ mappings: z.array(mapping).max(500) }),
      responses: { 200: { description: 'Saved', schema: z.object({ mappings: z.array(z.unknown()) }) } },
      handler: async ({ body, state }) => {
        await replaceAccountMappings(deps.db, state.merchant.id, body.mappings.map((m) => ({ ...m, taxType: m.taxType ?? null })));
        return { status: 200, body: { mappings: await accountMappings(deps.db, state.merchant.id) } };
      },
    }),
    defineRoute({
      method: 'get', path: '/v1/invoice-sync/settings', operationId: 'getInvoiceSyncSettings', summary: 'Contact creation, inventory and schedules', tag: 'invoice sync', auth: 'merchant',
      responses: { 200: { description: 'The settings', schema: z.unknown() } },
      handler: async ({ state }) => ({ status: 200, body: await invoiceSyncSettings(deps.db, state.merchant.id) }),
    }),
    defineRoute({
      method: 'put', path: '/v1/invoice-sync/settings', operationId: 'putInvoiceSyncSettings', summary: 'Change them; a schedule is a Temporal Schedule per merchant (null: on demand only)', tag: 'invoice sync', auth: 'merchant',
      body: settingsBody,
      responses: { 200: { description: 'Saved', schema: z.unknown() } },
      handler: async ({ body, state }) => {
        const saved = await saveInvoiceSyncSettings(deps.db, state.merchant.id, body);
        await ensureInvoiceSyncSchedules(deps.temporal, { merchantId: state.merchant.id, taskQueuePrefix: deps.taskQueuePrefix,
          invoiceSyncEveryMinutes: saved.invoiceSyncEveryMinutes, paymentSyncEveryMinutes: saved.paymentSyncEveryMinutes });
        return { status: 200, body: saved };
      },
    }),
    defineRoute({
      method: 'post', path: '/v1/invoice-sync/runs', operationId: 'runInvoiceSync', summary: "Sync now: a batch of Manage's unposted invoices; an existing batch identifier re-runs that batch", tag: 'invoice sync', auth: 'merchant',
      body: z.object({ batchIdentifier: identifier.optional() }),
      responses: { 202: { description: 'Started (or already running)', schema: z.object({ batchIdentifier: z.string(), workflowId: z.string() }) } },
      handler: async ({ body, state }) => {
        const merchantId = state.merchant.id;
        const batchIdentifier = body.batchIdentifier ?? `settle-${new Date().toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(3).toString('hex')}`;
        const workflowId = invoiceSyncWorkflowId(merchantId, batchIdentifier);
        try {
          await deps.temporal.workflow.start(invoiceSyncWorkflow, { workflowId, taskQueue: workflows(), args: [{ merchantId, batchIdentifier }],
            workflowIdConflictPolicy: 'USE_EXISTING', typedSearchAttributes: [{ key: SettleMerchantId, value: merchantId }] });
        } catch (err) {
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        }
        return { status: 202, body: { batchIdentifier, workflowId }, headers: { Location: `/v1/invoice-sync/batches/${batchIdentifier}` } };
      },
    }),
    defineRoute({
      method: 'post', path: '/v1/invoice-sync/payment-sync', operationId: 'runPaymentSync', summary: '"Payment Sync" now: payments applied in the books carried back to Manage', tag: 'invoice sync', auth: 'merchant',
      responses: { 202: { description: 'Started (or already running)', schema: z.object({ workflowId: z.string() }) } },
      handler: async ({ state }) => {
        const merchantId = state.merchant.id;
        const workflowId = paymentSyncWorkflowId(merchantId);
        await deps.temporal.workflow.start(paymentSyncWorkflow, { workflowId, taskQueue: workflows(), args: [{ merchantId }],
          workflowIdConflictPolicy: 'USE_EXISTING', typedSearchAttributes: [{ key: SettleMerchantId, value: merchantId }] });
        return { status: 202, body: { workflowId } };
      },
    }),
    defineRoute({
      method: 'get', path: '/v1/invoice-sync/batches', operationId: 'listInvoiceSyncBatches', summary: 'Batches, newest first, with counts', tag: 'invoice sync', auth: 'merchant',
      responses: { 200: { description: 'The batches', schema: z.object({ batches: z.array(z.unknown()) }) } },
      handler: async ({ state }) => {
        const rows = await deps.db.selectFrom('invoice_sync_batches').selectAll().where('merchant_id', '=', state.merchant.id).orderBy('created_at', 'desc').limit(100).execute();
        return { status: 200, body: { batches: await Promise.all(rows.map(async (b) => ({ batchIdentifier: b.batch_identifier, manageBatchId: b.manage_batch_id,
          status: b.status, counts: await batchCounts(deps.db, b.id), updatedAt: b.updated_at.toISOString() }))) } };
      },
    }),
    defineRoute({
      method: 'get', path: '/v1/invoice-sync/batches/:batchIdentifier', operationId: 'getInvoiceSyncBatch', summary: 'A batch: status, and each invoice with its accounting link or why it is not posted', tag: 'invoice sync', auth: 'merchant',
      params: z.object({ batchIdentifier: identifier }),
      responses: { 200: { description: 'The batch', schema: z.unknown() }, 404: { description: 'No such batch of this merchant' } },
      handler: async ({ params, state }) => {
        const merchantId = state.merchant.id;
        const batch = await deps.db.selectFrom('invoice_sync_batches').selectAll().where('id', '=', invoiceSyncBatchId(merchantId, params.batchIdentifier))
          .where('merchant_id', '=', merchantId).executeTakeFirst();
        if (!batch) throw notFound(`a batch ${params.batchIdentifier}`);
        let running: unknown = null;
        try {
          running = await deps.temporal.workflow.getHandle(invoiceSyncWorkflowId(merchantId, params.batchIdentifier)).query(invoiceSyncStateQuery);
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) running = null;
        }
        const records = await deps.db.selectFrom('invoice_sync_records').selectAll().where('batch_id', '=', batch.id).orderBy('manage_invoice_id').execute();
        return { status: 200, body: { batchIdentifier: batch.batch_identifier, manageBatchId: batch.manage_batch_id, status: batch.status, workflow: running,
          counts: await batchCounts(deps.db, batch.id), invoices: records.map((r) => ({ manageInvoiceId: r.manage_invoice_id, invoiceNumber: r.invoice_number, kind: r.kind,
            status: r.status, error: r.error, total: minor(r.total_minor), currency: r.currency, accountingId: r.accounting_id, accountingUrl: r.accounting_link,
            postedHow: r.posted_how, carriedBack: minor(r.carried_back_minor) })) } };
      },
    }),
    defineRoute({
      method: 'put', path: '/v1/merchant/settings/debug-logging', operationId: 'putDebugLogging', summary: 'Debug logging: detailed sync logs (and the inventory audit trail) kept for troubleshooting; off by default', tag: 'data protection', auth: 'merchant', merchantRole: 'admin',
      body: z.object({ enabled: z.boolean() }),
      responses: { 200: { description: 'Saved', schema: z.object({ debugLogging: z.boolean() }) } },
      handler: async ({ body, state }) => ({ status: 200, body: { debugLogging: (await saveInvoiceSyncSettings(deps.db, state.merchant.id, { debugLogging: body.enabled })).debugLogging } }),
    }),
    defineRoute({
      method: 'get', path: '/v1/merchant/debug-logs', operationId: 'getDebugLogs', summary: 'The debug log and inventory audit trail (newest first)', tag: 'data protection', auth: 'merchant',
      responses: { 200: { description: 'The entries', schema: z.object({ debugLogging: z.boolean(), entries: z.array(z.unknown()), inventory: z.array(z.unknown()) }) } },
      handler: async ({ state }) => {
        const merchantId = state.merchant.id;
        const entries = await deps.db.selectFrom('debug_log_entries').selectAll().where('merchant_id', '=', merchantId).orderBy('id', 'desc').limit(1000).execute();
        const inventory = await deps.db.selectFrom('inventory_audit_entries').selectAll().where('merchant_id', '=', merchantId).orderBy('id', 'desc').limit(1000).execute();
        return { status: 200, body: { debugLogging: (await invoiceSyncSettings(deps.db, merchantId)).debugLogging,
          entries: entries.map((e) => ({ batchId: e.batch_id, kind: e.kind, detail: e.detail, at: e.created_at.toISOString() })),
          inventory: inventory.map((i) => ({ batchId: i.batch_id, manageInvoiceId: i.manage_invoice_id, invoiceNumber: i.invoice_number, accountingId: i.accounting_id,
            product: i.product, quantity: Number(i.quantity), unitCost: minor(i.unit_cost_minor), cost: minor(i.cost_minor), at: i.created_at.toISOString() })) } };
      },
    }),
    defineRoute({
      method: 'delete', path: '/v1/merchant/debug-logs', operationId: 'clearDebugLogs', summary: '"Clear logs": deletes the debug log and inventory audit trail for good', tag: 'data protection', auth: 'merchant', merchantRole: 'admin',
      responses: { 200: { description: 'Deleted', schema: z.object({ deleted: z.number() }) } },
      handler: async ({ state }) => ({ status: 200, body: await clearDebugLogs(deps.db, state.merchant.id) }),
    }),
  ];
}
