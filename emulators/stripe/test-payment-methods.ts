// Stripe's test payment method ids. Confirming with one makes a concrete payment method (`pm_…`) whose test
// behaviour decides the outcome, as in Stripe's test mode: cards succeed or decline at once; bank debits wait in
// `processing` until the emulator is told how the bank answered (settle()).
import { newId, nowSeconds, type PaymentMethodType, type StripePaymentMethod } from './state';

export type PaymentMethodOutcome =
  /**
   * `refundFails`: Stripe's 4000 0000 0000 5126 — the payment succeeds, and a refund of it fails after it was made.
   * `refundPending`: Stripe's 4000 0000 0000 7726 — a refund of it stays `pending` until it succeeds "some time later"
   * (here: when the emulator is told, settleRefund()).
   */
  | { kind: 'succeed'; refundFails?: boolean; refundPending?: boolean }
  | { kind: 'decline'; code: string; declineCode: string; message: string }
  | { kind: 'process' };

interface TestMethod {
  type: PaymentMethodType;
  details: Pick<StripePaymentMethod, 'card' | 'us_bank_account' | 'au_becs_debit'>;
  outcome: PaymentMethodOutcome;
}

const card = (brand: string, last4: string, funding = 'credit', country = 'US'): TestMethod['details'] => ({
  card: { brand, last4, exp_month: 12, exp_year: new Date().getFullYear() + 3, funding, country },
});

const declined = (declineCode: string, message: string, code = 'card_declined'): PaymentMethodOutcome => ({
  kind: 'decline', code, declineCode, message,
});

const TEST_METHODS: Record<string, TestMethod> = {
  pm_card_visa: { type: 'card', details: card('visa', '4242'), outcome: { kind: 'succeed' } },
  pm_card_visa_debit: { type: 'card', details: card('visa', '5556', 'debit'), outcome: { kind: 'succeed' } },
  pm_card_mastercard: { type: 'card', details: card('mastercard', '4444'), outcome: { kind: 'succeed' } },
  pm_card_amex: { type: 'card', details: card('amex', '8431'), outcome: { kind: 'succeed' } },
  // Stripe's test cards by funding and issuing country (what surcharge rules look at).
  pm_card_mastercard_prepaid: { type: 'card', details: card('mastercard', '5100', 'prepaid'), outcome: { kind: 'succeed' } },
  pm_card_us: { type: 'card', details: card('visa', '0000', 'credit', 'US'), outcome: { kind: 'succeed' } },
  pm_card_au: { type: 'card', details: card('visa', '0000', 'credit', 'AU'), outcome: { kind: 'succeed' } },
  pm_card_nz: { type: 'card', details: card('visa', '0008', 'credit', 'NZ'), outcome: { kind: 'succeed' } },
  pm_card_gb: { type: 'card', details: card('visa', '0002', 'credit', 'GB'), outcome: { kind: 'succeed' } },
  pm_card_de: { type: 'card', details: card('visa', '0016', 'credit', 'DE'), outcome: { kind: 'succeed' } },
  pm_card_refundFail: { type: 'card', details: card('visa', '5126'), outcome: { kind: 'succeed', refundFails: true } },
  pm_card_pendingRefund: { type: 'card', details: card('visa', '7726'), outcome: { kind: 'succeed', refundPending: true } },
  pm_card_chargeDeclined: {
    type: 'card', details: card('visa', '0002'), outcome: declined('generic_decline', 'Your card was declined.'),
  },
  pm_card_chargeDeclinedInsufficientFunds: {
    type: 'card', details: card('visa', '9995'), outcome: declined('insufficient_funds', 'Your card has insufficient funds.'),
  },
  pm_card_chargeDeclinedExpiredCard: {
    type: 'card', details: card('visa', '0069'), outcome: declined('expired_card', 'Your card has expired.', 'expired_card'),
  },
  pm_usBankAccount: {
    type: 'us_bank_account',
    details: {
      us_bank_account: { last4: '6789', bank_name: 'STRIPE TEST BANK', routing_number: '110000000', account_type: 'checking', account_holder_type: 'individual' },
    },
    outcome: { kind: 'process' },
  },
  pm_auBecsDebit: { type: 'au_becs_debit', details: { au_becs_debit: { last4: '3456', bsb_number: '000000' } }, outcome: { kind: 'process' } },
};

/** The test ids the emulator knows by name; any other `pm_card_…` is a card that succeeds. */
export const KNOWN_TEST_PAYMENT_METHODS = Object.keys(TEST_METHODS);

export function isTestPaymentMethodId(id: string): boolean {
  return id in TEST_METHODS || /^pm_card_[A-Za-z0-9_]+$/.test(id);
}

/** A fresh payment method for a test id, and how confirming with it turns out. */
export function materialize(testId: string): { pm: StripePaymentMethod; outcome: PaymentMethodOutcome } {
  const method = TEST_METHODS[testId] ?? { type: 'card', details: card('visa', '4242'), outcome: { kind: 'succeed' } };
  const pm: StripePaymentMethod = {
    id: newId('pm'),
    object: 'payment_method',
    created: nowSeconds(),
    livemode: false,
    type: method.type,
    customer: null,
    billing_details: { address: null, email: null, name: null, phone: null },
    ...structuredClone(method.details),
    metadata: {},
  };
  return { pm, outcome: method.outcome };
}

/** Currencies a bank debit can be taken in (cards take any). */
export const DEBIT_CURRENCIES: Partial<Record<PaymentMethodType, string>> = { us_bank_account: 'usd', au_becs_debit: 'aud' };
