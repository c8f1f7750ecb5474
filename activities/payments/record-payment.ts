// Writes a payment to Postgres. Idempotent: a retried or replayed activity finds its row already there.
import type { Db } from '../../db/database';

export interface RecordPaymentInput {
  paymentId: string;
  merchantId: string;
  amountMinor: number;
  currency: string;
  reference: string;
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
      })
      // The first attempt's row stands; a retry only reads it back.
      .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ recorded_at: eb.ref('payments.recorded_at') })))
      .returning('recorded_at')
      .executeTakeFirstOrThrow();
    return { recordedAt: row.recorded_at!.toISOString() };
  };
}
