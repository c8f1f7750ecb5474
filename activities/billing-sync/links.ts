// The merchant links lines to Manage records, or has Settle create a missing company, agreement or product. A link is
// keyed (every line of the BSS customer, or of the product, gets it) and remembered for next month at once.
// Creating looks the record up by the name or identifier Settle derives from the BSS name before creating it, so a
// retry after a lost answer (or a crashed worker) finds the first attempt's record instead of making a second.
import { ApplicationFailure } from '@temporalio/activity';
import { rememberLink } from '../../db/billing-sync';
import type { Db } from '../../db/database';
import { idempotencyKey } from '../../lib/idempotency';
import { monthBounds } from '../../lib/billing-sync/lines';
import { agreementNameFor, identifierFor, keyOf, type LinkKind } from '../../lib/billing-sync/mapping';
import { ManageApiError } from '../connectwise/client';
import type { ManageApi } from '../connectwise/manage';
import { manageFor, unlinkedCount, type BillingSyncActivityDeps } from './deps';

export interface LinkChoice {
  kind: LinkKind;
  /** The link key of the BSS customer (company, agreement) or product, as the grid shows it. */
  key: string;
  id: number;
}

/** The names in the run whose key is `key` (a key covers every spelling of one customer or product). */
async function namesWithKey(db: Db, runId: string, kind: LinkKind, key: string): Promise<string[]> {
  const field = kind === 'product' ? 'product' : 'customer';
  const rows = await db.selectFrom('billing_sync_lines').select(field).distinct().where('run_id', '=', runId).execute();
  return rows.map((r) => (r as Record<string, string>)[field]).filter((name) => keyOf(kind, { customer: name, product: name }) === key);
}

async function setLink(db: Db, runId: string, kind: LinkKind, names: string[], id: number, source: 'chosen' | 'created'): Promise<void> {
  const field = kind === 'product' ? 'product' : 'customer';
  const set = kind === 'company'
    // A customer's agreement belongs to its company: choosing another company drops an agreement of the old one.
    ? { company_id: id, company_source: source, agreement_id: null, agreement_source: null }
    : kind === 'agreement' ? { agreement_id: id, agreement_source: source } : { product_id: id, product_source: source };
  await db.updateTable('billing_sync_lines').set(set).where('run_id', '=', runId).where(field, 'in', names).execute();
}

async function nameInManage(manage: ManageApi, kind: LinkKind, id: number): Promise<{ name: string; companyId?: number }> {
  try {
    if (kind === 'product') {
      const found = (await manage.products.list(`id=${id}`))[0];
      if (found) return { name: found.description };
    } else if (kind === 'company') {
      const found = (await manage.companies.list(`id=${id}`))[0];
      if (found) return { name: found.name };
    } else {
      const found = (await manage.agreements.listOpen(`id=${id}`))[0];
      if (found) return { name: found.name, companyId: found.company.id };
    }
  } catch (err) {
    if (!(err instanceof ManageApiError && err.status === 404)) throw err;
  }
  throw ApplicationFailure.nonRetryable(`there is no open ${kind} ${id} in ConnectWise Manage`, 'UnknownManageRecord');
}

export function createLinkActivities(deps: BillingSyncActivityDeps) {
  const { db } = deps;

  return {
    async linkBillingLines(input: { merchantId: string; runId: string; links: LinkChoice[] }): Promise<{ unlinked: number }> {
      const manage = await manageFor(deps, input.merchantId);
      for (const link of input.links) {
        const names = await namesWithKey(db, input.runId, link.kind, link.key);
        if (!names.length) throw ApplicationFailure.nonRetryable(`no line of this month has the ${link.kind === 'product' ? 'product' : 'customer'} "${link.key}"`, 'UnknownKey');
        const target = await nameInManage(manage, link.kind, link.id);
        if (link.kind === 'agreement') {
          const companies = await db.selectFrom('billing_sync_lines').select('company_id').distinct().where('run_id', '=', input.runId).where('customer', 'in', names).execute();
          if (companies.some((c) => c.company_id !== target.companyId)) {
            throw ApplicationFailure.nonRetryable(`agreement ${link.id} belongs to company ${target.companyId}, not to the company "${link.key}" is linked to`, 'AgreementOfAnotherCompany');
          }
        }
        await setLink(db, input.runId, link.kind, names, link.id, 'chosen');
        await rememberLink(db, input.merchantId, link.kind, link.key, link.id, target.name);
      }
      return { unlinked: await unlinkedCount(db, input.runId) };
    },

    async createMissingInManage(input: { merchantId: string; runId: string; workflowId: string; month: string; kind: LinkKind; key: string }): Promise<{ id: number; name: string; unlinked: number }> {
      const names = await namesWithKey(db, input.runId, input.kind, input.key);
      if (!names.length) throw ApplicationFailure.nonRetryable(`no line of this month has the ${input.kind === 'product' ? 'product' : 'customer'} "${input.key}"`, 'UnknownKey');
      const manage = await manageFor(deps, input.merchantId);
      const key = idempotencyKey(input.workflowId, `create-${input.kind}:${input.key}`);
      let created: { id: number; name: string };
      if (input.kind === 'company') {
        const identifier = identifierFor(names[0]);
        const company = (await manage.companies.byIdentifier(identifier)) ?? (await manage.companies.create({ identifier, name: names[0].slice(0, 50) }, key));
        created = { id: company.id, name: company.name };
      } else if (input.kind === 'agreement') {
        const line = await db.selectFrom('billing_sync_lines').select('company_id').where('run_id', '=', input.runId).where('customer', 'in', names)
          .where('company_id', 'is not', null).executeTakeFirst();
        if (!line?.company_id) throw ApplicationFailure.nonRetryable(`link "${input.key}" to a company (or create it) before creating its agreement`, 'CompanyFirst');
        const name = agreementNameFor(names[0]);
        const agreement = (await manage.agreements.byCompanyAndName(line.company_id, name))
          ?? (await manage.agreements.create({ name, companyId: line.company_id, startDate: monthBounds(input.month).first }, key));
        created = { id: agreement.id, name: agreement.name };
      } else {
        const identifier = identifierFor(names[0]);
        const first = await db.selectFrom('billing_sync_lines').select('cost_minor').where('run_id', '=', input.runId).where('product', 'in', names).executeTakeFirstOrThrow();
        const product = (await manage.products.byIdentifier(identifier))
          ?? (await manage.products.create({ identifier, description: names[0].slice(0, 60), costMinor: first.cost_minor }, key));
        created = { id: product.id, name: product.description };
      }
      await setLink(db, input.runId, input.kind, names, created.id, 'created');
      await rememberLink(db, input.merchantId, input.kind, input.key, created.id, created.name);
      return { ...created, unlinked: await unlinkedCount(db, input.runId) };
    },
  };
}
