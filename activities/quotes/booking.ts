// Posting a quote payment to the accounting package, on the connection of the queue the activity runs on
// (wise-pay for the payer's payment, company for the downpayment invoice). Every write has its own key derived
// from the workflow and the step, so a retried activity, or a worker dying halfway, never writes twice.
import { ApplicationFailure } from '@temporalio/common';
import { findQuotePayment, quoteCustomer } from '../../db/quote-payments';
import { findDownpaymentInvoice } from '../../lib/quotes/downpayment';
import type { Call } from '../accounting';
import type { Invoice, InvoiceLine } from '../accounting/platform';
import { DEFAULT_ACCOUNTS } from '../accounting/default-accounts';
import { payoutAccountsOf } from '../accounting/payout-accounts';
import type { QuoteActivityDeps } from './deps';

/** Both the quote payment invoice and its credit note carry this reference (what merchants search for). */
export const QUOTE_REFERENCE = 'PF';

export interface BookedQuotePayment {
  contactId: string;
  invoice: { id: string; url: string };
  creditNote: { id: string; url: string; approved: boolean };
}

const today = () => new Date().toISOString().slice(0, 10);

export function createQuoteBookingActivities({ db, keyring, accounting }: QuoteActivityDeps) {
  const { onConnection, keyOf } = accounting;

  async function quoteOf(quotePaymentId: string) {
    const quote = await findQuotePayment(db, quotePaymentId);
    if (!quote) throw ApplicationFailure.nonRetryable(`no quote payment ${quotePaymentId}`, 'UnknownQuotePayment');
    return quote;
  }

  return {
    /**
     * The customer's contact (found by name, else created), a quote payment invoice and a credit note for the
     * amount, both with reference PF. Settled (a card payment): the invoice is paid into the clearing account
     * (`intoClearing`, else the bank account) and the credit note authorised. Not yet settled (a bank debit): the credit note is a draft, approved on settlement.
     */
    async bookQuotePayment(input: { merchantId: string; quotePaymentId: string; attempt: number; settled: boolean; intoClearing?: boolean }): Promise<BookedQuotePayment> {
      const quote = await quoteOf(input.quotePaymentId);
      const customer = quoteCustomer(keyring, quote);
      return onConnection(input.merchantId, async (call, connection, link) => {
        const accounts = DEFAULT_ACCOUNTS[connection.platform];
        const [found] = await call((p) => p.findContacts({ name: customer.company }));
        const contact = found ?? (await call((p) => p.createContact({ name: customer.company, email: customer.email }, keyOf('contact'))));
        const line: InvoiceLine = {
          description: `Payment for quote ${quote.quote_id} (revision ${quote.revision})`, quantity: 1,
          unitAmountMinor: quote.amount_minor, accountCode: accounts.line, ...(accounts.taxType ? { taxType: accounts.taxType } : {}),
        };
        const date = today();
        const invoice = await call((p) => p.createInvoice({ contactId: contact.id, reference: QUOTE_REFERENCE, date, dueDate: date,
          currency: quote.currency, lines: [line], status: 'authorised' }, keyOf('quote-invoice')));
        // What it owes now, not what its (possibly replayed) creation answered: an earlier attempt may have paid it.
        // A card charge waits in the merchant's Stripe clearing account until its payout moves it to the bank (the
        // payout workflow's deposit empties clearing), as Pay Now card payments do. Runs booked before that (no
        // intoClearing) kept posting to the bank account.
        const into = input.intoClearing ? (await payoutAccountsOf(db, input.merchantId, connection.platform, call)).clearing : accounts.bank;
        if (input.settled) await payInvoice(call, (await call((p) => p.getInvoice(invoice.id))) ?? invoice, quote.amount_minor, into, keyOf('quote-invoice-payment'));
        // A retry after a failed bank debit gets a new draft: the key names the attempt.
        const creditNote = await call((p) => p.createCreditNote({ contactId: contact.id, reference: QUOTE_REFERENCE, date,
          currency: quote.currency, lines: [line], status: input.settled ? 'authorised' : 'draft' }, keyOf(`quote-credit-note-${input.attempt}`)));
        return {
          contactId: contact.id,
          invoice: { id: invoice.id, url: link('invoice', invoice.id) },
          creditNote: { id: creditNote.id, url: link('creditNote', creditNote.id), approved: input.settled },
        };
      });
    },

    /**
     * A bank debit settled: the quote payment invoice is paid and the draft credit note approved. The debit's money
     * reaches the bank in a Stripe payout like a card charge's, so it is paid into the clearing account the payout
     * empties (`intoClearing`); settlements from before that kept paying into the bank account.
     */
    async settleQuoteBankDebit(input: { merchantId: string; quotePaymentId: string; attempt: number; invoiceId: string; creditNoteId: string; intoClearing?: boolean }): Promise<void> {
      const quote = await quoteOf(input.quotePaymentId);
      await onConnection(input.merchantId, async (call, connection) => {
        const invoice = await call((p) => p.getInvoice(input.invoiceId));
        if (!invoice) throw ApplicationFailure.nonRetryable(`invoice ${input.invoiceId} is gone`, 'PlatformNotFound');
        const into = input.intoClearing ? (await payoutAccountsOf(db, input.merchantId, connection.platform, call)).clearing : DEFAULT_ACCOUNTS[connection.platform].bank;
        await payInvoice(call, invoice, quote.amount_minor, into, keyOf('quote-invoice-payment'));
        await call((p) => p.approveCreditNote(input.creditNoteId, keyOf(`quote-credit-note-approve-${input.attempt}`)));
      });
    },

    /** The PSA's downpayment invoice for the quote, if it has reached the accounting package. */
    async lookForDownpaymentInvoice(input: { merchantId: string; quoteId: string; contactId: string; currency: string; ownInvoiceId?: string }) {
      return onConnection(input.merchantId, async (call) => {
        for (let page: number | undefined = 1; page; ) {
          const result = await call((p) => p.listInvoices({ contactId: input.contactId, outstandingOnly: true, page }));
          const found = findDownpaymentInvoice(result.invoices, input);
          if (found) return { id: found.id, amountDueMinor: found.amountDueMinor };
          page = result.nextPage;
        }
        return null;
      });
    },
  };
}

/** Pays what the invoice still owes (nothing when an earlier attempt already paid it). */
async function payInvoice(call: Call, invoice: Invoice, amountMinor: number, bank: string, key: string): Promise<void> {
  if (invoice.amountDueMinor === 0) return;
  const [result] = await call((p) => p.createPayments([{ invoiceId: invoice.id, amountMinor: Math.min(amountMinor, invoice.amountDueMinor),
    date: today(), accountCode: bank, reference: QUOTE_REFERENCE }], key));
  if (!result.ok) throw ApplicationFailure.nonRetryable(`the payment was refused: ${result.reason}`, 'PlatformRejected');
}
