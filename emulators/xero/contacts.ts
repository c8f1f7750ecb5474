// /Contacts: GET (where on Name / EmailAddress / AccountNumber / ContactID / ContactStatus, IDs, searchTerm,
// includeArchived, paging), GET /Contacts/{id}, PUT (create) and POST (create or update by ContactID).
// Xero refuses a second active contact with the same name, and a second with the same account number.
import { randomUUID } from 'node:crypto';
import type { EmulatorRequest, EmulatorServer } from '../support/server';
import { batchWrite, list, paged, tenantOf, writeOnce, flag, type Ctx, type ElementResult } from './routes';
import type { TenantLedger, XeroContact } from './state';
import { msDateTime } from './wire';
import { parseWhere, WhereError, type FieldSchema, type FieldValue } from './where';

const API = '/api.xro/2.0';

const CONTACT_FIELDS: FieldSchema = {
  ContactID: 'guid', Name: 'string', EmailAddress: 'string', AccountNumber: 'string', ContactStatus: 'string',
  IsCustomer: 'bool', IsSupplier: 'bool',
};

function view(tenant: TenantLedger, c: XeroContact): Record<string, FieldValue> {
  const invoices = [...tenant.invoices.values()].filter((i) => i.contactId === c.id);
  return {
    ContactID: c.id, Name: c.name, EmailAddress: c.email, AccountNumber: c.accountNumber, ContactStatus: c.status,
    IsCustomer: invoices.some((i) => i.type === 'ACCREC'), IsSupplier: invoices.some((i) => i.type === 'ACCPAY'),
  };
}

export function contactWire(tenant: TenantLedger, c: XeroContact): Record<string, unknown> {
  const v = view(tenant, c);
  return {
    ContactID: c.id, ContactStatus: c.status, Name: c.name, EmailAddress: c.email, AccountNumber: c.accountNumber,
    IsCustomer: v.IsCustomer, IsSupplier: v.IsSupplier, Addresses: [], Phones: [], ContactGroups: [], ContactPersons: [],
    HasAttachments: false, HasValidationErrors: false, UpdatedDateUTC: msDateTime(c.updatedAt),
  };
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);
const same = (a?: string, b?: string) => a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();

/** Creates (no ContactID) or updates (ContactID) one contact, with Xero's uniqueness rules. */
function upsert(tenant: TenantLedger, raw: any, allowUpdate: boolean): ElementResult {
  const echo = { Name: raw.Name, EmailAddress: raw.EmailAddress, AccountNumber: raw.AccountNumber, ContactID: raw.ContactID };
  const existing = typeof raw.ContactID === 'string' ? tenant.contacts.get(raw.ContactID.toLowerCase()) : undefined;
  if (raw.ContactID !== undefined && (!allowUpdate || !existing)) {
    return { ok: false, echo, messages: [allowUpdate ? `The contact with ContactID ${raw.ContactID} could not be found` : 'A ContactID cannot be given when creating a contact'] };
  }
  const name = text(raw.Name) ?? existing?.name;
  const messages: string[] = [];
  if (!name) messages.push('The contact name must be specified.');
  if (name && name.length > 255) messages.push('The contact name must be 255 characters or less.');
  const email = raw.EmailAddress === undefined ? existing?.email : text(raw.EmailAddress);
  if (email && !/^[^@\s]+@[^@\s]+$/.test(email)) messages.push('Email address must be valid.');
  const accountNumber = raw.AccountNumber === undefined ? existing?.accountNumber : text(raw.AccountNumber);
  for (const other of tenant.contacts.values()) {
    if (other === existing || other.status !== 'ACTIVE') continue;
    if (same(other.name, name)) messages.push(`The contact name ${name} is already assigned to another contact. The contact name must be unique across all active contacts.`);
    if (same(other.accountNumber, accountNumber)) messages.push('The Account Number already exists. Please enter a different Account Number.');
  }
  if (messages.length) return { ok: false, echo, messages };
  const contact: XeroContact = existing ?? { id: randomUUID(), name: name!, status: 'ACTIVE', updatedAt: tenant.now() };
  Object.assign(contact, { name, email, accountNumber, updatedAt: tenant.now() });
  tenant.contacts.set(contact.id, contact);
  return { ok: true, wire: contactWire(tenant, contact) };
}

export function registerContactRoutes(server: EmulatorServer, ctx: Ctx): void {
  server.route('GET', `${API}/Contacts`, (req: EmulatorRequest) => {
    const tenant = tenantOf(ctx, req);
    let contacts = [...tenant.contacts.values()];
    if (!flag(req, 'includeArchived', false)) contacts = contacts.filter((c) => c.status === 'ACTIVE');
    const ids = list(req, 'IDs')?.map((id) => id.toLowerCase());
    if (ids) contacts = contacts.filter((c) => ids.includes(c.id));
    const where = req.query.get('where');
    if (where) {
      try {
        const match = parseWhere(where, CONTACT_FIELDS, 'Contact');
        contacts = contacts.filter((c) => match(view(tenant, c)));
      } catch (err) {
        if (err instanceof WhereError) return { status: 400, body: { ErrorNumber: 16, Type: 'QueryParseException', Message: err.message } };
        throw err;
      }
    }
    const term = req.query.get('searchTerm')?.toLowerCase();
    if (term) contacts = contacts.filter((c) => [c.name, c.email, c.accountNumber].some((f) => f?.toLowerCase().includes(term)));
    contacts.sort((a, b) => a.name.localeCompare(b.name)); // Xero's default order for contacts is by name
    const page = paged(req, contacts);
    return ctx.wire.ok({ ...(page.pagination && { pagination: page.pagination }), Contacts: page.items.map((c) => contactWire(tenant, c)) });
  });

  server.route('GET', `${API}/Contacts/:id`, (req) => {
    const tenant = tenantOf(ctx, req);
    const id = req.params.id.toLowerCase();
    const contact = tenant.contacts.get(id) ?? [...tenant.contacts.values()].find((c) => same(c.accountNumber, req.params.id));
    return contact ? ctx.wire.ok({ Contacts: [contactWire(tenant, contact)] }) : ctx.wire.notFound();
  });

  server.route('PUT', `${API}/Contacts`, (req) =>
    writeOnce(ctx, req, () => batchWrite(ctx, req, 'Contacts', (raw) => upsert(tenantOf(ctx, req), raw, false))));
  server.route('POST', `${API}/Contacts`, (req) =>
    writeOnce(ctx, req, () => batchWrite(ctx, req, 'Contacts', (raw) => upsert(tenantOf(ctx, req), raw, true))));
}
