// Customer writes with QBO's rules: DisplayName is required and unique (case-insensitively) in the company;
// a customer's currency is fixed at creation (the home currency unless CurrencyRef says otherwise).
import type { EmulatorResponse } from '../support/server';
import { customerJson } from './serialize';
import type { RealmState } from './state';
import type { Wire } from './wire';

export interface Ctx {
  realm: RealmState;
  wire: Wire;
}

export function createCustomer({ realm, wire }: Ctx, body: any): EmulatorResponse {
  const name = typeof body.DisplayName === 'string' ? body.DisplayName.trim() : '';
  if (!name) return wire.required('DisplayName');
  if (name.length > 500 || name.includes(':')) {
    return wire.fault(400, 'ValidationFault', [{ Message: 'Invalid DisplayName', Detail: 'DisplayName is longer than 500 characters or contains a colon', code: '2050', element: 'DisplayName' }]);
  }
  const taken = [...realm.customers.values()].some((c) => c.displayName.toLowerCase() === name.toLowerCase());
  if (taken) {
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
  const customer = {
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
  realm.customers.set(customer.id, customer);
  return wire.ok({ Customer: customerJson(realm, customer) });
}
