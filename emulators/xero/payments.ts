// /Payments: PUT (create, a batch; summarizeErrors=false gives each payment its own result), GET, GET /{id} and
// POST /Payments/{id} with Status DELETED (removing a payment makes its invoice outstanding again). A payment on a
// sales credit note (CreditNote instead of Invoice) is a cash refund: money paid out of the account, lowering the
// note's remaining credit (Xero's "refund a credit note"; the note is PAID when nothing is left).
// Xero's rules: payments only on AUTHORISED invoices, never more than the amount due, into a bank account or an
// account with "enable payments" set, with a positive amount of at most two decimals.
import { randomUUID } from 'node:crypto';
import type { EmulatorServer } from '../support/server';
import { dateFields, resolveDate } from './documents';
import { findInvoice } from './invoices';
import { fromUnits, toCents } from './money';
import { batchWrite, paged, tenantOf, writeOnce, type Ctx, type ElementResult } from './routes';
import type { TenantLedger, XeroPayment } from './state';
import { msDateTime } from './wire';

const API = '/api.xro/2.0';

export function paymentWire(tenant: TenantLedger, p: XeroPayment): Record<string, unknown> {
  const account = tenant.accounts.get(p.accountCode)!;
  // A payment is on an invoice or (a refund paid out of it) on a credit note: the document and the type differ.
  const note = p.creditNoteId ? tenant.creditNotes.get(p.creditNoteId)! : undefined;
  const invoice = note ? undefined : tenant.invoices.get(p.invoiceId)!;
  const document = note
    ? { CreditNote: { CreditNoteID: note.id, CreditNoteNumber: note.number, Type: note.type, CurrencyCode: note.currency, Contact: { ContactID: note.contactId } } }
    : { Invoice: { InvoiceID: invoice!.id, InvoiceNumber: invoice!.number, Type: invoice!.type, CurrencyCode: invoice!.currency, Contact: { ContactID: invoice!.contactId } } };
  const paymentType = note
    ? (note.type === 'ACCRECCREDIT' ? 'ARCREDITPAYMENT' : 'APCREDITPAYMENT')
    : (invoice!.type === 'ACCREC' ? 'ACCRECPAYMENT' : 'ACCPAYPAYMENT');
  return {
    PaymentID: p.id, ...dateFields('Date', p.date), Amount: fromUnits(p.amountCents), BankAmount: fromUnits(p.amountCents),
    Reference: p.reference, CurrencyRate: 1, PaymentType: paymentType,
    Status: p.status, IsReconciled: false, HasAccount: true, HasValidationErrors: false,
    Account: { AccountID: account.accountId, Code: account.code },
    ...document,
    UpdatedDateUTC: msDateTime(p.updatedAt),
  };
}

function accountOf(tenant: TenantLedger, raw: any) {
  return raw.Account?.Code !== undefined
    ? tenant.accounts.get(String(raw.Account.Code))
    : [...tenant.accounts.values()].find((a) => a.accountId === String(raw.Account?.AccountID ?? '').toLowerCase());
}

/** A refund of a credit note: money paid out of the account, never more than the note's remaining credit. */
function refundCreditNote(tenant: TenantLedger, raw: any, echo: Record<string, unknown>): ElementResult {
  const fail = (...messages: string[]): ElementResult => ({ ok: false, echo, messages });
  const noteRef = String(raw.CreditNote.CreditNoteID ?? raw.CreditNote.CreditNoteNumber ?? '').toLowerCase();
  const note = tenant.creditNotes.get(noteRef) ?? [...tenant.creditNotes.values()].find((n) => n.number.toLowerCase() === noteRef);
  if (!note) return fail(`CreditNote ${noteRef} could not be found`);
  const account = accountOf(tenant, raw);
  const messages: string[] = [];
  if (!account) messages.push(`Account code '${String(raw.Account?.Code ?? raw.Account?.AccountID ?? '')}' is not a valid code for this document.`);
  else if (account.type !== 'BANK' && !account.enablePayments) messages.push('Account type is invalid for making a payment to/from');
  const cents = toCents(raw.Amount);
  if (cents === undefined || cents <= 0) messages.push('Payment amount must be a positive number with at most 2 decimal places');
  const date = resolveDate(tenant, raw.Date);
  if ('error' in date) messages.push(date.error);
  if (note.status !== 'AUTHORISED') messages.push('Payments can only be made against Authorised documents');
  else if (cents !== undefined && cents > tenant.remainingCredit(note)) messages.push('Payment amount exceeds the amount outstanding on this document');
  if (messages.length) return fail(...messages);
  const payment: XeroPayment = {
    id: randomUUID(), invoiceId: '', creditNoteId: note.id, accountCode: account!.code, date: (date as { date: string }).date, amountCents: cents!,
    reference: typeof raw.Reference === 'string' ? raw.Reference : undefined, status: 'AUTHORISED', updatedAt: tenant.now(),
  };
  tenant.payments.set(payment.id, payment);
  tenant.settleCreditNote(note);
  return { ok: true, wire: paymentWire(tenant, payment) };
}

function createPayment(tenant: TenantLedger, raw: any): ElementResult {
  const echo = { Invoice: raw.Invoice, CreditNote: raw.CreditNote, Account: raw.Account, Amount: raw.Amount, Date: raw.Date, Reference: raw.Reference };
  const fail = (...messages: string[]): ElementResult => ({ ok: false, echo, messages });
  if (raw.CreditNote && !raw.Invoice) return refundCreditNote(tenant, raw, echo);
  const invoiceRef = raw.Invoice?.InvoiceID ?? raw.Invoice?.InvoiceNumber;
  if (!invoiceRef) return fail('An Invoice, CreditNote, Prepayment or Overpayment must be specified for a payment');
  const invoice = findInvoice(tenant, String(invoiceRef));
  if (!invoice) return fail(`Invoice ${String(invoiceRef)} could not be found`);
  const account = raw.Account?.Code !== undefined
    ? tenant.accounts.get(String(raw.Account.Code))
    : [...tenant.accounts.values()].find((a) => a.accountId === String(raw.Account?.AccountID ?? '').toLowerCase());
  const messages: string[] = [];
  if (!account) messages.push(`Account code '${String(raw.Account?.Code ?? raw.Account?.AccountID ?? '')}' is not a valid code for this document.`);
  else if (account.type !== 'BANK' && !account.enablePayments) messages.push('Account type is invalid for making a payment to/from');
  const cents = toCents(raw.Amount);
  if (cents === undefined) messages.push('Payment amount must be a number with at most 2 decimal places');
  else if (cents <= 0) messages.push('Payment amount must be greater than zero');
  const date = resolveDate(tenant, raw.Date);
  if ('error' in date) messages.push(date.error);
  if (invoice.status !== 'AUTHORISED') messages.push('Payments can only be made against Authorised documents');
  else if (cents !== undefined && cents > tenant.amountDue(invoice)) messages.push('Payment amount exceeds the amount outstanding on this document');
  if (messages.length) return fail(...messages);
  const payment: XeroPayment = {
    id: randomUUID(), invoiceId: invoice.id, accountCode: account!.code, date: (date as { date: string }).date, amountCents: cents!,
    reference: typeof raw.Reference === 'string' ? raw.Reference : undefined, status: 'AUTHORISED', updatedAt: tenant.now(),
  };
  tenant.payments.set(payment.id, payment);
  tenant.settleInvoice(invoice);
  return { ok: true, wire: paymentWire(tenant, payment) };
}

export function registerPaymentRoutes(server: EmulatorServer, ctx: Ctx): void {
  server.route('PUT', `${API}/Payments`, (req) =>
    writeOnce(ctx, req, () => batchWrite(ctx, req, 'Payments', (raw) => createPayment(tenantOf(ctx, req), raw))));

  server.route('GET', `${API}/Payments`, (req) => {
    const tenant = tenantOf(ctx, req);
    const page = paged(req, [...tenant.payments.values()]);
    return ctx.wire.ok({ ...(page.pagination && { pagination: page.pagination }), Payments: page.items.map((p) => paymentWire(tenant, p)) });
  });

  server.route('GET', `${API}/Payments/:id`, (req) => {
    const tenant = tenantOf(ctx, req);
    const payment = tenant.payments.get(req.params.id.toLowerCase());
    return payment ? ctx.wire.ok({ Payments: [paymentWire(tenant, payment)] }) : ctx.wire.notFound();
  });

  // Xero deletes a payment by POSTing { Status: "DELETED" } to it; nothing else about a payment can change.
  server.route('POST', `${API}/Payments/:id`, (req) =>
    writeOnce(ctx, req, () => {
      const tenant = tenantOf(ctx, req);
      const payment = tenant.payments.get(req.params.id.toLowerCase());
      if (!payment) return ctx.wire.notFound();
      return batchWrite(ctx, req, 'Payments', (raw): ElementResult => {
        if (String(raw.Status).toUpperCase() !== 'DELETED') return { ok: false, echo: { PaymentID: payment.id }, messages: ['A payment can only be deleted (Status DELETED)'] };
        if (payment.status === 'AUTHORISED') {
          payment.status = 'DELETED';
          payment.updatedAt = tenant.now();
          if (payment.creditNoteId) tenant.settleCreditNote(tenant.creditNotes.get(payment.creditNoteId)!);
          else tenant.settleInvoice(tenant.invoices.get(payment.invoiceId)!);
        }
        return { ok: true, wire: paymentWire(tenant, payment) };
      });
    }));
}
