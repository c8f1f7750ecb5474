// Every workflow the `workflows` task queue runs. The worker bundles this file.
export { paymentWorkflow } from './payments/payment-workflow';
export { quotePaymentWorkflow } from './quotes/quote-payment-workflow';
export { bankDebitSettlementWorkflow } from './quotes/bank-debit-settlement-workflow';
export { bpayUploadWorkflow } from './bpay/bpay-upload-workflow';
export { bpayImportWorkflow } from './bpay/bpay-import-workflow';
export { feeUploadWorkflow } from './fees/fee-upload-workflow';
export { billingSyncWorkflow } from './billing-sync/billing-sync-workflow';
export { autoPaymentRunWorkflow } from './auto-payments/auto-payment-run-workflow';
export { invoiceAutoPaymentWorkflow } from './auto-payments/invoice-auto-payment-workflow';
export { accountingRefreshWorkflow } from './accounting-data/refresh-workflow';
export { invoiceSyncWorkflow } from './invoice-sync/invoice-sync-workflow';
export { paymentSyncWorkflow } from './invoice-sync/payment-sync-workflow';
export { invoicePaymentWorkflow } from './invoice-payments/invoice-payment-workflow';
export { mailRelayWorkflow } from './mail/mail-relay-workflow';
export { connectionUpkeepWorkflow } from './connections/connection-upkeep-workflow';
export { refundWorkflow } from './refunds/refund-workflow';
export { payoutWorkflow } from './payouts/payout-workflow';
