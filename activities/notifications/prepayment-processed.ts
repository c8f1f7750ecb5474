// The "Prepayment Processed Successfully" event notification: a webhook signed with the merchant's secret and an
// email in the outbox, for merchants who subscribed. The event id derives from the quote payment, so a retried
// activity sends the same event (receivers dedupe on it) and puts the email in once. The event carries ids,
// amounts and links, never the payer's personal data.
import { ApplicationFailure } from '@temporalio/common';
import { enqueueEmail } from '../../db/outbox';
import { findQuotePayment } from '../../db/quote-payments';
import { open } from '../../lib/crypto/sealed-box';
import { SIGNATURE_HEADER, signWebhook } from '../../lib/crypto/webhook-signature';
import { derivedId } from '../../lib/ids';
import { prepaymentProcessedTemplate } from '../../lib/mail/templates';
import { formatAmount, type Currency } from '../../lib/money';
import type { QuoteActivityDeps } from '../quotes/deps';

export const PREPAYMENT_PROCESSED = 'prepayment.processed';
const DELIVERY_TIMEOUT_MS = 10_000;

export function createNotificationActivities({ db, keyring, wakeMail }: Pick<QuoteActivityDeps, 'db' | 'keyring' | 'wakeMail'>) {
  return {
    /** `attempt`: a quote paid again after a returned debit is a new event (the first one was about the returned money). */
    async notifyPrepaymentProcessed(input: { merchantId: string; quotePaymentId: string; attempt?: number }): Promise<{ webhook: boolean; email: boolean }> {
      const subscription = await db.selectFrom('notification_subscriptions').selectAll()
        .where('merchant_id', '=', input.merchantId).where('event', '=', PREPAYMENT_PROCESSED).executeTakeFirst();
      if (!subscription) return { webhook: false, email: false };
      const quote = await findQuotePayment(db, input.quotePaymentId);
      if (!quote) throw ApplicationFailure.nonRetryable(`no quote payment ${input.quotePaymentId}`, 'UnknownQuotePayment');
      const eventId = derivedId('evt', PREPAYMENT_PROCESSED, quote.id, String(input.attempt ?? 1));
      const amount = formatAmount(quote.amount_minor, quote.currency as Currency);
      const event = {
        id: eventId, type: PREPAYMENT_PROCESSED, created: (quote.paid_at ?? new Date()).toISOString(),
        data: { quotePaymentId: quote.id, quoteId: quote.quote_id, revision: quote.revision, amount, currency: quote.currency,
          method: quote.method, creditNote: { id: quote.credit_note_id, url: quote.credit_note_url }, invoice: { id: quote.invoice_id, url: quote.invoice_url } },
      };

      if (subscription.email_sealed) {
        const written = await enqueueEmail(db, keyring, { merchantId: input.merchantId, template: 'prepayment-processed', dedupeKey: `${eventId}:email`, message: {
          to: open(keyring, subscription.email_sealed, subscription.id),
          ...prepaymentProcessedTemplate({ quoteId: quote.quote_id, amount, currency: quote.currency, creditNoteUrl: quote.credit_note_url }),
        } });
        if (written) wakeMail();
      }
      if (subscription.webhook_url) {
        const body = JSON.stringify(event);
        const deliveryId = derivedId('whd', eventId, subscription.webhook_url);
        await db.insertInto('webhook_deliveries').values({ id: deliveryId, merchant_id: input.merchantId, event: PREPAYMENT_PROCESSED, url: subscription.webhook_url })
          .onConflict((oc) => oc.column('id').doNothing()).execute();
        let status = 0;
        try {
          const response = await fetch(subscription.webhook_url, {
            method: 'POST', body, signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
            headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signWebhook(open(keyring, subscription.secret_sealed, subscription.id), body) },
          });
          status = response.status;
        } finally {
          await db.updateTable('webhook_deliveries')
            .set((eb) => ({ attempts: eb('attempts', '+', 1), last_status: status || null, ...(status >= 200 && status < 300 ? { delivered_at: new Date() } : {}) }))
            .where('id', '=', deliveryId).execute();
        }
        // Anything but 2xx is retried by Temporal with backoff, with the same event id.
        if (status < 200 || status >= 300) throw new Error(`webhook answered ${status}`);
      }
      return { webhook: Boolean(subscription.webhook_url), email: Boolean(subscription.email_sealed) };
    },
  };
}
