// The merchant's side of every Stripe call: the connected account it runs on (`stripeAccount`, Stripe-Account
// header) and, for writes, the caller's deterministic idempotency key. A new payment needs an account that takes
// charges (else a non-retryable StripeAccountNotReady: nothing is ever sent to the platform's own account). Reads and
// follow-ups (retrieve, cancel, refund) run on the merchant's account; a merchant with no connected account at all is
// one whose payments were taken before Connect, on the platform account, so those run there.
import { ApplicationFailure } from '@temporalio/common';
import type Stripe from 'stripe';
import type { Db } from '../../db/database';
import { findStripeAccount } from '../../db/stripe-accounts';
import { applicationFeeOf } from '../../lib/stripe/platform-fee';

export const STRIPE_ACCOUNT_NOT_READY = 'StripeAccountNotReady';

export interface MerchantStripe {
  /** The connected account (undefined only for a merchant from before Connect, on reads). */
  accountId: string | undefined;
  /** Request options: the account, and the idempotency key of a write. */
  options(idempotencyKey?: string): Stripe.RequestOptions;
  /** `application_fee_amount` for a payment of this amount, when the merchant pays the platform a fee. */
  applicationFee(amountMinor: number): { application_fee_amount?: number };
}

function merchantStripe(accountId: string | undefined, feeBps: number): MerchantStripe {
  return {
    accountId,
    options: (idempotencyKey) => ({ ...(accountId ? { stripeAccount: accountId } : {}), ...(idempotencyKey ? { idempotencyKey } : {}) }),
    applicationFee: (amountMinor) => {
      const fee = applicationFeeOf(amountMinor, feeBps);
      return fee === undefined ? {} : { application_fee_amount: fee };
    },
  };
}

/** For a new payment or saved method: the merchant's account, which must take charges. */
export async function chargingAccount(db: Db, merchantId: string): Promise<MerchantStripe> {
  const row = await findStripeAccount(db, merchantId);
  if (!row?.charges_enabled) {
    throw ApplicationFailure.nonRetryable(
      row ? `the merchant's Stripe account ${row.account_id} cannot take charges yet (onboarding is not complete)` : 'the merchant has no Stripe account yet',
      STRIPE_ACCOUNT_NOT_READY);
  }
  return merchantStripe(row.account_id, row.platform_fee_bps);
}

/** For reading or acting on what a payment made: the merchant's account (the platform's for a merchant from before Connect). */
export async function merchantAccount(db: Db, merchantId: string): Promise<MerchantStripe> {
  const row = await findStripeAccount(db, merchantId);
  return merchantStripe(row?.account_id, row?.platform_fee_bps ?? 0);
}
