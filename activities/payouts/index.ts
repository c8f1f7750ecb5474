// Payouts of a merchant's connected account reconciled in its books. readPayout lists what the payout carried
// (GET /v1/balance_transactions?payout=, every page, on the merchant's account) and sums it into deposit lines
// (lib/stripe/payout-lines.ts, which refuses transactions that do not add up to the payout); postPayoutDeposit
// posts them once, in the platform's idiom, through the merchant's clearing, bank and fees accounts.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type Stripe from 'stripe';
import { recordActivity } from '../../db/activity-log';
import type { Db } from '../../db/database';
import type { PayoutsTable } from '../../db/schema';
import { derivedId } from '../../lib/ids';
import type { Updateable } from 'kysely';
import { formatAmount, type Currency } from '../../lib/money';
import { payoutDepositLines, type DepositLine } from '../../lib/stripe/payout-lines';
import type { accountingRunner } from '../accounting';
import { payoutAccountsOf } from '../accounting/payout-accounts';
import type { PostedRecord } from '../accounting/platform';
import { merchantAccount } from '../stripe/connected-account';

export interface PayoutDeps {
  db: Db;
  stripe: Stripe;
  accounting: ReturnType<typeof accountingRunner>;
}

export interface PayoutRead {
  amountMinor: number;
  /** ISO, upper case (Stripe's is lower case). */
  currency: string;
  /** The day it arrived, YYYY-MM-DD. */
  date: string;
  lines: DepositLine[];
}

/** The payout's id in Settle: derived from the merchant and Stripe's id, so every writer names the same row. */
export const payoutRowId = (merchantId: string, stripePayoutId: string) => derivedId('po', merchantId, stripePayoutId);

const LINE_WORDS: Record<DepositLine['kind'], string> = { payments: 'Card payments', refunds: 'Refunds', fees: 'Stripe fees', other: 'Other Stripe adjustments' };

export function createPayoutActivities(deps: PayoutDeps) {
  const { db, stripe, accounting: { onConnection, keyOf } } = deps;

  async function markPayout(ref: { merchantId: string; payoutId: string }, set: Updateable<PayoutsTable>) {
    await db.updateTable('payouts').set({ ...set, updated_at: new Date() }).where('merchant_id', '=', ref.merchantId).where('stripe_payout_id', '=', ref.payoutId).execute();
  }

  return {
    async readPayout(input: { merchantId: string; payoutId: string }): Promise<PayoutRead> {
      const account = await merchantAccount(db, input.merchantId);
      if (!account.accountId) throw ApplicationFailure.nonRetryable(`merchant ${input.merchantId} has no connected account`, 'NoConnectedAccount');
      const payout = await stripe.payouts.retrieve(input.payoutId, {}, account.options());
      // The payout's row (GET /v1/payouts): written once, whichever attempt or second payout.paid gets here first.
      await db.insertInto('payouts').values({
        id: payoutRowId(input.merchantId, payout.id), merchant_id: input.merchantId, stripe_payout_id: payout.id, amount_minor: payout.amount,
        currency: payout.currency.toUpperCase(), arrival_date: new Date(payout.arrival_date * 1000).toISOString().slice(0, 10),
      }).onConflict((oc) => oc.columns(['merchant_id', 'stripe_payout_id']).doNothing()).execute();
      const transactions: Stripe.BalanceTransaction[] = [];
      for await (const txn of stripe.balanceTransactions.list({ payout: payout.id, limit: 100 }, account.options())) {
        transactions.push(txn);
        if (transactions.length % 100 === 0) Context.current().heartbeat(transactions.length);
      }
      let lines: DepositLine[];
      try {
        lines = payoutDepositLines(payout.amount, payout.currency, transactions.map((t) => ({ id: t.id, type: t.type, amount: t.amount, fee: t.fee, net: t.net, currency: t.currency })));
      } catch (err) {
        await markPayout(input, { books_status: 'failed', books_failure: (err as Error).message });
        throw ApplicationFailure.nonRetryable(`payout ${payout.id}: ${(err as Error).message}`, 'PayoutDoesNotAddUp');
      }
      return { amountMinor: payout.amount, currency: payout.currency.toUpperCase(), date: new Date(payout.arrival_date * 1000).toISOString().slice(0, 10), lines };
    },

    async postPayoutDeposit(input: { merchantId: string; payoutId: string } & PayoutRead): Promise<{ status: 'posted'; records: PostedRecord[] }> {
      const key = keyOf('payout-deposit');
      const fees = -(input.lines.find((l) => l.kind === 'fees')?.amountMinor ?? 0);
      let records: PostedRecord[];
      try {
        records = await onConnection(input.merchantId, async (call, connection) => {
          const accounts = await payoutAccountsOf(db, input.merchantId, connection.platform, call);
          return call((p) => p.createPayoutDeposit({
            currency: input.currency, date: input.date, reference: `Stripe payout ${input.payoutId}`,
            clearingAccount: accounts.clearing, bankAccount: accounts.bank, feesAccount: accounts.fees,
            clearingLines: input.lines.filter((l) => l.kind !== 'fees').map((l) => ({ description: `${LINE_WORDS[l.kind]} (${l.count})`, amountMinor: l.amountMinor })),
            feesMinor: fees,
          }, key));
        });
      } catch (err) {
        // Refused for good (no account fits a role, say): the payout's row says so; retries leave it pending.
        if (err instanceof ApplicationFailure && err.nonRetryable) await markPayout(input, { books_status: 'failed', books_failure: err.message });
        throw err;
      }
      await markPayout(input, { books_status: 'posted', books_records: JSON.stringify(records), books_failure: null });
      await recordActivity(db, { merchantId: input.merchantId, kind: 'payout-deposited', subject: input.payoutId,
        detail: `${formatAmount(input.amountMinor, input.currency as Currency)} ${input.currency}: ${records.map((r) => `${r.kind} ${r.id}`).join(', ')}` });
      return { status: 'posted', records };
    },
  };
}
