// Payment sync back: the payments and credit allocations applied in the accounting package to invoices Settle synced
// (by Settle — a quote's credit note on its downpayment invoice — or by hand in Xero or QuickBooks) are recorded on the
// Manage invoices, lowering their balance. Each is recognised by its accounting id: recorded in Postgres once carried,
// and looked for on the Manage invoice (its transactionId) before posting, so a crash between Manage's write and ours
// never carries it twice.
import { ManageApiError } from '../connectwise/client';
import { manageType, newSettlements } from '../../lib/invoice-sync/payments';
import { minorToDecimal } from '../../lib/invoice-sync/mapping';
import type { Settlement } from '../accounting/platform';
import { manageKey } from './batch';
import { manageOf, type InvoiceSyncActivityDeps } from './deps';

/** Synced invoices checked per activity: a crash repeats at most this many reads. */
export const PAYMENT_CHUNK = 25;

export function createPaymentSyncActivities(deps: InvoiceSyncActivityDeps) {
  const { db } = deps;
  return {
    async carryPaymentsBack(input: { merchantId: string; afterInvoiceId: number }): Promise<{ checked: number; carried: number; failed: number; next: number | null }> {
      const { merchantId } = input;
      const rows = await db.selectFrom('invoice_sync_records').select(['manage_invoice_id', 'accounting_id', 'total_minor', 'carried_back_minor'])
        .where('merchant_id', '=', merchantId).where('status', '=', 'posted').where('kind', '=', 'invoice').where('accounting_id', 'is not', null)
        .whereRef('carried_back_minor', '<', 'total_minor').where('manage_invoice_id', '>', input.afterInvoiceId)
        .orderBy('manage_invoice_id').limit(PAYMENT_CHUNK).execute();
      if (!rows.length) return { checked: 0, carried: 0, failed: 0, next: null };
      const settled = new Map<number, Settlement[]>();
      await deps.accounting.onConnection(merchantId, async (call) => {
        for (const row of rows) settled.set(row.manage_invoice_id, await call((p) => p.listInvoiceSettlements(row.accounting_id!)));
      });
      const manage = await manageOf(deps, merchantId);
      let carried = 0;
      let failed = 0;
      for (const row of rows) {
        const done = await db.selectFrom('invoice_sync_payments').select('accounting_id').where('merchant_id', '=', merchantId)
          .where('manage_invoice_id', '=', row.manage_invoice_id).where('status', '=', 'carried').execute();
        const fresh = newSettlements(settled.get(row.manage_invoice_id) ?? [], new Set(done.map((d) => d.accounting_id)));
        if (!fresh.length) continue;
        const inManage = await manage.invoices.payments(row.manage_invoice_id);
        for (const s of fresh) {
          let managePaymentId = inManage.find((p) => p.transactionId === s.id)?.id ?? null;
          let error: string | null = null;
          if (managePaymentId === null) {
            try {
              managePaymentId = (await manage.invoices.addPayment(row.manage_invoice_id, { type: manageType(s.kind), amount: minorToDecimal(s.amountMinor),
                paymentDate: s.date, transactionId: s.id }, manageKey(merchantId, `payment-${row.manage_invoice_id}-${s.id}`))).id;
            } catch (err) {
              // Manage refused it (more than its balance, say): recorded, and tried again on the next sync.
              if (!(err instanceof ManageApiError) || err.status !== 400) throw err;
              error = err.message;
            }
          }
          const values = { kind: s.kind, amount_minor: s.amountMinor, paid_on: s.date, manage_payment_id: managePaymentId, status: error ? 'failed' as const : 'carried' as const, error };
          await db.insertInto('invoice_sync_payments').values({ merchant_id: merchantId, accounting_id: s.id, manage_invoice_id: row.manage_invoice_id, ...values })
            .onConflict((oc) => oc.columns(['merchant_id', 'accounting_id', 'manage_invoice_id']).doUpdateSet(values)).execute();
          if (error) failed++;
          else carried++;
        }
        const total = await db.selectFrom('invoice_sync_payments').select((eb) => eb.fn.coalesce(eb.fn.sum<string>('amount_minor'), eb.lit(0)).as('sum'))
          .where('merchant_id', '=', merchantId).where('manage_invoice_id', '=', row.manage_invoice_id).where('status', '=', 'carried').executeTakeFirstOrThrow();
        await db.updateTable('invoice_sync_records').set({ carried_back_minor: Number(total.sum), updated_at: new Date() })
          .where('merchant_id', '=', merchantId).where('manage_invoice_id', '=', row.manage_invoice_id).execute();
      }
      return { checked: rows.length, carried, failed, next: rows.length < PAYMENT_CHUNK ? null : rows[rows.length - 1].manage_invoice_id };
    },
  };
}
