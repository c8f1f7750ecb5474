// Writes a payment to Postgres. Idempotent: a retried or replayed activity finds its row already there. A payment a
// payer made (Pay Now for invoices, an automatic payment) gets its receipt email in the same transaction.
import type { Db } from '../../db/database';
import type { MailWaker } from '../../lib/mail/relay';
import type { PaymentInput } from '../../workflows/payments/definitions';
import type { PayerEmails } from '../notifications/payer-emails';

export interface RecordPaymentInput extends PaymentInput {
  workflowId: string;
}

export function createRecordPayment(db: Db, emails: PayerEmails, wakeMail: MailWaker) {
  return async function recordPayment(input: RecordPaymentInput): Promise<{ recordedAt: string }> {
    const { recordedAt, emailed } = await db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('payments')
        .values({
          id: input.paymentId,
          merchant_id: input.merchantId,
          amount_minor: input.amountMinor,
          currency: input.currency,
          reference: input.reference,
          workflow_id: input.workflowId,
          status: 'recorded',
          recorded_at: new Date(),
          channel: input.channel,
          method: input.method,
          applications: JSON.stringify(input.applications ?? []),
          paid_on: input.paidOn ?? null,
          payer_id: input.payerId ?? null,
          stripe_payment_intent_id: input.stripePaymentIntentId ?? null,
        })
        // The first attempt's row stands; a retry only reads it back.
        .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ recorded_at: eb.ref('payments.recorded_at') })))
        .returning('recorded_at')
        .executeTakeFirstOrThrow();
      const at = row.recorded_at!;
      const sent = input.payerId && input.method
        ? await emails.paymentReceipt(trx, { paymentId: input.paymentId, merchantId: input.merchantId, payerId: input.payerId, amountMinor: input.amountMinor,
          currency: input.currency, method: input.method, applications: input.applications ?? [], paidOn: input.paidOn ?? at.toISOString().slice(0, 10) })
        : false;
      return { recordedAt: at, emailed: sent };
    });
    if (emailed) wakeMail();
    return { recordedAt: recordedAt.toISOString() };
  };
}
