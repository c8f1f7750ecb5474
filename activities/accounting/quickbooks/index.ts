// Settle's AccountingPlatform on QuickBooks Online, through node-quickbooks (kept inside client.ts).
// Mapping choices are described in mapping.ts (money, accountCode, reference) and credit-notes.ts (credit notes).
// Two more that QBO forces:
// - QBO has no draft invoices (an invoice is posted and payable when it exists), so createInvoice refuses
//   `status: 'draft'` with PlatformRejected before sending anything; an authorised invoice is created as is.
// - createPayments sends one request per payment, each with its own requestid derived from the key (`${key}-${index}`,
//   hashed past 50 characters); invoices and contacts in bulk go as one batch request (POST /batch, up to 30 items)
//   whose requestid is the batch key: QBO keys a batch as a whole, not its items. A payment QBO refuses
//   (over-payment, paid or voided invoice, unknown invoice) fails alone; throttling, auth and outages fail the call,
//   and a retry with the same key replays the payments already made instead of making them twice.
// - A prepayment is a Payment with no lines: money on the customer's account, unapplied.
// - Payable documents (Settle's fees in the merchant's books) are bills and vendor credits against a Vendor: a
//   supplier contact (`supplier: true`) is a Vendor, a customer one a Customer (payables.ts).
import type {
  AccountingPlatform, Contact, ContactQuery, ContactResult, Invoice, KeyedContact, InvoicePage, InvoiceQuery, InvoiceResult, KeyedInvoice, LinkedObject, NewContact,
  NewInvoice, NewPayment, NewPrepayment, PaymentResult, ReadOptions, Settlement, NewCustomerRefund, NewPayoutDeposit, PostedRecord,
} from '../platform';
import { PlatformNotFound, PlatformRejected } from '../platform';
import { QboClient, type Criterion } from './client';
import { QuickBooksCreditNotes } from './credit-notes';
import { QuickBooksPayables } from './payables';
import { currencyOf, decimalToMinor, minorToDecimal, requestIdFor, salesLines, toContact, toCreditNote, toInvoice, type QboObject } from './mapping';

export interface QuickBooksPlatformOptions {
  /** node-quickbooks' endpoint: 'https://quickbooks.api.intuit.com/v3/company/' (or an emulator's). */
  endpoint: string;
  realmId: string;
  /** A valid access token for the realm; asked for on every call. */
  accessToken: () => Promise<string>;
  /** Base of the links into QBO's web app; default https://app.qbo.intuit.com. */
  webAppBaseUrl?: string;
  /** Deadline of one HTTP call; default 30 s. */
  timeoutMs?: number;
}

/** Invoices per page of listInvoices. */
export const QUICKBOOKS_PAGE_SIZE = 100;

const WEB_PATHS: Record<LinkedObject, string> = {
  contact: '/app/customerdetail?nameId=',
  invoice: '/app/invoice?txnId=',
  creditNote: '/app/creditmemo?txnId=',
  bill: '/app/bill?txnId=',
  supplierCredit: '/app/vendorcredit?txnId=',
  payment: '/app/recvpayment?txnId=',
  prepayment: '/app/recvpayment?txnId=',
};

/** QBO's PaymentRefNum holds 21 characters; a longer reference goes to the PrivateNote only. */
function referenceFields(reference: string | undefined): QboObject {
  if (!reference) return {};
  return { PrivateNote: reference, ...(reference.length <= 21 ? { PaymentRefNum: reference } : {}) };
}

function positive(amountMinor: number): boolean {
  return Number.isSafeInteger(amountMinor) && amountMinor > 0;
}

export function createQuickBooksPlatform(opts: QuickBooksPlatformOptions): AccountingPlatform {
  const qbo = new QboClient({ endpoint: opts.endpoint, realmId: opts.realmId, accessToken: opts.accessToken, timeoutMs: opts.timeoutMs ?? 30_000 });
  const creditNotes = new QuickBooksCreditNotes(qbo);
  const payables = new QuickBooksPayables(qbo);
  const webBase = (opts.webAppBaseUrl ?? 'https://app.qbo.intuit.com').replace(/\/+$/, '');

  function salesInvoiceBody(invoice: NewInvoice): QboObject {
    if (invoice.status === 'draft') {
      throw new PlatformRejected('QuickBooks Online has no draft invoices: an invoice is payable as soon as it exists', ['status: draft is not supported on QuickBooks']);
    }
    return {
      CustomerRef: { value: invoice.contactId },
      CurrencyRef: { value: invoice.currency },
      TxnDate: invoice.date,
      DueDate: invoice.dueDate,
      ...(invoice.number ? { DocNumber: invoice.number } : {}),
      ...(invoice.reference ? { CustomerMemo: { value: invoice.reference } } : {}),
      Line: salesLines(invoice.lines, invoice.currency),
    };
  }

  async function createSalesInvoice(invoice: NewInvoice, key: string): Promise<Invoice> {
    return toInvoice(await qbo.create('Invoice', salesInvoiceBody(invoice), requestIdFor(key)));
  }

  /** Creates `bodies` of `entity` in one batch request; each result is the created object or why it was refused. */
  async function createInBatch(entity: 'Invoice' | 'Customer', bodies: QboObject[], key: string): Promise<Array<{ ok: true; object: QboObject } | { ok: false; reason: string }>> {
    const answers = await qbo.batch(bodies.map((body, i) => ({ bId: String(i), operation: 'create', [entity]: body })), requestIdFor(key));
    return answers.map((a) => {
      if (a[entity]) return { ok: true as const, object: a[entity] };
      const errors: QboObject[] = a.Fault?.Error ?? [];
      return { ok: false as const, reason: errors.map((e) => `${e.code}: ${e.Message ?? e.message ?? ''}${e.Detail ? ` - ${e.Detail}` : ''}`).join('; ') || 'refused by QuickBooks' };
    });
  }

  const contactBody = (contact: NewContact): QboObject => ({
    DisplayName: contact.name,
    ...(contact.email ? { PrimaryEmailAddr: { Address: contact.email } } : {}),
    ...(contact.accountNumber ? { AcctNum: contact.accountNumber } : {}),
  });

  return {
    platform: 'quickbooks',

    async findContacts(query: ContactQuery): Promise<Contact[]> {
      // QBO filters on DisplayName and PrimaryEmailAddr (case-insensitively); AcctNum is not filterable, so it
      // is matched here, as are the others again (exact, case-insensitive, as the port promises).
      const criteria: Criterion[] = [];
      if (query.name) criteria.push({ field: 'DisplayName', value: query.name });
      if (query.email) criteria.push({ field: 'PrimaryEmailAddr', value: query.email });
      const same = (a: string | undefined, b: string) => a !== undefined && a.toLowerCase() === b.toLowerCase();
      return (await qbo.queryAll(query.supplier ? 'Vendor' : 'Customer', criteria))
        .map(toContact)
        .filter((c) => (!query.name || same(c.name, query.name))
          && (!query.email || same(c.email, query.email))
          && (!query.accountNumber || c.accountNumber === query.accountNumber));
    },

    async createContact(contact: NewContact, key: string): Promise<Contact> {
      return toContact(await qbo.create(contact.supplier ? 'Vendor' : 'Customer', contactBody(contact), requestIdFor(key)));
    },

    async findContactsByAccountNumbers(numbers: string[]): Promise<Contact[]> {
      if (numbers.length === 0) return [];
      // AcctNum is not filterable in QBO: every customer is read (a page per 1,000) and matched here.
      const wanted = new Set(numbers);
      return (await qbo.queryAll('Customer', [])).map(toContact).filter((c) => c.accountNumber !== undefined && wanted.has(c.accountNumber));
    },

    async findContactsByNames(names: string[]): Promise<Contact[]> {
      if (names.length === 0) return [];
      const wanted = new Set(names.map((n) => n.toLowerCase()));
      return (await qbo.query('Customer', [{ field: 'DisplayName', value: names, operator: 'IN' }])).map(toContact).filter((c) => wanted.has(c.name.toLowerCase()));
    },

    async createContacts(items: KeyedContact[], key: string): Promise<ContactResult[]> {
      if (items.length === 0) return [];
      const results = await createInBatch('Customer', items.map((i) => contactBody(i.contact)), key);
      return results.map((r) => (r.ok ? { ok: true, contact: toContact(r.object) } : r));
    },

    async listInvoices(query: InvoiceQuery): Promise<InvoicePage> {
      const page = query.page ?? 1;
      if (!Number.isInteger(page) || page < 1) throw new PlatformRejected(`page must be a positive integer, not ${page}`);
      const criteria: Criterion[] = [];
      if (query.contactId) criteria.push({ field: 'CustomerRef', value: query.contactId });
      if (query.outstandingOnly) criteria.push({ field: 'Balance', value: '0', operator: '>' });
      if (query.fromDate) criteria.push({ field: 'TxnDate', value: query.fromDate, operator: '>=' });
      const rows = await qbo.query('Invoice', criteria, (page - 1) * QUICKBOOKS_PAGE_SIZE + 1, QUICKBOOKS_PAGE_SIZE);
      return { invoices: rows.map(toInvoice), ...(rows.length === QUICKBOOKS_PAGE_SIZE ? { nextPage: page + 1 } : {}) };
    },

    async getInvoice(invoiceId: string, options?: ReadOptions): Promise<Invoice | undefined> {
      if (options?.payable) return payables.getBill(invoiceId);
      const invoice = await qbo.read('Invoice', invoiceId);
      return invoice && toInvoice(invoice);
    },

    async createInvoice(invoice: NewInvoice, key: string): Promise<Invoice> {
      if (invoice.payable) return payables.createBill(invoice, key);
      return createSalesInvoice(invoice, key);
    },

    async createInvoices(items: KeyedInvoice[], key: string): Promise<InvoiceResult[]> {
      if (items.length === 0) return [];
      // One batch request: a refusal fails that invoice alone; throttling and outages fail the call (a retry with the
      // same key gets the first answer). A draft is refused before anything is sent, as createInvoice refuses it.
      const results: InvoiceResult[] = new Array(items.length);
      const sendable: number[] = [];
      const bodies: QboObject[] = [];
      for (const [i, item] of items.entries()) {
        try {
          bodies.push(salesInvoiceBody(item.invoice));
          sendable.push(i);
        } catch (err) {
          if (!(err instanceof PlatformRejected)) throw err;
          results[i] = { ok: false, reason: err.details.join('; ') || err.message };
        }
      }
      if (bodies.length) {
        const answers = await createInBatch('Invoice', bodies, key);
        answers.forEach((a, j) => (results[sendable[j]] = a.ok ? { ok: true, invoice: toInvoice(a.object) } : a));
      }
      return results;
    },

    async findInvoicesByNumber(numbers: string[]): Promise<Invoice[]> {
      if (numbers.length === 0) return [];
      return (await qbo.query('Invoice', [{ field: 'DocNumber', value: numbers, operator: 'IN' }])).map(toInvoice);
    },

    async findCreditNotesByNumber(numbers: string[]) {
      if (numbers.length === 0) return [];
      return (await qbo.query('CreditMemo', [{ field: 'DocNumber', value: numbers, operator: 'IN' }])).map(toCreditNote);
    },

    async listInvoiceSettlements(invoiceId: string): Promise<Settlement[]> {
      const invoice = await qbo.read('Invoice', invoiceId);
      if (!invoice) throw new PlatformNotFound(`QuickBooks has no invoice ${invoiceId}`, 404);
      const paymentIds = [...new Set((invoice.LinkedTxn ?? []).filter((t: QboObject) => t.TxnType === 'Payment').map((t: QboObject) => String(t.TxnId)))];
      if (paymentIds.length === 0) return [];
      const payments = await qbo.query('Payment', [{ field: 'Id', value: paymentIds, operator: 'IN' }]);
      // A payment's lines for this invoice are what it applied here; one that applies a credit memo and moves no money
      // (TotalAmt 0) is a credit allocation, as QBO applies credits.
      return payments.map((p): Settlement => {
        const lines = (p.Line ?? []) as QboObject[];
        const here = lines.filter((l) => (l.LinkedTxn ?? []).some((t: QboObject) => t.TxnType === 'Invoice' && String(t.TxnId) === invoiceId));
        const currency = currencyOf(p) || currencyOf(invoice);
        const credit = decimalToMinor(p.TotalAmt, currency) === 0 && lines.some((l) => (l.LinkedTxn ?? []).some((t: QboObject) => t.TxnType === 'CreditMemo'));
        return { id: String(p.Id), kind: credit ? 'credit' : 'payment', amountMinor: here.reduce((sum, l) => sum + decimalToMinor(l.Amount, currency), 0), date: p.TxnDate };
      }).filter((s) => s.amountMinor > 0);
    },

    async createPayments(payments: NewPayment[], key: string): Promise<PaymentResult[]> {
      if (payments.length === 0) return [];
      // One query for the invoices: a payment needs its invoice's customer and currency.
      const ids = [...new Set(payments.map((p) => p.invoiceId))];
      const invoices = new Map<string, QboObject>();
      for (let i = 0; i < ids.length; i += 100) {
        const rows = await qbo.query('Invoice', [{ field: 'Id', value: ids.slice(i, i + 100), operator: 'IN' }]);
        for (const row of rows) invoices.set(String(row.Id), row);
      }
      const results: PaymentResult[] = [];
      for (const [index, payment] of payments.entries()) {
        const invoice = invoices.get(payment.invoiceId);
        if (!invoice) {
          results.push({ ok: false, reason: `QuickBooks has no invoice ${payment.invoiceId}` });
          continue;
        }
        if (!positive(payment.amountMinor)) {
          results.push({ ok: false, reason: `amount must be a positive number of minor units, not ${payment.amountMinor}` });
          continue;
        }
        const currency = invoice.CurrencyRef?.value;
        const amount = minorToDecimal(payment.amountMinor, currency);
        try {
          const created = await qbo.create('Payment', {
            CustomerRef: { value: String(invoice.CustomerRef.value) },
            ...(currency ? { CurrencyRef: { value: currency } } : {}),
            TotalAmt: amount,
            TxnDate: payment.date,
            DepositToAccountRef: { value: payment.accountCode },
            ...referenceFields(payment.reference),
            Line: [{ Amount: amount, LinkedTxn: [{ TxnId: String(invoice.Id), TxnType: 'Invoice' }] }],
          }, requestIdFor(key, String(index)));
          results.push({ ok: true, paymentId: String(created.Id), ...(invoice.DocNumber ? { invoiceNumber: String(invoice.DocNumber) } : {}) });
        } catch (err) {
          if (err instanceof PlatformRejected) results.push({ ok: false, reason: err.details.join('; ') || err.message });
          else if (err instanceof PlatformNotFound) results.push({ ok: false, reason: err.message });
          else throw err;
        }
      }
      return results;
    },

    createCreditNote: (creditNote, key) => (creditNote.payable ? payables.createVendorCredit(creditNote, key) : creditNotes.create(creditNote, key)),
    getCreditNote: (id, options) => (options?.payable ? payables.getVendorCredit(id) : creditNotes.get(id)),
    approveCreditNote: (id, key) => creditNotes.approve(id, key),
    deleteCreditNote: (id) => creditNotes.delete(id),
    voidCreditNote: (id, key) => creditNotes.void(id, key),
    allocateCreditNote: (id, allocation, key) => (allocation.payable ? payables.applyVendorCredit(id, allocation, key) : creditNotes.allocate(id, allocation, key)),
    removeCreditNoteAllocations: (id) => creditNotes.removeAllocations(id),

    async createPrepayment(prepayment: NewPrepayment, key: string): Promise<{ id: string }> {
      if (!positive(prepayment.amountMinor)) {
        throw new PlatformRejected(`amount must be a positive number of minor units, not ${prepayment.amountMinor}`);
      }
      const created = await qbo.create('Payment', {
        CustomerRef: { value: prepayment.contactId },
        CurrencyRef: { value: prepayment.currency },
        TotalAmt: minorToDecimal(prepayment.amountMinor, prepayment.currency),
        TxnDate: prepayment.date,
        DepositToAccountRef: { value: prepayment.accountCode },
        ...referenceFields(prepayment.reference),
      }, requestIdFor(key));
      return { id: String(created.Id) };
    },

    async refundCustomer(refund: NewCustomerRefund, key: string): Promise<PostedRecord[]> {
      // QBO's idiom for money given back: a RefundReceipt, its line on the item sold, paid from the account the
      // card money was received into.
      if (!positive(refund.amountMinor)) throw new PlatformRejected(`amount must be a positive number of minor units, not ${refund.amountMinor}`);
      const amount = minorToDecimal(refund.amountMinor, refund.currency);
      const created = await qbo.create('RefundReceipt', {
        CustomerRef: { value: refund.contactId },
        CurrencyRef: { value: refund.currency },
        TxnDate: refund.date,
        DepositToAccountRef: { value: refund.fromAccount },
        PrivateNote: refund.reference,
        Line: [{ Amount: amount, DetailType: 'SalesItemLineDetail', Description: refund.description,
          // The tax code of what is given back (a surcharge's own), when one is named.
          SalesItemLineDetail: { ItemRef: { value: refund.lineAccount }, Qty: 1, UnitPrice: amount, ...(refund.taxType ? { TaxCodeRef: { value: refund.taxType } } : {}) } }],
      }, requestIdFor(key));
      return [{ kind: 'refundReceipt', id: String(created.Id) }];
    },

    async createPayoutDeposit(deposit: NewPayoutDeposit, key: string): Promise<PostedRecord[]> {
      // QBO's idiom: one Deposit into the bank of what waited in the clearing account (payments in, refunds out),
      // with Stripe's fees as a negative line on the fees account; its total is the payout.
      const line = (description: string, amountMinor: number, account: string) => ({
        Amount: minorToDecimal(amountMinor, deposit.currency), DetailType: 'DepositLineDetail', Description: description,
        DepositLineDetail: { AccountRef: { value: account } },
      });
      const created = await qbo.create('Deposit', {
        DepositToAccountRef: { value: deposit.bankAccount },
        CurrencyRef: { value: deposit.currency },
        TxnDate: deposit.date,
        PrivateNote: deposit.reference,
        Line: [
          ...deposit.clearingLines.map((l) => line(l.description, l.amountMinor, deposit.clearingAccount)),
          ...(deposit.feesMinor > 0 ? [line(`Stripe fees, ${deposit.reference}`, -deposit.feesMinor, deposit.feesAccount)] : []),
        ],
      }, requestIdFor(key));
      return [{ kind: 'deposit', id: String(created.Id) }];
    },

    async listAccounts() {
      // QBO's queries leave inactive accounts out unless asked for them.
      const rows = await qbo.queryAll('Account', []);
      return rows.map((a) => ({ id: String(a.Id), name: String(a.Name), type: String(a.AccountType) }));
    },

    webLink(kind: LinkedObject, id: string): string {
      return `${webBase}${WEB_PATHS[kind]}${encodeURIComponent(id)}`;
    },
  };
}
