// Settle's own fee invoices and credit invoices to merchants: issued by Settle's billing (admin), uploaded to the
// merchant's books by the fee upload workflow, on the accounts the merchant chose for each fee type.
import { z } from 'zod';
import type { FeeLine, FeeType, MerchantFeeDocumentsTable } from '../../db/schema';
import type { Selectable } from 'kysely';
import { newId } from '../../lib/ids';
import { CURRENCIES, formatAmount, parseAmount, type Currency } from '../../lib/money';
import { taskQueueName } from '../../lib/task-queues';
import { feeDocumentsChangedSignal, feeUploadWorkflowId } from '../../workflows/fees/definitions';
import { feeUploadWorkflow } from '../../workflows/fees/fee-upload-workflow';
import type { ApiDeps } from '../deps';
import { notFound, ProblemError } from '../problem';
import { defineRoute } from '../routing';
import { amountText, merchantIdParam, plainText } from '../schemas';

const FEE_TYPES = ['transaction', 'subscription', 'dishonour', 'chargeback', 'other'] as const satisfies readonly FeeType[];
const accountCode = z.string().regex(/^[A-Za-z0-9._-]{1,20}$/, 'must be an account code from the chart of accounts')
  .describe('Xero: the account code; QuickBooks Online: the Id of the (expense) account');

const newDocument = z.object({
  number: plainText(64).describe("Settle's invoice number"),
  kind: z.enum(['invoice', 'credit']),
  issuedOn: z.iso.date(),
  currency: z.enum(CURRENCIES),
  lines: z.array(z.object({ feeType: z.enum(FEE_TYPES), description: plainText(255), amount: amountText })).min(1).max(100),
}).transform((body, ctx) => {
  const lines = body.lines.map((line, i) => {
    const amount = parseAmount(line.amount, body.currency);
    if (!amount.ok) ctx.addIssue({ code: 'custom', path: ['lines', i, 'amount'], message: amount.reason });
    return { feeType: line.feeType, description: line.description, amountMinor: amount.ok ? amount.minor : 0 };
  });
  return { ...body, lines, totalMinor: lines.reduce((sum, l) => sum + l.amountMinor, 0) };
});

const documentView = z.object({
  id: z.string(), number: z.string(), kind: z.enum(['invoice', 'credit']), issuedOn: z.string(), currency: z.string(), total: z.string(),
  uploadStatus: z.enum(['pending', 'waiting-for-accounts', 'uploaded', 'skipped', 'failed']), uploadReason: z.string().nullable(),
  accountingId: z.string().nullable(), accountingUrl: z.string().nullable(), uploadedAt: z.string().nullable(),
  unapplied: z.string().nullable().describe('A credit: what is left to apply to later invoices'),
  amountDue: z.string().nullable().describe('An invoice: what is owed after credits were applied'),
});

const toView = (d: Selectable<MerchantFeeDocumentsTable>): z.infer<typeof documentView> => {
  const money = (minor: number) => formatAmount(minor, d.currency as Currency);
  return {
    id: d.id, number: d.number, kind: d.kind, issuedOn: d.issued_on, currency: d.currency, total: money(d.total_minor), uploadStatus: d.upload_status,
    uploadReason: d.upload_reason, accountingId: d.accounting_id, accountingUrl: d.accounting_url, uploadedAt: d.uploaded_at?.toISOString() ?? null,
    unapplied: d.kind === 'credit' && d.upload_status === 'uploaded' ? money(d.unapplied_minor) : null,
    amountDue: d.kind === 'invoice' && d.accounting_id ? money(d.amount_due_minor) : null,
  };
};

/** Postgres' jsonb reorders keys, so lines compare by their fields, not their text. */
const sameLines = (a: FeeLine[], b: FeeLine[]) =>
  a.length === b.length && a.every((l, i) => l.feeType === b[i].feeType && l.description === b[i].description && l.amountMinor === b[i].amountMinor);

const accountsView = z.partialRecord(z.enum(FEE_TYPES), accountCode);

export function feeRoutes(deps: ApiDeps) {
  /** Starts the merchant's fee upload, or tells the running one to look again. */
  const wake = (merchantId: string) => deps.temporal.workflow.signalWithStart(feeUploadWorkflow, {
    workflowId: feeUploadWorkflowId(merchantId), taskQueue: taskQueueName(deps.taskQueuePrefix, 'workflows'),
    args: [{ merchantId }], signal: feeDocumentsChangedSignal, signalArgs: [],
  });

  return [
    defineRoute({
      method: 'post', path: '/v1/admin/merchants/:merchantId/fee-documents', operationId: 'issueFeeDocument',
      summary: "Issue Settle's fee invoice or credit invoice to a merchant (uploaded to the merchant's books)", tag: 'admin', auth: 'admin',
      params: z.object({ merchantId: merchantIdParam }), body: newDocument,
      responses: {
        201: { description: 'Issued; the upload follows', schema: documentView },
        200: { description: 'Issued before with the same number and details', schema: documentView },
        404: { description: 'No such merchant' }, 409: { description: 'The number was used for other details' },
      },
      handler: async ({ params, body }) => {
        const merchant = await deps.db.selectFrom('merchants').select('id').where('id', '=', params.merchantId).executeTakeFirst();
        if (!merchant) throw notFound('merchant');
        const inserted = await deps.db.insertInto('merchant_fee_documents').values({
          id: newId('fee'), merchant_id: merchant.id, number: body.number, kind: body.kind, issued_on: body.issuedOn, currency: body.currency,
          total_minor: body.totalMinor, lines: JSON.stringify(body.lines),
        }).onConflict((oc) => oc.constraint('merchant_fee_documents_number').doNothing()).returningAll().executeTakeFirst();
        if (!inserted) {
          const earlier = await deps.db.selectFrom('merchant_fee_documents').selectAll().where('merchant_id', '=', merchant.id).where('number', '=', body.number).executeTakeFirstOrThrow();
          const same = earlier.kind === body.kind && earlier.issued_on === body.issuedOn && earlier.currency === body.currency && sameLines(earlier.lines, body.lines);
          if (!same) throw new ProblemError('conflict', `fee document ${body.number} was issued with other details`, { id: earlier.id });
          await wake(merchant.id);
          return { status: 200, body: toView(earlier) };
        }
        await wake(merchant.id);
        return { status: 201, body: toView(inserted) };
      },
    }),
    defineRoute({
      method: 'get', path: '/v1/merchant/fee-documents', operationId: 'listFeeDocuments', summary: "Settle's invoices to you, and whether, when and where they were uploaded", tag: 'merchant invoices', auth: 'merchant',
      responses: { 200: { description: 'Newest first (latest 100)', schema: z.object({ documents: z.array(documentView) }) } },
      handler: async ({ state }) => {
        const rows = await deps.db.selectFrom('merchant_fee_documents').selectAll().where('merchant_id', '=', state.merchant.id)
          .orderBy('issued_on', 'desc').orderBy('created_at', 'desc').limit(100).execute();
        return { status: 200, body: { documents: rows.map(toView) } };
      },
    }),
    defineRoute({
      method: 'get', path: '/v1/merchant/fee-accounts', operationId: 'getFeeAccounts', summary: "The account each of Settle's fee types is posted to", tag: 'merchant invoices', auth: 'merchant',
      responses: { 200: { description: 'Fee type → account code', schema: z.object({ accounts: accountsView, feeTypes: z.array(z.string()) }) } },
      handler: async ({ state }) => {
        const rows = await deps.db.selectFrom('merchant_fee_accounts').selectAll().where('merchant_id', '=', state.merchant.id).execute();
        return { status: 200, body: { accounts: Object.fromEntries(rows.map((r) => [r.fee_type, r.account_code])), feeTypes: [...FEE_TYPES] } };
      },
    }),
    defineRoute({
      method: 'put', path: '/v1/merchant/fee-accounts', operationId: 'setFeeAccounts',
      summary: "Choose the account for each of Settle's fee types (ask your accountant); waiting or refused documents are uploaded again", tag: 'merchant invoices', auth: 'merchant', merchantRole: 'admin',
      body: z.object({ accounts: accountsView }),
      responses: { 200: { description: 'Saved', schema: z.object({ accounts: accountsView, feeTypes: z.array(z.string()) }) } },
      handler: async ({ body, state }) => {
        const merchantId = state.merchant.id;
        await deps.db.transaction().execute(async (trx) => {
          for (const [feeType, code] of Object.entries(body.accounts)) {
            await trx.insertInto('merchant_fee_accounts').values({ merchant_id: merchantId, fee_type: feeType as FeeType, account_code: code })
              .onConflict((oc) => oc.columns(['merchant_id', 'fee_type']).doUpdateSet({ account_code: code })).execute();
          }
          // A document the platform refused (an account it does not know) is tried again with the new choice.
          await trx.updateTable('merchant_fee_documents').set({ upload_status: 'pending', upload_reason: null }).where('merchant_id', '=', merchantId)
            .where('upload_status', 'in', ['waiting-for-accounts', 'failed']).execute();
        });
        await wake(merchantId);
        const rows = await deps.db.selectFrom('merchant_fee_accounts').selectAll().where('merchant_id', '=', merchantId).execute();
        return { status: 200, body: { accounts: Object.fromEntries(rows.map((r) => [r.fee_type, r.account_code])), feeTypes: [...FEE_TYPES] } };
      },
    }),
  ];
}
