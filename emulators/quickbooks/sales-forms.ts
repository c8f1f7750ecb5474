// Invoices and credit memos ("sales forms"): create, sparse/full update, delete and void, with the QBO rules
// the adapter must live with: every line's Amount = Qty × UnitPrice (6070); items and customers must exist (2500);
// a transaction's currency is its customer's; DocNumber is at most 21 characters and unique (6140); a form linked
// to a payment cannot be deleted or voided, nor reduced below what was applied to it (6000); SyncToken guards
// every change (5010). QBO has no draft state: a sales form is posted the moment it exists.
import type { EmulatorResponse } from '../support/server';
import { transactionContact, type Ctx } from './customers';
import { productCents, toCents } from './money';
import { creditMemoJson, invoiceJson } from './serialize';
import type { SalesFormRecord, SalesLine } from './state';

export type SalesFormKind = 'Invoice' | 'CreditMemo';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function formsOf({ realm }: Ctx, kind: SalesFormKind): Map<string, SalesFormRecord> {
  return kind === 'Invoice' ? realm.invoices : realm.creditMemos;
}

function json(ctx: Ctx, kind: SalesFormKind, form: SalesFormRecord): EmulatorResponse {
  return ctx.wire.ok({ [kind]: kind === 'Invoice' ? invoiceJson(ctx.realm, form) : creditMemoJson(ctx.realm, form) });
}

export function parseLines({ realm, wire }: Ctx, raw: unknown): SalesLine[] | EmulatorResponse {
  if (!Array.isArray(raw)) return wire.required('Line');
  const lines: SalesLine[] = [];
  for (const line of raw) {
    // QBO computes subtotal lines itself and ignores the ones it is sent back.
    if (line?.DetailType === 'SubTotalLineDetail') continue;
    if (line?.DetailType !== 'SalesItemLineDetail') {
      return wire.unsupported(`The emulator supports SalesItemLineDetail lines only, not ${line?.DetailType}`);
    }
    const amountCents = toCents(line.Amount);
    if (amountCents === undefined) return wire.validation('6000', `Line Amount ${line.Amount} is not an amount with at most two decimals`, undefined, 'Line.Amount');
    const detail = line.SalesItemLineDetail ?? {};
    // Without an ItemRef QBO uses its default "Services" item (Id 1).
    const itemId = String(detail.ItemRef?.value ?? '1');
    if (!realm.items.has(itemId)) return wire.invalidReference('ItemRef', itemId);
    const qty = detail.Qty ?? 1;
    if (detail.UnitPrice !== undefined && productCents(qty, detail.UnitPrice) !== amountCents) {
      return wire.validation('6070', `Amount is not equal to UnitPrice * Qty. Supplied value:${line.Amount}`, 'Amount calculation incorrect in the request');
    }
    lines.push({
      id: String(lines.length + 1),
      description: line.Description,
      amountCents,
      itemId,
      qty: Number(qty),
      unitPrice: Number(detail.UnitPrice ?? amountCents / 100 / Number(qty || 1)),
      taxCode: detail.TaxCodeRef?.value,
    });
  }
  if (lines.length === 0) return wire.required('Line');
  return lines;
}

const sum = (lines: SalesLine[]) => lines.reduce((t, l) => t + l.amountCents, 0);

function checkDocNumber(ctx: Ctx, docNumber: unknown, allowDuplicate: boolean, self?: string): EmulatorResponse | undefined {
  const text = String(docNumber);
  if (text.length > 21) {
    return ctx.wire.fault(400, 'ValidationFault', [{ Message: 'String length is either shorter or longer than supported by specification', Detail: `DocNumber "${text}" is longer than 21 characters`, code: '2050', element: 'DocNumber' }]);
  }
  const taken = [ctx.realm.invoices, ctx.realm.creditMemos].some((forms) => {
    for (const f of forms.values()) if (f.docNumber === text && f.id !== self) return true;
    return false;
  });
  if (taken && !allowDuplicate) {
    return ctx.wire.fault(400, 'ValidationFault', [{ Message: 'Duplicate Document Number Error', Detail: `Duplicate Document Number Error : You must specify a different number. This number has already been used. DocNumber=${text}`, code: '6140' }]);
  }
  return undefined;
}

export function createSalesForm(ctx: Ctx, kind: SalesFormKind, body: any, allowDuplicateDocNumber: boolean): EmulatorResponse {
  const { realm, wire } = ctx;
  const party = transactionContact(ctx, body, 'CustomerRef', 'transaction');
  if (!('contact' in party)) return party;
  const { contact: customer, currency } = party;
  const lines = parseLines(ctx, body.Line);
  if (!Array.isArray(lines)) return lines;
  const total = sum(lines);
  if (total < 0) return wire.validation('6000', 'Transaction total cannot be negative');
  const txnDate = body.TxnDate ?? realm.now().slice(0, 10);
  const dueDate = kind === 'Invoice' ? (body.DueDate ?? txnDate) : undefined;
  if (!DATE.test(txnDate) || (dueDate !== undefined && !DATE.test(dueDate))) return wire.validation('6000', `Invalid date: ${txnDate} / ${dueDate}`);
  if (body.DocNumber !== undefined && body.DocNumber !== '') {
    const problem = checkDocNumber(ctx, body.DocNumber, allowDuplicateDocNumber);
    if (problem) return problem;
  }
  const now = realm.now();
  const form: SalesFormRecord = {
    id: realm.nextId(),
    syncToken: 0,
    created: now,
    updated: now,
    docNumber: body.DocNumber ? String(body.DocNumber) : realm.nextDocNumber(),
    customerId: customer.id,
    txnDate,
    dueDate,
    currency,
    lines,
    totalCents: total,
    balanceCents: total,
    privateNote: body.PrivateNote || undefined,
    customerMemo: body.CustomerMemo?.value || undefined,
  };
  formsOf(ctx, kind).set(form.id, form);
  realm.recompute();
  return json(ctx, kind, form);
}

/** The form named by an update/delete/void body, or the fault QBO gives (610, or 5010 for a stale SyncToken). */
function existing(ctx: Ctx, kind: SalesFormKind, body: any): SalesFormRecord | EmulatorResponse {
  const form = formsOf(ctx, kind).get(String(body.Id));
  if (!form) return ctx.wire.notFound(kind, String(body.Id));
  if (String(body.SyncToken) !== String(form.syncToken)) return ctx.wire.stale(kind, form.id);
  return form;
}

const label = (kind: SalesFormKind) => (kind === 'Invoice' ? 'invoice' : 'credit memo');

export function updateSalesForm(ctx: Ctx, kind: SalesFormKind, body: any): EmulatorResponse {
  const form = existing(ctx, kind, body);
  if ('status' in form) return form;
  const sparse = body.sparse === true || body.sparse === 'true';
  if (body.CustomerRef?.value !== undefined && String(body.CustomerRef.value) !== form.customerId) {
    return ctx.wire.unsupported('The emulator does not move a transaction to another customer');
  }
  let lines = form.lines;
  if (body.Line !== undefined || !sparse) {
    const parsed = parseLines(ctx, body.Line);
    if (!Array.isArray(parsed)) return parsed;
    lines = parsed;
  }
  const applied = form.totalCents - form.balanceCents;
  if (sum(lines) < applied) {
    return ctx.wire.validation('6000', `The ${label(kind)} amount cannot be less than the ${applied / 100} already applied to it`);
  }
  if (body.DocNumber !== undefined && String(body.DocNumber) !== form.docNumber) {
    const problem = checkDocNumber(ctx, body.DocNumber, false, form.id);
    if (problem) return problem;
    form.docNumber = String(body.DocNumber);
  }
  // A sparse update changes what it names; a full update also clears what it leaves out.
  const pick = <T>(value: T | undefined, current: T | undefined) => (value !== undefined ? value || undefined : sparse ? current : undefined);
  form.privateNote = pick(body.PrivateNote, form.privateNote);
  form.customerMemo = pick(body.CustomerMemo === undefined ? undefined : String(body.CustomerMemo?.value ?? ''), form.customerMemo);
  if (body.TxnDate !== undefined) form.txnDate = body.TxnDate;
  if (kind === 'Invoice' && body.DueDate !== undefined) form.dueDate = body.DueDate;
  form.lines = lines;
  form.totalCents = sum(lines);
  form.syncToken++;
  form.updated = ctx.realm.now();
  ctx.realm.recompute();
  return json(ctx, kind, form);
}

function linkedPaymentsFault(ctx: Ctx, kind: SalesFormKind, form: SalesFormRecord, action: string): EmulatorResponse | undefined {
  const linked = ctx.realm.paymentsLinking(form.id);
  if (linked.length === 0) return undefined;
  return ctx.wire.validation('6000', `This ${label(kind)} is linked to payment(s) ${linked.map((p) => p.id).join(', ')} and cannot be ${action}. Remove it from the payment(s) first.`);
}

export function deleteSalesForm(ctx: Ctx, kind: SalesFormKind, body: any): EmulatorResponse {
  const form = existing(ctx, kind, body);
  if ('status' in form) return form;
  const linked = linkedPaymentsFault(ctx, kind, form, 'deleted');
  if (linked) return linked;
  formsOf(ctx, kind).delete(form.id);
  ctx.realm.deleted.push({ entity: kind, id: form.id, at: ctx.realm.now() });
  return ctx.wire.ok({ [kind]: { Id: form.id, status: 'Deleted', domain: 'QBO' } });
}

/** QBO's void: the form stays, with every amount zeroed and "Voided" as its private note. */
export function voidSalesForm(ctx: Ctx, kind: SalesFormKind, body: any): EmulatorResponse {
  const form = existing(ctx, kind, body);
  if ('status' in form) return form;
  const linked = linkedPaymentsFault(ctx, kind, form, 'voided');
  if (linked) return linked;
  form.lines = form.lines.map((l) => ({ ...l, amountCents: 0, unitPrice: 0 }));
  form.totalCents = 0;
  form.privateNote = 'Voided';
  form.syncToken++;
  form.updated = ctx.realm.now();
  ctx.realm.recompute();
  return json(ctx, kind, form);
}
