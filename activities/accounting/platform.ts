// The accounting platform port: what Settle asks of Xero and QuickBooks Online, in Settle's terms.
// One implementation per platform (xero/, quickbooks/) hides the SDK, its wire format and its quirks.
// Amounts are integer minor units; dates are ISO calendar dates (YYYY-MM-DD).
import type { ChartAccount } from '../../lib/payments/payout-account-rules';

export type { ChartAccount };

export type PlatformName = 'xero' | 'quickbooks';

/** A deterministic key per logical write (see lib/idempotency.ts): a retried write never writes twice. */
export type IdempotencyKey = string;

export interface Contact {
  id: string;
  name: string;
  accountNumber?: string;
  email?: string;
}

export interface NewContact {
  name: string;
  accountNumber?: string;
  email?: string;
  /**
   * A supplier the merchant pays (the contact of payable documents), not a customer. QuickBooks keeps the two apart
   * (a Vendor, not a Customer); Xero's contacts are both, so it ignores this.
   */
  supplier?: boolean;
}

export interface ContactQuery {
  /** Exact match, case-insensitive. */
  name?: string;
  email?: string;
  accountNumber?: string;
  /** Search suppliers instead of customers (see NewContact.supplier). */
  supplier?: boolean;
}

export type InvoiceStatus = 'draft' | 'submitted' | 'authorised' | 'paid' | 'voided' | 'deleted';

export interface Invoice {
  id: string;
  number: string;
  contactId: string;
  reference?: string;
  status: InvoiceStatus;
  date: string;
  dueDate?: string;
  currency: string;
  totalMinor: number;
  amountDueMinor: number;
}

export interface InvoiceLine {
  description: string;
  quantity: number;
  unitAmountMinor: number;
  accountCode: string;
  taxType?: string;
}

export interface NewInvoice {
  contactId: string;
  /** Settle's invoice number if it sets one (e.g. the PSA's); the platform numbers it otherwise. */
  number?: string;
  reference?: string;
  date: string;
  dueDate: string;
  currency: string;
  lines: InvoiceLine[];
  /** Authorised invoices are payable at once; drafts are not. */
  status: 'draft' | 'authorised';
  /** A bill the merchant owes a supplier (Settle's own fees), not an invoice to a customer. */
  payable?: boolean;
}

export interface InvoiceQuery {
  contactId?: string;
  /** Only invoices with an amount due (authorised and not fully paid). */
  outstandingOnly?: boolean;
  /** Invoices dated on or after. */
  fromDate?: string;
  /** 1-based page; each platform's page size (Xero 100). */
  page?: number;
}

export interface InvoicePage {
  invoices: Invoice[];
  /** The next page to ask for, if there may be more. */
  nextPage?: number;
}

export interface NewPayment {
  invoiceId: string;
  amountMinor: number;
  date: string;
  /** The bank (or clearing) account the money landed in. */
  accountCode: string;
  reference?: string;
}

/** One result per payment sent, in the same order: a batch can partly succeed. */
export type PaymentResult =
  // The number people know the invoice by (INV-0042), when the platform's answer names it: shown instead of its id.
  | { ok: true; paymentId: string; invoiceNumber?: string }
  | { ok: false; reason: string };

export type CreditNoteStatus = 'draft' | 'submitted' | 'authorised' | 'paid' | 'voided' | 'deleted';

export interface CreditNote {
  id: string;
  number?: string;
  contactId: string;
  reference?: string;
  status: CreditNoteStatus;
  totalMinor: number;
  /** What is left to allocate. */
  remainingMinor: number;
  currency: string;
}

export interface NewCreditNote {
  contactId: string;
  /** Settle's number if it sets one (a PSA credit's invoice number); the platform numbers it otherwise. */
  number?: string;
  reference?: string;
  date: string;
  currency: string;
  lines: InvoiceLine[];
  status: 'draft' | 'authorised';
  /** A credit from a supplier, applied to its bills (not a credit to a customer). */
  payable?: boolean;
}

export interface Allocation {
  invoiceId: string;
  amountMinor: number;
  date: string;
  /**
   * A supplier credit applied to a bill (both created with `payable`). QuickBooks keeps them apart from customer
   * documents, so it must know which to look for; Xero ignores this.
   */
  payable?: boolean;
}

/** Which kind of document to read: QuickBooks reads bills and supplier credits apart from customer documents. */
export interface ReadOptions {
  payable?: boolean;
}

export interface NewPrepayment {
  contactId: string;
  amountMinor: number;
  currency: string;
  date: string;
  accountCode: string;
  reference?: string;
}

/** One invoice of a batch write, with its own key (QuickBooks writes one at a time, each keyed by it). */
export interface KeyedInvoice {
  invoice: NewInvoice;
  key: IdempotencyKey;
}

/** One contact of a batch write, with its own key. */
export interface KeyedContact {
  contact: NewContact;
  key: IdempotencyKey;
}

/** One result per contact sent, in the same order: a batch can partly succeed. */
export type ContactResult = { ok: true; contact: Contact } | { ok: false; reason: string };

/** One result per invoice sent, in the same order: a batch can partly succeed. */
export type InvoiceResult = { ok: true; invoice: Invoice } | { ok: false; reason: string };

/** Money applied to an invoice: a payment, or a credit note allocated to it. `id` is the platform's, stable. */
export interface Settlement {
  id: string;
  kind: 'payment' | 'credit';
  amountMinor: number;
  date: string;
}

/** `bill` and `supplierCredit` are the payable invoices and credit notes (created with `payable`). */
export type LinkedObject = 'contact' | 'invoice' | 'creditNote' | 'bill' | 'supplierCredit' | 'payment' | 'prepayment';

/** Money paid back to a customer: the refund of (part of) a payment they made by card. */
export interface NewCustomerRefund {
  contactId: string;
  amountMinor: number;
  currency: string;
  date: string;
  /** The sales line the refund reverses: Xero an account code, QuickBooks an Item id. */
  lineAccount: string;
  taxType?: string;
  /** The account the money goes back out of: the clearing account the payment was received into. */
  fromAccount: string;
  reference: string;
  description: string;
}

/** What a refund or a deposit made in the books, for the record and for links. */
export interface PostedRecord {
  kind: 'creditNote' | 'refundPayment' | 'refundReceipt' | 'bankTransfer' | 'bankTransaction' | 'deposit';
  id: string;
}

/**
 * A payout reconciled: the money Stripe paid out moves from the clearing account (where the card payments were
 * received and the refunds paid from) to the bank account, and the fees Stripe kept become an expense; the clearing
 * account nets to zero for the payout's transactions. `clearingMinor` (payments less refunds, signed) less
 * `feesMinor` is the payout.
 */
export interface NewPayoutDeposit {
  currency: string;
  date: string;
  reference: string;
  clearingAccount: string;
  bankAccount: string;
  feesAccount: string;
  /** Payments in, refunds out (and any adjustment), as lines against the clearing account: signed minor units. */
  clearingLines: Array<{ description: string; amountMinor: number }>;
  /** Stripe's fees, positive minor units. */
  feesMinor: number;
}

export interface AccountingPlatform {
  readonly platform: PlatformName;

  findContacts(query: ContactQuery): Promise<Contact[]>;
  createContact(contact: NewContact, key: IdempotencyKey): Promise<Contact>;
  // Many customers at once, one request each (at most the platform's `contactsPerCall` values or contacts, limits.ts):
  /** Customer contacts carrying any of these account numbers (exact). */
  findContactsByAccountNumbers(numbers: string[]): Promise<Contact[]>;
  /** Customer contacts carrying any of these names (exact, case-insensitive). */
  findContactsByNames(names: string[]): Promise<Contact[]>;
  /**
   * Customer contacts created in one request (Xero: one PUT keyed by `batchKey`; QuickBooks: one batch request keyed
   * by `batchKey`). Results line up with `items`; a refused contact fails alone.
   */
  createContacts(items: KeyedContact[], batchKey: IdempotencyKey): Promise<ContactResult[]>;

  listInvoices(query: InvoiceQuery): Promise<InvoicePage>;
  getInvoice(invoiceId: string, options?: ReadOptions): Promise<Invoice | undefined>;
  createInvoice(invoice: NewInvoice, key: IdempotencyKey): Promise<Invoice>;
  /**
   * Sales invoices in one request (at most the platform's `invoicesPerCall`, limits.ts): Xero one PUT, QuickBooks one
   * batch request, either keyed by `batchKey`. Results line up with `items`; a refused invoice fails alone.
   */
  createInvoices(items: KeyedInvoice[], batchKey: IdempotencyKey): Promise<InvoiceResult[]>;
  /** Sales invoices carrying these numbers (exact); at most 50 numbers a call. */
  findInvoicesByNumber(numbers: string[]): Promise<Invoice[]>;
  /** Customer credit notes carrying these numbers (exact); at most 50 numbers a call. */
  findCreditNotesByNumber(numbers: string[]): Promise<CreditNote[]>;
  /** The payments and credit allocations applied to a sales invoice, whoever applied them. */
  listInvoiceSettlements(invoiceId: string): Promise<Settlement[]>;

  /** Sends payments in as few calls as the platform allows; results line up with `payments`. */
  createPayments(payments: NewPayment[], key: IdempotencyKey): Promise<PaymentResult[]>;

  createCreditNote(creditNote: NewCreditNote, key: IdempotencyKey): Promise<CreditNote>;
  getCreditNote(creditNoteId: string, options?: ReadOptions): Promise<CreditNote | undefined>;
  // Approving, deleting, voiding and un-allocating are for customer credit notes (QuickBooks does them on credit
  // memos only); payable ones are created authorised and only allocated.
  /** Draft → authorised. */
  approveCreditNote(creditNoteId: string, key: IdempotencyKey): Promise<CreditNote>;
  /** Removes a draft. Fails with PlatformRejected for a credit note that is no longer a draft. */
  deleteCreditNote(creditNoteId: string): Promise<void>;
  /** Voids an authorised credit note. Fails with PlatformRejected once it is allocated (paid). */
  voidCreditNote(creditNoteId: string, key: IdempotencyKey): Promise<CreditNote>;
  allocateCreditNote(creditNoteId: string, allocation: Allocation, key: IdempotencyKey): Promise<void>;
  /** Removes every allocation of a credit note, so the invoices it paid are outstanding again. */
  removeCreditNoteAllocations(creditNoteId: string): Promise<void>;

  /** Money received from a customer and not (yet) applied to an invoice. */
  createPrepayment(prepayment: NewPrepayment, key: IdempotencyKey): Promise<{ id: string }>;

  /**
   * A refund to a customer, in the platform's idiom (Xero: a sales credit note refunded by a payment out of
   * `fromAccount`; QuickBooks: a RefundReceipt paid from it). One key for the whole refund; its parts derive from it.
   */
  refundCustomer(refund: NewCustomerRefund, key: IdempotencyKey): Promise<PostedRecord[]>;
  /** A payout's deposit (Xero: a transfer from clearing to bank and the fees spent from clearing; QuickBooks: a Deposit). */
  createPayoutDeposit(deposit: NewPayoutDeposit, key: IdempotencyKey): Promise<PostedRecord[]>;
  /**
   * The organisation's active chart of accounts (Xero: GET Accounts, by code, accounts without a code left out since
   * postings name accounts by code; QuickBooks: the Account query, by id), in the platform's own type names.
   */
  listAccounts(): Promise<ChartAccount[]>;

  /** A link to the object in the platform's web app (works for people logged in to the organisation). */
  webLink(kind: LinkedObject, id: string): string;
}

/** Base of the errors adapters throw; activities turn them into Temporal retry decisions. */
export class PlatformError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = new.target.name;
  }
}

/** Over a rate limit: retry after `retryAfterMs` (from Retry-After), not on the default backoff. */
export class PlatformRateLimited extends PlatformError {
  constructor(readonly retryAfterMs: number, readonly problem: string, status = 429) {
    super(`rate limited (${problem}); retry after ${retryAfterMs} ms`, status);
  }
}

/** The access token was refused (expired or revoked): refresh, then retry. */
export class PlatformUnauthorized extends PlatformError {}

/**
 * The grant no longer opens the tenant (Xero's 403 "AuthenticationUnsuccessful" after the organisation disconnected
 * the app): no fresh token will help; the merchant must consent again.
 */
export class PlatformAccessRevoked extends PlatformUnauthorized {}

/** The request was understood and refused (validation, state): retrying the same request will not help. */
export class PlatformRejected extends PlatformError {
  constructor(message: string, readonly details: string[] = [], status?: number) {
    super(message, status);
  }
}

/** The object does not exist. */
export class PlatformNotFound extends PlatformError {}

/** A 5xx, a timeout or a dropped connection: safe to retry with the same idempotency key. */
export class PlatformUnavailable extends PlatformError {}
