// Posts the next chunk of a batch's pending invoices to the accounting package on the company connection. Each invoice
// is first looked for by its number (Manage's invoice number, also its reference): one already in the books is linked,
// not posted again — which is also how a retry after a crash, or a re-run, finds what an earlier attempt created before
// it could record it. The rest are created in one call where the platform allows, each keyed by its Manage invoice id
// and revision. An invoice that cannot be posted (unmapped account, closed period, a platform refusal) records why and
// the rest go on.
import { ApplicationFailure } from '@temporalio/activity';
import { PlatformRejected } from '../accounting/platform';
import { accountMappings, contactsOf, invoiceSyncSettings } from '../../db/invoice-sync';
import { decimalToMinor, mapInvoice, type Posting, type PsaInvoice } from '../../lib/invoice-sync/mapping';
import type { ManageAccountingInvoice } from '../connectwise/manage';
import { manageKey, revisionOf } from './batch';
import { manageOf, type InvoiceSyncActivityDeps } from './deps';
import { logPosted, type PostedInvoice } from './sync-log';

/** Xero takes up to 50 invoices a call and 50 numbers a lookup: a chunk is one of each. */
export const POST_CHUNK = 50;

const day = (wire: string | undefined) => (wire ?? '').slice(0, 10);

export function toPsaInvoice(i: ManageAccountingInvoice): PsaInvoice {
  return { id: i.id, number: i.invoiceNumber, companyId: i.company.id, date: day(i.date), dueDate: day(i.dueDate ?? i.date), currency: i.currency?.currencyCode ?? 'AUD',
    lines: (i.lines ?? []).map((l) => ({ description: l.description, quantity: l.quantity, unitPriceMinor: decimalToMinor(l.unitPrice), productType: l.productType ?? '',
      ...(l.glAccount ? { glAccount: l.glAccount } : {}), ...(l.taxCode ? { taxCode: l.taxCode } : {}),
      ...(l.productClass === 'Inventory' && l.unitCost !== undefined ? { inventoryUnitCostMinor: decimalToMinor(l.unitCost) } : {}) })) };
}

/** Manage invoice ids, first and last inclusive. */
export interface InvoiceChunk {
  firstId: number;
  lastId: number;
}

type Ready = { invoice: PsaInvoice; posting: Extract<Posting, { ok: true }>; contactId: string; key: string };

export function createPostActivities(deps: InvoiceSyncActivityDeps) {
  const { db } = deps;
  const record = (merchantId: string, manageInvoiceId: number) =>
    db.updateTable('invoice_sync_records').where('merchant_id', '=', merchantId).where('manage_invoice_id', '=', manageInvoiceId);

  return {
    /**
     * The batch's pending invoices in chunks of POST_CHUNK, as ranges of Manage invoice ids: chunks the workflow can
     * post at once without two activities taking the same invoices (the rate budget keeps them inside the limits).
     */
    async planInvoiceChunks(input: { merchantId: string; batchId: string }): Promise<InvoiceChunk[]> {
      const rows = await db.selectFrom('invoice_sync_records').select('manage_invoice_id').where('batch_id', '=', input.batchId)
        .where('merchant_id', '=', input.merchantId).where('status', '=', 'pending').orderBy('manage_invoice_id').execute();
      const chunks: InvoiceChunk[] = [];
      for (let i = 0; i < rows.length; i += POST_CHUNK) {
        chunks.push({ firstId: rows[i].manage_invoice_id, lastId: rows[Math.min(i + POST_CHUNK, rows.length) - 1].manage_invoice_id });
      }
      return chunks;
    },

    /** Posts the next POST_CHUNK pending invoices of the batch, or those of `chunk` (from planInvoiceChunks). */
    async postInvoiceChunk(input: { merchantId: string; batchId: string; chunk?: InvoiceChunk }): Promise<{ posted: number; failed: number; remaining: number }> {
      const { merchantId, batchId, chunk } = input;
      let pending = db.selectFrom('invoice_sync_records').selectAll().where('batch_id', '=', batchId).where('status', '=', 'pending');
      if (chunk) pending = pending.where('manage_invoice_id', '>=', chunk.firstId).where('manage_invoice_id', '<=', chunk.lastId);
      const rows = await pending.orderBy('manage_invoice_id').limit(POST_CHUNK).execute();
      if (!rows.length) return { posted: 0, failed: 0, remaining: 0 };
      const [details, mappings, contacts, settings] = await Promise.all([
        manageOf(deps, merchantId).then((m) => m.accounting.invoicesByIds(rows.map((r) => r.manage_invoice_id))),
        accountMappings(db, merchantId), contactsOf(db, merchantId, [...new Set(rows.map((r) => r.manage_company_id))]), invoiceSyncSettings(db, merchantId),
      ]);
      const fail = async (id: number, error: string) => record(merchantId, id).set({ status: 'failed', error, updated_at: new Date() }).execute();
      const ready: Ready[] = [];
      let failed = 0;
      for (const row of rows) {
        const detail = details.find((d) => d.id === row.manage_invoice_id);
        const contactId = contacts.get(row.manage_company_id);
        if (!detail) {
          await fail(row.manage_invoice_id, 'the invoice is no longer in ConnectWise Manage');
          failed++;
          continue;
        }
        if (!contactId) {
          await record(merchantId, row.manage_invoice_id).set({ status: 'held', error: 'no accounting contact for this customer', updated_at: new Date() }).execute();
          continue;
        }
        const invoice = toPsaInvoice(detail);
        const posting = mapInvoice(invoice, mappings);
        if (!posting.ok) {
          await fail(row.manage_invoice_id, posting.reason);
          failed++;
          continue;
        }
        // The key is the Manage invoice and its revision: the same revision is never posted twice, whichever run sends it.
        ready.push({ invoice, posting, contactId, key: manageKey(merchantId, `invoice-${invoice.id}-${revisionOf(detail)}`) });
      }

      const posted: PostedInvoice[] = [];
      await deps.accounting.onConnection(merchantId, async (call, _connection, link) => {
        const invoices = ready.filter((r) => r.posting.kind === 'invoice');
        const credits = ready.filter((r) => r.posting.kind === 'credit-note');
        const inBooks = new Map<string, { id: string; totalMinor: number }>();
        if (invoices.length) for (const i of await call((p) => p.findInvoicesByNumber(invoices.map((r) => r.posting.number)))) inBooks.set(`invoice:${i.number}`, i);
        if (credits.length) for (const n of await call((p) => p.findCreditNotesByNumber(credits.map((r) => r.posting.number)))) inBooks.set(`credit-note:${n.number}`, n);
        // The total is the books' (tax included), as the sync log and the batch report show it.
        const done = (r: Ready, doc: { id: string; totalMinor: number }, how: 'created' | 'linked') =>
          posted.push({ batchId, invoice: r.invoice, posting: r.posting, accountingId: doc.id, totalMinor: doc.totalMinor, how,
            link: link(r.posting.kind === 'invoice' ? 'invoice' : 'creditNote', doc.id) });
        const toCreate = invoices.filter((r) => {
          const found = inBooks.get(`invoice:${r.posting.number}`);
          if (found) done(r, found, 'linked');
          return !found;
        });
        if (toCreate.length) {
          const results = await call((p) => p.createInvoices(toCreate.map((r) => ({ key: r.key, invoice: { contactId: r.contactId, number: r.posting.number,
            reference: r.posting.reference, date: r.posting.date, dueDate: r.posting.dueDate, currency: r.posting.currency, lines: r.posting.lines, status: 'authorised' } })),
          manageKey(merchantId, `invoices-${toCreate.map((r) => r.key).join(',')}`)));
          for (const [i, result] of results.entries()) {
            if (result.ok) done(toCreate[i], result.invoice, 'created');
            else {
              await fail(toCreate[i].invoice.id, result.reason);
              failed++;
            }
          }
        }
        for (const r of credits) {
          const found = inBooks.get(`credit-note:${r.posting.number}`);
          if (found) {
            done(r, found, 'linked');
            continue;
          }
          try {
            const note = await call((p) => p.createCreditNote({ contactId: r.contactId, number: r.posting.number, reference: r.posting.reference, date: r.posting.date,
              currency: r.posting.currency, lines: r.posting.lines, status: 'authorised' }, r.key));
            done(r, note, 'created');
          } catch (err) {
            if (!(err instanceof PlatformRejected)) throw err;
            await fail(r.invoice.id, err.message);
            failed++;
          }
        }
        // Recorded inside the connection's run: a crash before this line is what the lookup by number covers.
        for (const p of posted) {
          await record(merchantId, p.invoice.id).set({ status: 'posted', error: null, accounting_id: p.accountingId, accounting_link: p.link, posted_how: p.how,
            total_minor: p.totalMinor, updated_at: new Date() }).execute();
        }
      });
      await logPosted(db, deps.log, merchantId, posted, { debug: settings.debugLogging, inventory: settings.syncInventory });
      const pendingNow = (ids?: number[]) => {
        let q = db.selectFrom('invoice_sync_records').select((eb) => eb.fn.countAll<string>().as('n')).where('batch_id', '=', batchId).where('status', '=', 'pending');
        if (ids) q = q.where('manage_invoice_id', 'in', ids);
        return q.executeTakeFirstOrThrow().then((r) => Number(r.n));
      };
      // Stuck means none of this chunk's invoices moved on (other chunks may be moving the batch's count meanwhile).
      if (posted.length === 0 && failed === 0 && (await pendingNow(rows.map((r) => r.manage_invoice_id))) === rows.length) {
        throw ApplicationFailure.nonRetryable('no invoice of the chunk moved on', 'InvoiceSyncStuck');
      }
      return { posted: posted.length, failed, remaining: await pendingNow() };
    },
  };
}
