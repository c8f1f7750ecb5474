// Which payment method types an intent takes. stripe-node 23 (API version 2026-10-28) sends
// `allowed_payment_method_types[]`: Stripe keeps the list as given and answers in `payment_method_types` the ones
// compatible with the currency (ACH only in usd, BECS only in aud). Older clients send `payment_method_types[]`,
// which Stripe takes literally and refuses when one does not fit the currency. With neither, Stripe uses the
// account's automatic payment methods: here, every emulated type the currency allows.
import { invalidRequest } from './errors';
import { optionalBoolean, optionalStringArray, type Params } from './form';
import type { PaymentMethodType } from './state';
import { DEBIT_CURRENCIES } from './test-payment-methods';

export const SUPPORTED_TYPES: PaymentMethodType[] = ['card', 'us_bank_account', 'au_becs_debit'];

export interface MethodTypes {
  allowed_payment_method_types: PaymentMethodType[] | null;
  payment_method_types: PaymentMethodType[];
  automatic_payment_methods: { enabled: true; allow_redirects: 'always' } | null;
}

const fitsCurrency = (type: PaymentMethodType, currency: string) => (DEBIT_CURRENCIES[type] ?? currency) === currency;

function checkedTypes(types: string[], param: string): PaymentMethodType[] {
  if (types.length === 0) throw invalidRequest(`${param} must not be empty.`, param, 'parameter_invalid_empty');
  for (const type of types) {
    if (!(SUPPORTED_TYPES as string[]).includes(type)) {
      throw invalidRequest(`The payment method type "${type}" is invalid. Please ensure the provided type is activated in your dashboard (https://dashboard.stripe.com/account/payments/settings) and your account is enabled for any preview features that you are trying to use.`, param);
    }
  }
  return types as PaymentMethodType[];
}

/** The types from the create (or confirm) parameters; `current` is what the intent had, when confirming. */
export function methodTypesOf(params: Params, currency: string, current?: MethodTypes): MethodTypes {
  const allowed = optionalStringArray(params, 'allowed_payment_method_types');
  const legacy = optionalStringArray(params, 'payment_method_types');
  const automatic = params.automatic_payment_methods !== undefined;
  if ([allowed, legacy].filter(Boolean).length + (automatic ? 1 : 0) > 1) {
    throw invalidRequest('You may only specify one of these parameters: allowed_payment_method_types, automatic_payment_methods, payment_method_types.', undefined, 'parameters_exclusive');
  }
  if (allowed) {
    const types = checkedTypes(allowed, 'allowed_payment_method_types');
    const compatible = types.filter((t) => fitsCurrency(t, currency));
    if (compatible.length === 0) {
      throw invalidRequest(`None of the allowed_payment_method_types (${types.join(', ')}) can be used with currency ${currency}.`, 'allowed_payment_method_types', 'payment_intent_invalid_parameter');
    }
    return { allowed_payment_method_types: types, payment_method_types: compatible, automatic_payment_methods: null };
  }
  if (legacy) {
    const types = checkedTypes(legacy, 'payment_method_types');
    const misfit = types.find((t) => !fitsCurrency(t, currency));
    if (misfit) {
      throw invalidRequest(`The currency provided (${currency}) is invalid for one or more payment method types on this PaymentIntent: ${misfit} supports only ${DEBIT_CURRENCIES[misfit]}.`, 'currency');
    }
    return { allowed_payment_method_types: null, payment_method_types: types, automatic_payment_methods: null };
  }
  if (automatic) {
    const value = params.automatic_payment_methods;
    const enabled = typeof value === 'object' && !Array.isArray(value) ? optionalBoolean(value, 'enabled') : undefined;
    if (enabled !== true) throw invalidRequest('automatic_payment_methods[enabled] must be true.', 'automatic_payment_methods[enabled]');
  }
  if (current) return current;
  return {
    allowed_payment_method_types: null,
    payment_method_types: SUPPORTED_TYPES.filter((t) => fitsCurrency(t, currency)),
    automatic_payment_methods: { enabled: true, allow_redirects: 'always' },
  };
}
