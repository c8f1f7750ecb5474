// A month's billing sync for a merchant (id `billing-sync/{merchant}/{YYYY-MM}`): fetch the BSS lines with suggested
// links → wait, as long as it takes, until every line is linked (setLinks, createMissing) → validate against Manage's
// agreement additions → wait for the merchant to approve the proposal (an approval of a stale version is refused) →
// apply the approved changes on the company connection, a batch at a time, each recorded → wait for generateInvoices,
// which invoices the updated agreements in Manage and writes the report.
//
// Only counts and the proposal's version are kept here; the lines and changes live in Postgres (see definitions.ts).
// Every activity runs on the company queue: Manage is the company's system of record, and its writes must never queue
// behind (or delay) a payer's payment.
import { ActivityFailure, ApplicationFailure, condition, patched, proxyActivities, setHandler, sleep, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type * as activities from '../../activities';
import { accountingQueueFor } from '../../lib/task-queues';
import { SettleStatus } from '../../lib/temporal/search-attributes';
import { serial } from '../support/serial';
import {
  approveUpdate,
  billingSyncStateQuery,
  DEFAULT_SOURCE_FETCH_RETRY,
  createMissingUpdate,
  generateInvoicesUpdate,
  LINKABLE_STATUSES,
  setLinksUpdate,
  type BillingSyncInput,
  type BillingSyncState,
  type BillingSyncStatus,
} from './definitions';

/** Changes applied per activity: a crash repeats at most one batch's lookups, and the heartbeat shows progress. */
const APPLY_BATCH = 500;

export async function billingSyncWorkflow(input: BillingSyncInput): Promise<BillingSyncState> {
  const { merchantId, month, runId } = input;
  const { workflowId, taskQueue } = workflowInfo();
  const retry = { initialInterval: '1 second', maximumInterval: '1 minute' } as const;
  const company = proxyActivities<activities.Activities>({
    taskQueue: accountingQueueFor(taskQueue, 'company'), startToCloseTimeout: '30 minutes', heartbeatTimeout: '10 seconds', retry,
  });
  // What a merchant waits on in an update: a refusal (an unknown id, a stale proposal) comes back at once.
  const interactive = proxyActivities<activities.Activities>({
    taskQueue: accountingQueueFor(taskQueue, 'company'), startToCloseTimeout: '5 minutes', heartbeatTimeout: '30 seconds',
    retry: { ...retry, maximumAttempts: 5 },
  });

  const state: BillingSyncState = { merchantId, month, runId, status: 'fetching', lines: 0, unlinked: 0, applied: 0, skipped: 0 };
  const exclusive = serial();
  let linksChanged = false;
  let approved = false;

  const save = async (status: BillingSyncStatus) => {
    await company.saveBillingRunStatus({ runId, status });
    state.status = status;
    upsertSearchAttributes([{ key: SettleStatus, value: status }]);
  };
  /** An activity's refusal as the update's failure (a plain error would fail the workflow task, not the update). */
  const refused = (err: unknown): never => {
    if (err instanceof ActivityFailure) {
      const cause = err.cause instanceof ApplicationFailure ? err.cause : undefined;
      throw ApplicationFailure.nonRetryable(cause?.message ?? err.message, cause?.type ?? 'Refused');
    }
    throw err;
  };
  const linkable = () => LINKABLE_STATUSES.includes(state.status);
  /** A link changed: any proposal is stale from now on, and the status says what comes next. */
  const relinked = async (unlinked: number) => {
    state.unlinked = unlinked;
    state.proposal = undefined;
    linksChanged = true;
    await save(unlinked > 0 ? 'awaiting-links' : 'validating');
  };

  setHandler(billingSyncStateQuery, () => state);
  setHandler(setLinksUpdate, ({ links }) => exclusive(async () => {
    if (!linkable()) throw ApplicationFailure.nonRetryable(`the run is ${state.status}; links can no longer change`, 'InvalidState');
    const { unlinked } = await interactive.linkBillingLines({ merchantId, runId, links }).catch(refused);
    await relinked(unlinked);
    return state;
  }), { validator: ({ links }) => {
    if (!linkable()) throw new Error(`the run is ${state.status}; links can no longer change`);
    if (!links.length) throw new Error('give at least one link');
  } });
  setHandler(createMissingUpdate, ({ kind, key }) => exclusive(async () => {
    if (!linkable()) throw ApplicationFailure.nonRetryable(`the run is ${state.status}; nothing can be created now`, 'InvalidState');
    const created = await interactive.createMissingInManage({ merchantId, runId, workflowId, month, kind, key }).catch(refused);
    await relinked(created.unlinked);
    return { id: created.id, name: created.name, state };
  }), { validator: (_req) => { if (!linkable()) throw new Error(`the run is ${state.status}; nothing can be created now`); } });
  setHandler(approveUpdate, ({ proposalVersion, skip }) => exclusive(async () => {
    // Checked again here: a link change queued ahead of this approval made its proposal stale.
    if (state.status !== 'awaiting-approval' || linksChanged || state.proposal?.version !== proposalVersion) {
      throw ApplicationFailure.nonRetryable(`proposal ${proposalVersion} is stale; review the current proposal and approve that`, 'StaleProposal');
    }
    const counts = await interactive.approveBillingProposal({ merchantId, runId, version: proposalVersion, skip: skip ?? [] }).catch(refused);
    state.skipped = counts.skipped;
    await save('applying');
    approved = true;
    return state;
  }), { validator: ({ proposalVersion }) => {
    if (state.status !== 'awaiting-approval') throw new Error(`the run is ${state.status}; there is no proposal to approve`);
    if (state.proposal?.version !== proposalVersion) throw new Error(`proposal ${proposalVersion} is stale: the current proposal is ${state.proposal?.version}`);
  } });
  setHandler(generateInvoicesUpdate, () => exclusive(async () => {
    if (state.status === 'invoiced') return state; // asked twice: the first answer stands
    if (state.status !== 'applied') throw ApplicationFailure.nonRetryable(`the run is ${state.status}; invoices come after the changes are applied`, 'InvalidState');
    await save('invoicing');
    const invoices = await company.generateBillingInvoices({ merchantId, runId, workflowId, month });
    state.invoices = { count: invoices.invoices, totalMinor: invoices.totalMinor };
    await save('invoiced');
    return state;
  }), { validator: () => { if (state.status !== 'applied' && state.status !== 'invoiced') throw new Error(`the run is ${state.status}; invoices come after the changes are applied`); } });

  await save('fetching');
  if (patched('bounded-source-fetch')) {
    // One attempt per activity, retried here: the query shows each failure as it happens, the merchant hears of it
    // after a few, and a source that stays unreachable (a wrong URL) fails the run instead of retrying for ever.
    const fetched = await fetchSourceBounded(input, state);
    if (!fetched) {
      await save('failed');
      return state;
    }
  } else {
    try {
      const fetched = await company.fetchBillingLines({ merchantId, runId, month });
      Object.assign(state, { lines: fetched.lines, unlinked: fetched.unlinked });
    } catch (err) {
      if (!(err instanceof ActivityFailure) || !(err.cause instanceof ApplicationFailure) || !err.cause.nonRetryable) throw err;
      state.problem = err.cause.message;
      await save('failed');
      return state;
    }
  }

  // Link, validate, and go round again whenever the links change before approval.
  while (!approved) {
    linksChanged = false;
    if (state.unlinked > 0) {
      await exclusive(() => save('awaiting-links'));
      await condition(() => state.unlinked === 0);
    }
    await exclusive(async () => {
      linksChanged = false;
      await save('validating');
      state.proposal = await company.validateBillingRun({ merchantId, runId, month });
      await save('awaiting-approval');
    });
    await condition(() => approved || linksChanged);
  }

  for (let remaining = Infinity; remaining > 0;) {
    const batch = await company.applyBillingChanges({ merchantId, runId, workflowId, limit: APPLY_BATCH });
    state.applied = batch.applied;
    remaining = batch.remaining;
  }
  await exclusive(() => save('applied'));
  await condition(() => state.status === 'invoiced');
  return state;
}

/**
 * Reads the month's source with at most `fetchRetry.attempts` attempts, backing off between them; every failure is
 * in `state.problem` and `state.fetchAttempts` at once. False when it gave up (or the source refused for good).
 */
async function fetchSourceBounded(input: BillingSyncInput, state: BillingSyncState): Promise<boolean> {
  const { merchantId, month, runId } = input;
  const policy = input.fetchRetry ?? DEFAULT_SOURCE_FETCH_RETRY;
  const queue = accountingQueueFor(workflowInfo().taskQueue, 'company');
  const once = proxyActivities<activities.Activities>({ taskQueue: queue, startToCloseTimeout: '30 minutes', heartbeatTimeout: '10 seconds', retry: { maximumAttempts: 1 } });
  const tell = proxyActivities<activities.Activities>({ taskQueue: queue, startToCloseTimeout: '1 minute', retry: { maximumInterval: '1 minute' } });
  for (let attempt = 1; ; attempt++) {
    state.fetchAttempts = attempt;
    try {
      const fetched = await once.fetchBillingLines({ merchantId, runId, month });
      Object.assign(state, { lines: fetched.lines, unlinked: fetched.unlinked, problem: undefined });
      return true;
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      const cause = err.cause;
      const reason = cause?.message || err.message;
      if (cause instanceof ApplicationFailure && cause.nonRetryable) {
        state.problem = reason;
        return false;
      }
      state.problem = `attempt ${attempt} of ${policy.attempts} to read the month's source failed: ${reason}`;
      if (attempt >= policy.attempts) {
        state.problem = `the month's source could not be read in ${attempt} attempts (last: ${reason}); fix the connection, then start the run again`;
        await tell.postBillingRunMessage({ merchantId, month, text: state.problem });
        return false;
      }
      if (attempt === policy.messageAfter) {
        await tell.postBillingRunMessage({ merchantId, month, text: `Billing sync for ${month} cannot read its source (${reason}); it keeps trying for a while. Check the connection's settings.` });
      }
      await sleep(Math.min(policy.initialIntervalMs * 2 ** (attempt - 1), policy.maxIntervalMs));
    }
  }
}
