// The daily auto-payment run of one merchant (its Schedule `auto-payments/{merchant}`): finds the invoices due under
// payers' billing terms and starts one auto-payment per invoice. Each lives on after the run (its retries take
// days); an invoice already started by an earlier run, or by this run started twice, is left alone.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, patched, startChild, workflowInfo } from '@temporalio/workflow';
import { accountingQueueFor } from '../../lib/task-queues';
import { reconnectionWait } from '../support/reconnection';
import { invoiceAutoPaymentWorkflowId, merchantToday, type AutoPaymentRunInput, type AutoPaymentRunResult } from './definitions';
import { invoiceAutoPaymentWorkflow } from './invoice-auto-payment-workflow';

export async function autoPaymentRunWorkflow(input: AutoPaymentRunInput): Promise<AutoPaymentRunResult> {
  // Finding what is due reads the books: while they are disconnected the run waits for the merchant to reconnect them
  // (its Schedule skips the days meanwhile); runs started before retry every minute, as they did.
  const service = reconnectionWait(input.merchantId, patched('wait-for-reconnection')).proxy({
    taskQueue: accountingQueueFor(workflowInfo().taskQueue, 'service'), startToCloseTimeout: '10 minutes', heartbeatTimeout: '10 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
  });
  const settings = await service.autoPaymentSettings({ merchantId: input.merchantId }); // Postgres only
  const today = merchantToday(settings.timezone, Date.now());
  const due = await service.findAutoPaymentsDue({ merchantId: input.merchantId, today });
  const result: AutoPaymentRunResult = { today, due: due.length, started: 0, alreadyHandled: 0 };
  for (const invoice of due) {
    try {
      await startChild(invoiceAutoPaymentWorkflow, {
        workflowId: invoiceAutoPaymentWorkflowId(input.merchantId, invoice.invoiceId),
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        parentClosePolicy: ParentClosePolicy.ABANDON,
        args: [{ merchantId: input.merchantId, invoiceId: invoice.invoiceId, termsId: invoice.termsId, currency: invoice.currency, payerId: invoice.payerId,
          payNowUrl: input.payNowUrl, timezone: settings.timezone, maxAttempts: settings.attempts, retryDays: settings.retryDays }],
      });
      result.started++;
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      result.alreadyHandled++;
    }
  }
  return result;
}
