// Posts a payment straight against the invoices it pays, on the connection of the queue it runs on (wise-pay: a
// payer's or merchant's action), and records whether, when and where it landed. Whether it is uploaded at all is
// the pure rule in lib/payments/upload-rules.ts. The key derives from the payment's workflow, so a retry after a
// worker died mid-call never posts twice.
import { raiseMerchantAction } from '../../db/actions';
import { recordActivity } from '../../db/activity-log';
import type { Db } from '../../db/database';
import type { PaymentSyncRecord } from '../../db/schema';
import { formatAmount, type Currency } from '../../lib/money';
import { uploadDecision } from '../../lib/payments/upload-rules';
import type { accountingRunner } from '../accounting';
import { DEFAULT_ACCOUNTS } from '../accounting/default-accounts';
import { payoutAccountsOf } from '../accounting/payout-accounts';
import type { PaymentSync } from '../../workflows/payments/definitions';


export function createUploadPayment(db: Db, accounting: ReturnType<typeof accountingRunner>) {
  const { onConnection, keyOf } = accounting;

  async function finish(paymentId: string, sync: PaymentSync): Promise<PaymentSync> {
    await db.updateTable('payments')
      .set({ sync_status: sync.status, sync_reason: sync.reason ?? null, synced_at: sync.syncedAt ? new Date(sync.syncedAt) : null, sync_records: JSON.stringify(sync.records) })
      .where('id', '=', paymentId).execute();
    return sync;
  }

  return async function uploadPayment(input: { merchantId: string; paymentId: string }): Promise<PaymentSync> {
    const payment = await db.selectFrom('payments').innerJoin('merchants', 'merchants.id', 'payments.merchant_id')
      .selectAll('payments').select('merchants.accounting_start_date')
      .where('payments.id', '=', input.paymentId).where('payments.merchant_id', '=', input.merchantId).executeTakeFirstOrThrow();
    // Already done by an earlier attempt that died before returning: the record stands.
    if (payment.sync_status !== 'pending') {
      return { status: payment.sync_status, reason: payment.sync_reason ?? undefined, syncedAt: payment.synced_at?.toISOString(), records: payment.sync_records };
    }
    const paidOn = payment.paid_on ?? (payment.recorded_at ?? payment.created_at).toISOString().slice(0, 10);
    const decision = uploadDecision({ channel: payment.channel, applications: payment.applications, paidOn }, payment.accounting_start_date);
    if (!decision.upload) return finish(payment.id, { status: 'not-uploaded', reason: decision.explanation, records: [] });

    const applications = payment.applications.filter((a) => a.amountMinor > 0);
    const currency = payment.currency as Currency;
    const outcome = await onConnection(input.merchantId, async (call, connection, link) => {
      // Money taken through Stripe waits in the merchant's clearing account until its payout is deposited (and a
      // refund is paid from there); anything else lands in the bank account as before.
      const accountCode = payment.stripe_payment_intent_id
        ? (await payoutAccountsOf(db, input.merchantId, connection.platform, call)).clearing
        : DEFAULT_ACCOUNTS[connection.platform].bank;
      const results = await call((p) => p.createPayments(applications.map((a) => ({
        invoiceId: a.invoiceId, amountMinor: a.amountMinor, date: paidOn, accountCode, reference: payment.reference,
      })), keyOf('payment-upload')));
      return results.map((r, i) => (r.ok
        ? { ...applications[i], accountingPaymentId: r.paymentId, url: link('invoice', applications[i].invoiceId), ...(r.invoiceNumber ? { invoiceNumber: r.invoiceNumber } : {}) }
        : { ...applications[i], refused: r.reason }));
    });
    const refused = outcome.filter((o): o is (typeof o & { refused: string }) => 'refused' in o);
    const records = outcome.filter((o): o is PaymentSyncRecord => 'accountingPaymentId' in o);
    const total = `${formatAmount(payment.amount_minor, currency)} ${currency}`;
    if (refused.length) {
      const why = refused.map((r) => `invoice ${r.invoiceId}: ${r.refused}`).join('; ');
      // The merchant fixes the invoice in the books or applies the payment by hand; Settle does not guess.
      await raiseMerchantAction(db, { merchantId: input.merchantId, kind: 'payment-upload-failed', subject: payment.id, detail: `payment ${payment.id} (${total}) was not accepted: ${why}` });
      await recordActivity(db, { merchantId: input.merchantId, kind: 'payment-upload-failed', subject: payment.id, detail: `${total}: ${why}` });
      return finish(payment.id, { status: 'failed', reason: why, records });
    }
    const syncedAt = new Date().toISOString();
    await recordActivity(db, { merchantId: input.merchantId, kind: 'payment-uploaded', subject: payment.id, detail: `${total}: ${records.map((r) => r.url).join(', ')}` });
    return finish(payment.id, { status: 'synced', syncedAt, records });
  };
}
