// What the API and the invoice sync workflows share. A batch's invoices live in Postgres (invoice_sync_records), not
// here: a batch can hold thousands, so the workflow keeps ids and counts only.
import { defineQuery } from '@temporalio/workflow';

export interface InvoiceSyncInput {
  merchantId: string;
  /** The batch identifier in Manage (the API's, or derived from the scheduled run's start); the same again re-runs the batch. */
  batchIdentifier?: string;
}

export type InvoiceSyncStatus = 'opening' | 'matching-contacts' | 'posting' | 'finishing' | 'exported' | 'incomplete' | 'empty';

export interface InvoiceSyncState {
  merchantId: string;
  batchIdentifier: string;
  batchId?: string;
  status: InvoiceSyncStatus;
  invoices: number;
  posted: number;
  failed: number;
  held: number;
  /** The books are disconnected: the workflow waits for the merchant to reconnect them (set by the state query). */
  waitingForConnection?: boolean;
}

export interface PaymentSyncInput {
  merchantId: string;
}

export interface PaymentSyncResult {
  checked: number;
  carried: number;
  failed: number;
}

export const invoiceSyncStateQuery = defineQuery<InvoiceSyncState>('invoiceSyncState');
