// A night's BPAY upload, on the service connection. Planning reads what waits (paid on or after the start date, of
// customers matched to a contact), the outstanding invoices of those contacts, and applies the pure rules
// (lib/bpay): matching, 200 prepayments a night, 4,000 uploads in 30 days. The plan is stored before anything is
// posted; each chunk then posts with keys derived from the run and the chunk, so a retry never posts twice.
import { ApplicationFailure } from '@temporalio/common';
import { sql } from 'kysely';
import { recordActivity } from '../../db/activity-log';
import { postMerchantMessage } from '../../db/messages';
import type { BpayUploadRecord, StoredBpayPlan } from '../../db/schema';
import { countUploadedPayments, MAX_PREPAYMENTS_PER_NIGHT, MAX_UPLOADS_PER_30_DAYS, wouldExceedRollingLimit } from '../../lib/bpay/limits';
import { planBpayUpload, type OutstandingInvoice } from '../../lib/bpay/matching';
import { partKey } from '../../lib/idempotency';
import { formatAmount, type Currency } from '../../lib/money';
import { pauseBpaySchedule } from '../../lib/schedules/bpay-upload';
import { DEFAULT_ACCOUNTS } from '../accounting/default-accounts';
import type { BpayActivityDeps } from './deps';

const PAYMENTS_PER_CHUNK = 50;

export function createBpayNightActivities({ db, accounting, temporal }: BpayActivityDeps) {
  const { onConnection, keyOf } = accounting;

  /** Turns the upload off for the merchant (the 30-day limit), says why in a message, pauses the Schedule. */
  async function disableUpload(merchantId: string, why: string) {
    await db.updateTable('merchants').set({ bpay_upload_enabled: false }).where('id', '=', merchantId).execute();
    await postMerchantMessage(db, { merchantId, kind: 'bpay-upload-disabled', text: why });
    await pauseBpaySchedule(temporal, merchantId, why);
  }

  return {
    async planBpayNight(input: { merchantId: string; runId: string }) {
      const none = { runId: input.runId, chunks: 0, deferred: 0, heldForCustomers: 0, beforeStart: 0 };
      const stored = await db.selectFrom('bpay_upload_runs').select('plan').where('id', '=', input.runId).executeTakeFirst();
      if (stored) return { ...none, disabled: false, chunks: stored.plan.chunks.length }; // a retry: the plan stands
      const merchant = await db.selectFrom('merchants').selectAll().where('id', '=', input.merchantId).executeTakeFirstOrThrow();
      if (!merchant.bpay_upload_enabled) return { ...none, disabled: true };
      const beforeStart = merchant.accounting_start_date
        ? Number((await db.updateTable('bpay_payments').set({ status: 'before-start' }).where('merchant_id', '=', input.merchantId)
          .where('status', '=', 'pending').where('paid_date', '<', merchant.accounting_start_date).executeTakeFirst()).numUpdatedRows)
        : 0;
      const waiting = await db.selectFrom('bpay_payments').leftJoin('customers', (j) => j.onRef('customers.merchant_id', '=', 'bpay_payments.merchant_id')
        .onRef('customers.customer_reference', '=', 'bpay_payments.customer_reference'))
        .select(['bpay_payments.id', 'bpay_payments.customer_reference', 'bpay_payments.amount_minor', 'bpay_payments.paid_date', 'bpay_payments.currency',
          'customers.contact_id', 'customers.match_status'])
        .where('bpay_payments.merchant_id', '=', input.merchantId).where('bpay_payments.status', '=', 'pending')
        .orderBy('bpay_payments.paid_date').orderBy('bpay_payments.id').execute();
      const ready = waiting.filter((p) => p.match_status === 'matched' && p.contact_id);
      const contacts = [...new Set(ready.map((p) => p.contact_id!))];
      const onPlan = new Set((await db.selectFrom('payment_plan_invoices').select('invoice_id').where('merchant_id', '=', input.merchantId).execute()).map((r) => r.invoice_id));
      const invoices: OutstandingInvoice[] = await onConnection(input.merchantId, async (call) => {
        const found: OutstandingInvoice[] = [];
        for (const contactId of contacts) {
          for (let page: number | undefined = 1; page; ) {
            const result = await call((p) => p.listInvoices({ contactId, outstandingOnly: true, page }));
            found.push(...result.invoices.map((i) => ({ id: i.id, customerId: i.contactId, date: i.date, amountDueMinor: i.amountDueMinor, onPaymentPlan: onPlan.has(i.id) })));
            page = result.nextPage;
          }
        }
        return found;
      });
      const plan = planBpayUpload(ready.map((p) => ({ id: p.id, customerId: p.contact_id!, amountMinor: p.amount_minor, paidDate: p.paid_date })), invoices,
        { maxPrepayments: MAX_PREPAYMENTS_PER_NIGHT });
      const tonight = countUploadedPayments(plan);
      const uploaded30 = (await db.selectFrom('bpay_payments').select(sql<number>`count(*)::int`.as('n')).where('merchant_id', '=', input.merchantId)
        .where('uploaded_at', '>', sql<Date>`now() - interval '30 days'`).executeTakeFirstOrThrow()).n;
      const held = { heldForCustomers: waiting.length - ready.length, beforeStart };
      if (wouldExceedRollingLimit(uploaded30, tonight)) {
        await disableUpload(input.merchantId, `BPAY upload is off: tonight's ${tonight} payments would make ${uploaded30 + tonight} uploaded in 30 days, over the ${MAX_UPLOADS_PER_30_DAYS} the accounting platform allows. An admin can turn it on again.`);
        return { ...none, ...held, disabled: true, deferred: ready.length };
      }
      // One entry per payment uploaded tonight, in paid-date order, with everything posting needs.
      const deferred = new Set(plan.deferred);
      const applicationsOf = new Map<string, Array<{ invoiceId: string; amountMinor: number }>>();
      for (const a of plan.applications) applicationsOf.set(a.paymentId, [...(applicationsOf.get(a.paymentId) ?? []), { invoiceId: a.invoiceId, amountMinor: a.amountMinor }]);
      const prepaymentOf = new Map(plan.prepayments.map((x) => [x.paymentId, x.amountMinor]));
      const entries = ready.filter((p) => !deferred.has(p.id)).map((p) => ({
        paymentId: p.id, contactId: p.contact_id!, customerReference: p.customer_reference, currency: p.currency, paidDate: p.paid_date,
        applications: applicationsOf.get(p.id) ?? [], prepaymentMinor: prepaymentOf.get(p.id) ?? 0,
      }));
      const chunks: StoredBpayPlan['chunks'] = [];
      for (let i = 0; i < entries.length; i += PAYMENTS_PER_CHUNK) chunks.push(entries.slice(i, i + PAYMENTS_PER_CHUNK));
      const saved = await db.insertInto('bpay_upload_runs').values({ id: input.runId, merchant_id: input.merchantId, plan: JSON.stringify({ chunks }) })
        .onConflict((oc) => oc.column('id').doNothing()).executeTakeFirst();
      if (plan.deferred.length && Number(saved?.numInsertedOrUpdatedRows ?? 0) > 0) {
        await postMerchantMessage(db, { merchantId: input.merchantId, kind: 'bpay-prepayment-limit-reached',
          text: `Tonight reached the limit of ${MAX_PREPAYMENTS_PER_NIGHT} prepayments: ${plan.deferred.length} BPAY payments wait for the next night, in paid-date order.` });
      }
      return { ...none, ...held, disabled: false, runId: input.runId, chunks: chunks.length, deferred: plan.deferred.length };
    },

    /** Posts one chunk of the stored plan: the invoice payments in one batch, each prepayment on its own. */
    async uploadBpayChunk(input: { merchantId: string; runId: string; chunk: number }): Promise<number> {
      const run = await db.selectFrom('bpay_upload_runs').select('plan').where('id', '=', input.runId).executeTakeFirstOrThrow();
      const entries = run.plan.chunks[input.chunk] ?? [];
      const key = keyOf(`bpay-run-${input.runId}-chunk-${input.chunk}`);
      return onConnection(input.merchantId, async (call, connection, link) => {
        const bank = DEFAULT_ACCOUNTS[connection.platform].bank;
        const applications = entries.flatMap((e) => e.applications.map((a) => ({ entry: e, ...a })));
        const results = applications.length
          ? await call((p) => p.createPayments(applications.map((a) => ({ invoiceId: a.invoiceId, amountMinor: a.amountMinor, date: a.entry.paidDate,
            accountCode: bank, reference: `BPAY ${a.entry.customerReference}` })), partKey(key, 0)))
          : [];
        const refused = results.map((r, i) => (r.ok ? undefined : `${applications[i].invoiceId}: ${r.reason}`)).filter(Boolean);
        if (refused.length) throw ApplicationFailure.nonRetryable(`payments refused: ${refused.join('; ')}`, 'PlatformRejected');
        for (const [i, entry] of entries.entries()) {
          const record: BpayUploadRecord = { applications: [] };
          for (const [j, a] of applications.entries()) {
            if (a.entry !== entry) continue;
            const paymentId = (results[j] as { ok: true; paymentId: string }).paymentId;
            record.applications.push({ invoiceId: a.invoiceId, amountMinor: a.amountMinor, paymentId, url: link('invoice', a.invoiceId) });
          }
          if (entry.prepaymentMinor > 0) {
            const prepayment = await call((p) => p.createPrepayment({ contactId: entry.contactId, amountMinor: entry.prepaymentMinor, currency: entry.currency,
              date: entry.paidDate, accountCode: bank, reference: `BPAY ${entry.customerReference}` }, partKey(key, i + 1)));
            record.prepayment = { id: prepayment.id, amountMinor: entry.prepaymentMinor, url: link('prepayment', prepayment.id) };
          }
          await db.updateTable('bpay_payments').set({ status: 'uploaded', uploaded_at: new Date(), upload: JSON.stringify(record) }).where('id', '=', entry.paymentId).execute();
          await db.updateTable('customers').set({ last_synced_at: new Date() }).where('merchant_id', '=', input.merchantId).where('customer_reference', '=', entry.customerReference).execute();
          const amount = entry.applications.reduce((s, a) => s + a.amountMinor, 0) + entry.prepaymentMinor;
          await recordActivity(db, { merchantId: input.merchantId, kind: 'bpay-uploaded', subject: entry.paymentId,
            detail: `BPAY ${entry.customerReference} ${formatAmount(amount, entry.currency as Currency)} ${entry.currency}: ${record.applications.map((a) => `${a.url}`).join(', ')}${record.prepayment ? ` prepayment ${record.prepayment.url}` : ''}` });
        }
        return entries.length;
      });
    },
  };
}
