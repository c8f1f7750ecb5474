// The mail relay's one activity: send what is due in the outbox, a row at a time, and say when the next row is due.
// It takes no addresses or bodies as input and returns only counts: those stay sealed in Postgres, out of workflow
// histories and logs (rows are named by id).
import { Context } from '@temporalio/activity';
import type { Db } from '../../db/database';
import { postMerchantMessage } from '../../db/messages';
import { nextDueInMs, sendNextDueEmail } from '../../db/outbox';
import type { Keyring } from '../../lib/crypto/sealed-box';
import type { Logger } from '../../lib/logger';
import type { MailSender } from '../../lib/mail/transport';

export interface MailActivityDeps {
  db: Db;
  keyring: Keyring;
  /** Absent when SMTP_URL is unset: emails then stay in the outbox (see README, "Email"). */
  mail?: MailSender;
  log?: Logger;
}

export interface RelayResult {
  sent: number;
  failed: number;
  /** Rows put back with a delay (4xx, server unreachable). */
  deferred: number;
  /** When the next pending row is due (0: at once); null when the outbox has nothing pending. */
  nextDueInMs: number | null;
}

const TEMPLATE_NAMES: Record<string, string> = {
  welcome: 'payer welcome (set-password link)',
  'prepayment-processed': 'Prepayment Processed Successfully',
  'auto-payment-failed': 'automatic payment failed',
  'payment-receipt': 'payment receipt',
  'payment-declined': 'payment declined',
  'accounting-reconnect': 'accounting connection needs reconnecting',
  'refund-confirmation': 'refund confirmation',
  'invoice-reminder': 'invoice reminder',
};

export function createMailActivities({ db, keyring, mail, log }: MailActivityDeps) {
  return {
    async relayOutboxEmails(input: { max: number }): Promise<RelayResult> {
      // Retryable on purpose: a relay that reached a worker without SMTP waits for one that has it.
      if (!mail) throw new Error('this worker has no SMTP_URL: it cannot send the outbox');
      const result: RelayResult = { sent: 0, failed: 0, deferred: 0, nextDueInMs: null };
      for (let i = 0; i < input.max; i++) {
        const done = await sendNextDueEmail(db, keyring, (email) => mail.send(email), async (trx, email, error) => {
          await postMerchantMessage(trx, { merchantId: email.merchantId, kind: 'email-failed',
            text: `An email could not be delivered and will not be retried: ${TEMPLATE_NAMES[email.template] ?? email.template} (${email.id}). The mail server answered: ${error}` });
        });
        if (!done) break;
        Context.current().heartbeat(i);
        log?.info({ emailId: done.id, outcome: done.outcome.kind }, 'mail relay: email handled');
        if (done.outcome.kind === 'sent') result.sent++;
        else if (done.outcome.kind === 'failed') result.failed++;
        else {
          result.deferred++;
          // The server is down or busy: the other rows would get the same answer now. Stop this pass.
          break;
        }
      }
      result.nextDueInMs = await nextDueInMs(db);
      return result;
    },
  };
}
