// "Download latest accounting platform data": refreshes Settle's copy of the merchant's outstanding invoices from
// the accounting package on the wise-pay connection (a user action), one page per activity so the workflow can
// show progress; then re-reads each copied invoice the refresh did not see (paid or voided since) by id.
import type { Db } from '../../db/database';
import type { accountingRunner } from '../accounting';
import type { ReminderStopper } from '../reminders/stop-reminders';
import { saveInvoiceCopies } from './invoice-copies';

export function createRefreshActivities({ db, accounting, stopReminders }: { db: Db; accounting: ReturnType<typeof accountingRunner>; stopReminders: ReminderStopper }) {
  const { onConnection } = accounting;
  return {
    async refreshInvoicePage(input: { merchantId: string; page: number }): Promise<{ invoices: number; nextPage?: number }> {
      const result = await onConnection(input.merchantId, (call) => call((p) => p.listInvoices({ outstandingOnly: true, page: input.page })));
      await stopReminders(input.merchantId, await saveInvoiceCopies(db, input.merchantId, result.invoices));
      return { invoices: result.invoices.length, nextPage: result.nextPage };
    },

    /** Copies still outstanding that this refresh (started at `since`) did not see: read each again. */
    async refreshUnseenInvoices(input: { merchantId: string; since: string }): Promise<number> {
      const stale = await db.selectFrom('accounting_invoices').select('id').where('merchant_id', '=', input.merchantId)
        .where('amount_due_minor', '>', 0).where('refreshed_at', '<', new Date(input.since)).execute();
      if (!stale.length) return 0;
      await onConnection(input.merchantId, async (call) => {
        for (const { id } of stale) {
          const invoice = await call((p) => p.getInvoice(id));
          if (invoice) await stopReminders(input.merchantId, await saveInvoiceCopies(db, input.merchantId, [invoice]));
          else {
            // Gone from the books: nothing is owed on it any more.
            await db.updateTable('accounting_invoices').set({ status: 'deleted', amount_due_minor: 0, refreshed_at: new Date() })
              .where('merchant_id', '=', input.merchantId).where('id', '=', id).execute();
            await stopReminders(input.merchantId, [id]);
          }
        }
      });
      return stale.length;
    },
  };
}
