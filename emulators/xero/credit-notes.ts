// /CreditNotes: GET (where, page), GET /{id}, PUT (create), POST /{id} (status changes and edits under the
// lifecycle rules: delete drafts, void authorised ones that are not allocated), PUT /{id}/Allocations (apply credit
// to an invoice) and DELETE /{id}/Allocations/{allocationId} (take it back). An allocation lowers the invoice's
// amount due and the note's remaining credit; either becomes PAID at zero and AUTHORISED again when it is removed.
import { randomUUID } from 'node:crypto';
import type { EmulatorRequest, EmulatorServer } from '../support/server';
import { contactRef, dateFields, lineWire, parseLines, resolveContact, resolveCurrency, resolveDate, resolveLineAmountTypes } from './documents';
import { findInvoice } from './invoices';
import { parseStatus, refusal } from './lifecycle';
import { paymentWire } from './payments';
import { fromUnits, toCents } from './money';
import { batchWrite, paged, tenantOf, writeOnce, type Ctx, type ElementResult } from './routes';
import type { DocStatus, TenantLedger, XeroAllocation, XeroCreditNote } from './state';
import { msDateTime } from './wire';
import { parseWhere, WhereError, type FieldSchema } from './where';

const API = '/api.xro/2.0';

const NOTE_FIELDS: FieldSchema = {
  CreditNoteID: 'guid', CreditNoteNumber: 'string', Reference: 'string', Type: 'string', Status: 'string',
  'Contact.ContactID': 'guid', Date: 'date', Total: 'money', RemainingCredit: 'money', CurrencyCode: 'string',
};

function allocationWire(tenant: TenantLedger, a: XeroAllocation): Record<string, unknown> {
  const invoice = tenant.invoices.get(a.invoiceId)!;
  return {
    AllocationID: a.id, Amount: fromUnits(a.amountCents), ...dateFields('Date', a.date), IsDeleted: a.deleted,
    Invoice: { InvoiceID: invoice.id, InvoiceNumber: invoice.number, Type: invoice.type },
    CreditNote: { CreditNoteID: a.creditNoteId },
  };
}

export function creditNoteWire(tenant: TenantLedger, n: XeroCreditNote): Record<string, unknown> {
  return {
    Type: n.type, CreditNoteID: n.id, ID: n.id, CreditNoteNumber: n.number, Reference: n.reference, Contact: contactRef(tenant, n.contactId),
    ...dateFields('Date', n.date), Status: n.status, LineAmountTypes: n.lineAmountTypes, LineItems: n.lines.map(lineWire),
    SubTotal: fromUnits(n.subTotalCents), TotalTax: fromUnits(n.taxCents), Total: fromUnits(n.totalCents),
    RemainingCredit: fromUnits(tenant.remainingCredit(n)), CurrencyCode: n.currency, CurrencyRate: 1,
    ...dateFields('FullyPaidOnDate', n.fullyPaidOn), Allocations: tenant.allocationsOf(n.id, 'creditNote').map((a) => allocationWire(tenant, a)),
    Payments: [...tenant.payments.values()].filter((p) => p.creditNoteId === n.id && p.status === 'AUTHORISED').map((p) => paymentWire(tenant, p)), SentToContact: false, HasAttachments: false, HasErrors: false, UpdatedDateUTC: msDateTime(n.updatedAt),
  };
}

function createCreditNote(tenant: TenantLedger, raw: any, unitdp: number): ElementResult {
  const echo = { Type: raw.Type, Reference: raw.Reference, Status: raw.Status };
  const fail = (...messages: string[]): ElementResult => ({ ok: false, echo, messages });
  const type = String(raw.Type ?? '').toUpperCase();
  if (type !== 'ACCRECCREDIT' && type !== 'ACCPAYCREDIT') return fail('Credit note Type must be ACCRECCREDIT or ACCPAYCREDIT');
  const status = raw.Status === undefined ? 'DRAFT' : parseStatus(raw.Status);
  if (status !== 'DRAFT' && status !== 'SUBMITTED' && status !== 'AUTHORISED') return fail('A new credit note must be DRAFT, SUBMITTED or AUTHORISED');
  const contact = resolveContact(tenant, raw);
  const currency = resolveCurrency(tenant, raw);
  const amountTypes = resolveLineAmountTypes(raw);
  const date = resolveDate(tenant, raw.Date);
  const messages = [contact, currency, amountTypes, date].flatMap((r) => ('error' in r ? [r.error] : []));
  const locked = 'date' in date && date.date ? tenant.lockRefusal(date.date) : undefined;
  if (locked && status === 'AUTHORISED') messages.push(locked);
  if (messages.length || 'error' in amountTypes) return fail(...messages);
  const lines = parseLines(tenant, raw.LineItems, amountTypes.lineAmountTypes, { unitdp, requireAccounts: status === 'AUTHORISED' });
  if ('errors' in lines) return fail(...lines.errors);
  if (status === 'AUTHORISED' && lines.lines.length === 0) return fail('An approved credit note must have at least one line item');
  if (lines.totalCents < 0) return fail('The credit note total cannot be negative');
  const now = tenant.now();
  const note: XeroCreditNote = {
    id: randomUUID(), type, number: typeof raw.CreditNoteNumber === 'string' && raw.CreditNoteNumber ? raw.CreditNoteNumber : tenant.nextCreditNoteNumber(),
    contactId: (contact as { contactId: string }).contactId, reference: typeof raw.Reference === 'string' ? raw.Reference : undefined,
    date: (date as { date: string }).date, currency: (currency as { currency: string }).currency, status,
    lineAmountTypes: amountTypes.lineAmountTypes, ...lines, createdAt: now, updatedAt: now,
  };
  tenant.creditNotes.set(note.id, note);
  tenant.settleCreditNote(note);
  return { ok: true, wire: creditNoteWire(tenant, note) };
}

function editLines(tenant: TenantLedger, note: XeroCreditNote, raw: any, unitdp: number, requested: DocStatus | undefined): string[] {
  if (raw.LineItems !== undefined) {
    const types = resolveLineAmountTypes({ LineAmountTypes: raw.LineAmountTypes ?? note.lineAmountTypes });
    if ('error' in types) return [types.error];
    const lines = parseLines(tenant, raw.LineItems, types.lineAmountTypes, { unitdp, requireAccounts: (requested ?? note.status) === 'AUTHORISED' });
    if ('errors' in lines) return lines.errors;
    Object.assign(note, lines, { lineAmountTypes: types.lineAmountTypes });
  }
  const approving = requested === 'AUTHORISED' && (note.status === 'DRAFT' || note.status === 'SUBMITTED');
  return approving && (note.lines.length === 0 || note.lines.some((l) => !l.accountCode))
    ? ['An approved credit note must have line items, each with an account code']
    : [];
}

/** POST /CreditNotes/{id}: a status change (and Reference edits; line edits only while nothing is allocated). */
function updateCreditNote(tenant: TenantLedger, note: XeroCreditNote, raw: any, unitdp: number): ElementResult {
  const echo = { CreditNoteID: note.id, Status: raw.Status };
  const requested = raw.Status === undefined ? undefined : parseStatus(raw.Status);
  if (raw.Status !== undefined && !requested) return { ok: false, echo, messages: [`Status ${String(raw.Status)} is not valid`] };
  const editsContent = ['LineItems', 'Date', 'Contact', 'CurrencyCode', 'LineAmountTypes'].some((k) => raw[k] !== undefined);
  const allocated = tenant.allocationsOf(note.id, 'creditNote').length > 0;
  const why = refusal('Credit Note', note.status, requested, editsContent, allocated);
  if (why) return { ok: false, echo, messages: [why] };
  // Line edits are applied and rolled back if the result may not be approved.
  const backup = { ...note };
  const problems = editLines(tenant, note, raw, unitdp, requested);
  if (problems.length) {
    Object.assign(note, backup);
    return { ok: false, echo, messages: problems };
  }
  if (typeof raw.Reference === 'string') note.reference = raw.Reference;
  if (requested && requested !== 'PAID' && !(requested === 'AUTHORISED' && note.status === 'PAID')) note.status = requested;
  note.updatedAt = tenant.now();
  tenant.settleCreditNote(note);
  return { ok: true, wire: creditNoteWire(tenant, note) };
}

function allocate(tenant: TenantLedger, note: XeroCreditNote, raw: any): ElementResult {
  const echo = { Invoice: raw.Invoice, Amount: raw.Amount, Date: raw.Date };
  const fail = (...messages: string[]): ElementResult => ({ ok: false, echo, messages });
  const invoice = findInvoice(tenant, raw.Invoice?.InvoiceID ?? raw.Invoice?.InvoiceNumber);
  if (!invoice) return fail('The Invoice to allocate to could not be found');
  const cents = toCents(raw.Amount);
  const date = resolveDate(tenant, raw.Date);
  const messages: string[] = [];
  if (note.status !== 'AUTHORISED') messages.push('Only an authorised credit note with remaining credit can be allocated');
  if (invoice.status !== 'AUTHORISED') messages.push('Credit can only be allocated to an authorised invoice with an amount due');
  if (invoice.contactId !== note.contactId) messages.push('The credit note and the invoice must belong to the same contact');
  if (invoice.currency !== note.currency) messages.push('The credit note and the invoice must be in the same currency');
  if ((note.type === 'ACCRECCREDIT') !== (invoice.type === 'ACCREC')) messages.push('A sales credit note can only be allocated to a sales invoice');
  if (cents === undefined || cents <= 0) messages.push('Amount must be a positive number with at most 2 decimal places');
  else {
    if (cents > tenant.remainingCredit(note)) messages.push('The amount allocated exceeds the remaining credit on the credit note');
    if (invoice.status === 'AUTHORISED' && cents > tenant.amountDue(invoice)) messages.push('The amount allocated exceeds the amount due on the invoice');
  }
  if ('error' in date) messages.push(date.error);
  if (messages.length) return fail(...messages);
  const allocation: XeroAllocation = { id: randomUUID(), creditNoteId: note.id, invoiceId: invoice.id, amountCents: cents!, date: (date as { date: string }).date, deleted: false };
  tenant.allocations.set(allocation.id, allocation);
  tenant.settleCreditNote(note);
  tenant.settleInvoice(invoice);
  return { ok: true, wire: allocationWire(tenant, allocation) };
}

export function registerCreditNoteRoutes(server: EmulatorServer, ctx: Ctx): void {
  const unitdp = (req: EmulatorRequest) => Number(req.query.get('unitdp') ?? 2);
  const noteOf = (req: EmulatorRequest) => tenantOf(ctx, req).creditNotes.get(req.params.id.toLowerCase());

  server.route('GET', `${API}/CreditNotes`, (req) => {
    const tenant = tenantOf(ctx, req);
    let notes = [...tenant.creditNotes.values()];
    const where = req.query.get('where');
    if (where) {
      try {
        const match = parseWhere(where, NOTE_FIELDS, 'CreditNote');
        notes = notes.filter((n) => match({
          CreditNoteID: n.id, CreditNoteNumber: n.number, Reference: n.reference, Type: n.type, Status: n.status, 'Contact.ContactID': n.contactId,
          Date: n.date, Total: n.totalCents, RemainingCredit: tenant.remainingCredit(n), CurrencyCode: n.currency,
        }));
      } catch (err) {
        if (err instanceof WhereError) return { status: 400, body: { ErrorNumber: 16, Type: 'QueryParseException', Message: err.message } };
        throw err;
      }
    }
    const page = paged(req, notes);
    return ctx.wire.ok({ ...(page.pagination && { pagination: page.pagination }), CreditNotes: page.items.map((n) => creditNoteWire(tenant, n)) });
  });

  server.route('GET', `${API}/CreditNotes/:id`, (req) => {
    const note = noteOf(req);
    return note ? ctx.wire.ok({ CreditNotes: [creditNoteWire(tenantOf(ctx, req), note)] }) : ctx.wire.notFound();
  });

  server.route('PUT', `${API}/CreditNotes`, (req) =>
    writeOnce(ctx, req, () => batchWrite(ctx, req, 'CreditNotes', (raw) => createCreditNote(tenantOf(ctx, req), raw, unitdp(req)))));

  server.route('POST', `${API}/CreditNotes/:id`, (req) =>
    writeOnce(ctx, req, () => {
      const note = noteOf(req);
      if (!note) return ctx.wire.notFound();
      return batchWrite(ctx, req, 'CreditNotes', (raw) => updateCreditNote(tenantOf(ctx, req), note, raw, unitdp(req)));
    }));

  server.route('PUT', `${API}/CreditNotes/:id/Allocations`, (req) =>
    writeOnce(ctx, req, () => {
      const note = noteOf(req);
      if (!note) return ctx.wire.notFound();
      return batchWrite(ctx, req, 'Allocations', (raw) => allocate(tenantOf(ctx, req), note, raw));
    }));

  server.route('DELETE', `${API}/CreditNotes/:id/Allocations/:allocationId`, (req) => {
    const tenant = tenantOf(ctx, req);
    const note = noteOf(req);
    const allocation = tenant.allocations.get(req.params.allocationId.toLowerCase());
    if (!note || !allocation || allocation.creditNoteId !== note.id || allocation.deleted) return ctx.wire.notFound();
    allocation.deleted = true;
    tenant.settleCreditNote(note);
    tenant.settleInvoice(tenant.invoices.get(allocation.invoiceId)!);
    return { status: 200, body: allocationWire(tenant, allocation) };
  });
}
