// What a bank-debit settlement does outside its workflow: find outcomes Stripe reported before the workflow
// started (Postgres recorded them), take a credit note back out of the books, and log what happened.
import { recordActivity, type ActivityEntry } from '../../db/activity-log';
import { merchantAccount } from '../stripe/connected-account';
import type { QuoteActivityDeps } from './deps';
import { outcomeOf } from './stripe-intents';

export interface RecordedDebitEvents {
  outcome?: { outcome: 'succeeded' | 'failed'; failure?: string; eventId: string };
  returned?: { reason: string; eventId: string };
}

export function createSettlementActivities({ db, stripe, accounting }: QuoteActivityDeps) {
  const { onConnection, keyOf } = accounting;
  return {
    /** Events for this payment that arrived before its settlement workflow ran, first outcome first. */
    async recordedDebitEvents(input: { merchantId: string; paymentIntentId: string }): Promise<RecordedDebitEvents> {
      const events = await db.selectFrom('stripe_events').select(['id', 'type']).where('merchant_id', '=', input.merchantId)
        .where('payment_intent_id', '=', input.paymentIntentId).orderBy('created').orderBy('received_at').execute();
      const result: RecordedDebitEvents = {};
      for (const e of events) {
        if (!result.outcome && e.type === 'payment_intent.succeeded') result.outcome = { outcome: 'succeeded', eventId: e.id };
        if (!result.outcome && e.type === 'payment_intent.payment_failed') result.outcome = { outcome: 'failed', eventId: e.id };
        if (!result.returned && e.type === 'charge.dispute.created') result.returned = { reason: 'disputed', eventId: e.id };
      }
      // The event row keeps no message; Stripe still has the payment's last error.
      if (result.outcome?.outcome === 'failed') {
        const account = await merchantAccount(db, input.merchantId);
        result.outcome.failure = outcomeOf(await stripe.paymentIntents.retrieve(input.paymentIntentId, {}, account.options())).failure;
      }
      return result;
    },

    /**
     * Takes a quote's credit note back out of the books: a draft is deleted; an approved one is voided, after its
     * allocations are removed (so a downpayment invoice it paid is outstanding again). Already gone: nothing to do.
     */
    async withdrawCreditNote(input: { merchantId: string; creditNoteId: string }): Promise<'deleted' | 'voided' | 'already-gone'> {
      return onConnection(input.merchantId, async (call) => {
        const note = await call((p) => p.getCreditNote(input.creditNoteId));
        if (!note || note.status === 'voided' || note.status === 'deleted') return 'already-gone';
        if (note.status === 'draft' || note.status === 'submitted') {
          await call((p) => p.deleteCreditNote(input.creditNoteId));
          return 'deleted';
        }
        if (note.remainingMinor < note.totalMinor) await call((p) => p.removeCreditNoteAllocations(input.creditNoteId));
        await call((p) => p.voidCreditNote(input.creditNoteId, keyOf(`void-credit-note-${input.creditNoteId}`)));
        return 'voided';
      });
    },

    async recordActivity(input: ActivityEntry & { dedupe?: string }): Promise<void> {
      await recordActivity(db, input, input.dedupe);
    },
  };
}
