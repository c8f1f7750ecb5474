// The merchant's "Download latest accounting platform data" refresh: its id (one at a time per merchant: a second
// click joins the running one) and its progress.
import { defineQuery } from '@temporalio/workflow';

export interface RefreshProgress {
  status: 'running' | 'done';
  pages: number;
  invoices: number;
  /** Invoices copied before that the refresh re-read by id (paid or voided since). */
  rechecked: number;
  startedAt: string;
  finishedAt?: string;
}

export const refreshProgressQuery = defineQuery<RefreshProgress>('refreshProgress');
export const accountingRefreshWorkflowId = (merchantId: string) => `accounting-refresh/${merchantId}`;
