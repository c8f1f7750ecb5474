// Payouts of a merchant's connected account reconciled in its books. readPayout lists what the payout carried
// (GET /v1/balance_transactions?payout=, every page, on the merchant's account) and sums it into deposit lines
// (lib/stripe/payout-lines.ts, which refuses transactions that do not add up to the payout); postPayoutDeposit
// posts them once, in the platform's idiom, through the merchant's clearing, bank and fees accounts.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type Stripe from 'stripe';
import { recordActivity } from '../../db/activity-log';
import type { Db } from '../../db/database';
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

const LINE_WORDS: Record<DepositLine['kind'], string> = { payments: 'Card payments', refunds: 'Refunds', fees: 'Stripe fees', other: 'Other Stripe adjustments' };

export function createPayoutActivities(deps: PayoutDeps) {
  const { db, stripe, accounting: { onConnection, keyOf } } = deps;

  return {
    async readPayout(input: { merchantId: string; payoutId: string }): Promise<PayoutRead> {
      const account = await merchantAccount(db, input.merchantId);
      if (!account.accountId) throw ApplicationFailure.nonRetryable(`merchant ${input.merchantId} has no connected account`, 'NoConnectedAccount');
      const payout = await stripe.payouts.retrieve(input.payoutId, {}, account.options());
      const transactions: Stripe.BalanceTransaction[] = [];
      for await (const txn of stripe.balanceTransactions.list({ payout: payout.id, limit: 100 }, account.options())) {
        transactions.push(txn);
        if (transactions.length % 100 === 0) Context.current().heartbeat(transactions.length);
      }
      let lines: DepositLine[];
      try {
        lines = payoutDepositLines(payout.amount, payout.currency, transactions.map((t) => ({ id: t.id, type: t.type, amount: t.amount, fee: t.fee, net: t.net, currency: t.currency })));
      } catch (err) {
        throw ApplicationFailure.nonRetryable(`payout ${payout.id}: ${(err as Error).message}`, 'PayoutDoesNotAddUp');
      }
      return { amountMinor: payout.amount, currency: payout.currency.toUpperCase(), date: new Date(payout.arrival_date * 1000).toISOString().slice(0, 10), lines };
    },

    async postPayoutDeposit(input: { merchantId: string; payoutId: string } & PayoutRead): Promise<{ status: 'posted'; records: PostedRecord[] }> {
      const key = keyOf('payout-deposit');
      const fees = -(input.lines.find((l) => l.kind === 'fees')?.amountMinor ?? 0);
      const records = await onConnection(input.merchantId, async (call, connection) => {
        const accounts = await payoutAccountsOf(db, input.merchantId, connection.platform, call);
        return call((p) => p.createPayoutDeposit({
          currency: input.currency, date: input.date, reference: `Stripe payout ${input.payoutId}`,
          clearingAccount: accounts.clearing, bankAccount: accounts.bank, feesAccount: accounts.fees,
          clearingLines: input.lines.filter((l) => l.kind !== 'fees').map((l) => ({ description: `${LINE_WORDS[l.kind]} (${l.count})`, amountMinor: l.amountMinor })),
          feesMinor: fees,
        }, key));
      });
      await recordActivity(db, { merchantId: input.merchantId, kind: 'payout-deposited', subject: input.payoutId,
        detail: `${formatAmount(input.amountMinor, input.currency as Currency)} ${input.currency}: ${records.map((r) => `${r.kind} ${r.id}`).join(', ')}` });
      return { status: 'posted', records };
    },
  };
}
