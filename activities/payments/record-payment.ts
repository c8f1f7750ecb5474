// Writes a payment to Postgres. Idempotent: a retried or replayed activity finds its row already there.
import type { Db } from '../../db/database';
import type { PaymentInput } from '../../workflows/payments/definitions';

export interface RecordPaymentInput extends PaymentInput {
  workflowId: string;
}

export function createRecordPayment(db: Db) {
  return async function recordPayment(input: RecordPaymentInput): Promise<{ recordedAt: string }> {
    const row = await db
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
      })
      // The first attempt's row stands; a retry only reads it back.
      .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ recorded_at: eb.ref('payments.recorded_at') })))
      .returning('recorded_at')
      .executeTakeFirstOrThrow();
    return { recordedAt: row.recorded_at!.toISOString() };
  };
}
