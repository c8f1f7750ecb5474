// Credit notes on QuickBooks Online, which has credit memos but no draft or approval step, and no void call for
// credit memos in node-quickbooks. The mapping:
// - draft: a CreditMemo whose PrivateNote starts with DRAFT_MARKER. Caveat: QBO posts every credit memo, so a
//   draft already counts as customer credit in QBO's reports; Settle refuses to allocate it and deletes it if the
//   payment behind it fails. (Not creating anything until approval would leave Settle with no id to return.)
// - approve: a sparse update that clears the marker. Approving an authorised credit note again is a no-op.
// - delete: only a draft (checked here); QBO itself refuses to delete a credit memo that has been applied.
// - void: what QBO's own void does to a transaction, done as a sparse update: every line zeroed and PrivateNote
//   "Voided". Refused here once any of it is allocated (the emulator also refuses to cut a credit memo below
//   what is applied to it, which is what we expect of QBO; not verified against a live company).
// - allocate: a Payment of TotalAmt 0 whose lines link the invoice and the credit memo for the same amount
//   (how QBO applies a credit); remove allocations deletes those payments, so the invoices are outstanding again.
import { PlatformNotFound, PlatformRejected, type Allocation, type CreditNote, type NewCreditNote } from '../platform';
import type { QboClient } from './client';
import {
  creditNoteStatus, currencyOf, decimalToMinor, DRAFT_NOTE, minorToDecimal, requestIdFor, salesLines, toCreditNote, VOID_NOTE,
  type QboObject,
} from './mapping';

/**
 * An update's requestid carries the SyncToken it was made against: a retry after a lost answer re-reads, finds the
 * change made (and stops) or the same SyncToken (and replays); a retry after a stale-object error (5010) gets a
 * fresh requestid instead of the stored refusal.
 */
function updateRequestId(key: string, cm: QboObject): string {
  return requestIdFor(key, `s${cm.SyncToken}`);
}

export class QuickBooksCreditNotes {
  constructor(private readonly qbo: QboClient) {}

  private async existing(id: string): Promise<QboObject> {
    const cm = await this.qbo.read('CreditMemo', id);
    if (!cm) throw new PlatformNotFound(`QuickBooks has no credit memo ${id}`, 404);
    return cm;
  }

  async create(cn: NewCreditNote, key: string): Promise<CreditNote> {
    const created = await this.qbo.create('CreditMemo', {
      CustomerRef: { value: cn.contactId },
      CurrencyRef: { value: cn.currency },
      TxnDate: cn.date,
      ...(cn.number ? { DocNumber: cn.number } : {}),
      Line: salesLines(cn.lines, cn.currency),
      ...(cn.reference ? { CustomerMemo: { value: cn.reference } } : {}),
      ...(cn.status === 'draft' ? { PrivateNote: DRAFT_NOTE } : {}),
    }, requestIdFor(key));
    return toCreditNote(created);
  }

  async get(id: string): Promise<CreditNote | undefined> {
    const cm = await this.qbo.read('CreditMemo', id);
    return cm && toCreditNote(cm);
  }

  async approve(id: string, key: string): Promise<CreditNote> {
    const cm = await this.existing(id);
    const status = creditNoteStatus(cm);
    if (status === 'voided') throw new PlatformRejected(`credit note ${id} is voided and cannot be approved`, [`status: ${status}`]);
    if (status !== 'draft') return toCreditNote(cm);
    const updated = await this.qbo.update('CreditMemo', { Id: cm.Id, SyncToken: cm.SyncToken, PrivateNote: '' }, updateRequestId(key, cm));
    return toCreditNote(updated);
  }

  async delete(id: string): Promise<void> {
    const cm = await this.qbo.read('CreditMemo', id);
    if (!cm) return; // already gone: deleting is done
    const status = creditNoteStatus(cm);
    if (status !== 'draft') {
      throw new PlatformRejected(`credit note ${id} is ${status}, not a draft: it can be voided, not deleted`, [`status: ${status}`]);
    }
    await this.qbo.delete('CreditMemo', { Id: cm.Id, SyncToken: cm.SyncToken });
  }

  async void(id: string, key: string): Promise<CreditNote> {
    const cm = await this.existing(id);
    const status = creditNoteStatus(cm);
    if (status === 'voided') return toCreditNote(cm);
    if (status === 'draft') throw new PlatformRejected(`credit note ${id} is a draft: delete it instead of voiding it`, [`status: ${status}`]);
    const currency = currencyOf(cm);
    const allocated = decimalToMinor(cm.TotalAmt, currency) - decimalToMinor(cm.RemainingCredit ?? cm.Balance, currency);
    if (allocated > 0) {
      throw new PlatformRejected(`credit note ${id} is allocated (${allocated} minor units): remove its allocations before voiding it`, [`status: ${status}`]);
    }
    const zeroed = (cm.Line ?? [])
      .filter((l: QboObject) => l.DetailType === 'SalesItemLineDetail')
      .map((l: QboObject) => ({
        DetailType: 'SalesItemLineDetail',
        Description: l.Description,
        Amount: 0,
        SalesItemLineDetail: { ...l.SalesItemLineDetail, UnitPrice: 0 },
      }));
    const updated = await this.qbo.update('CreditMemo', { Id: cm.Id, SyncToken: cm.SyncToken, PrivateNote: VOID_NOTE, Line: zeroed }, updateRequestId(key, cm));
    return toCreditNote(updated);
  }

  async allocate(id: string, allocation: Allocation, key: string): Promise<void> {
    const cm = await this.existing(id);
    const status = creditNoteStatus(cm);
    if (status === 'draft' || status === 'voided') {
      throw new PlatformRejected(`credit note ${id} is ${status} and cannot be allocated`, [`status: ${status}`]);
    }
    const invoice = await this.qbo.read('Invoice', allocation.invoiceId);
    if (!invoice) throw new PlatformNotFound(`QuickBooks has no invoice ${allocation.invoiceId}`, 404);
    if (invoice.CustomerRef?.value !== cm.CustomerRef?.value) {
      throw new PlatformRejected(`invoice ${allocation.invoiceId} and credit note ${id} belong to different customers`);
    }
    if (!Number.isSafeInteger(allocation.amountMinor) || allocation.amountMinor <= 0) {
      throw new PlatformRejected(`allocation amount must be a positive number of minor units, not ${allocation.amountMinor}`);
    }
    const amount = minorToDecimal(allocation.amountMinor, currencyOf(cm));
    await this.qbo.create('Payment', {
      CustomerRef: { value: cm.CustomerRef.value },
      CurrencyRef: { value: currencyOf(cm) },
      TotalAmt: 0,
      TxnDate: allocation.date,
      PrivateNote: `Credit memo ${cm.DocNumber ?? cm.Id} applied to invoice ${invoice.DocNumber ?? invoice.Id} by Settle`,
      Line: [
        { Amount: amount, LinkedTxn: [{ TxnId: String(invoice.Id), TxnType: 'Invoice' }] },
        { Amount: amount, LinkedTxn: [{ TxnId: String(cm.Id), TxnType: 'CreditMemo' }] },
      ],
    }, requestIdFor(key));
  }

  async removeAllocations(id: string): Promise<void> {
    const cm = await this.existing(id);
    const links = (p: QboObject, type: string) => (p.Line ?? []).flatMap((l: QboObject) => l.LinkedTxn ?? []).filter((t: QboObject) => t.TxnType === type);
    const payments = await this.qbo.queryAll('Payment', [{ field: 'CustomerRef', value: String(cm.CustomerRef.value) }]);
    const using = payments.filter((p) => links(p, 'CreditMemo').some((t: QboObject) => t.TxnId === String(cm.Id)));
    // Only pure applications of this credit memo are Settle's to delete: a payment that also moved money, or
    // applied other credits, would take those with it.
    const foreign = using.filter((p) => decimalToMinor(p.TotalAmt, currencyOf(p)) !== 0 || links(p, 'CreditMemo').some((t: QboObject) => t.TxnId !== String(cm.Id)));
    if (foreign.length) {
      throw new PlatformRejected(
        `credit note ${id} is applied through payment(s) that also receive money or apply other credits: ${foreign.map((p) => p.Id).join(', ')}`,
        foreign.map((p) => `payment ${p.Id}: remove the credit memo from it in QuickBooks`),
      );
    }
    for (const p of using) {
      try {
        await this.qbo.delete('Payment', { Id: String(p.Id), SyncToken: String(p.SyncToken) });
      } catch (err) {
        if (!(err instanceof PlatformNotFound)) throw err; // deleted meanwhile: that is the goal
      }
    }
  }
}
