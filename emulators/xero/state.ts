// The emulator's ledger: one organisation (tenant) per Xero connection, holding contacts, invoices, payments,
// credit notes, their allocations and bank transactions. Amounts are integer cents. Balances (amount due,
// remaining credit) are derived from payments and allocations rather than stored, so they can never drift apart;
// the PAID status follows from them (settle()).
import { randomUUID } from 'node:crypto';
import type { Clock } from '../support/limits';

export type DocStatus = 'DRAFT' | 'SUBMITTED' | 'AUTHORISED' | 'PAID' | 'VOIDED' | 'DELETED';
export type LineAmountTypes = 'Exclusive' | 'Inclusive' | 'NoTax';

export interface XeroAccount {
  code: string;
  accountId: string;
  name: string;
  type: 'BANK' | 'REVENUE' | 'SALES' | 'CURRLIAB' | 'EXPENSE' | 'CURRENT';
  /** "Enable payments to this account": a non-bank account that can take payments (a clearing account). */
  enablePayments: boolean;
  taxType: string;
}

export interface XeroContact {
  id: string;
  name: string;
  email?: string;
  accountNumber?: string;
  status: 'ACTIVE' | 'ARCHIVED';
  updatedAt: number;
}

export interface XeroLine {
  lineItemId: string;
  description?: string;
  /** Decimal text, as sent (Xero keeps up to 4 places). */
  quantity: string;
  /** Unit amount in 10^-4 units (Xero keeps 4 places with unitdp=4, otherwise 2). */
  unitAmount4: number;
  accountCode?: string;
  taxType: string;
  lineAmountCents: number;
  taxCents: number;
}

/** What invoices, credit notes and bank transactions share. */
interface Document {
  id: string;
  contactId: string;
  date: string;
  reference?: string;
  currency: string;
  status: DocStatus;
  lineAmountTypes: LineAmountTypes;
  lines: XeroLine[];
  subTotalCents: number;
  taxCents: number;
  totalCents: number;
  createdAt: number;
  updatedAt: number;
}

export interface XeroInvoice extends Document {
  type: 'ACCREC' | 'ACCPAY';
  number: string;
  dueDate?: string;
  fullyPaidOn?: string;
}

export interface XeroCreditNote extends Document {
  type: 'ACCRECCREDIT' | 'ACCPAYCREDIT';
  number: string;
  fullyPaidOn?: string;
}

export interface XeroPayment {
  id: string;
  /** The invoice it pays, or '' for a refund of a credit note (money paid out against `creditNoteId`). */
  invoiceId: string;
  creditNoteId?: string;
  accountCode: string;
  date: string;
  amountCents: number;
  reference?: string;
  status: 'AUTHORISED' | 'DELETED';
  updatedAt: number;
}

export interface XeroAllocation {
  id: string;
  creditNoteId: string;
  invoiceId: string;
  amountCents: number;
  date: string;
  deleted: boolean;
}

/** Money moved between two of the organisation's bank accounts (PUT /BankTransfers). */
export interface XeroBankTransfer {
  id: string;
  fromAccountCode: string;
  toAccountCode: string;
  amountCents: number;
  date: string;
  reference?: string;
  currency: string;
  createdAt: number;
}

export interface XeroBankTransaction extends Document {
  type: 'RECEIVE' | 'RECEIVE-PREPAYMENT' | 'SPEND' | 'RECEIVE-OVERPAYMENT';
  bankAccountCode: string;
}

export interface TenantOptions {
  baseCurrency?: string;
  /** Currencies the organisation has enabled (multi-currency). */
  currencies?: string[];
}

/** A small chart of accounts like Xero's demo company: bank accounts, sales, expenses and a clearing account. */
function defaultAccounts(): XeroAccount[] {
  const account = (code: string, name: string, type: XeroAccount['type'], enablePayments = false): XeroAccount =>
    ({ code, accountId: randomUUID(), name, type, enablePayments, taxType: 'NONE' });
  return [
    account('090', 'Business Bank Account', 'BANK'),
    account('091', 'Business Savings Account', 'BANK'),
    account('200', 'Sales', 'REVENUE'),
    account('260', 'Other Revenue', 'REVENUE'),
    account('610', 'Accounts Receivable', 'CURRENT'),
    account('820', 'Payments Clearing', 'CURRLIAB', true),
    // Where a merchant books its payment provider's fees (Settle's fee invoices are bills on these).
    account('404', 'Bank Fees', 'EXPENSE'),
    account('429', 'General Expenses', 'EXPENSE'),
  ];
}

/** Tax rates by TaxType, in basis points (the emulator's stand-in for the organisation's tax rates). */
export const TAX_RATES: Record<string, number> = {
  NONE: 0,
  EXEMPTOUTPUT: 0,
  ZERORATEDOUTPUT: 0,
  OUTPUT: 1000, // AU GST on income
  OUTPUT2: 1500, // NZ GST on income
  TAX001: 825, // a US sales tax
};

export class TenantLedger {
  readonly accounts = new Map<string, XeroAccount>();
  readonly contacts = new Map<string, XeroContact>();
  readonly invoices = new Map<string, XeroInvoice>();
  readonly payments = new Map<string, XeroPayment>();
  readonly creditNotes = new Map<string, XeroCreditNote>();
  readonly allocations = new Map<string, XeroAllocation>();
  readonly bankTransactions = new Map<string, XeroBankTransaction>();
  readonly bankTransfers = new Map<string, XeroBankTransfer>();
  readonly baseCurrency: string;
  readonly currencies: Set<string>;
  /** The period lock date (YYYY-MM-DD): documents dated on or before it are refused, as in a closed period. */
  lockDate?: string;
  private readonly counters = { invoice: 0, creditNote: 0 };

  constructor(readonly id: string, readonly name: string, private readonly clock: Clock, opts: TenantOptions = {}) {
    this.baseCurrency = opts.baseCurrency ?? 'AUD';
    this.currencies = new Set([this.baseCurrency, ...(opts.currencies ?? ['AUD', 'NZD', 'USD', 'GBP', 'EUR', 'CAD'])]);
    for (const a of defaultAccounts()) this.accounts.set(a.code, a);
  }

  now(): number {
    return this.clock();
  }

  /** Today in the organisation (UTC in the emulator). */
  today(): string {
    return new Date(this.clock()).toISOString().slice(0, 10);
  }

  /** Xero's refusal of a document in a closed period, or undefined. */
  lockRefusal(date: string): string | undefined {
    return this.lockDate && date <= this.lockDate ? `The document date cannot be before the period lock date of ${this.lockDate}.` : undefined;
  }

  nextInvoiceNumber(): string {
    let n: string;
    do n = `INV-${String(++this.counters.invoice).padStart(4, '0')}`;
    while ([...this.invoices.values()].some((i) => i.number.toLowerCase() === n.toLowerCase()));
    return n;
  }

  nextCreditNoteNumber(): string {
    return `CN-${String(++this.counters.creditNote).padStart(4, '0')}`;
  }

  paymentsOf(invoiceId: string): XeroPayment[] {
    return [...this.payments.values()].filter((p) => p.invoiceId === invoiceId && p.status === 'AUTHORISED');
  }

  /** Live allocations of a credit note (by: 'creditNote') or to an invoice (by: 'invoice'). */
  allocationsOf(id: string, by: 'creditNote' | 'invoice'): XeroAllocation[] {
    return [...this.allocations.values()].filter((a) => !a.deleted && (by === 'creditNote' ? a.creditNoteId : a.invoiceId) === id);
  }

  amountPaid(invoice: XeroInvoice): number {
    return this.paymentsOf(invoice.id).reduce((sum, p) => sum + p.amountCents, 0);
  }

  amountCredited(invoice: XeroInvoice): number {
    return this.allocationsOf(invoice.id, 'invoice').reduce((sum, a) => sum + a.amountCents, 0);
  }

  /** Drafts owe nothing yet; voided and deleted invoices owe nothing any more. */
  amountDue(invoice: XeroInvoice): number {
    if (invoice.status !== 'AUTHORISED' && invoice.status !== 'PAID') return 0;
    return invoice.totalCents - this.amountPaid(invoice) - this.amountCredited(invoice);
  }

  remainingCredit(note: XeroCreditNote): number {
    if (note.status === 'VOIDED' || note.status === 'DELETED') return 0;
    const refunded = [...this.payments.values()].filter((p) => p.creditNoteId === note.id && p.status === 'AUTHORISED').reduce((sum, p) => sum + p.amountCents, 0);
    return note.totalCents - refunded - this.allocationsOf(note.id, 'creditNote').reduce((sum, a) => sum + a.amountCents, 0);
  }

  /** AUTHORISED ⇄ PAID as the balance reaches or leaves zero (Xero does this on every payment and allocation). */
  settleInvoice(invoice: XeroInvoice): void {
    const due = this.amountDue(invoice);
    const before = invoice.status;
    if (invoice.status === 'AUTHORISED' && due === 0) invoice.status = 'PAID';
    else if (invoice.status === 'PAID' && due > 0) invoice.status = 'AUTHORISED';
    if (invoice.status !== before) {
      invoice.fullyPaidOn = invoice.status === 'PAID' ? this.today() : undefined;
      invoice.updatedAt = this.clock();
    }
  }

  settleCreditNote(note: XeroCreditNote): void {
    const remaining = this.remainingCredit(note);
    const before = note.status;
    if (note.status === 'AUTHORISED' && remaining === 0) note.status = 'PAID';
    else if (note.status === 'PAID' && remaining > 0) note.status = 'AUTHORISED';
    if (note.status !== before) {
      note.fullyPaidOn = note.status === 'PAID' ? this.today() : undefined;
      note.updatedAt = this.clock();
    }
  }

  /** Plain data for GET /_emulator/state and tests. */
  snapshot() {
    return {
      id: this.id,
      name: this.name,
      baseCurrency: this.baseCurrency,
      contacts: [...this.contacts.values()],
      invoices: [...this.invoices.values()].map((i) => ({ ...i, amountDueCents: this.amountDue(i) })),
      payments: [...this.payments.values()],
      creditNotes: [...this.creditNotes.values()].map((c) => ({ ...c, remainingCreditCents: this.remainingCredit(c) })),
      allocations: [...this.allocations.values()],
      bankTransactions: [...this.bankTransactions.values()],
      bankTransfers: [...this.bankTransfers.values()],
    };
  }
}

export class XeroState {
  readonly tenants = new Map<string, TenantLedger>();
  constructor(private readonly clock: Clock) {}

  addTenant(name: string, opts?: TenantOptions): TenantLedger {
    const tenant = new TenantLedger(randomUUID(), name, this.clock, opts);
    this.tenants.set(tenant.id, tenant);
    return tenant;
  }

  /** The tenant's ledger; throws for an unknown tenant (tests asking about a tenant they never made). */
  tenant(id: string): TenantLedger {
    const tenant = this.tenants.get(id);
    if (!tenant) throw new Error(`no emulated Xero tenant ${id}`);
    return tenant;
  }

  snapshot() {
    return { tenants: [...this.tenants.values()].map((t) => t.snapshot()) };
  }
}
