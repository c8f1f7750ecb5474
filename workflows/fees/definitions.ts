// What the API and the fee upload workflow share: its id, its wake-up signal and its query.
import { defineQuery, defineSignal } from '@temporalio/workflow';

export interface FeeUploadInput {
  merchantId: string;
}

export interface FeeUploadState {
  /** Documents finished (uploaded, skipped or failed) by this run. */
  handled: number;
  /** The document being uploaded or waiting, if any. */
  current?: string;
  waitingForAccounts: boolean;
  /** The books are disconnected: the workflow waits for the merchant to reconnect them (set by the state query). */
  waitingForConnection?: boolean;
}

/** New documents, or new fee accounts: look again. */
export const feeDocumentsChangedSignal = defineSignal('feeDocumentsChanged');
export const feeUploadStateQuery = defineQuery<FeeUploadState>('feeUploadState');

/** One per merchant: documents go in order, so credits apply to the invoice that follows them. */
export function feeUploadWorkflowId(merchantId: string): string {
  return `fee-upload/${merchantId}`;
}
