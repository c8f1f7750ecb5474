// The accounts a merchant's Stripe money moves through in its books (clearing, bank, fees; see
// activities/accounting/payout-accounts.ts). `GET /v1/integrations/stripe/payout-accounts` shows each role's account
// (the merchant's choice, or the default the connected organisation gives it) with its name and type from the chart;
// `PUT` sets roles (null: back to the default) after checking them against the chart (lib/payments/payout-account-rules.ts),
// answering 422 problem+json when an account does not exist or cannot serve its role. The chart is read by a short
// workflow (platform calls run in activities, on the merchant's connection and rate budget).
import { WorkflowFailedError } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ConnectionUnavailable } from '../../activities/accounting/connections';
import type { ChartOfAccounts } from '../../activities/payouts/chart';
import { payoutAccountSettings } from '../../activities/accounting/payout-accounts';
import { findStripeAccount } from '../../db/stripe-accounts';
import { checkPayoutAccounts, defaultPayoutAccounts, PAYOUT_ACCOUNT_ROLES, type PayoutAccountRole } from '../../lib/payments/payout-account-rules';
import { taskQueueName } from '../../lib/task-queues';
import { chartOfAccountsWorkflow } from '../../workflows/payouts/chart-of-accounts-workflow';
import type { ApiDeps } from '../deps';
import { ProblemError } from '../problem';
import { defineRoute, type RouteSpec } from '../routing';

const accountView = z.object({
  id: z.string().nullable().describe('Xero: the account code; QuickBooks: the Account id. Null when nothing in the chart fits and none was chosen'),
  name: z.string().nullable(),
  type: z.string().nullable().describe("The platform's account type"),
  source: z.enum(['setting', 'default']).describe("The merchant's choice, or the organisation's default for the role"),
});
const payoutAccountsView = z.object({
  platform: z.enum(['xero', 'quickbooks']),
  clearing: accountView.describe('Card payments are received into it and refunds paid from it; each payout empties it'),
  bank: accountView.describe('Where payouts land'),
  fees: accountView.describe("Stripe's fees (an expense)"),
});
type PayoutAccountsView = z.infer<typeof payoutAccountsView>;

const accountId = z.string().regex(/^[A-Za-z0-9._-]{1,32}$/, 'must be an account code (Xero) or Account id (QuickBooks): letters, digits, . _ -');

export function payoutAccountRoutes(deps: ApiDeps): RouteSpec[] {
  async function readChart(merchantId: string): Promise<ChartOfAccounts> {
    // No usable connection: say so at once (409) rather than wait for the workflow to give up.
    try {
      await deps.accounting.connections.resolve(merchantId, 'wise-pay');
    } catch (err) {
      if (!(err instanceof ConnectionUnavailable)) throw err;
      throw new ProblemError('conflict', `the merchant's books are ${err.reason === 'not-connected' ? 'not connected' : err.reason.replace(/_/g, ' ')}: connect them first (the payout accounts are read from their chart of accounts)`);
    }
    try {
      return await deps.temporal.workflow.execute(chartOfAccountsWorkflow, {
        workflowId: `chart-of-accounts/${merchantId}/${randomUUID()}`, taskQueue: taskQueueName(deps.taskQueuePrefix, 'workflows'),
        args: [{ merchantId }], workflowExecutionTimeout: '45 seconds',
      });
    } catch (err) {
      if (!(err instanceof WorkflowFailedError)) throw err;
      let cause: Error | undefined = err.cause;
      while (cause?.cause) cause = cause.cause as Error;
      throw new ProblemError('books-unavailable', `the connected organisation's chart of accounts could not be read: ${cause?.message ?? err.message}`);
    }
  }

  async function view(merchantId: string, chart: ChartOfAccounts): Promise<PayoutAccountsView> {
    const settings = await payoutAccountSettings(deps.db, merchantId);
    const accounts = defaultPayoutAccounts(chart.platform, chart.accounts, settings);
    const one = (role: PayoutAccountRole) => {
      const id = accounts[role] ?? null;
      const found = chart.accounts.find((a) => a.id === id);
      return { id, name: found?.name ?? null, type: found?.type ?? null, source: settings[role] ? ('setting' as const) : ('default' as const) };
    };
    return { platform: chart.platform, clearing: one('clearing'), bank: one('bank'), fees: one('fees') };
  }

  const responses = {
    200: { description: "Each role's account", schema: payoutAccountsView },
    409: { description: 'The books are not connected (or need reconnecting), or (PUT) the merchant has no Stripe connected account yet' },
    503: { description: 'The connected organisation could not be read (problem+json books-unavailable)' },
  };

  return [
    defineRoute({
      method: 'get', path: '/v1/integrations/stripe/payout-accounts', operationId: 'getPayoutAccounts', tag: 'integrations', auth: 'merchant',
      summary: 'The clearing, bank and fees accounts of Stripe payments, refunds and payouts in the books (chosen or the organisation\'s defaults)',
      responses,
      handler: async ({ state }) => ({ status: 200, body: await view(state.merchant.id, await readChart(state.merchant.id)) }),
    }),
    defineRoute({
      method: 'put', path: '/v1/integrations/stripe/payout-accounts', operationId: 'setPayoutAccounts', tag: 'integrations', auth: 'merchant',
      summary: 'Choose the clearing, bank and fees accounts (checked against the chart of accounts; null: back to the default)',
      body: z.object({ clearing: accountId.nullable().optional(), bank: accountId.nullable().optional(), fees: accountId.nullable().optional() }).strict(),
      responses: {
        ...responses,
        422: { description: 'An account is not in the chart, is of the wrong type, or the bank is the clearing account (problem+json payout-account-invalid)' },
      },
      handler: async ({ body, state }) => {
        const merchantId = state.merchant.id;
        if (!(await findStripeAccount(deps.db, merchantId))) {
          throw new ProblemError('conflict', 'the merchant has no Stripe account yet: create it first (POST /v1/integrations/stripe/account)');
        }
        const chart = await readChart(merchantId);
        const current = await payoutAccountSettings(deps.db, merchantId);
        const next = { ...current };
        for (const role of PAYOUT_ACCOUNT_ROLES) if (body[role] !== undefined) next[role] = body[role] ?? null;
        // Every chosen account (an earlier choice too: the chart may have changed since); unset roles take defaults
        // that fit by construction and never make the bank the clearing account.
        const problems = checkPayoutAccounts(chart.platform, chart.accounts, Object.fromEntries(PAYOUT_ACCOUNT_ROLES.filter((r) => next[r]).map((r) => [r, next[r]!])));
        if (problems.length) {
          throw new ProblemError('payout-account-invalid', problems.map((p) => p.message).join('; '), { problems: problems.map(({ role, id, problem, message }) => ({ role, id, problem, message })) });
        }
        await deps.db.updateTable('merchant_stripe_accounts')
          .set({ clearing_account: next.clearing, bank_account: next.bank, fees_account: next.fees, updated_at: new Date() })
          .where('merchant_id', '=', merchantId).execute();
        return { status: 200, body: await view(merchantId, chart) };
      },
    }),
  ];
}
