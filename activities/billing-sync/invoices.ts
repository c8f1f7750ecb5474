// The month's invoices, generated in Manage from the updated agreements (one agreement invoice each, as "Process
// Agreements" makes them), and the report of the run kept with it. The invoice's reference names the month, and an
// agreement's invoice of the month is looked up before one is created, so a retry never invoices an agreement twice.
import { Context } from '@temporalio/activity';
import { idempotencyKey } from '../../lib/idempotency';
import { countByKind, type MismatchKind } from '../../lib/billing-sync/validation';
import { monthBounds } from '../../lib/billing-sync/lines';
import { ManageApiError } from '../connectwise/client';
import { manageFor, type BillingSyncActivityDeps } from './deps';

export interface BillingReport {
  month: string;
  generatedAt: string;
  invoices: Array<{ id: number; invoiceNumber: string; companyId: number; company: string; agreementId: number; agreement: string; total: string; totalMinor: number }>;
  /** Agreements Manage had already invoiced for the month by other means: left as they were. */
  alreadyInvoiced: number[];
  totals: { invoices: number; totalMinor: number; lines: number };
  changes: { applied: number; skipped: number; byKind: Record<MismatchKind, number> };
}

export const invoiceReference = (month: string) => `Settle billing sync ${month}`;

export function createInvoiceActivities(deps: BillingSyncActivityDeps) {
  const { db } = deps;
  return {
    async generateBillingInvoices(input: { merchantId: string; runId: string; workflowId: string; month: string }): Promise<{ invoices: number; totalMinor: number }> {
      const manage = await manageFor(deps, input.merchantId);
      const agreements = await db.selectFrom('billing_sync_lines').select(['agreement_id', 'company_id']).distinct().where('run_id', '=', input.runId).orderBy('agreement_id').execute();
      const reference = invoiceReference(input.month);
      const invoices: BillingReport['invoices'] = [];
      const alreadyInvoiced: number[] = [];
      for (const { agreement_id: agreementId, company_id: companyId } of agreements) {
        if (agreementId === null || companyId === null) continue;
        let invoice = await manage.invoices.forAgreement(agreementId, reference);
        if (!invoice) {
          try {
            invoice = await manage.invoices.createForAgreement({ agreementId, companyId, date: monthBounds(input.month).first, reference },
              idempotencyKey(input.workflowId, `invoice:${agreementId}`));
          } catch (err) {
            if (!(err instanceof ManageApiError && err.status === 400 && /already invoiced/i.test(err.message))) throw err;
            alreadyInvoiced.push(agreementId);
            continue;
          }
        }
        const totalMinor = Math.round(invoice.total * 100);
        invoices.push({ id: invoice.id, invoiceNumber: invoice.invoiceNumber, companyId, company: invoice.company.name ?? '', agreementId,
          agreement: invoice.agreement?.name ?? '', total: (totalMinor / 100).toFixed(2), totalMinor });
        Context.current().heartbeat(agreementId);
      }
      const changes = await db.selectFrom('billing_sync_changes').select(['status', 'mismatch']).where('run_id', '=', input.runId).execute();
      const lines = await db.selectFrom('billing_sync_lines').select((eb) => eb.fn.countAll<string>().as('n')).where('run_id', '=', input.runId).executeTakeFirstOrThrow();
      const report: BillingReport = {
        month: input.month, generatedAt: new Date().toISOString(), invoices, alreadyInvoiced,
        totals: { invoices: invoices.length, totalMinor: invoices.reduce((s, i) => s + i.totalMinor, 0), lines: Number(lines.n) },
        changes: { applied: changes.filter((c) => c.status === 'applied').length, skipped: changes.filter((c) => c.status === 'skipped').length,
          byKind: countByKind(changes.filter((c) => c.status === 'applied') as Array<{ mismatch: MismatchKind }>) },
      };
      await db.updateTable('billing_sync_runs').set({ report: JSON.stringify(report), updated_at: new Date() }).where('id', '=', input.runId).execute();
      return { invoices: invoices.length, totalMinor: report.totals.totalMinor };
    },
  };
}
