// Which payment methods a quote's payer is offered: the merchant's own (what its processor account takes),
// narrowed by what CPQ allows for the quote, and by who is paying. Pure and workflow-safe: the API offers
// these, and the workflow's update validator refuses anything else.

export const PAYMENT_METHOD_KINDS = ['card', 'bank_debit'] as const;
export type PaymentMethodKind = (typeof PAYMENT_METHOD_KINDS)[number];

/** The bank-debit scheme of a currency: ACH for US dollars, BECS for Australian dollars; none elsewhere. */
export type BankDebitScheme = 'ach' | 'becs';
export function bankDebitScheme(currency: string): BankDebitScheme | undefined {
  return currency === 'USD' ? 'ach' : currency === 'AUD' ? 'becs' : undefined;
}

/** Who pays: a guest (no account), or a payer who logged in or registered. */
export type Checkout = 'guest' | 'payer';

/**
 * CPQ narrows, never widens: a method the merchant has not enabled is refused even if CPQ allows it.
 * A guest pays by card only; bank debit needs a scheme for the currency.
 */
export function offeredMethods(opts: {
  merchant: readonly PaymentMethodKind[];
  cpq: readonly PaymentMethodKind[];
  currency: string;
  checkout?: Checkout;
}): PaymentMethodKind[] {
  return PAYMENT_METHOD_KINDS.filter(
    (method) =>
      opts.merchant.includes(method) &&
      opts.cpq.includes(method) &&
      (method !== 'bank_debit' || (bankDebitScheme(opts.currency) !== undefined && opts.checkout !== 'guest')),
  );
}

/** Guest checkout only for a one-time payment: a recurring portion needs a saved method, so an account. */
export function checkoutChoices(hasRecurring: boolean): Checkout[] {
  return hasRecurring ? ['payer'] : ['guest', 'payer'];
}
