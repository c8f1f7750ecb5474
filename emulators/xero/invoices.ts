// /Invoices: GET (where, Statuses, ContactIDs, IDs, InvoiceNumbers, page/pageSize, summaryOnly), GET /Invoices/{id}
// (by InvoiceID or InvoiceNumber, as Xero allows), PUT (create), POST (create, or update by InvoiceID) and
// POST /Invoices/{id} (update: status changes and edits, with the lifecycle rules of lifecycle.ts).
// Line items are returned when paging or fetching one invoice, not in an unpaged list (as Xero does).
import { randomUUID } from 'node:crypto';
import type { EmulatorRequest, EmulatorServer } from '../support/server';
import { contactRef, dateFields, lineWire, parseLines, resolveContact, resolveCurrency, resolveDate, resolveLineAmountTypes } from './documents';
import { parseStatus, refusal } from './lifecycle';
import { fromUnits } from './money';
import { batchWrite, flag, list, paged, tenantOf, writeOnce, type Ctx, type ElementResult } from './routes';
import type { DocStatus, TenantLedger, XeroInvoice } from './state';
import { msDateTime } from './wire';
import { parseWhere, WhereError, type FieldSchema, type FieldValue } from './where';

const API = '/api.xro/2.0';

const INVOICE_FIELDS: FieldSchema = {
  InvoiceID: 'guid', InvoiceNumber: 'string', Reference: 'string', Type: 'string', Status: 'string',
  'Contact.ContactID': 'guid', 'Contact.Name': 'string', Date: 'date', DueDate: 'date', CurrencyCode: 'string',
  Total: 'money', SubTotal: 'money', AmountDue: 'money', AmountPaid: 'money', AmountCredited: 'money',
};

function view(tenant: TenantLedger, i: XeroInvoice): Record<string, FieldValue> {
  return {
    InvoiceID: i.id, InvoiceNumber: i.number, Reference: i.reference, Type: i.type, Status: i.status,
    'Contact.ContactID': i.contactId, 'Contact.Name': tenant.contacts.get(i.contactId)?.name, Date: i.date, DueDate: i.dueDate,
    CurrencyCode: i.currency, Total: i.totalCents, SubTotal: i.subTotalCents, AmountDue: tenant.amountDue(i),
    AmountPaid: tenant.amountPaid(i), AmountCredited: tenant.amountCredited(i),
  };
}

export function invoiceWire(tenant: TenantLedger, i: XeroInvoice, withLines = true): Record<string, unknown> {
  return {
    Type: i.type, InvoiceID: i.id, InvoiceNumber: i.number, Reference: i.reference, Contact: contactRef(tenant, i.contactId),
    ...dateFields('Date', i.date), ...dateFields('DueDate', i.dueDate), Status: i.status, LineAmountTypes: i.lineAmountTypes,
    ...(withLines && { LineItems: i.lines.map(lineWire) }),
    SubTotal: fromUnits(i.subTotalCents), TotalTax: fromUnits(i.taxCents), Total: fromUnits(i.totalCents),
    AmountDue: fromUnits(tenant.amountDue(i)), AmountPaid: fromUnits(tenant.amountPaid(i)), AmountCredited: fromUnits(tenant.amountCredited(i)),
    CurrencyCode: i.currency, CurrencyRate: 1, ...dateFields('FullyPaidOnDate', i.fullyPaidOn),
    Payments: tenant.paymentsOf(i.id).map((p) => ({ PaymentID: p.id, ...dateFields('Date', p.date), Amount: fromUnits(p.amountCents), Reference: p.reference, CurrencyRate: 1, HasAccount: false, HasValidationErrors: false })),
    CreditNotes: tenant.allocationsOf(i.id, 'invoice').map((a) => {
      const note = tenant.creditNotes.get(a.creditNoteId)!;
      return { CreditNoteID: note.id, CreditNoteNumber: note.number, ID: note.id, AppliedAmount: fromUnits(a.amountCents), ...dateFields('Date', a.date), Total: fromUnits(note.totalCents), HasErrors: false };
    }),
    Prepayments: [], Overpayments: [], SentToContact: false, HasAttachments: false, HasErrors: false, IsDiscounted: false,
    UpdatedDateUTC: msDateTime(i.updatedAt),
  };
}

/** An invoice by InvoiceID, or by InvoiceNumber (GET /Invoices/INV-0001 works on Xero). */
export function findInvoice(tenant: TenantLedger, ref: string | undefined): XeroInvoice | undefined {
  if (!ref) return undefined;
  return tenant.invoices.get(ref.toLowerCase()) ?? [...tenant.invoices.values()].find((i) => i.number.toLowerCase() === ref.toLowerCase());
}

function createInvoice(tenant: TenantLedger, raw: any, unitdp: number): ElementResult {
  const echo = { InvoiceNumber: raw.InvoiceNumber, Reference: raw.Reference, Type: raw.Type, Status: raw.Status };
  const fail = (...messages: string[]): ElementResult => ({ ok: false, echo, messages });
  const type = String(raw.Type ?? '').toUpperCase();
  if (type !== 'ACCREC' && type !== 'ACCPAY') return fail('Invoice Type must be ACCREC or ACCPAY');
  const status = raw.Status === undefined ? 'DRAFT' : parseStatus(raw.Status);
  if (status !== 'DRAFT' && status !== 'SUBMITTED' && status !== 'AUTHORISED') return fail('A new invoice must be DRAFT, SUBMITTED or AUTHORISED');
  const contact = resolveContact(tenant, raw);
  const currency = resolveCurrency(tenant, raw);
  const amountTypes = resolveLineAmountTypes(raw);
  const date = resolveDate(tenant, raw.Date);
  const dueDate = resolveDate(tenant, raw.DueDate, 'DueDate');
  const messages = [contact, currency, amountTypes, date, dueDate].flatMap((r) => ('error' in r ? [r.error] : []));
  if (status === 'AUTHORISED' && 'date' in dueDate && !dueDate.date) messages.push('Due Date is required for an approved invoice');
  const locked = 'date' in date && date.date ? tenant.lockRefusal(date.date) : undefined;
  if (locked && status === 'AUTHORISED') messages.push(locked);
  const number = typeof raw.InvoiceNumber === 'string' && raw.InvoiceNumber.trim() ? raw.InvoiceNumber.trim() : undefined;
  if (number && number.length > 255) messages.push('Invoice # must be 255 characters or less.');
  if (number && type === 'ACCREC' && findInvoice(tenant, number)?.number.toLowerCase() === number.toLowerCase()) messages.push('Invoice # must be unique.');
  if (messages.length || 'error' in amountTypes) return fail(...messages);
  const lines = parseLines(tenant, raw.LineItems, amountTypes.lineAmountTypes, { unitdp, requireAccounts: status === 'AUTHORISED' });
  if ('errors' in lines) return fail(...lines.errors);
  if (status === 'AUTHORISED' && lines.lines.length === 0) return fail('An approved invoice must have at least one line item');
  if (lines.totalCents < 0) return fail('The invoice total cannot be negative');
  const now = tenant.now();
  const invoice: XeroInvoice = {
    id: randomUUID(), type, number: number ?? tenant.nextInvoiceNumber(), contactId: (contact as { contactId: string }).contactId,
    reference: typeof raw.Reference === 'string' ? raw.Reference : undefined, date: (date as { date: string }).date,
    dueDate: (dueDate as { date?: string }).date, currency: (currency as { currency: string }).currency, status,
    lineAmountTypes: amountTypes.lineAmountTypes, ...lines, createdAt: now, updatedAt: now,
  };
  tenant.invoices.set(invoice.id, invoice);
  tenant.settleInvoice(invoice); // a zero-total approved invoice is paid at once
  return { ok: true, wire: invoiceWire(tenant, invoice) };
}

function applyEdits(tenant: TenantLedger, invoice: XeroInvoice, raw: any, unitdp: number, requested: DocStatus | undefined): string[] {
  if (raw.LineItems !== undefined) {
    const types = resolveLineAmountTypes({ LineAmountTypes: raw.LineAmountTypes ?? invoice.lineAmountTypes });
    if ('error' in types) return [types.error];
    const lines = parseLines(tenant, raw.LineItems, types.lineAmountTypes, { unitdp, requireAccounts: (requested ?? invoice.status) === 'AUTHORISED' });
    if ('errors' in lines) return lines.errors;
    Object.assign(invoice, lines, { lineAmountTypes: types.lineAmountTypes });
  }
  for (const [field, key] of [['date', 'Date'], ['dueDate', 'DueDate']] as const) {
    if (raw[key] === undefined) continue;
    const parsed = resolveDate(tenant, raw[key], key);
    if ('error' in parsed) return [parsed.error];
    invoice[field] = parsed.date!;
  }
  if (typeof raw.Reference === 'string') invoice.reference = raw.Reference;
  if (requested !== 'AUTHORISED' || (invoice.status !== 'DRAFT' && invoice.status !== 'SUBMITTED')) return [];
  return [
    ...(invoice.lines.length === 0 ? ['An approved invoice must have at least one line item'] : []),
    ...(invoice.lines.some((l) => !l.accountCode) ? ['An account code must be specified for each line item of an approved document.'] : []),
    ...(invoice.dueDate ? [] : ['Due Date is required for an approved invoice']),
  ];
}

/** POST /Invoices/{id} or POST /Invoices with an InvoiceID: status changes and edits. */
function updateInvoice(tenant: TenantLedger, invoice: XeroInvoice, raw: any, unitdp: number): ElementResult {
  const echo = { InvoiceID: invoice.id, Status: raw.Status };
  const requested = raw.Status === undefined ? undefined : parseStatus(raw.Status);
  if (raw.Status !== undefined && !requested) return { ok: false, echo, messages: [`Status ${String(raw.Status)} is not valid`] };
  const editsContent = ['LineItems', 'Date', 'DueDate', 'Contact', 'CurrencyCode', 'LineAmountTypes'].some((k) => raw[k] !== undefined);
  const allocated = tenant.paymentsOf(invoice.id).length > 0 || tenant.allocationsOf(invoice.id, 'invoice').length > 0;
  const why = refusal('Invoice', invoice.status, requested, editsContent, allocated);
  if (why) return { ok: false, echo, messages: [why] };
  // Edits are applied to the invoice and rolled back if the result may not be approved.
  const backup = { ...invoice };
  const problems = applyEdits(tenant, invoice, raw, unitdp, requested);
  if (problems.length) {
    Object.assign(invoice, backup);
    return { ok: false, echo, messages: problems };
  }
  if (requested && requested !== 'PAID') invoice.status = requested === 'AUTHORISED' && invoice.status === 'PAID' ? 'PAID' : requested;
  invoice.updatedAt = tenant.now();
  tenant.settleInvoice(invoice);
  return { ok: true, wire: invoiceWire(tenant, invoice) };
}

export function registerInvoiceRoutes(server: EmulatorServer, ctx: Ctx): void {
  const unitdp = (req: EmulatorRequest) => Number(req.query.get('unitdp') ?? 2);

  server.route('GET', `${API}/Invoices`, (req) => {
    const tenant = tenantOf(ctx, req);
    let invoices = [...tenant.invoices.values()];
    const ids = list(req, 'IDs')?.map((s) => s.toLowerCase());
    const numbersListed = list(req, 'InvoiceNumbers');
    const numbers = numbersListed && new Set(numbersListed.map((s) => s.toLowerCase()));
    const contactIds = list(req, 'ContactIDs')?.map((s) => s.toLowerCase());
    const statuses = list(req, 'Statuses')?.map((s) => s.toUpperCase());
    if (ids) invoices = invoices.filter((i) => ids.includes(i.id));
    if (numbers) invoices = invoices.filter((i) => numbers.has(i.number.toLowerCase()));
    if (contactIds) invoices = invoices.filter((i) => contactIds.includes(i.contactId));
    if (statuses) invoices = invoices.filter((i) => statuses.includes(i.status));
    const where = req.query.get('where');
    if (where) {
      try {
        const match = parseWhere(where, INVOICE_FIELDS, 'Invoice');
        invoices = invoices.filter((i) => match(view(tenant, i)));
      } catch (err) {
        if (err instanceof WhereError) return { status: 400, body: { ErrorNumber: 16, Type: 'QueryParseException', Message: err.message } };
        throw err;
      }
    }
    const page = paged(req, invoices);
    const withLines = page.paging && !flag(req, 'summaryOnly', false);
    return ctx.wire.ok({ ...(page.pagination && { pagination: page.pagination }), Invoices: page.items.map((i) => invoiceWire(tenant, i, withLines)) });
  });

  server.route('GET', `${API}/Invoices/:id`, (req) => {
    const tenant = tenantOf(ctx, req);
    const invoice = findInvoice(tenant, req.params.id);
    return invoice ? ctx.wire.ok({ Invoices: [invoiceWire(tenant, invoice)] }) : ctx.wire.notFound();
  });

  server.route('PUT', `${API}/Invoices`, (req) =>
    writeOnce(ctx, req, () => batchWrite(ctx, req, 'Invoices', (raw) => createInvoice(tenantOf(ctx, req), raw, unitdp(req)))));

  server.route('POST', `${API}/Invoices`, (req) =>
    writeOnce(ctx, req, () => batchWrite(ctx, req, 'Invoices', (raw) => {
      const tenant = tenantOf(ctx, req);
      if (raw.InvoiceID === undefined) return createInvoice(tenant, raw, unitdp(req));
      const invoice = findInvoice(tenant, String(raw.InvoiceID));
      return invoice ? updateInvoice(tenant, invoice, raw, unitdp(req)) : { ok: false, echo: { InvoiceID: raw.InvoiceID }, messages: ['Invoice could not be found'] };
    })));

  server.route('POST', `${API}/Invoices/:id`, (req) =>
    writeOnce(ctx, req, () => {
      const tenant = tenantOf(ctx, req);
      const invoice = findInvoice(tenant, req.params.id);
      if (!invoice) return ctx.wire.notFound();
      return batchWrite(ctx, req, 'Invoices', (raw) => updateInvoice(tenant, invoice, raw, unitdp(req)));
    }));
}
