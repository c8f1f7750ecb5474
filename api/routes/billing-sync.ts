// Monthly billing sync (a cloud BSS's recurring charges into ConnectWise Manage): the merchant's Manage and BSS
// connections (secrets sealed, never answered), a month's run (started once: the same month joins the running one;
// the source is the BSS API or an uploaded export), its grid of lines with their links, linking and creating missing
// Manage records, the proposal, approval (a stale proposal version is a 409), invoices and the report.
// Every route reads the run of the key's merchant: another merchant's month is a 404.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { sql } from 'kysely';
import { z } from 'zod';
import { billingRunId, billingWorkflowId, connectionSettings, saveBssConnection, saveManageConnection } from '../../db/billing-sync';
import { parseBssCsv } from '../../lib/billing-sync/csv';
import { formatCost, MONTH_PATTERN } from '../../lib/billing-sync/lines';
import { keyOf, LINK_KINDS } from '../../lib/billing-sync/mapping';
import { MISMATCH_KINDS } from '../../lib/billing-sync/validation';
import { taskQueueName } from '../../lib/task-queues';
import { SettleMerchantId, SettleStatus } from '../../lib/temporal/search-attributes';
import { billingSyncWorkflow } from '../../workflows/billing-sync/billing-sync-workflow';
import {
  approveUpdate, billingSyncStateQuery, createMissingUpdate, DEFAULT_SOURCE_FETCH_RETRY, generateInvoicesUpdate, setLinksUpdate, type BillingSyncState,
} from '../../workflows/billing-sync/definitions';
import type { ApiDeps } from '../deps';
import { notFound, ProblemError } from '../problem';
import { defineRoute } from '../routing';
import { plainText } from '../schemas';

const month = z.string().regex(MONTH_PATTERN, 'must be a month written YYYY-MM');
const httpUrl = z.url({ protocol: /^https?$/ }).max(2048);
const monthParams = z.object({ month });
const paging = z.object({ page: z.coerce.number().int().min(1).default(1), pageSize: z.coerce.number().int().min(1).max(1000).default(100) });
const stateView = z.object({
  month: z.string(), status: z.string(), lines: z.number(), unlinked: z.number(), applied: z.number(), skipped: z.number(),
  proposal: z.object({ version: z.string(), changes: z.number(), byKind: z.record(z.string(), z.number()) }).nullable(),
  invoices: z.object({ count: z.number(), totalMinor: z.number() }).nullable(), problem: z.string().nullable(),
  fetchAttempts: z.number().nullable().describe('Attempts made to read the source; with `problem` while it keeps failing'),
});
const linkView = z.object({ id: z.number(), source: z.string() }).nullable();
const lineView = z.object({
  lineNo: z.number(), 'Customer': z.string(), 'Contract ID': z.string(), 'Product': z.string(), 'Billing Period': z.string(),
  'Commitment Period': z.string(), 'Units': z.number(), 'Cost': z.string(), 'Effective Date': z.string(),
  customerKey: z.string().describe('What company and agreement links are keyed by'), productKey: z.string().describe('What product links are keyed by'),
  links: z.object({ company: linkView, agreement: linkView, product: linkView }),
});
const linkChoice = z.object({ kind: z.enum(LINK_KINDS), key: plainText(200), id: z.number().int().positive() });

type StateView = z.infer<typeof stateView>;
const toView = (s: BillingSyncState): StateView => ({
  month: s.month, status: s.status, lines: s.lines, unlinked: s.unlinked, applied: s.applied, skipped: s.skipped,
  proposal: s.proposal ?? null, invoices: s.invoices ?? null, problem: s.problem ?? null, fetchAttempts: s.fetchAttempts ?? null,
});

/** An update refused by its validator, or by the workflow, is the caller's problem: 409 with the reason. */
function updateRefused(err: unknown): unknown {
  if (err instanceof WorkflowUpdateFailedError) return new ProblemError('conflict', err.cause?.message ?? err.message);
  if (err instanceof WorkflowNotFoundError) return new ProblemError('conflict', 'the run of this month has finished; nothing more can change');
  return err;
}

export function billingSyncRoutes(deps: ApiDeps) {
  const runOf = async (merchantId: string, m: string) => {
    const run = await deps.db.selectFrom('billing_sync_runs').selectAll().where('merchant_id', '=', merchantId).where('month', '=', m).executeTakeFirst();
    if (!run) throw notFound(`a billing sync run for ${m}`);
    return run;
  };
  const handleOf = (merchantId: string, m: string) => deps.temporal.workflow.getHandle(billingWorkflowId(merchantId, m));
  async function stateOf(merchantId: string, m: string): Promise<StateView> {
    const run = await runOf(merchantId, m);
    try {
      return toView(await handleOf(merchantId, m).query(billingSyncStateQuery));
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      // The workflow is gone (past retention): the counts from the lines it left in Postgres.
      const counts = await deps.db.selectFrom('billing_sync_lines').where('run_id', '=', run.id).select([(eb) => eb.fn.countAll<string>().as('lines'),
        sql<string>`count(*) filter (where company_id is null or agreement_id is null or product_id is null)`.as('unlinked')]).executeTakeFirstOrThrow();
      return { month: m, status: run.status, lines: Number(counts.lines), unlinked: Number(counts.unlinked), applied: 0, skipped: 0, proposal: null, invoices: null, problem: null, fetchAttempts: null };
    }
  }
  async function update<T>(merchantId: string, m: string, send: (h: ReturnType<typeof handleOf>) => Promise<T>): Promise<T> {
    await runOf(merchantId, m);
    try {
      return await send(handleOf(merchantId, m));
    } catch (err) {
      throw updateRefused(err);
    }
  }

  return [
    defineRoute({
      method: 'put', path: '/v1/billing-sync/connections/manage', operationId: 'connectManage', summary: 'Store the ConnectWise Manage API member (private key sealed)', tag: 'billing sync', auth: 'merchant', merchantRole: 'admin',
      body: z.object({ baseUrl: httpUrl.describe('e.g. https://na.myconnectwise.net/v4_6_release/apis/3.0'), companyId: plainText(64), publicKey: plainText(128),
        privateKey: plainText(128), clientId: plainText(128) }),
      responses: { 200: { description: 'Saved (secrets are never answered)', schema: z.unknown() } },
      handler: async ({ body, state }) => {
        await saveManageConnection(deps.db, deps.keyring, state.merchant.id, body);
        return { status: 200, body: await connectionSettings(deps.db, state.merchant.id) };
      },
    }),
    defineRoute({
      method: 'put', path: '/v1/billing-sync/connections/bss', operationId: 'connectBss', summary: "Store the BSS billing export API's URL and key (sealed)", tag: 'billing sync', auth: 'merchant', merchantRole: 'admin',
      body: z.object({ baseUrl: httpUrl, apiKey: plainText(256) }),
      responses: { 200: { description: 'Saved (secrets are never answered)', schema: z.unknown() } },
      handler: async ({ body, state }) => {
        await saveBssConnection(deps.db, deps.keyring, state.merchant.id, body);
        return { status: 200, body: await connectionSettings(deps.db, state.merchant.id) };
      },
    }),
    defineRoute({
      method: 'get', path: '/v1/billing-sync/connections', operationId: 'getBillingSyncConnections', summary: 'The Manage and BSS connections, without their secrets', tag: 'billing sync', auth: 'merchant',
      responses: { 200: { description: 'The connections', schema: z.unknown() } },
      handler: async ({ state }) => ({ status: 200, body: await connectionSettings(deps.db, state.merchant.id) }),
    }),
    defineRoute({
      method: 'post', path: '/v1/billing-sync/runs', operationId: 'startBillingSync',
      summary: "Start a month's billing sync from the BSS, or from an uploaded BSS export (CSV); the same month again joins the run", tag: 'billing sync', auth: 'merchant',
      body: z.object({ month, csv: z.string().min(1).optional().describe('A BSS export: end_customer,subscription_id,product,billing_plan,billing_cycle,quantity,unit_cost,effective_date') }),
      responses: { 201: { description: 'Started', schema: stateView }, 200: { description: 'The run of this month, already started', schema: stateView } },
      handler: async ({ body, state }) => {
        const merchantId = state.merchant.id;
        if (body.csv) {
          const { errors } = parseBssCsv(body.csv, body.month);
          if (errors.length) {
            throw new ProblemError('validation-error', `the export has ${errors.length} bad line(s); nothing was imported`,
              { errors: errors.slice(0, 200).map((e) => ({ in: 'body', path: `csv line ${e.line}`, message: e.message })) });
          }
        }
        const id = billingRunId(merchantId, body.month);
        const workflowId = billingWorkflowId(merchantId, body.month);
        const existing = await deps.db.selectFrom('billing_sync_runs').select(['status']).where('id', '=', id).executeTakeFirst();
        const restart = existing?.status === 'failed'; // a run that could not read its source may be started again
        if (existing && !restart) return { status: 200, body: await stateOf(merchantId, body.month) };
        const values = { source: body.csv ? 'csv' as const : 'bss' as const, csv_content: body.csv ?? null, status: 'fetching', proposal_version: null, report: null };
        await deps.db.insertInto('billing_sync_runs').values({ id, merchant_id: merchantId, month: body.month, workflow_id: workflowId, ...values })
          .onConflict((oc) => oc.column('id').doUpdateSet({ ...values, updated_at: new Date() })).execute();
        try {
          await deps.temporal.workflow.start(billingSyncWorkflow, {
            workflowId, taskQueue: taskQueueName(deps.taskQueuePrefix, 'workflows'), args: [{ merchantId, month: body.month, runId: id, fetchRetry: deps.billingSourceRetry ?? DEFAULT_SOURCE_FETCH_RETRY }],
            workflowIdReusePolicy: restart ? 'ALLOW_DUPLICATE' : 'REJECT_DUPLICATE', workflowIdConflictPolicy: 'USE_EXISTING',
            typedSearchAttributes: [{ key: SettleMerchantId, value: merchantId }, { key: SettleStatus, value: 'fetching' }],
          });
        } catch (err) {
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        }
        return { status: existing && !restart ? 200 : 201, body: await stateOf(merchantId, body.month), headers: { Location: `/v1/billing-sync/runs/${body.month}` } };
      },
    }),
    defineRoute({
      method: 'get', path: '/v1/billing-sync/runs/:month', operationId: 'getBillingSync', summary: "A month's run: status, counts, proposal", tag: 'billing sync', auth: 'merchant',
      params: monthParams,
      responses: { 200: { description: 'The run', schema: stateView }, 404: { description: 'No run for this month' } },
      handler: async ({ params, state }) => ({ status: 200, body: await stateOf(state.merchant.id, params.month) }),
    }),
    defineRoute({
      method: 'get', path: '/v1/billing-sync/runs/:month/lines', operationId: 'getBillingSyncLines', summary: 'The grid: lines under Manage\'s field names, with their links', tag: 'billing sync', auth: 'merchant',
      params: monthParams, query: paging.extend({ unlinked: z.enum(['true', 'false']).optional().describe('Only lines still missing a link') }),
      responses: { 200: { description: 'A page of lines', schema: z.object({ page: z.number(), pageSize: z.number(), total: z.number(), lines: z.array(lineView) }) } },
      handler: async ({ params, query, state }) => {
        const run = await runOf(state.merchant.id, params.month);
        let q = deps.db.selectFrom('billing_sync_lines').where('run_id', '=', run.id);
        if (query.unlinked === 'true') q = q.where((eb) => eb.or([eb('company_id', 'is', null), eb('agreement_id', 'is', null), eb('product_id', 'is', null)]));
        const total = Number((await q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
        const rows = await q.selectAll().orderBy('line_no').limit(query.pageSize).offset((query.page - 1) * query.pageSize).execute();
        const link = (id: number | null, source: string | null) => (id === null ? null : { id, source: source ?? 'chosen' });
        return { status: 200, body: { page: query.page, pageSize: query.pageSize, total, lines: rows.map((r) => ({
          lineNo: r.line_no, 'Customer': r.customer, 'Contract ID': r.contract_id, 'Product': r.product, 'Billing Period': r.billing_period,
          'Commitment Period': r.commitment_period, 'Units': r.units, 'Cost': formatCost(r.cost_minor), 'Effective Date': r.effective_date,
          customerKey: keyOf('company', r), productKey: keyOf('product', r),
          links: { company: link(r.company_id, r.company_source), agreement: link(r.agreement_id, r.agreement_source), product: link(r.product_id, r.product_source) },
        })) } };
      },
    }),
    defineRoute({
      method: 'put', path: '/v1/billing-sync/runs/:month/links', operationId: 'setBillingSyncLinks', summary: 'Link every line of a customer or product to a Manage record (remembered for next month)', tag: 'billing sync', auth: 'merchant',
      params: monthParams, body: z.object({ links: z.array(linkChoice).min(1).max(500) }),
      responses: { 200: { description: 'Linked', schema: stateView }, 409: { description: 'Not possible now, or the record is not in Manage' } },
      handler: async ({ params, body, state }) => ({ status: 200, body: toView(await update(state.merchant.id, params.month, (h) => h.executeUpdate(setLinksUpdate, { args: [{ links: body.links }] }))) }),
    }),
    defineRoute({
      method: 'post', path: '/v1/billing-sync/runs/:month/create-missing', operationId: 'createMissingInManage', summary: 'Create a missing company, agreement or product in Manage and link it', tag: 'billing sync', auth: 'merchant',
      params: monthParams, body: z.object({ kind: z.enum(LINK_KINDS), key: plainText(200) }),
      responses: { 201: { description: 'Created (or found, when an earlier attempt made it) and linked', schema: z.object({ id: z.number(), name: z.string(), run: stateView }) },
        409: { description: 'Not possible now (the run is not awaiting fixes, or the line needs nothing created)' } },
      handler: async ({ params, body, state }) => {
        const created = await update(state.merchant.id, params.month, (h) => h.executeUpdate(createMissingUpdate, { args: [body] }));
        return { status: 201, body: { id: created.id, name: created.name, run: toView(created.state) } };
      },
    }),
    defineRoute({
      method: 'get', path: '/v1/billing-sync/runs/:month/proposal', operationId: 'getBillingSyncProposal', summary: 'The mismatches found and the change proposed for each', tag: 'billing sync', auth: 'merchant',
      params: monthParams, query: paging,
      responses: { 200: { description: 'The proposal', schema: z.object({ version: z.string().nullable(), total: z.number(), byKind: z.record(z.string(), z.number()),
        changes: z.array(z.object({ changeId: z.string(), mismatch: z.enum(MISMATCH_KINDS), status: z.string(), change: z.unknown(), result: z.unknown() })) }) } },
      handler: async ({ params, query, state }) => {
        const run = await runOf(state.merchant.id, params.month);
        const counts = await deps.db.selectFrom('billing_sync_changes').select(['mismatch', (eb) => eb.fn.countAll<string>().as('n')]).where('run_id', '=', run.id).groupBy('mismatch').execute();
        const rows = await deps.db.selectFrom('billing_sync_changes').selectAll().where('run_id', '=', run.id).orderBy('seq')
          .limit(query.pageSize).offset((query.page - 1) * query.pageSize).execute();
        const byKind = Object.fromEntries(MISMATCH_KINDS.map((k) => [k, Number(counts.find((c) => c.mismatch === k)?.n ?? 0)]));
        return { status: 200, body: { version: run.proposal_version, total: Object.values(byKind).reduce((a, b) => a + b, 0), byKind,
          changes: rows.map((r) => ({ changeId: r.change_id, mismatch: r.mismatch as (typeof MISMATCH_KINDS)[number], status: r.status, change: r.change, result: r.result ?? null })) } };
      },
    }),
    defineRoute({
      method: 'post', path: '/v1/billing-sync/runs/:month/approve', operationId: 'approveBillingSync', summary: 'Approve the proposal of this version (optionally leaving changes out); a stale version is refused', tag: 'billing sync', auth: 'merchant',
      params: monthParams, body: z.object({ proposalVersion: plainText(64), skip: z.array(plainText(120)).max(10_000).optional().describe('changeIds to leave out (e.g. keep a quantity)') }),
      responses: { 202: { description: 'Approved: the changes are being applied', schema: stateView }, 409: { description: 'The proposal is stale or the run is not awaiting approval' } },
      handler: async ({ params, body, state }) => ({ status: 202, body: toView(await update(state.merchant.id, params.month, (h) => h.executeUpdate(approveUpdate, { args: [body] }))) }),
    }),
    defineRoute({
      method: 'post', path: '/v1/billing-sync/runs/:month/invoices', operationId: 'generateBillingSyncInvoices', summary: "Generate the month's invoices and report in Manage from the updated agreements", tag: 'billing sync', auth: 'merchant',
      params: monthParams,
      responses: { 200: { description: 'Generated', schema: stateView }, 409: { description: 'The changes are not applied yet' } },
      handler: async ({ params, state }) => ({ status: 200, body: toView(await update(state.merchant.id, params.month, (h) => h.executeUpdate(generateInvoicesUpdate, { args: [] }))) }),
    }),
    defineRoute({
      method: 'get', path: '/v1/billing-sync/runs/:month/report', operationId: 'getBillingSyncReport', summary: "The month's report: invoices generated in Manage and the changes applied", tag: 'billing sync', auth: 'merchant',
      params: monthParams,
      responses: { 200: { description: 'The report', schema: z.unknown() }, 404: { description: 'No report yet' } },
      handler: async ({ params, state }) => {
        const run = await runOf(state.merchant.id, params.month);
        if (!run.report) throw notFound(`the report for ${params.month} (generate the invoices first)`);
        return { status: 200, body: run.report };
      },
    }),
  ];
}
