// Settle's Xero adapter: the AccountingPlatform port on the xero-node SDK. One XeroClient per adapter, pointed at
// `basePath` (Xero or the emulator); each call first sets a fresh access token (setTokenSet makes no network call;
// refreshing is the connection store's job) and runs under a deadline, since xero-node sets none.
// Every write passes the caller's idempotency key as the SDK's trailing idempotencyKey argument (Idempotency-Key),
// so a retried write is answered from Xero's record of the first one instead of writing twice.
import { BankTransaction, CreditNote as XeroCreditNote, Invoice as XeroInvoice, LineAmountTypes, XeroClient, type AccountingApi, type Allocation as XeroAllocation } from 'xero-node';
import {
  PlatformError, PlatformNotFound, PlatformRejected, type AccountingPlatform, type Allocation, type ContactQuery, type CreditNote,
  type ContactResult, type IdempotencyKey, type InvoiceQuery, type KeyedContact, type InvoiceResult, type KeyedInvoice, type LinkedObject, type NewContact, type NewCreditNote,
  type NewInvoice, type NewPayment, type NewPrepayment, type PaymentResult, type Settlement, type NewCustomerRefund, type NewPayoutDeposit,
  type PostedRecord,
} from '../platform';
import { toPlatformError, XeroTimeout } from './errors';
import {
  batchKey, contactBody, contactMatches, contactsAnyWhere, contactWhere, creditNoteBody, creditNoteNumbersWhere, decimalToMinor, invoiceBody, invoiceWhere,
  minorToDecimal, paymentBody, prepaymentBody, toContact, toCreditNote, toInvoice, toIsoDate, webLink,
} from './mapping';

export interface XeroPlatformOptions {
  /** The Accounting API base: https://api.xero.com/api.xro/2.0, or an emulator's apiBasePath. */
  basePath: string;
  tenantId: string;
  /** A valid access token for the tenant's connection (asked before every call). */
  accessToken: () => Promise<string>;
  /** Base of deep links into Xero's web app (default https://go.xero.com). */
  webAppBaseUrl?: string;
  /** Deadline per API call (default 30 s); past it the call fails with PlatformUnavailable. */
  timeoutMs?: number;
  /** Account code of a prepayment's line (the port names only the bank account). Default '200' (Sales). */
  prepaymentAccountCode?: string;
}

/** Xero's page size for GET /Invoices when `page` is given. */
export const XERO_PAGE_SIZE = 100;
/** Xero's recommended largest batch of payments per call. */
export const XERO_PAYMENTS_PER_CALL = 50;

// Enum members, not literals: the SDK types them as numbers but they are strings at run time.
const NOTE_STATUS = {
  AUTHORISED: XeroCreditNote.StatusEnum.AUTHORISED,
  VOIDED: XeroCreditNote.StatusEnum.VOIDED,
  DELETED: XeroCreditNote.StatusEnum.DELETED,
} as const;

export function createXeroPlatform(opts: XeroPlatformOptions): AccountingPlatform {
  const xero = new XeroClient();
  xero.accountingApi.basePath = opts.basePath;
  const tenant = opts.tenantId;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const webBase = opts.webAppBaseUrl ?? 'https://go.xero.com';

  /** One SDK call: fresh token, deadline, and errors in the port's terms. */
  async function call<T>(what: string, fn: (api: AccountingApi) => Promise<{ body: T }>): Promise<T> {
    const token = await opts.accessToken();
    xero.setTokenSet({ access_token: token, token_type: 'Bearer' });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new XeroTimeout(what, timeoutMs)), timeoutMs);
    });
    try {
      return (await Promise.race([fn(xero.accountingApi), deadline])).body;
    } catch (err) {
      throw toPlatformError(err, what);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The one element a single write returns; an element carrying validation errors is a refusal. */
  function single<T extends { validationErrors?: { message?: string }[] }>(items: T[] | undefined, what: string): T {
    const item = items?.[0];
    if (!item) throw new PlatformError(`Xero answered ${what} without the object`);
    const messages = (item.validationErrors ?? []).map((v) => v.message ?? '').filter(Boolean);
    if (messages.length) throw new PlatformRejected(`Xero refused ${what}: ${messages.join('; ')}`, messages, 400);
    return item;
  }

  /** GET one object; a 404 is "not there", not a failure. */
  async function maybe<T>(fetch: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fetch();
    } catch (err) {
      if (err instanceof PlatformNotFound) return undefined;
      throw err;
    }
  }

  async function setCreditNoteStatus(id: string, status: keyof typeof NOTE_STATUS, key: IdempotencyKey, what: string): Promise<CreditNote> {
    const body = await call(what, (api) => api.updateCreditNote(tenant, id,
      { creditNotes: [{ creditNoteID: id, status: NOTE_STATUS[status] }] }, undefined, key));
    return toCreditNote(single(body.creditNotes, what));
  }

  const platform: AccountingPlatform = {
    platform: 'xero',

    async findContacts(query: ContactQuery) {
      const body = await call('findContacts', (api) => api.getContacts(tenant, undefined, contactWhere(query)));
      // Xero's where is the filter; checking again here keeps the port's "exact, case-insensitive" promise.
      return (body.contacts ?? []).map(toContact).filter((c) => contactMatches(c, query));
    },

    async createContact(contact: NewContact, key: IdempotencyKey) {
      const body = await call('createContact', (api) => api.createContacts(tenant, { contacts: [contactBody(contact)] }, undefined, key));
      return toContact(single(body.contacts, 'createContact'));
    },

    async findContactsByAccountNumbers(numbers: string[]) {
      if (numbers.length === 0) return [];
      const body = await call('findContactsByAccountNumbers', (api) => api.getContacts(tenant, undefined, contactsAnyWhere('AccountNumber', numbers)));
      // Exact but case-insensitive, as Xero's where compares (and as findContacts promises).
      const wanted = new Set(numbers.map((n) => n.toLowerCase()));
      return (body.contacts ?? []).map(toContact).filter((c) => c.accountNumber !== undefined && wanted.has(c.accountNumber.toLowerCase()));
    },

    async findContactsByNames(names: string[]) {
      if (names.length === 0) return [];
      const body = await call('findContactsByNames', (api) => api.getContacts(tenant, undefined, contactsAnyWhere('Name', names)));
      const wanted = new Set(names.map((n) => n.toLowerCase()));
      return (body.contacts ?? []).map(toContact).filter((c) => wanted.has(c.name.toLowerCase()));
    },

    async createContacts(items: KeyedContact[], key: IdempotencyKey): Promise<ContactResult[]> {
      if (items.length === 0) return [];
      // summarizeErrors=false: each contact comes back with its own result, in the order sent.
      const body = await call('createContacts', (api) => api.createContacts(tenant, { contacts: items.map((i) => contactBody(i.contact)) }, false, key));
      const answered = body.contacts ?? [];
      return items.map((_, j): ContactResult => {
        const c = answered[j];
        const errors = (c?.validationErrors ?? []).map((v) => v.message ?? '').filter(Boolean);
        if (!c) return { ok: false, reason: 'Xero returned no result for this contact' };
        if (errors.length || c.statusAttributeString === 'ERROR' || !c.contactID) return { ok: false, reason: errors.join('; ') || 'refused by Xero' };
        return { ok: true, contact: toContact(c) };
      });
    },

    async listInvoices(query: InvoiceQuery) {
      const page = query.page ?? 1;
      const body = await call('listInvoices', (api) => api.getInvoices(tenant, undefined, invoiceWhere(query), undefined, undefined, undefined,
        query.contactId ? [query.contactId] : undefined, query.outstandingOnly ? [String(XeroInvoice.StatusEnum.AUTHORISED)] : undefined, page));
      const raw = body.invoices ?? [];
      let invoices = raw.map(toInvoice);
      if (query.outstandingOnly) invoices = invoices.filter((i) => i.amountDueMinor > 0);
      const pageCount = body.pagination?.pageCount;
      const more = pageCount !== undefined ? page < pageCount : raw.length >= XERO_PAGE_SIZE;
      return more ? { invoices, nextPage: page + 1 } : { invoices };
    },

    async getInvoice(invoiceId: string) {
      const body = await maybe(() => call('getInvoice', (api) => api.getInvoice(tenant, invoiceId)));
      const invoice = body?.invoices?.[0];
      return invoice ? toInvoice(invoice) : undefined;
    },

    async createInvoice(invoice: NewInvoice, key: IdempotencyKey) {
      const body = await call('createInvoice', (api) => api.createInvoices(tenant, { invoices: [invoiceBody(invoice)] }, undefined, undefined, key));
      return toInvoice(single(body.invoices, 'createInvoice'));
    },

    async createInvoices(items: KeyedInvoice[], key: IdempotencyKey): Promise<InvoiceResult[]> {
      if (items.length === 0) return [];
      // summarizeErrors=false: each invoice comes back with its own result, in the order sent; one Idempotency-Key
      // for the call (a retry of the same batch is answered from Xero's record of the first).
      const body = await call('createInvoices', (api) => api.createInvoices(tenant, { invoices: items.map((i) => invoiceBody(i.invoice)) }, false, undefined, key));
      const answered = body.invoices ?? [];
      return items.map((_, j): InvoiceResult => {
        const inv = answered[j];
        const errors = (inv?.validationErrors ?? []).map((v) => v.message ?? '').filter(Boolean);
        if (!inv) return { ok: false, reason: 'Xero returned no result for this invoice' };
        if (errors.length || inv.statusAttributeString === 'ERROR' || !inv.invoiceID) return { ok: false, reason: errors.join('; ') || 'refused by Xero' };
        return { ok: true, invoice: toInvoice(inv) };
      });
    },

    async findInvoicesByNumber(numbers: string[]) {
      if (numbers.length === 0) return [];
      const body = await call('findInvoicesByNumber', (api) => api.getInvoices(tenant, undefined, 'Type=="ACCREC"', undefined, undefined, numbers));
      const wanted = new Set(numbers);
      return (body.invoices ?? []).map(toInvoice).filter((i) => wanted.has(i.number));
    },

    async findCreditNotesByNumber(numbers: string[]) {
      if (numbers.length === 0) return [];
      const body = await call('findCreditNotesByNumber', (api) => api.getCreditNotes(tenant, undefined, creditNoteNumbersWhere(numbers)));
      const wanted = new Set(numbers);
      return (body.creditNotes ?? []).map(toCreditNote).filter((n) => n.number !== undefined && wanted.has(n.number));
    },

    async listInvoiceSettlements(invoiceId: string): Promise<Settlement[]> {
      const body = await call('getInvoice', (api) => api.getInvoice(tenant, invoiceId));
      const invoice = body.invoices?.[0];
      if (!invoice) throw new PlatformNotFound(`Xero has no invoice ${invoiceId}`, 404);
      const currency = String(invoice.currencyCode ?? '');
      const settlements: Settlement[] = (invoice.payments ?? []).filter((p) => p.paymentID).map((p) => ({
        id: p.paymentID!, kind: 'payment' as const, amountMinor: decimalToMinor(p.amount, currency), date: toIsoDate(p.date) ?? '',
      }));
      // The invoice lists the credit notes applied to it, not the allocations: each credit note is read for its
      // allocations' ids (stable, what payment sync recognises), keeping those to this invoice.
      const noteIds = [...new Set((invoice.creditNotes ?? []).map((n) => n.creditNoteID).filter((id): id is string => Boolean(id)))];
      for (const noteId of noteIds) {
        const notes = await call('getCreditNote', (api) => api.getCreditNote(tenant, noteId));
        for (const a of notes.creditNotes?.[0]?.allocations ?? []) {
          if (!a.allocationID || a.isDeleted || a.invoice?.invoiceID !== invoiceId) continue;
          settlements.push({ id: a.allocationID, kind: 'credit', amountMinor: decimalToMinor(a.amount, currency), date: toIsoDate(a.date) ?? '' });
        }
      }
      return settlements;
    },

    async createPayments(payments: NewPayment[], key: IdempotencyKey) {
      const results: PaymentResult[] = [];
      for (let i = 0; i * XERO_PAYMENTS_PER_CALL < payments.length; i++) {
        const batch = payments.slice(i * XERO_PAYMENTS_PER_CALL, (i + 1) * XERO_PAYMENTS_PER_CALL);
        // summarizeErrors=false: each payment comes back with its own result, in the order sent.
        const body = await call('createPayments', (api) => api.createPayments(tenant, { payments: batch.map(paymentBody) }, false, batchKey(key, i)));
        const answered = body.payments ?? [];
        batch.forEach((_, j) => {
          const p = answered[j];
          const errors = (p?.validationErrors ?? []).map((v) => v.message ?? '').filter(Boolean);
          if (!p) results.push({ ok: false, reason: 'Xero returned no result for this payment' });
          else if (errors.length || p.statusAttributeString === 'ERROR' || !p.paymentID) results.push({ ok: false, reason: errors.join('; ') || 'refused by Xero' });
          else results.push({ ok: true, paymentId: p.paymentID, ...(p.invoice?.invoiceNumber ? { invoiceNumber: p.invoice.invoiceNumber } : {}) });
        });
      }
      return results;
    },

    async createCreditNote(creditNote: NewCreditNote, key: IdempotencyKey) {
      const body = await call('createCreditNote', (api) => api.createCreditNotes(tenant, { creditNotes: [creditNoteBody(creditNote)] }, undefined, undefined, key));
      return toCreditNote(single(body.creditNotes, 'createCreditNote'));
    },

    async getCreditNote(creditNoteId: string) {
      const body = await maybe(() => call('getCreditNote', (api) => api.getCreditNote(tenant, creditNoteId)));
      const note = body?.creditNotes?.[0];
      return note ? toCreditNote(note) : undefined;
    },

    approveCreditNote: (id, key) => setCreditNoteStatus(id, 'AUTHORISED', key, 'approveCreditNote'),
    voidCreditNote: (id, key) => setCreditNoteStatus(id, 'VOIDED', key, 'voidCreditNote'),

    async deleteCreditNote(creditNoteId: string) {
      // The port gives no key, but deleting a given note is one logical write: a key derived from its id makes a
      // retry after a lost answer get the first answer back instead of "not of valid status".
      await setCreditNoteStatus(creditNoteId, 'DELETED', `del_${creditNoteId}`.slice(0, 50), 'deleteCreditNote');
    },

    async allocateCreditNote(creditNoteId: string, allocation: Allocation, key: IdempotencyKey) {
      const allocations: XeroAllocation[] = [{ invoice: { invoiceID: allocation.invoiceId }, amount: minorToDecimal(allocation.amountMinor), date: allocation.date }];
      const body = await call('allocateCreditNote', (api) => api.createCreditNoteAllocation(tenant, creditNoteId, { allocations }, undefined, key));
      single(body.allocations, 'allocateCreditNote');
    },

    async removeCreditNoteAllocations(creditNoteId: string) {
      const body = await call('getCreditNote', (api) => api.getCreditNote(tenant, creditNoteId));
      const note = body.creditNotes?.[0];
      if (!note) throw new PlatformNotFound(`Xero has no credit note ${creditNoteId}`, 404);
      for (const a of note.allocations ?? []) {
        if (!a.allocationID || a.isDeleted) continue;
        // Already gone (an earlier attempt, or someone in Xero) is what we wanted.
        await maybe(() => call('removeCreditNoteAllocation', (api) => api.deleteCreditNoteAllocations(tenant, creditNoteId, a.allocationID!)));
      }
    },

    async createPrepayment(prepayment: NewPrepayment, key: IdempotencyKey) {
      const bankTransactions = [prepaymentBody(prepayment, opts.prepaymentAccountCode ?? '200')];
      const body = await call('createPrepayment', (api) => api.createBankTransactions(tenant, { bankTransactions }, undefined, undefined, key));
      const created = single(body.bankTransactions, 'createPrepayment');
      return { id: created.prepaymentID ?? created.bankTransactionID! };
    },

    async refundCustomer(refund: NewCustomerRefund, key: IdempotencyKey): Promise<PostedRecord[]> {
      // Xero's idiom: a sales credit note for the amount, "refunded" by a payment on it out of the account the card
      // money was received into (the credit note is then PAID, nothing is left to allocate).
      const note = await platform.createCreditNote({ contactId: refund.contactId, reference: refund.reference, date: refund.date, currency: refund.currency,
        status: 'authorised', lines: [{ description: refund.description, quantity: 1, unitAmountMinor: refund.amountMinor, accountCode: refund.lineAccount, taxType: refund.taxType }] },
      batchKey(key, 0));
      const body = await call('refundCreditNote', (api) => api.createPayments(tenant, { payments: [{
        creditNote: { creditNoteID: note.id }, account: { code: refund.fromAccount }, date: refund.date,
        amount: minorToDecimal(refund.amountMinor, refund.currency), reference: refund.reference,
      }] }, undefined, batchKey(key, 1)));
      const payment = single(body.payments, 'refundCreditNote');
      return [{ kind: 'creditNote', id: note.id }, { kind: 'refundPayment', id: payment.paymentID! }];
    },

    async createPayoutDeposit(deposit: NewPayoutDeposit, key: IdempotencyKey): Promise<PostedRecord[]> {
      // A bank account cannot be a line of a bank transaction in Xero, so the clearing account (a bank account the
      // card payments were received into) is emptied the way Xero moves money between its bank accounts: a transfer
      // of the payout to the bank, and the fees Stripe kept spent from clearing to the fees expense account.
      const payout = deposit.clearingLines.reduce((sum, l) => sum + l.amountMinor, 0) - deposit.feesMinor;
      const records: PostedRecord[] = [];
      const transfer = await call('createPayoutTransfer', (api) => api.createBankTransfer(tenant, { bankTransfers: [{
        fromBankAccount: { code: deposit.clearingAccount }, toBankAccount: { code: deposit.bankAccount }, amount: minorToDecimal(payout, deposit.currency),
        date: deposit.date, reference: deposit.reference,
      }] }, batchKey(key, 0)));
      records.push({ kind: 'bankTransfer', id: single(transfer.bankTransfers, 'createPayoutTransfer').bankTransferID! });
      if (deposit.feesMinor > 0) {
        const stripe = (await platform.findContacts({ name: 'Stripe', supplier: true }))[0] ?? await platform.createContact({ name: 'Stripe', supplier: true }, batchKey(key, 1));
        const spent = await call('createPayoutFees', (api) => api.createBankTransactions(tenant, { bankTransactions: [{
          type: BankTransaction.TypeEnum.SPEND, contact: { contactID: stripe.id }, bankAccount: { code: deposit.clearingAccount }, date: deposit.date,
          reference: deposit.reference, lineAmountTypes: LineAmountTypes.NoTax,
          lineItems: [{ description: `Stripe fees, ${deposit.reference}`, quantity: 1, unitAmount: minorToDecimal(deposit.feesMinor, deposit.currency), accountCode: deposit.feesAccount }],
        }] }, undefined, undefined, batchKey(key, 2)));
        records.push({ kind: 'bankTransaction', id: single(spent.bankTransactions, 'createPayoutFees').bankTransactionID! });
      }
      return records;
    },

    async listAccounts() {
      const body = await call('listAccounts', (api) => api.getAccounts(tenant));
      return (body.accounts ?? []).filter((a) => a.code && String(a.status ?? 'ACTIVE') === 'ACTIVE')
        .map((a) => ({ id: a.code!, name: a.name ?? a.code!, type: String(a.type) }));
    },

    webLink: (kind: LinkedObject, id: string) => webLink(webBase, kind, id),
  };
  return platform;
}
