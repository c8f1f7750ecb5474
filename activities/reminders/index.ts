// Reminder emails for outstanding invoices. The daily run finds, from Settle's copy of the books, the invoices of
// merchants with reminders on that still have a step ahead; each invoice's workflow then asks `sendInvoiceReminder`
// at each step, which reads the invoice from the books right then (paid by hand in the books, voided, or paid in
// Settle: no reminder) and writes the emails to the outbox with a key per invoice, step and payer, so a retried
// activity, a second run or a restarted worker sends a step once. Only ids and counts leave these activities (the
// payers' addresses stay sealed in Postgres, out of workflow histories).
import type { Db } from '../../db/database';
import { enqueueEmail } from '../../db/outbox';
import { payerDetails } from '../../db/payers';
import type { Keyring } from '../../lib/crypto/sealed-box';
import type { MailWaker } from '../../lib/mail/relay';
import { invoiceReminderTemplate } from '../../lib/mail/templates';
import { formatAmount, type Currency } from '../../lib/money';
import { invoicesPayNowUrl } from '../../lib/pay-now-links';
import { optOutToken, optOutUrl } from '../../lib/reminders/opt-out-token';
import { dayIn, decideReminder, reminderEmailKey, stepsAhead, type ReminderDecision } from '../../lib/reminders/rules';
import type { accountingRunner } from '../accounting';
import { saveInvoiceCopies } from '../accounting-data/invoice-copies';

export interface ReminderDeps {
  db: Db;
  keyring: Keyring;
  accounting: ReturnType<typeof accountingRunner>;
  /** SETTLE_PUBLIC_URL, read per email (tests learn the API's port late). */
  publicUrl: () => string;
  wakeMail: MailWaker;
}

/** An invoice the daily run starts reminders for: its schedule is the merchant's as it stands that day. */
export interface ReminderCandidate {
  merchantId: string;
  invoiceId: string;
  dueDate: string;
  timezone: string;
  offsets: number[];
}

export type ReminderOutcome = ReminderDecision & { emails?: number };

export function createReminderActivities({ db, keyring, accounting, publicUrl, wakeMail }: ReminderDeps) {
  return {
    /**
     * The outstanding invoices (Settle's copy, refreshed by the invoice sync and accounting refresh) of merchants with
     * reminders on, with at least one step on or after today in the merchant's time zone (`nowMs`: workflow time).
     */
    async findReminderCandidates(input: { nowMs: number; merchantId?: string }): Promise<ReminderCandidate[]> {
      let merchants = db.selectFrom('merchants').select(['id', 'timezone', 'reminder_offsets']).where('reminders_enabled', '=', true);
      if (input.merchantId) merchants = merchants.where('id', '=', input.merchantId);
      const found: ReminderCandidate[] = [];
      for (const m of await merchants.orderBy('id').execute()) {
        const today = dayIn(m.timezone, input.nowMs);
        const invoices = await db.selectFrom('accounting_invoices').select(['id', 'due_date']).where('merchant_id', '=', m.id).where('status', '=', 'authorised')
          .where('amount_due_minor', '>', 0).where('due_date', 'is not', null).orderBy('due_date').orderBy('id').execute();
        for (const i of invoices) {
          if (stepsAhead(m.reminder_offsets, i.due_date!, today).length) found.push({ merchantId: m.id, invoiceId: i.id, dueDate: i.due_date!, timezone: m.timezone, offsets: m.reminder_offsets });
        }
      }
      return found;
    },

    /** One step of one invoice: decided on the invoice as the books have it now, then written to the outbox once. */
    async sendInvoiceReminder(input: { merchantId: string; invoiceId: string; offset: number }): Promise<ReminderOutcome> {
      const { merchantId, invoiceId, offset } = input;
      const invoice = await accounting.onConnection(merchantId, (call) => call((p) => p.getInvoice(invoiceId)));
      if (!invoice) return { send: false, stop: true, reason: 'not-payable' };
      await saveInvoiceCopies(db, merchantId, [invoice]);
      const merchant = await db.selectFrom('merchants').select(['name', 'reminders_enabled']).where('id', '=', merchantId).executeTakeFirstOrThrow();
      const autopay = await db.selectFrom('billing_terms').select('id').where('merchant_id', '=', merchantId).where('contact_id', '=', invoice.contactId)
        .where('status', '=', 'active').executeTakeFirst();
      const payers = await db.selectFrom('payer_contacts').innerJoin('payers', 'payers.id', 'payer_contacts.payer_id')
        .leftJoin('reminder_opt_outs', (j) => j.onRef('reminder_opt_outs.merchant_id', '=', 'payer_contacts.merchant_id').onRef('reminder_opt_outs.payer_id', '=', 'payer_contacts.payer_id'))
        .selectAll('payers').select('reminder_opt_outs.payer_id as opted_out')
        .where('payer_contacts.merchant_id', '=', merchantId).where('payer_contacts.contact_id', '=', invoice.contactId).orderBy('payers.id').execute();
      const recipients = payers.filter((p) => !p.opted_out);
      const decision = decideReminder({ status: invoice.status, amountDueMinor: invoice.amountDueMinor, remindersEnabled: merchant.reminders_enabled,
        onAutopay: !!autopay, recipients: recipients.length, optedOut: payers.length - recipients.length });
      if (!decision.send) return decision;

      const amount = formatAmount(invoice.amountDueMinor, invoice.currency as Currency);
      let written = 0;
      await db.transaction().execute(async (trx) => {
        for (const p of recipients) {
          const { name, email } = payerDetails(keyring, p);
          const message = { to: email, ...invoiceReminderTemplate({ name, merchantName: merchant.name, number: invoice.number, amount, currency: invoice.currency,
            dueDate: invoice.dueDate ?? invoice.date, offset, payNowUrl: invoicesPayNowUrl(publicUrl(), merchantId), optOutUrl: optOutUrl(publicUrl(), merchantId, optOutToken(keyring, merchantId, p.id)) }) };
          if (await enqueueEmail(trx, keyring, { merchantId, template: 'invoice-reminder', dedupeKey: reminderEmailKey(merchantId, invoiceId, offset, p.id), message })) written++;
        }
        // The console's record of the step: the first write wins (a retry finds it and adds nothing).
        await trx.insertInto('invoice_reminders').values({ merchant_id: merchantId, invoice_id: invoiceId, offset_days: offset, invoice_number: invoice.number,
          due_date: invoice.dueDate ?? invoice.date, currency: invoice.currency, amount_due_minor: invoice.amountDueMinor, recipients: recipients.length })
          .onConflict((oc) => oc.columns(['merchant_id', 'invoice_id', 'offset_days']).doNothing()).execute();
      });
      if (written) wakeMail();
      return { send: true, emails: written };
    },
  };
}
