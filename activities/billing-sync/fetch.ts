// Fetching a month's lines (from the BSS API, or the export the merchant uploaded) into Postgres, each with the links
// Settle suggests (remembered ones first). A retry replaces the run's lines with the same ones.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { rememberedLinks } from '../../db/billing-sync';
import { parseBssCsv } from '../../lib/billing-sync/csv';
import type { BillingLine } from '../../lib/billing-sync/lines';
import { suggestLinks, type LineLinks, type ManageDirectory } from '../../lib/billing-sync/mapping';
import { BssDataError } from '../bss/client';
import type { ManageApi } from '../connectwise/manage';
import { bssFor, manageFor, unlinkedCount, type BillingSyncActivityDeps } from './deps';

const ROWS_PER_INSERT = 1000;

export async function manageDirectory(manage: ManageApi): Promise<ManageDirectory> {
  const [companies, agreements, products] = await Promise.all([manage.companies.list(), manage.agreements.listOpen(), manage.products.list()]);
  return {
    companies: companies.map((c) => ({ id: c.id, identifier: c.identifier, name: c.name })),
    agreements: agreements.map((a) => ({ id: a.id, name: a.name, companyId: a.company.id })),
    products: products.map((p) => ({ id: p.id, identifier: p.identifier, description: p.description })),
  };
}

export function createFetchActivities(deps: BillingSyncActivityDeps) {
  const { db } = deps;

  async function readSource(merchantId: string, runId: string, month: string): Promise<BillingLine[]> {
    const run = await db.selectFrom('billing_sync_runs').select(['source', 'csv_content']).where('id', '=', runId).executeTakeFirstOrThrow();
    if (run.source === 'csv') {
      const parsed = parseBssCsv(run.csv_content ?? '', month);
      if (parsed.errors.length) throw ApplicationFailure.nonRetryable(`the export has ${parsed.errors.length} bad line(s)`, 'BadExport', parsed.errors.slice(0, 100));
      return parsed.lines;
    }
    try {
      return await (await bssFor(deps, merchantId)).recurringLines(month);
    } catch (err) {
      if (err instanceof BssDataError) throw ApplicationFailure.nonRetryable(err.message, 'BadBssData', err.errors.slice(0, 100));
      throw err;
    }
  }

  return {
    async fetchBillingLines(input: { merchantId: string; runId: string; month: string }): Promise<{ lines: number; unlinked: number }> {
      const lines = await readSource(input.merchantId, input.runId, input.month);
      Context.current().heartbeat('read');
      const manage = await manageFor(deps, input.merchantId);
      const suggestions = suggestLinks(lines, await rememberedLinks(db, input.merchantId), await manageDirectory(manage));
      Context.current().heartbeat('suggested');
      const empty: LineLinks = {};
      await db.transaction().execute(async (tx) => {
        await tx.deleteFrom('billing_sync_lines').where('run_id', '=', input.runId).execute();
        for (let i = 0; i < lines.length; i += ROWS_PER_INSERT) {
          await tx.insertInto('billing_sync_lines').values(lines.slice(i, i + ROWS_PER_INSERT).map((l) => {
            const links = suggestions.get(l.lineNo) ?? empty;
            return {
              run_id: input.runId, line_no: l.lineNo, customer: l.customer, contract_id: l.contractId, product: l.product, billing_period: l.billingPeriod,
              commitment_period: l.commitmentPeriod, units: l.units, cost_minor: l.costMinor, effective_date: l.effectiveDate,
              company_id: links.company?.id ?? null, company_source: links.company?.source ?? null,
              agreement_id: links.agreement?.id ?? null, agreement_source: links.agreement?.source ?? null,
              product_id: links.product?.id ?? null, product_source: links.product?.source ?? null,
            };
          })).execute();
        }
      });
      return { lines: lines.length, unlinked: await unlinkedCount(db, input.runId) };
    },
  };
}
