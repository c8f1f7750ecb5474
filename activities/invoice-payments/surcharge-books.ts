// The surcharge of a Pay Now payment in the books (issue 27): the invoices were paid exactly by the payment itself;
// the surcharge becomes its own invoice to the same customer, one line on the merchant's surcharge revenue account
// and tax code, paid at once from the clearing account the card money waits in. Both writes carry keys derived
// from the checkout's workflow, so a retry after a worker died never posts twice. Recorded in payment_surcharges,
// which a refund reads.
import { ApplicationFailure } from '@temporalio/common';
import { raiseMerchantAction } from '../../db/actions';
import { recordActivity } from '../../db/activity-log';
import type { Db } from '../../db/database';
import { merchantSurcharges } from '../../db/surcharges';
import { formatAmount, type Currency } from '../../lib/money';
import type { accountingRunner } from '../accounting';
import { payoutAccountsOf } from '../accounting/payout-accounts';

export interface SurchargePosting {
  status: 'synced' | 'failed';
  reason?: string;
  accountingInvoiceId?: string;
}

export function createSurchargeBooksActivities(deps: { db: Db; accounting: ReturnType<typeof accountingRunner> }) {
  const { db, accounting: { onConnection, keyOf } } = deps;
  return {
    /**
     * A Pay Now payment's surcharge (`paymentId`, the customer of its invoices), or a quote payment's (`quotePaymentId`,
     * the customer its PF invoice was booked to: `contactId`; `invoiceNumbers` then names the quote).
     */
    async postPaymentSurcharge(input: { merchantId: string; paymentId?: string; quotePaymentId?: string; contactId?: string; surchargeMinor: number; currency: string;
      invoiceIds: string[]; invoiceNumbers: string[]; paidOn: string; reference: string }): Promise<SurchargePosting> {
      const source = input.quotePaymentId ? { column: 'quote_payment_id' as const, id: input.quotePaymentId } : { column: 'payment_id' as const, id: input.paymentId! };
      const done = await db.selectFrom('payment_surcharges').selectAll().where(source.column, '=', source.id).executeTakeFirst();
      if (done) return { status: done.sync_status, reason: done.sync_reason ?? undefined, accountingInvoiceId: done.accounting_invoice_id ?? undefined };
      const settings = await merchantSurcharges(db, input.merchantId);
      if (!settings) throw ApplicationFailure.nonRetryable('the merchant has no surcharge settings, yet a surcharge was charged', 'NoSurchargeSettings');
      const contact = input.contactId ? { contact_id: input.contactId }
        : await db.selectFrom('accounting_invoices').select('contact_id').where('merchant_id', '=', input.merchantId).where('id', 'in', input.invoiceIds).executeTakeFirstOrThrow();
      const amount = `${formatAmount(input.surchargeMinor, input.currency as Currency)} ${input.currency}`;
      const paid = input.quotePaymentId ? `quote payment ${input.quotePaymentId}` : `payment ${input.paymentId}`;

      const posted = await onConnection(input.merchantId, async (call, connection) => {
        const invoice = await call((p) => p.createInvoice({
          contactId: contact.contact_id, reference: input.reference, date: input.paidOn, dueDate: input.paidOn, currency: input.currency, status: 'authorised',
          lines: [{ description: `Card surcharge on the payment of ${input.invoiceNumbers.join(', ')}`.slice(0, 4000), quantity: 1, unitAmountMinor: input.surchargeMinor,
            accountCode: settings.books.revenueAccountCode, ...(settings.books.taxCode ? { taxType: settings.books.taxCode } : {}) }],
        }, keyOf('surcharge-invoice')));
        // A tax code that adds tax on top makes the invoice more than the payer paid: pay what was paid, say the rest.
        const payable = Math.min(invoice.amountDueMinor, input.surchargeMinor);
        const clearing = (await payoutAccountsOf(db, input.merchantId, connection.platform, call)).clearing;
        const [paid] = await call((p) => p.createPayments([{ invoiceId: invoice.id, amountMinor: payable, date: input.paidOn, accountCode: clearing, reference: input.reference }], keyOf('surcharge-payment')));
        return { invoice, paid, leftMinor: invoice.totalMinor - payable };
      });

      let status: SurchargePosting['status'] = 'synced';
      let reason: string | undefined;
      if (!posted.paid.ok) reason = `the surcharge invoice ${posted.invoice.number} could not be paid: ${posted.paid.reason}`;
      else if (posted.leftMinor > 0) reason = `the surcharge invoice ${posted.invoice.number} is ${formatAmount(posted.invoice.totalMinor, input.currency as Currency)} with its tax code, more than the ${amount} surcharge paid; the tax code should include tax in the amount`;
      if (reason) {
        status = 'failed';
        await raiseMerchantAction(db, { merchantId: input.merchantId, kind: 'surcharge-upload-failed', subject: source.id, detail: `Card surcharge of ${amount} on ${paid}: ${reason}` });
      }
      await recordActivity(db, { merchantId: input.merchantId, kind: 'surcharge-posted', subject: source.id, detail: `${amount} card surcharge: invoice ${posted.invoice.number}${reason ? ` (${reason})` : ''}` });
      await db.insertInto('payment_surcharges').values({
        [source.column]: source.id, merchant_id: input.merchantId, surcharge_minor: input.surchargeMinor, currency: input.currency,
        accounting_invoice_id: posted.invoice.id, accounting_payment_id: posted.paid.ok ? posted.paid.paymentId : null, sync_status: status, sync_reason: reason ?? null,
      }).onConflict((oc) => oc.column(source.column).doNothing()).execute();
      return { status, reason, accountingInvoiceId: posted.invoice.id };
    },
  };
}
