// What the API and the billing sync workflow share: input, state, query and updates. The month's lines live in
// Postgres, not here: a month can have thousands, and the workflow's history (and every query answer) must stay small,
// so the workflow keeps counts and the proposal's version, and the API reads the grid from Postgres.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { LinkKind } from '../../lib/billing-sync/mapping';
import type { MismatchKind } from '../../lib/billing-sync/validation';

export type BillingSyncStatus =
  /** Reading the month's lines from the BSS (or the uploaded export) and suggesting links. */
  | 'fetching'
  /** Some lines have no company, agreement or product in Manage: waiting for the merchant to link or create them. */
  | 'awaiting-links'
  /** Comparing the lines with the agreement additions in Manage. */
  | 'validating'
  /** The proposal is ready: nothing is written to Manage until the merchant approves it. */
  | 'awaiting-approval'
  | 'applying'
  /** Manage's agreements match the month; invoices can be generated. */
  | 'applied'
  | 'invoicing'
  | 'invoiced'
  /** The source could not be read (a bad export, no connection): see `problem`. */
  | 'failed';

/** How long a run keeps trying to read its source (the BSS, Manage) before it fails with the last error. */
export interface SourceFetchRetry {
  /** Attempts in all; then the run fails and can be started again. */
  attempts: number;
  /** After this many failed attempts the merchant gets a Message saying what is wrong. */
  messageAfter: number;
  initialIntervalMs: number;
  maxIntervalMs: number;
}

/** About 9 minutes of attempts: long enough for a blip, short enough that a wrong URL is reported the same hour. */
export const DEFAULT_SOURCE_FETCH_RETRY: SourceFetchRetry = { attempts: 8, messageAfter: 3, initialIntervalMs: 5_000, maxIntervalMs: 120_000 };

export interface BillingSyncInput {
  merchantId: string;
  /** YYYY-MM */
  month: string;
  runId: string;
  /** Tests shorten it; absent in runs started before it existed (see the workflow's patch). */
  fetchRetry?: SourceFetchRetry;
}

export interface BillingSyncState {
  merchantId: string;
  month: string;
  runId: string;
  status: BillingSyncStatus;
  lines: number;
  unlinked: number;
  proposal?: { version: string; changes: number; byKind: Record<MismatchKind, number> };
  applied: number;
  skipped: number;
  invoices?: { count: number; totalMinor: number };
  /** What went wrong last (while fetching: the last attempt's error, kept while it retries). */
  problem?: string;
  /** Attempts made to read the source so far. */
  fetchAttempts?: number;
}

export interface LinkChoice {
  kind: LinkKind;
  key: string;
  id: number;
}

export const billingSyncStateQuery = defineQuery<BillingSyncState>('billingSyncState');
/** Link every line of a BSS customer (company, agreement) or product to a Manage record; remembered for next month. */
export const setLinksUpdate = defineUpdate<BillingSyncState, [{ links: LinkChoice[] }]>('setLinks');
/** Create the missing company, agreement or product in Manage (on the company queue) and link it. */
export const createMissingUpdate = defineUpdate<{ id: number; name: string; state: BillingSyncState }, [{ kind: LinkKind; key: string }]>('createMissing');
/** Approve the proposal of this version (leaving out `skip`): refused unless it is the current one. */
export const approveUpdate = defineUpdate<BillingSyncState, [{ proposalVersion: string; skip?: string[] }]>('approve');
/** Generate the month's invoices and report in Manage from the updated agreements. */
export const generateInvoicesUpdate = defineUpdate<BillingSyncState, []>('generateInvoices');

/** Statuses in which the merchant may still change links (a change makes a new proposal). */
export const LINKABLE_STATUSES: readonly BillingSyncStatus[] = ['awaiting-links', 'validating', 'awaiting-approval'];
