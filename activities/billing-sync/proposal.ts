// Validation, approval and applying. Validation reads the additions of every agreement the BSS feeds and stores the
// proposal (one row per change, with its version) in Postgres; approval refuses any version but the current one; applying
// works through the approved changes a batch at a time on the company connection, recording each as applied.
// Applying again after a crash writes nothing twice: an applied change is skipped; a create whose answer was lost is
// found by the Contract ID it carries (looked up before creating); updates set absolute values.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { forEachLimited } from '../../lib/concurrency';
import { rememberLink, rememberedLinks } from '../../db/billing-sync';
import { idempotencyKey } from '../../lib/idempotency';
import { countByKind, findMismatches, proposalVersion, type AdditionSnapshot, type Change, type LinkedLine, type MismatchKind } from '../../lib/billing-sync/validation';
import { keyOf, type LinkKind } from '../../lib/billing-sync/mapping';
import { ManageApiError } from '../connectwise/client';
import { toSnapshot, type ManageAddition, type ManageApi } from '../connectwise/manage';
import { manageFor, type BillingSyncActivityDeps } from './deps';

const ROWS_PER_INSERT = 1000;
/** Agreements whose changes are applied at once: Manage answers each call in tens of milliseconds, one at a time wasted that. */
const APPLY_AGREEMENTS_AT_ONCE = 4;

export interface ProposalSummary {
  version: string;
  changes: number;
  byKind: Record<MismatchKind, number>;
}

async function additionsOf(manage: ManageApi, agreementIds: Iterable<number>): Promise<AdditionSnapshot[]> {
  const all: AdditionSnapshot[] = [];
  for (const id of agreementIds) {
    try {
      all.push(...(await manage.additions.list(id)).map(toSnapshot));
    } catch (err) {
      // A remembered agreement deleted in Manage since: nothing of it to validate.
      if (!(err instanceof ManageApiError && err.status === 404)) throw err;
    }
    Context.current().heartbeat(id);
  }
  return all;
}

export function createProposalActivities(deps: BillingSyncActivityDeps) {
  const { db } = deps;

  return {
    async validateBillingRun(input: { merchantId: string; runId: string; month: string }): Promise<ProposalSummary> {
      const rows = await db.selectFrom('billing_sync_lines').selectAll().where('run_id', '=', input.runId).orderBy('line_no').execute();
      const lines: LinkedLine[] = rows.filter((r) => r.agreement_id !== null && r.product_id !== null).map((r) => ({
        lineNo: r.line_no, customer: r.customer, contractId: r.contract_id, product: r.product, billingPeriod: r.billing_period,
        commitmentPeriod: r.commitment_period as LinkedLine['commitmentPeriod'], units: r.units, costMinor: r.cost_minor, effectiveDate: r.effective_date,
        agreementId: r.agreement_id!, productId: r.product_id!,
      }));
      if (lines.length !== rows.length) throw ApplicationFailure.nonRetryable('every line must be linked before validation', 'NotLinked');
      const remembered = await rememberedLinks(db, input.merchantId);
      const agreementIds = new Set([...lines.map((l) => l.agreementId), ...remembered.agreement.values()]);
      const additions = await additionsOf(await manageFor(deps, input.merchantId), agreementIds);
      const changes = findMismatches(input.month, lines, additions, { agreementIds, productIds: remembered.product.values() });
      const version = proposalVersion(changes);
      await db.transaction().execute(async (tx) => {
        await tx.deleteFrom('billing_sync_changes').where('run_id', '=', input.runId).execute();
        for (let i = 0; i < changes.length; i += ROWS_PER_INSERT) {
          await tx.insertInto('billing_sync_changes').values(changes.slice(i, i + ROWS_PER_INSERT).map((c, at) => ({
            run_id: input.runId, change_id: c.changeId, seq: i + at, proposal_version: version, mismatch: c.mismatch,
            change: JSON.stringify({ ...c.change, lineNo: c.lineNo }),
          }))).execute();
        }
        await tx.updateTable('billing_sync_runs').set({ proposal_version: version, updated_at: new Date() }).where('id', '=', input.runId).execute();
      });
      return { version, changes: changes.length, byKind: countByKind(changes) };
    },

    /** Records the approval of `version` (leaving out `skip`) and remembers every link of the month for the next. */
    async approveBillingProposal(input: { merchantId: string; runId: string; version: string; skip: string[] }): Promise<{ toApply: number; skipped: number }> {
      const run = await db.selectFrom('billing_sync_runs').select('proposal_version').where('id', '=', input.runId).executeTakeFirstOrThrow();
      if (run.proposal_version !== input.version) throw ApplicationFailure.nonRetryable(`proposal ${input.version} is stale: the current one is ${run.proposal_version}`, 'StaleProposal');
      if (input.skip.length) {
        const known = await db.selectFrom('billing_sync_changes').select('change_id').where('run_id', '=', input.runId).where('change_id', 'in', input.skip).execute();
        const unknown = input.skip.filter((id) => !known.some((k) => k.change_id === id));
        if (unknown.length) throw ApplicationFailure.nonRetryable(`not in the proposal: ${unknown.slice(0, 5).join(', ')}`, 'UnknownChange');
        await db.updateTable('billing_sync_changes').set({ status: 'skipped' }).where('run_id', '=', input.runId).where('change_id', 'in', input.skip).where('status', '=', 'proposed').execute();
      }
      const lines = await db.selectFrom('billing_sync_lines').select(['customer', 'product', 'company_id', 'agreement_id', 'product_id']).where('run_id', '=', input.runId).execute();
      const links = new Map<string, { kind: LinkKind; key: string; id: number }>();
      for (const l of lines) {
        for (const [kind, id] of [['company', l.company_id], ['agreement', l.agreement_id], ['product', l.product_id]] as const) {
          if (id !== null) links.set(`${kind}\0${keyOf(kind, l)}`, { kind, key: keyOf(kind, l), id });
        }
      }
      for (const link of links.values()) await rememberLink(db, input.merchantId, link.kind, link.key, link.id, link.key);
      const counts = await db.selectFrom('billing_sync_changes').select(['status', (eb) => eb.fn.countAll<string>().as('n')]).where('run_id', '=', input.runId).groupBy('status').execute();
      const count = (status: string) => Number(counts.find((c) => c.status === status)?.n ?? 0);
      return { toApply: count('proposed'), skipped: count('skipped') };
    },

    /**
     * Applies up to `limit` approved changes, each recorded as applied once Manage has it; answers how many are applied
     * in all (an attempt that died applied some too) and how many remain.
     */
    async applyBillingChanges(input: { merchantId: string; runId: string; workflowId: string; limit: number }): Promise<{ applied: number; remaining: number }> {
      const batch = await db.selectFrom('billing_sync_changes').select(['change_id', 'change']).where('run_id', '=', input.runId)
        .where('status', '=', 'proposed').orderBy('seq').limit(input.limit).execute();
      const manage = await manageFor(deps, input.merchantId);
      // The lookup before creating, done once per agreement for the batch: billed additions by the Contract ID they carry.
      const creates = batch.map((b) => b.change as Change).filter((c): c is Extract<Change, { kind: 'create-addition' }> => c.kind === 'create-addition');
      const existing = new Map<string, ManageAddition>();
      for (const agreementId of new Set(creates.map((c) => c.agreementId))) {
        for (const a of await manage.additions.list(agreementId, 'cancelledDate=null')) if (a.serialNumber) existing.set(`${agreementId}\0${a.serialNumber}`, a);
        Context.current().heartbeat(`looked up ${agreementId}`);
      }
      let done = 0;
      const applyOne = async (row: (typeof batch)[number]) => {
        const change = row.change as Change;
        const key = idempotencyKey(input.workflowId, `change:${row.change_id}`);
        let result: Record<string, unknown>;
        switch (change.kind) {
          case 'create-addition': {
            const found = existing.get(`${change.agreementId}\0${change.contractId}`);
            const addition = found ?? (await manage.additions.create(change.agreementId, change, key));
            result = { additionId: addition.id, alreadyThere: Boolean(found) };
            break;
          }
          case 'update-quantity':
            await manage.additions.update(change.agreementId, change.additionId, { quantity: change.to, contractId: change.contractId }, key);
            result = { additionId: change.additionId, quantity: change.to };
            break;
          case 'update-effective-date':
            await manage.additions.update(change.agreementId, change.additionId, { effectiveDate: change.to, contractId: change.contractId }, key);
            result = { additionId: change.additionId, effectiveDate: change.to };
            break;
          case 'cancel-addition':
            await manage.additions.update(change.agreementId, change.additionId, { cancelledDate: change.cancelledDate }, key);
            result = { additionId: change.additionId, cancelledDate: change.cancelledDate };
            break;
        }
        await db.updateTable('billing_sync_changes').set({ status: 'applied', result: JSON.stringify(result), applied_at: new Date() })
          .where('run_id', '=', input.runId).where('change_id', '=', row.change_id).execute();
        Context.current().heartbeat(++done);
      };
      // Agreements a few at a time (each change is its own idempotent call, recorded when Manage has it); one agreement's
      // changes stay in order. The Manage client waits out 429s, so the member's rate limit still holds.
      const byAgreement = new Map<number, (typeof batch)[number][]>();
      for (const row of batch) {
        const agreementId = (row.change as Change).agreementId;
        byAgreement.set(agreementId, [...(byAgreement.get(agreementId) ?? []), row]);
      }
      await forEachLimited([...byAgreement.values()], APPLY_AGREEMENTS_AT_ONCE, async (rows) => {
        for (const row of rows) await applyOne(row);
      });
      const counts = await db.selectFrom('billing_sync_changes').select(['status', (eb) => eb.fn.countAll<string>().as('n')]).where('run_id', '=', input.runId).groupBy('status').execute();
      const count = (status: string) => Number(counts.find((c) => c.status === status)?.n ?? 0);
      return { applied: count('applied'), remaining: count('proposed') };
    },
  };
}
