// Payable documents on QuickBooks Online (Settle's own fees in a merchant's books): a payable invoice is a Bill and
// a payable credit note a VendorCredit, both against a Vendor (QBO's supplier, apart from its customers), with lines
// posted straight to ledger accounts (mapping.ts: expenseLines). Allocating a vendor credit to a bill is a BillPayment
// of TotalAmt 0 whose lines link the bill and the credit for the same amount, which is how QBO applies a credit.
// QBO insists a bill payment says where money comes from even when none moves: it is a "Check" from the company's
// first bank account (looked up once per adapter). Settle only creates, reads and allocates payables; QBO has no
// draft bills, so a draft is refused before anything is sent, as for invoices.
import { PlatformNotFound, PlatformRejected, type Allocation, type CreditNote, type Invoice, type NewCreditNote, type NewInvoice } from '../platform';
import type { QboClient } from './client';
import { currencyOf, expenseLines, minorToDecimal, requestIdFor, toBill, toVendorCredit, type QboObject } from './mapping';

function noDrafts(status: 'draft' | 'authorised', what: string): void {
  if (status === 'draft') {
    throw new PlatformRejected(`QuickBooks Online has no draft ${what}s: a ${what} is posted as soon as it exists`, [`status: draft is not supported for ${what}s on QuickBooks`]);
  }
}

export class QuickBooksPayables {
  private bankAccount?: Promise<string>;

  constructor(private readonly qbo: QboClient) {}

  async createBill(invoice: NewInvoice, key: string): Promise<Invoice> {
    noDrafts(invoice.status, 'bill');
    const created = await this.qbo.create('Bill', {
      VendorRef: { value: invoice.contactId },
      CurrencyRef: { value: invoice.currency },
      TxnDate: invoice.date,
      DueDate: invoice.dueDate,
      ...(invoice.number ? { DocNumber: invoice.number } : {}),
      ...(invoice.reference ? { PrivateNote: invoice.reference } : {}),
      Line: expenseLines(invoice.lines, invoice.currency),
    }, requestIdFor(key));
    return toBill(created);
  }

  async createVendorCredit(cn: NewCreditNote, key: string): Promise<CreditNote> {
    noDrafts(cn.status, 'vendor credit');
    const created = await this.qbo.create('VendorCredit', {
      VendorRef: { value: cn.contactId },
      CurrencyRef: { value: cn.currency },
      TxnDate: cn.date,
      ...(cn.reference ? { PrivateNote: cn.reference } : {}),
      Line: expenseLines(cn.lines, cn.currency),
    }, requestIdFor(key));
    return toVendorCredit(created);
  }

  async getBill(id: string): Promise<Invoice | undefined> {
    const bill = await this.qbo.read('Bill', id);
    return bill && toBill(bill);
  }

  async getVendorCredit(id: string): Promise<CreditNote | undefined> {
    const vc = await this.qbo.read('VendorCredit', id);
    return vc && toVendorCredit(vc);
  }

  async applyVendorCredit(id: string, allocation: Allocation, key: string): Promise<void> {
    const vc = await this.qbo.read('VendorCredit', id);
    if (!vc) throw new PlatformNotFound(`QuickBooks has no vendor credit ${id}`, 404);
    const bill = await this.qbo.read('Bill', allocation.invoiceId);
    if (!bill) throw new PlatformNotFound(`QuickBooks has no bill ${allocation.invoiceId}`, 404);
    if (bill.VendorRef?.value !== vc.VendorRef?.value) {
      throw new PlatformRejected(`bill ${allocation.invoiceId} and vendor credit ${id} belong to different vendors`);
    }
    if (!Number.isSafeInteger(allocation.amountMinor) || allocation.amountMinor <= 0) {
      throw new PlatformRejected(`allocation amount must be a positive number of minor units, not ${allocation.amountMinor}`);
    }
    const amount = minorToDecimal(allocation.amountMinor, currencyOf(vc));
    // No balance check here: a retry after a lost answer finds the credit already used and must still replay.
    await this.qbo.create('BillPayment', {
      VendorRef: { value: String(vc.VendorRef.value) },
      CurrencyRef: { value: currencyOf(vc) },
      PayType: 'Check',
      CheckPayment: { BankAccountRef: { value: await this.firstBankAccount() } },
      TotalAmt: 0,
      TxnDate: allocation.date,
      PrivateNote: `Vendor credit ${label(vc)} applied to bill ${label(bill)} by Settle`,
      Line: [
        { Amount: amount, LinkedTxn: [{ TxnId: String(bill.Id), TxnType: 'Bill' }] },
        { Amount: amount, LinkedTxn: [{ TxnId: String(vc.Id), TxnType: 'VendorCredit' }] },
      ],
    }, requestIdFor(key));
  }

  /** The bank account the (zero) checks are drawn on: the lowest id (QBO's queries leave inactive accounts out). */
  private firstBankAccount(): Promise<string> {
    if (!this.bankAccount) {
      this.bankAccount = this.qbo.query('Account', [{ field: 'AccountType', value: 'Bank' }]).then((rows) => {
        const ids = rows.map((a) => String(a.Id)).sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
        if (!ids.length) throw new PlatformRejected('QuickBooks has no bank account to record the application of a vendor credit against', ['add a bank account in QuickBooks']);
        return ids[0];
      });
      this.bankAccount.catch(() => (this.bankAccount = undefined)); // a failed look-up is tried again next time
    }
    return this.bankAccount;
  }
}

const label = (o: QboObject) => String(o.DocNumber ?? o.Id);
