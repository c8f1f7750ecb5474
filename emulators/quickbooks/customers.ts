// Customer and vendor writes with QBO's rules: DisplayName is required and unique (case-insensitively) across the
// company's customers and vendors together; a contact's currency is fixed at creation (the home currency unless
// CurrencyRef says otherwise). Vendors are the payable side's contacts (the suppliers of bills and vendor credits).
import type { EmulatorResponse } from '../support/server';
import { customerJson, vendorJson } from './serialize';
import type { CustomerRecord, RealmState } from './state';
import type { Wire } from './wire';

export interface Ctx {
  realm: RealmState;
  wire: Wire;
}

/** The fields customers and vendors share, checked; or QBO's fault. */
function contactRecord({ realm, wire }: Ctx, body: any): CustomerRecord | EmulatorResponse {
  const name = typeof body.DisplayName === 'string' ? body.DisplayName.trim() : '';
  if (!name) return wire.required('DisplayName');
  if (name.length > 500 || name.includes(':')) {
    return wire.fault(400, 'ValidationFault', [{ Message: 'Invalid DisplayName', Detail: 'DisplayName is longer than 500 characters or contains a colon', code: '2050', element: 'DisplayName' }]);
  }
  if (realm.nameTaken(name)) {
    return wire.fault(400, 'ValidationFault', [{
      Message: 'Duplicate Name Exists Error',
      Detail: `The name supplied already exists. : Another customer, vendor or employee is already using this name (${name}). Please use a different name.`,
      code: '6240',
    }]);
  }
  const email = body.PrimaryEmailAddr?.Address;
  if (email !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(String(email))) {
    return wire.fault(400, 'ValidationFault', [{ Message: 'Invalid Email Address format', Detail: `Email Address does not conform to the syntax rules of RFC 822: ${email}`, code: '2050', element: 'PrimaryEmailAddr' }]);
  }
  const now = realm.now();
  return {
    id: realm.nextId(),
    syncToken: 0,
    created: now,
    updated: now,
    displayName: name,
    email: email === undefined ? undefined : String(email),
    acctNum: typeof body.AcctNum === 'string' && body.AcctNum ? body.AcctNum : undefined,
    currency: body.CurrencyRef?.value ?? realm.homeCurrency,
    active: true,
  };
}

export function createCustomer(ctx: Ctx, body: any): EmulatorResponse {
  const customer = contactRecord(ctx, body);
  if ('status' in customer) return customer;
  ctx.realm.customers.set(customer.id, customer);
  return ctx.wire.ok({ Customer: customerJson(ctx.realm, customer) });
}

export function createVendor(ctx: Ctx, body: any): EmulatorResponse {
  const vendor = contactRecord(ctx, body);
  if ('status' in vendor) return vendor;
  ctx.realm.vendors.set(vendor.id, vendor);
  return ctx.wire.ok({ Vendor: vendorJson(ctx.realm, vendor) });
}

/**
 * The customer (CustomerRef) or vendor (VendorRef) a transaction is for, and its currency: QBO requires the ref,
 * refuses an unknown one, and fixes a transaction's currency to its contact's.
 */
export function transactionContact({ realm, wire }: Ctx, body: any, ref: 'CustomerRef' | 'VendorRef', what: string)
  : { contact: CustomerRecord; currency: string } | EmulatorResponse {
  const id = body[ref]?.value;
  if (!id) return wire.required(ref);
  const contact = (ref === 'CustomerRef' ? realm.customers : realm.vendors).get(String(id));
  if (!contact) return wire.invalidReference(ref, String(id));
  const currency = body.CurrencyRef?.value ?? contact.currency;
  const kind = ref === 'CustomerRef' ? 'customer' : 'vendor';
  if (currency !== contact.currency) {
    return wire.validation('6000', `The currency of the ${what} (${currency}) must be the currency of ${kind} ${contact.displayName} (${contact.currency})`);
  }
  return { contact, currency };
}
