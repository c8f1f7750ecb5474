// The in-memory ledger of each emulated QuickBooks company (realm). Amounts are integer cents; balances of
// invoices, credit memos and payments are derived from the payments' linked lines (recompute), as QBO derives them,
// so a deleted payment puts an invoice back to outstanding without any bookkeeping of its own. The payable side
// (vendors, bills, vendor credits) mirrors it: bill payments' linked lines derive the balances of bills and credits.
import type { Clock } from '../support/limits';

export interface SalesLine {
  id: string;
  description?: string;
  amountCents: number;
  itemId: string;
  qty: number;
  unitPrice: number;
  taxCode?: string;
}

interface Meta {
  id: string;
  syncToken: number;
  created: string;
  updated: string;
}

export interface CustomerRecord extends Meta {
  displayName: string;
  email?: string;
  acctNum?: string;
  currency: string;
  active: boolean;
}

export type VendorRecord = CustomerRecord;

/** A line of a bill or vendor credit: an amount posted to a ledger account (AccountBasedExpenseLineDetail). */
export interface ExpenseLine {
  id: string;
  description?: string;
  amountCents: number;
  accountId: string;
  taxCode?: string;
}

/** Bills and vendor credits: the payable side's forms share their shape. */
export interface PurchaseFormRecord extends Meta {
  /** QBO numbers no bill or vendor credit itself: the number is the supplier's, if given. */
  docNumber?: string;
  vendorId: string;
  txnDate: string;
  dueDate?: string;
  currency: string;
  lines: ExpenseLine[];
  totalCents: number;
  /** Bill: amount still owed. Vendor credit: credit not yet applied (QBO's Balance on both). */
  balanceCents: number;
  privateNote?: string;
}

export interface BillPaymentLine {
  amountCents: number;
  txnId: string;
  txnType: 'Bill' | 'VendorCredit';
}

export interface BillPaymentRecord extends Meta {
  vendorId: string;
  txnDate: string;
  currency: string;
  /** Money paid out: Σ bill lines − Σ vendor credit lines (0 when a credit pays the bill). */
  totalCents: number;
  payType: 'Check' | 'CreditCard';
  /** The bank account of a check, or the credit card account. */
  paidFromAccountId: string;
  privateNote?: string;
  lines: BillPaymentLine[];
}

/** Invoices and credit memos: QBO's "sales forms" share their shape. */
export interface SalesFormRecord extends Meta {
  docNumber: string;
  customerId: string;
  txnDate: string;
  dueDate?: string;
  currency: string;
  lines: SalesLine[];
  totalCents: number;
  /** Invoice: amount still due. Credit memo: credit not yet applied (QBO's Balance / RemainingCredit). */
  balanceCents: number;
  privateNote?: string;
  customerMemo?: string;
}

export interface PaymentLine {
  amountCents: number;
  txnId: string;
  txnType: 'Invoice' | 'CreditMemo';
}

export interface PaymentRecord extends Meta {
  customerId: string;
  txnDate: string;
  currency: string;
  totalCents: number;
  unappliedCents: number;
  depositAccountId?: string;
  refNum?: string;
  privateNote?: string;
  lines: PaymentLine[];
}

/** Money given back to a customer (a RefundReceipt): its lines on items sold, paid from `depositAccountId`. */
export interface RefundReceiptRecord extends Meta {
  customerId: string;
  txnDate: string;
  currency: string;
  depositAccountId: string;
  lines: SalesLine[];
  totalCents: number;
  privateNote?: string;
}

/** Money put into a bank account (a Deposit): lines from other accounts, signed; the total is what reached the bank. */
export interface DepositRecord extends Meta {
  depositToAccountId: string;
  txnDate: string;
  currency: string;
  lines: Array<{ id: string; amountCents: number; accountId: string; description?: string }>;
  totalCents: number;
  privateNote?: string;
}

export interface ItemRecord {
  id: string;
  name: string;
  type: 'Service' | 'NonInventory';
  incomeAccountId: string;
}

export type AccountType = 'Bank' | 'Other Current Asset' | 'Income' | 'Accounts Receivable' | 'Accounts Payable' | 'Expense' | 'Credit Card';

export interface AccountRecord {
  id: string;
  name: string;
  accountType: AccountType;
}

export type EntityName = 'Customer' | 'Invoice' | 'CreditMemo' | 'Payment' | 'Item' | 'Account' | 'Vendor' | 'Bill' | 'VendorCredit' | 'BillPayment' | 'RefundReceipt' | 'Deposit';

export interface RealmOptions {
  /** The company's home currency; customers default to it and transactions must match their customer's. */
  homeCurrency?: string;
}

export class RealmState {
  readonly customers = new Map<string, CustomerRecord>();
  readonly invoices = new Map<string, SalesFormRecord>();
  readonly creditMemos = new Map<string, SalesFormRecord>();
  readonly payments = new Map<string, PaymentRecord>();
  readonly items = new Map<string, ItemRecord>();
  readonly accounts = new Map<string, AccountRecord>();
  readonly vendors = new Map<string, VendorRecord>();
  readonly bills = new Map<string, PurchaseFormRecord>();
  readonly vendorCredits = new Map<string, PurchaseFormRecord>();
  readonly billPayments = new Map<string, BillPaymentRecord>();
  readonly refundReceipts = new Map<string, RefundReceiptRecord>();
  readonly deposits = new Map<string, DepositRecord>();
  /** Deleted objects, for tests: QBO itself forgets them (reads answer 610 Object Not Found). */
  readonly deleted: Array<{ entity: EntityName; id: string; at: string }> = [];
  readonly homeCurrency: string;
  // One id sequence for customers and transactions, so an id of the wrong kind never happens to exist.
  private seq = 100;
  private docSeq = 1000;

  constructor(readonly id: string, readonly name: string, private readonly clock: Clock, opts: RealmOptions = {}) {
    this.homeCurrency = opts.homeCurrency ?? 'USD';
    // What a fresh QBO company has that Settle needs: a bank account, Undeposited Funds, an income account and
    // two service items. On QuickBooks a sales line's accountCode is an Item id; a payment's accountCode an Account
    // id. The payable side: A/P, a credit card, and expense accounts a bill line (Settle's fees) can post to by id.
    for (const a of [
      { id: '35', name: 'Checking', accountType: 'Bank' },
      { id: '4', name: 'Undeposited Funds', accountType: 'Other Current Asset' },
      { id: '79', name: 'Services', accountType: 'Income' },
      { id: '84', name: 'Accounts Receivable (A/R)', accountType: 'Accounts Receivable' },
      { id: '33', name: 'Accounts Payable (A/P)', accountType: 'Accounts Payable' },
      { id: '41', name: 'Mastercard', accountType: 'Credit Card' },
      { id: '8', name: 'Bank Charges', accountType: 'Expense' },
      { id: '57', name: 'Merchant Fees', accountType: 'Expense' },
      { id: '69', name: 'Dues & Subscriptions', accountType: 'Expense' },
    ] as AccountRecord[]) this.accounts.set(a.id, a);
    this.items.set('1', { id: '1', name: 'Services', type: 'Service', incomeAccountId: '79' });
    this.items.set('2', { id: '2', name: 'Managed services', type: 'Service', incomeAccountId: '79' });
  }

  now(): string {
    return new Date(this.clock()).toISOString();
  }

  nextId(): string {
    return String(++this.seq);
  }

  /** Invoices and credit memos share QBO's sales-form numbering. */
  nextDocNumber(): string {
    return String(++this.docSeq);
  }

  /** Re-derives every balance from the payments' and bill payments' linked lines. */
  recompute(): void {
    const applied = new Map<string, number>();
    for (const p of this.payments.values()) {
      let net = 0;
      for (const line of p.lines) {
        applied.set(line.txnId, (applied.get(line.txnId) ?? 0) + line.amountCents);
        net += line.txnType === 'Invoice' ? line.amountCents : -line.amountCents;
      }
      p.unappliedCents = p.totalCents - net;
    }
    for (const p of this.billPayments.values()) {
      for (const line of p.lines) applied.set(line.txnId, (applied.get(line.txnId) ?? 0) + line.amountCents);
    }
    for (const form of [...this.invoices.values(), ...this.creditMemos.values(), ...this.bills.values(), ...this.vendorCredits.values()]) {
      form.balanceCents = form.totalCents - (applied.get(form.id) ?? 0);
    }
  }

  /** What the company owes the vendor: open bills less unapplied credits. */
  vendorBalanceCents(vendorId: string): number {
    let balance = 0;
    for (const bill of this.bills.values()) if (bill.vendorId === vendorId) balance += bill.balanceCents;
    for (const vc of this.vendorCredits.values()) if (vc.vendorId === vendorId) balance -= vc.balanceCents;
    return balance;
  }

  /** Bill payments that link a bill or vendor credit. */
  billPaymentsLinking(txnId: string): BillPaymentRecord[] {
    return [...this.billPayments.values()].filter((p) => p.lines.some((l) => l.txnId === txnId));
  }

  /** QBO's names are unique (case-insensitively) across customers, vendors and employees together. */
  nameTaken(name: string): boolean {
    const lower = name.toLowerCase();
    return [...this.customers.values(), ...this.vendors.values()].some((c) => c.displayName.toLowerCase() === lower);
  }

  /** What the customer owes: open invoices less unapplied credits and payments. */
  customerBalanceCents(customerId: string): number {
    let balance = 0;
    for (const inv of this.invoices.values()) if (inv.customerId === customerId) balance += inv.balanceCents;
    for (const cm of this.creditMemos.values()) if (cm.customerId === customerId) balance -= cm.balanceCents;
    for (const p of this.payments.values()) if (p.customerId === customerId) balance -= p.unappliedCents;
    return balance;
  }

  /** Payments that link a transaction (QBO's LinkedTxn, seen from the other side). */
  paymentsLinking(txnId: string): PaymentRecord[] {
    return [...this.payments.values()].filter((p) => p.lines.some((l) => l.txnId === txnId));
  }

  snapshot() {
    const values = <T>(m: Map<string, T>) => [...m.values()];
    return {
      id: this.id,
      name: this.name,
      homeCurrency: this.homeCurrency,
      customers: values(this.customers),
      invoices: values(this.invoices),
      creditMemos: values(this.creditMemos),
      payments: values(this.payments),
      items: values(this.items),
      accounts: values(this.accounts),
      vendors: values(this.vendors),
      bills: values(this.bills),
      vendorCredits: values(this.vendorCredits),
      billPayments: values(this.billPayments),
      deleted: this.deleted,
    };
  }
}

export class QuickBooksState {
  readonly realms = new Map<string, RealmState>();
  private realmSeq = 0;

  constructor(private readonly clock: Clock) {}

  addRealm(name: string, opts?: RealmOptions): RealmState {
    // Realm ids are long decimal numbers on QBO (beyond 2^53, so built as text).
    const id = `9130354${String(++this.realmSeq).padStart(9, '0')}`;
    const realm = new RealmState(id, name, this.clock, opts);
    this.realms.set(id, realm);
    return realm;
  }

  /** The realm, for tests; throws if it does not exist. */
  realm(id: string): RealmState {
    const realm = this.realms.get(id);
    if (!realm) throw new Error(`no emulated realm ${id}`);
    return realm;
  }

  snapshot() {
    return { realms: [...this.realms.values()].map((r) => r.snapshot()) };
  }
}
