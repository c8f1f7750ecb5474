// /v1/customers and the payment methods saved on them: create and retrieve a customer, retrieve a payment method,
// attach one to a customer, list a customer's. A test id (`pm_card_visa`) can be attached directly, which makes a
// concrete payment method first, as in Stripe's test mode.
import type { EmulatorServer } from '../support/server';
import { invalidRequest, noSuch } from './errors';
import { allowOnly, metadataOf, optionalEnum, optionalInteger, optionalString, requiredString } from './form';
import { resolvePaymentMethod } from './lifecycle';
import { api, type Ctx } from './routes';
import { newId, nowSeconds, type StripeAccount, type StripeCustomer } from './state';

function customerOf(account: StripeAccount, id: string, param = 'id'): StripeCustomer {
  const customer = account.customers.get(id);
  if (!customer) throw noSuch('customer', id, param);
  return customer;
}

export function registerCustomerRoutes(server: EmulatorServer, ctx: Ctx): void {
  api(server, ctx, 'POST', '/v1/customers', ({ account, params }) => {
    allowOnly(params, ['name', 'email', 'phone', 'description', 'metadata', 'payment_method']);
    const email = optionalString(params, 'email') || null;
    if (email && !/^[^@\s]+@[^@\s]+$/.test(email)) throw invalidRequest(`Invalid email address: ${email}`, 'email', 'email_invalid');
    const customer: StripeCustomer = {
      id: newId('cus', 14), object: 'customer', created: nowSeconds(), livemode: false,
      name: optionalString(params, 'name') || null, email, phone: optionalString(params, 'phone') || null,
      description: optionalString(params, 'description') || null, metadata: metadataOf(params),
    };
    const pmId = optionalString(params, 'payment_method');
    // Check the payment method before the customer exists, so a refused create leaves nothing behind.
    const stored = pmId ? resolvePaymentMethod(account, pmId) : undefined;
    if (stored?.pm.customer) throw invalidRequest('The payment method you provided has already been attached to a customer.', 'payment_method');
    account.customers.set(customer.id, customer);
    if (stored) stored.pm.customer = customer.id;
    return customer;
  });

  api(server, ctx, 'GET', '/v1/customers/:id', ({ req, account, params }) => {
    allowOnly(params, []);
    return customerOf(account, req.params.id);
  });

  api(server, ctx, 'GET', '/v1/customers/:id/payment_methods', ({ req, account, params }) => {
    allowOnly(params, ['type', 'limit', 'starting_after', 'ending_before']);
    const customer = customerOf(account, req.params.id, 'customer');
    const type = optionalEnum(params, 'type', ['card', 'us_bank_account', 'au_becs_debit'] as const);
    const limit = optionalInteger(params, 'limit') ?? 10;
    if (limit < 1 || limit > 100) throw invalidRequest('limit must be between 1 and 100.', 'limit');
    // Newest first, as Stripe lists; the emulator does not page (has_more says whether there was more).
    const all = [...account.paymentMethods.values()]
      .map((s) => s.pm)
      .filter((pm) => pm.customer === customer.id && (!type || pm.type === type))
      .reverse();
    return { object: 'list', data: all.slice(0, limit), has_more: all.length > limit, url: `/v1/customers/${customer.id}/payment_methods` };
  });

  api(server, ctx, 'GET', '/v1/payment_methods/:id', ({ req, account, params }) => {
    allowOnly(params, []);
    return resolvePaymentMethod(account, req.params.id, 'payment_method').pm;
  });

  api(server, ctx, 'POST', '/v1/payment_methods/:id/attach', ({ req, account, params }) => {
    allowOnly(params, ['customer']);
    const customer = customerOf(account, requiredString(params, 'customer'), 'customer');
    const stored = resolvePaymentMethod(account, req.params.id, 'payment_method');
    if (stored.pm.customer && stored.pm.customer !== customer.id) {
      throw invalidRequest('The payment method you provided has already been attached to a customer.', 'payment_method');
    }
    if (stored.used && !stored.pm.customer) {
      throw invalidRequest('This PaymentMethod was previously used without being attached to a Customer or was detached from a Customer, and may not be used again.', 'payment_method');
    }
    stored.pm.customer = customer.id;
    return stored.pm;
  });
}
