// Settle's own fee invoices and credit invoices to a merchant, uploaded to the merchant's books on the service
// connection: as bills and supplier credits against one platform contact ("Settle"), each line on the account the
// merchant chose for its fee type, only when issued on or after the accounting start date. A credit that is not
// fully applied stays open and is applied to the merchant's next invoices (lib/fees/credit-application.ts).
// Keys derive from the merchant's upload workflow and the document, so retries never write twice; the credit plan
// is stored before anything is allocated, so a retry allocates the same amounts.
import { raiseMerchantAction, resolveMerchantActions } from '../../db/actions';
import { recordActivity } from '../../db/activity-log';
import type { Db } from '../../db/database';
import type { FeeType, FeeUploadStatus } from '../../db/schema';
import { planCreditApplications } from '../../lib/fees/credit-application';
import { formatAmount, type Currency } from '../../lib/money';
import type { accountingRunner, Call } from '../accounting';
import { DEFAULT_ACCOUNTS } from '../accounting/default-accounts';
import { PlatformRejected } from '../accounting/platform';

/** The contact Settle's documents are made out from, in every merchant's books. */
export const SETTLE_CONTACT_NAME = 'Settle';

export type FeeUploadOutcome = { status: Exclude<FeeUploadStatus, 'pending'>; reason?: string };

export function createFeeUploadActivities({ db, accounting }: { db: Db; accounting: ReturnType<typeof accountingRunner> }) {
  const { onConnection, keyOf } = accounting;

  async function settle(documentId: string, status: FeeUploadOutcome['status'], reason?: string): Promise<FeeUploadOutcome> {
    await db.updateTable('merchant_fee_documents').set({ upload_status: status, upload_reason: reason ?? null }).where('id', '=', documentId).execute();
    return { status, reason };
  }

  /** The platform contact, a supplier (QuickBooks: a Vendor), found by name or created once (its key is the merchant's). */
  async function settleContact(call: Call): Promise<string> {
    const [found] = await call((p) => p.findContacts({ name: SETTLE_CONTACT_NAME, supplier: true }));
    return found?.id ?? (await call((p) => p.createContact({ name: SETTLE_CONTACT_NAME, supplier: true }, keyOf('settle-contact')))).id;
  }

  /** Stores (once) which open credits pay this invoice, and lowers what they have left, in one transaction. */
  async function creditPlanFor(invoice: { id: string; merchant_id: string; currency: string; total_minor: number }) {
    return db.transaction().execute(async (trx) => {
      const stored = await trx.selectFrom('merchant_fee_credit_applications').selectAll().where('invoice_id', '=', invoice.id).execute();
      if (stored.length) return stored;
      const credits = await trx.selectFrom('merchant_fee_documents').select(['id', 'issued_on', 'unapplied_minor']).where('merchant_id', '=', invoice.merchant_id)
        .where('kind', '=', 'credit').where('upload_status', '=', 'uploaded').where('currency', '=', invoice.currency).where('unapplied_minor', '>', 0)
        .forUpdate().execute();
      const plan = planCreditApplications(invoice.total_minor, credits.map((c) => ({ id: c.id, issuedOn: c.issued_on, unappliedMinor: c.unapplied_minor })));
      for (const a of plan) {
        await trx.insertInto('merchant_fee_credit_applications').values({ credit_id: a.creditId, invoice_id: invoice.id, amount_minor: a.amountMinor }).execute();
        await trx.updateTable('merchant_fee_documents').set((eb) => ({ unapplied_minor: eb('unapplied_minor', '-', a.amountMinor) })).where('id', '=', a.creditId).execute();
      }
      const applied = plan.reduce((sum, a) => sum + a.amountMinor, 0);
      await trx.updateTable('merchant_fee_documents').set({ amount_due_minor: invoice.total_minor - applied }).where('id', '=', invoice.id).execute();
      return trx.selectFrom('merchant_fee_credit_applications').selectAll().where('invoice_id', '=', invoice.id).execute();
    });
  }

  return {
    /** The merchant's oldest document still to upload (documents go in order: credits apply to the next invoice). */
    async nextFeeDocument(input: { merchantId: string }): Promise<string | null> {
      const next = await db.selectFrom('merchant_fee_documents').select('id').where('merchant_id', '=', input.merchantId)
        .where('upload_status', 'in', ['pending', 'waiting-for-accounts']).orderBy('issued_on').orderBy('created_at').orderBy('id').executeTakeFirst();
      return next?.id ?? null;
    },

    async uploadFeeDocument(input: { merchantId: string; documentId: string }): Promise<FeeUploadOutcome> {
      const doc = await db.selectFrom('merchant_fee_documents').selectAll().where('id', '=', input.documentId).where('merchant_id', '=', input.merchantId).executeTakeFirstOrThrow();
      if (doc.upload_status === 'uploaded') return { status: 'uploaded' };
      if (doc.upload_status === 'skipped' || doc.upload_status === 'failed') return { status: doc.upload_status, reason: doc.upload_reason ?? undefined };
      const merchant = await db.selectFrom('merchants').select('accounting_start_date').where('id', '=', input.merchantId).executeTakeFirstOrThrow();
      if (!merchant.accounting_start_date) return settle(doc.id, 'skipped', 'no accounting platform was connected when it was issued');
      if (doc.issued_on < merchant.accounting_start_date) return settle(doc.id, 'skipped', `issued before the accounting start date ${merchant.accounting_start_date}`);

      const accounts = new Map((await db.selectFrom('merchant_fee_accounts').selectAll().where('merchant_id', '=', input.merchantId).execute()).map((a) => [a.fee_type, a.account_code]));
      const missing = [...new Set(doc.lines.map((l) => l.feeType))].filter((t) => !accounts.has(t));
      if (missing.length) {
        await raiseMerchantAction(db, { merchantId: input.merchantId, kind: 'choose-fee-accounts', subject: input.merchantId,
          detail: `Choose the accounts for these fee types so Settle's invoices can be uploaded: ${missing.join(', ')}` });
        return settle(doc.id, 'waiting-for-accounts', `no account chosen for ${missing.join(', ')}`);
      }
      await resolveMerchantActions(db, input.merchantId, 'choose-fee-accounts', input.merchantId);

      const currency = doc.currency as Currency;
      const total = `${formatAmount(doc.total_minor, currency)} ${currency}`;
      const outcome = await onConnection(input.merchantId, async (call, connection, link) => {
        try {
          let accountingId = doc.accounting_id;
          if (!accountingId) {
            const contactId = await settleContact(call);
            const lines = doc.lines.map((l) => ({ description: l.description, quantity: 1, unitAmountMinor: l.amountMinor,
              accountCode: accounts.get(l.feeType as FeeType)!, taxType: DEFAULT_ACCOUNTS[connection.platform].taxType }));
            const common = { contactId, reference: `Settle ${doc.number}`, date: doc.issued_on, currency: doc.currency, lines, status: 'authorised' as const, payable: true };
            // The accounts are part of the key: a document refused for an account is sent again, changed, under a new
            // key once the merchant picks another (the refused request wrote nothing).
            const key = keyOf(`fee-document-${doc.id}-${lines.map((l) => l.accountCode).join(',')}`);
            accountingId = doc.kind === 'invoice'
              ? (await call((p) => p.createInvoice({ ...common, number: doc.number, dueDate: doc.issued_on }, key))).id
              : (await call((p) => p.createCreditNote(common, key))).id;
            const url = link(doc.kind === 'invoice' ? 'bill' : 'supplierCredit', accountingId);
            await db.updateTable('merchant_fee_documents').set({ accounting_id: accountingId, accounting_url: url, uploaded_at: new Date(),
              ...(doc.kind === 'credit' ? { unapplied_minor: doc.total_minor, upload_status: 'uploaded' } : { amount_due_minor: doc.total_minor }) }).where('id', '=', doc.id).execute();
            await recordActivity(db, { merchantId: input.merchantId, kind: 'fee-document-uploaded', subject: doc.id, detail: `Settle ${doc.kind} ${doc.number} ${total}: ${url}` });
          }
          if (doc.kind === 'invoice') {
            for (const a of await creditPlanFor(doc)) {
              const credit = await db.selectFrom('merchant_fee_documents').select(['accounting_id', 'number']).where('id', '=', a.credit_id).executeTakeFirstOrThrow();
              await call((p) => p.allocateCreditNote(credit.accounting_id!, { invoiceId: accountingId!, amountMinor: a.amount_minor, date: doc.issued_on, payable: true }, keyOf(`fee-credit-${a.credit_id}-${doc.id}`)));
              await recordActivity(db, { merchantId: input.merchantId, kind: 'fee-credit-applied', subject: `${a.credit_id}:${doc.id}`,
                detail: `Settle credit ${credit.number} applied ${formatAmount(a.amount_minor, currency)} ${currency} to invoice ${doc.number}` });
            }
          }
          return { status: 'uploaded' as const };
        } catch (err) {
          if (!(err instanceof PlatformRejected)) throw err;
          return { status: 'failed' as const, reason: err.message };
        }
      });
      if (outcome.status === 'failed') {
        await raiseMerchantAction(db, { merchantId: input.merchantId, kind: 'fee-document-upload-failed', subject: doc.id,
          detail: `Settle ${doc.kind} ${doc.number} (${total}) was not accepted by the accounting platform: ${outcome.reason}. Fix it and save the fee accounts again to retry.` });
        return settle(doc.id, 'failed', outcome.reason);
      }
      return settle(doc.id, 'uploaded');
    },
  };
}
