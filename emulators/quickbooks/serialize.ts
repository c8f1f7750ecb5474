// Records → QBO JSON, the shape node-quickbooks hands back (PascalCase, Refs as {value, name}, decimal amounts).
// The query engine filters these same objects, so a field is queryable under the name QBO gives it.
import { fromCents } from './money';
import type {
  AccountRecord, BillPaymentRecord, CustomerRecord, DepositRecord, EntityName, RefundReceiptRecord, ItemRecord, PaymentRecord, PurchaseFormRecord, RealmState, SalesFormRecord, VendorRecord,
} from './state';

type Json = Record<string, unknown>;

const meta = (r: { created: string; updated: string }) => ({ CreateTime: r.created, LastUpdatedTime: r.updated });

export function customerJson(realm: RealmState, c: CustomerRecord): Json {
  return {
    Id: c.id,
    SyncToken: String(c.syncToken),
    DisplayName: c.displayName,
    ...(c.email ? { PrimaryEmailAddr: { Address: c.email } } : {}),
    ...(c.acctNum ? { AcctNum: c.acctNum } : {}),
    Active: c.active,
    Balance: fromCents(realm.customerBalanceCents(c.id)),
    CurrencyRef: { value: c.currency },
    domain: 'QBO',
    sparse: false,
    MetaData: meta(c),
  };
}

export function vendorJson(realm: RealmState, v: VendorRecord): Json {
  return {
    Id: v.id,
    SyncToken: String(v.syncToken),
    DisplayName: v.displayName,
    ...(v.email ? { PrimaryEmailAddr: { Address: v.email } } : {}),
    ...(v.acctNum ? { AcctNum: v.acctNum } : {}),
    Active: v.active,
    Balance: fromCents(realm.vendorBalanceCents(v.id)),
    CurrencyRef: { value: v.currency },
    domain: 'QBO',
    sparse: false,
    MetaData: meta(v),
  };
}

function purchaseFormJson(realm: RealmState, f: PurchaseFormRecord): Json {
  const linked = realm.billPaymentsLinking(f.id).map((p) => ({ TxnId: p.id, TxnType: 'BillPayment' }));
  return {
    Id: f.id,
    SyncToken: String(f.syncToken),
    ...(f.docNumber ? { DocNumber: f.docNumber } : {}),
    TxnDate: f.txnDate,
    CurrencyRef: { value: f.currency },
    VendorRef: { value: f.vendorId, name: realm.vendors.get(f.vendorId)?.displayName },
    APAccountRef: { value: '33', name: 'Accounts Payable (A/P)' },
    Line: f.lines.map((l, i) => ({
      Id: l.id,
      LineNum: i + 1,
      ...(l.description ? { Description: l.description } : {}),
      Amount: fromCents(l.amountCents),
      DetailType: 'AccountBasedExpenseLineDetail',
      AccountBasedExpenseLineDetail: {
        AccountRef: { value: l.accountId, name: realm.accounts.get(l.accountId)?.name },
        BillableStatus: 'NotBillable',
        ...(l.taxCode ? { TaxCodeRef: { value: l.taxCode } } : {}),
      },
    })),
    TotalAmt: fromCents(f.totalCents),
    Balance: fromCents(f.balanceCents),
    ...(f.privateNote ? { PrivateNote: f.privateNote } : {}),
    ...(linked.length ? { LinkedTxn: linked } : {}),
    domain: 'QBO',
    sparse: false,
    MetaData: meta(f),
  };
}

export function billJson(realm: RealmState, f: PurchaseFormRecord): Json {
  return { ...purchaseFormJson(realm, f), DueDate: f.dueDate ?? f.txnDate };
}

export function vendorCreditJson(realm: RealmState, f: PurchaseFormRecord): Json {
  return purchaseFormJson(realm, f);
}

export function billPaymentJson(realm: RealmState, p: BillPaymentRecord): Json {
  const from = { value: p.paidFromAccountId, name: realm.accounts.get(p.paidFromAccountId)?.name };
  return {
    Id: p.id,
    SyncToken: String(p.syncToken),
    TxnDate: p.txnDate,
    CurrencyRef: { value: p.currency },
    VendorRef: { value: p.vendorId, name: realm.vendors.get(p.vendorId)?.displayName },
    PayType: p.payType,
    ...(p.payType === 'Check' ? { CheckPayment: { BankAccountRef: from, PrintStatus: 'NotSet' } } : { CreditCardPayment: { CCAccountRef: from } }),
    TotalAmt: fromCents(p.totalCents),
    ...(p.privateNote ? { PrivateNote: p.privateNote } : {}),
    Line: p.lines.map((l) => ({ Amount: fromCents(l.amountCents), LinkedTxn: [{ TxnId: l.txnId, TxnType: l.txnType }] })),
    domain: 'QBO',
    sparse: false,
    MetaData: meta(p),
  };
}

function salesFormJson(realm: RealmState, f: SalesFormRecord): Json {
  const customer = realm.customers.get(f.customerId);
  const lines: Json[] = f.lines.map((l, i) => ({
    Id: l.id,
    LineNum: i + 1,
    ...(l.description ? { Description: l.description } : {}),
    Amount: fromCents(l.amountCents),
    DetailType: 'SalesItemLineDetail',
    SalesItemLineDetail: {
      ItemRef: { value: l.itemId, name: realm.items.get(l.itemId)?.name },
      Qty: l.qty,
      UnitPrice: l.unitPrice,
      ...(l.taxCode ? { TaxCodeRef: { value: l.taxCode } } : {}),
    },
  }));
  // QBO appends a subtotal line to every sales form it returns.
  lines.push({ Amount: fromCents(f.totalCents), DetailType: 'SubTotalLineDetail', SubTotalLineDetail: {} });
  return {
    Id: f.id,
    SyncToken: String(f.syncToken),
    DocNumber: f.docNumber,
    TxnDate: f.txnDate,
    CurrencyRef: { value: f.currency },
    CustomerRef: { value: f.customerId, name: customer?.displayName },
    Line: lines,
    TotalAmt: fromCents(f.totalCents),
    Balance: fromCents(f.balanceCents),
    ...(f.privateNote ? { PrivateNote: f.privateNote } : {}),
    ...(f.customerMemo ? { CustomerMemo: { value: f.customerMemo } } : {}),
    domain: 'QBO',
    sparse: false,
    MetaData: meta(f),
  };
}

export function invoiceJson(realm: RealmState, f: SalesFormRecord): Json {
  const linked = realm.paymentsLinking(f.id).map((p) => ({ TxnId: p.id, TxnType: 'Payment' }));
  return { ...salesFormJson(realm, f), DueDate: f.dueDate ?? f.txnDate, ...(linked.length ? { LinkedTxn: linked } : {}) };
}

export function creditMemoJson(realm: RealmState, f: SalesFormRecord): Json {
  return { ...salesFormJson(realm, f), RemainingCredit: fromCents(f.balanceCents) };
}

export function paymentJson(realm: RealmState, p: PaymentRecord): Json {
  return {
    Id: p.id,
    SyncToken: String(p.syncToken),
    TxnDate: p.txnDate,
    CurrencyRef: { value: p.currency },
    CustomerRef: { value: p.customerId, name: realm.customers.get(p.customerId)?.displayName },
    ...(p.depositAccountId ? { DepositToAccountRef: { value: p.depositAccountId } } : {}),
    TotalAmt: fromCents(p.totalCents),
    UnappliedAmt: fromCents(p.unappliedCents),
    ...(p.refNum ? { PaymentRefNum: p.refNum } : {}),
    ...(p.privateNote ? { PrivateNote: p.privateNote } : {}),
    Line: p.lines.map((l) => ({ Amount: fromCents(l.amountCents), LinkedTxn: [{ TxnId: l.txnId, TxnType: l.txnType }] })),
    ProcessPayment: false,
    domain: 'QBO',
    sparse: false,
    MetaData: meta(p),
  };
}

export function itemJson(_realm: RealmState, i: ItemRecord): Json {
  return { Id: i.id, SyncToken: '0', Name: i.name, Type: i.type, Active: true, IncomeAccountRef: { value: i.incomeAccountId }, domain: 'QBO' };
}

export function accountJson(_realm: RealmState, a: AccountRecord): Json {
  return { Id: a.id, SyncToken: '0', Name: a.name, AccountType: a.accountType, Active: true, domain: 'QBO' };
}

/** Every object of an entity, as QBO JSON, in id order (the order the emulator's queries return). */
export function allOf(realm: RealmState, entity: EntityName, docNumbers?: Set<string>): Json[] {
  const byId = <T extends { id: string }>(m: Map<string, T>) => [...m.values()].sort((a, b) => Number(a.id) - Number(b.id));
  // Only the documents a query names by number, when it does (see docNumbersOf).
  const named = <T extends { id: string; docNumber?: string }>(m: Map<string, T>) =>
    byId(m).filter((f) => !docNumbers || (f.docNumber !== undefined && docNumbers.has(f.docNumber.toLowerCase())));
  switch (entity) {
    case 'Customer': return byId(realm.customers).map((c) => customerJson(realm, c));
    case 'Invoice': return named(realm.invoices).map((f) => invoiceJson(realm, f));
    case 'CreditMemo': return named(realm.creditMemos).map((f) => creditMemoJson(realm, f));
    case 'Payment': return byId(realm.payments).map((p) => paymentJson(realm, p));
    case 'Item': return byId(realm.items).map((i) => itemJson(realm, i));
    case 'Account': return byId(realm.accounts).map((a) => accountJson(realm, a));
    case 'Vendor': return byId(realm.vendors).map((v) => vendorJson(realm, v));
    case 'Bill': return byId(realm.bills).map((f) => billJson(realm, f));
    case 'VendorCredit': return byId(realm.vendorCredits).map((f) => vendorCreditJson(realm, f));
    case 'BillPayment': return byId(realm.billPayments).map((p) => billPaymentJson(realm, p));
    case 'RefundReceipt': return byId(realm.refundReceipts).map((r) => refundReceiptJson(realm, r));
    case 'Deposit': return byId(realm.deposits).map((d) => depositJson(realm, d));
  }
}

export function refundReceiptJson(realm: RealmState, r: RefundReceiptRecord): Json {
  return {
    Id: r.id, SyncToken: String(r.syncToken), TxnDate: r.txnDate, CurrencyRef: { value: r.currency },
    CustomerRef: { value: r.customerId, name: realm.customers.get(r.customerId)?.displayName },
    DepositToAccountRef: { value: r.depositAccountId, name: realm.accounts.get(r.depositAccountId)?.name },
    Line: r.lines.map((l) => ({ Id: l.id, LineNum: Number(l.id), Amount: fromCents(l.amountCents), DetailType: 'SalesItemLineDetail', ...(l.description ? { Description: l.description } : {}),
      SalesItemLineDetail: { ItemRef: { value: l.itemId, name: realm.items.get(l.itemId)?.name }, Qty: l.qty, UnitPrice: l.unitPrice } })),
    TotalAmt: fromCents(r.totalCents), ...(r.privateNote ? { PrivateNote: r.privateNote } : {}), domain: 'QBO', sparse: false, MetaData: meta(r),
  };
}

export function depositJson(realm: RealmState, d: DepositRecord): Json {
  return {
    Id: d.id, SyncToken: String(d.syncToken), TxnDate: d.txnDate, CurrencyRef: { value: d.currency },
    DepositToAccountRef: { value: d.depositToAccountId, name: realm.accounts.get(d.depositToAccountId)?.name },
    Line: d.lines.map((l) => ({ Id: l.id, LineNum: Number(l.id), Amount: fromCents(l.amountCents), DetailType: 'DepositLineDetail', ...(l.description ? { Description: l.description } : {}),
      DepositLineDetail: { AccountRef: { value: l.accountId, name: realm.accounts.get(l.accountId)?.name } } })),
    TotalAmt: fromCents(d.totalCents), ...(d.privateNote ? { PrivateNote: d.privateNote } : {}), domain: 'QBO', sparse: false, MetaData: meta(d),
  };
}
