// Posts the next chunk of a batch's pending invoices to the accounting package on the company connection. Each invoice
// is first looked for by its number (Manage's invoice number, also its reference): one already in the books is linked,
// not posted again — which is also how a retry after a crash, or a re-run, finds what an earlier attempt created before
// it could record it. The rest are created in one call where the platform allows, each keyed by its Manage invoice id
// and revision. An invoice that cannot be posted (unmapped account, closed period, a platform refusal) records why and
// the rest go on.
import { ApplicationFailure } from '@temporalio/activity';
import { sql } from 'kysely';
import { PlatformRejected } from '../accounting/platform';
import { accountMappings, contactsOf, invoiceSyncSettings } from '../../db/invoice-sync';
import { decimalToMinor, mapInvoice, type Posting, type PsaInvoice } from '../../lib/invoice-sync/mapping';
import type { ManageAccountingInvoice } from '../connectwise/manage';
import { PLATFORM_LIMITS } from '../accounting/limits';
import { forEachLimited } from '../../lib/concurrency';
import { CHUNK_INVOICES, inGroups, planChunks, type InvoiceChunk } from '../../lib/invoice-sync/chunks';
import { manageKey, revisionOf } from './batch';
import { manageOf, type InvoiceSyncActivityDeps } from './deps';
import { logPosted, type PostedInvoice } from './sync-log';


const day = (wire: string | undefined) => (wire ?? '').slice(0, 10);

export function toPsaInvoice(i: ManageAccountingInvoice): PsaInvoice {
  return { id: i.id, number: i.invoiceNumber, companyId: i.company.id, date: day(i.date), dueDate: day(i.dueDate ?? i.date), currency: i.currency?.currencyCode ?? 'AUD',
    lines: (i.lines ?? []).map((l) => ({ description: l.description, quantity: l.quantity, unitPriceMinor: decimalToMinor(l.unitPrice), productType: l.productType ?? '',
      ...(l.glAccount ? { glAccount: l.glAccount } : {}), ...(l.taxCode ? { taxCode: l.taxCode } : {}),
      ...(l.productClass === 'Inventory' && l.unitCost !== undefined ? { inventoryUnitCostMinor: decimalToMinor(l.unitCost) } : {}) })) };
}

export type { InvoiceChunk };

type Ready = { invoice: PsaInvoice; posting: Extract<Posting, { ok: true }>; contactId: string; key: string };

/** How often a chunk posting beside the contact matching looks whether it has finished, and for how long at most. */
const MATCHING_POLL_MS = 25;
const MATCHING_WAIT_MS = 10 * 60_000;

export function createPostActivities(deps: InvoiceSyncActivityDeps) {
  const { db } = deps;
  // The matching runs as its own activity, perhaps in another worker: its end is a timestamp on the batch. The wait is
  // short (a call or two normally); a matching still running after MATCHING_WAIT_MS fails this attempt, to be retried.
  const contactsMatched = async (batchId: string) => {
    const giveUpAt = Date.now() + MATCHING_WAIT_MS;
    for (;;) {
      const batch = await db.selectFrom('invoice_sync_batches').select('contacts_matched_at').where('id', '=', batchId).executeTakeFirst();
      if (batch?.contacts_matched_at) return;
      if (Date.now() > giveUpAt) throw new Error('the batch\'s contacts are still being matched');
      await new Promise((resolve) => setTimeout(resolve, MATCHING_POLL_MS));
    }
  };
  const record = (merchantId: string, manageInvoiceId: number) =>
    db.updateTable('invoice_sync_records').where('merchant_id', '=', merchantId).where('manage_invoice_id', '=', manageInvoiceId);

  return {
    /**
     * The batch's pending invoices in chunks of CHUNK_INVOICES, as ranges of Manage invoice ids: chunks the workflow
     * can post at once without two activities taking the same invoices (the rate budget keeps them inside the limits).
     */
    async planInvoiceChunks(input: { merchantId: string; batchId: string }): Promise<InvoiceChunk[]> {
      const rows = await db.selectFrom('invoice_sync_records').select('manage_invoice_id').where('batch_id', '=', input.batchId)
        .where('merchant_id', '=', input.merchantId).where('status', '=', 'pending').orderBy('manage_invoice_id').execute();
      return planChunks(rows.map((r) => r.manage_invoice_id));
    },

    /**
     * Posts the next CHUNK_INVOICES pending invoices of the batch, or those of `chunk` (from planInvoiceChunks): in
     * groups of one call each (the platform's invoices per call: a lookup by number, then one create), all groups at
     * once (the budget paces them, sharing the connection's slots with the other chunks running).
     */
    async postInvoiceChunk(input: { merchantId: string; batchId: string; chunk?: InvoiceChunk; whileMatching?: boolean }): Promise<{ posted: number; failed: number; remaining: number }> {
      const { merchantId, batchId, chunk } = input;
      let pending = db.selectFrom('invoice_sync_records').selectAll().where('batch_id', '=', batchId).where('status', '=', 'pending');
      if (chunk) pending = pending.where('manage_invoice_id', '>=', chunk.firstId).where('manage_invoice_id', '<=', chunk.lastId);
      const rows = await pending.orderBy('manage_invoice_id').limit(CHUNK_INVOICES).execute();
      if (!rows.length) return { posted: 0, failed: 0, remaining: 0 };
      const settingsRead = invoiceSyncSettings(db, merchantId);
      const fail = async (id: number, error: string) => record(merchantId, id).set({ status: 'failed', error, updated_at: new Date() }).execute();
      // The invoices' details from Manage, mapped: read while the first lookups by number (which need only the numbers
      // recorded when the batch was opened) are at the platform, so the chunk's first calls do not wait for Manage.
      let failed = 0;
      const prepared = (async () => {
        const companies = [...new Set(rows.map((r) => r.manage_company_id))];
        const [details, mappings, contacts] = await Promise.all([
          manageOf(deps, merchantId).then((m) => m.accounting.invoicesByIds(rows.map((r) => r.manage_invoice_id))),
          accountMappings(db, merchantId),
          (input.whileMatching ? contactsMatched(batchId) : Promise.resolve()).then(() => contactsOf(db, merchantId, companies)),
        ]);
        const ready = new Map<number, Ready>();
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
          ready.set(row.manage_invoice_id, { invoice, posting, contactId, key: manageKey(merchantId, `invoice-${invoice.id}-${revisionOf(detail)}`) });
        }
        return ready;
      })();
      // Not left unhandled while the connection is opened; awaited (and so thrown) where it is used.
      prepared.catch(() => undefined);

      const posted: PostedInvoice[] = [];
      await deps.accounting.onConnection(merchantId, async (call, connection, link) => {
        const limits = PLATFORM_LIMITS[connection.platform];
        // The total is the books' (tax included), as the sync log and the batch report show it.
        const done = (r: Ready, doc: { id: string; totalMinor: number }, how: 'created' | 'linked') => {
          const p: PostedInvoice = { batchId, invoice: r.invoice, posting: r.posting, accountingId: doc.id, totalMinor: doc.totalMinor, how,
            link: link(r.posting.kind === 'invoice' ? 'invoice' : 'creditNote', doc.id) };
          posted.push(p);
          return p;
        };
        // Recorded as soon as its group is through: a crash before this is what the lookup by number covers.
        const recordPosted = async (group: PostedInvoice[]) => {
          if (!group.length) return;
          // One statement for the group: each row its own accounting id, link, how and total.
          const values = sql.join(group.map((p) => sql`(${p.invoice.id}::int, ${p.accountingId}::text, ${p.link}::text, ${p.how}::text, ${p.totalMinor}::bigint)`));
          await sql`update invoice_sync_records r set status = 'posted', error = null, accounting_id = v.accounting_id, accounting_link = v.link, posted_how = v.how,
              total_minor = v.total_minor, updated_at = now()
            from (values ${values}) as v(manage_invoice_id, accounting_id, link, how, total_minor)
            where r.merchant_id = ${merchantId} and r.manage_invoice_id = v.manage_invoice_id`.execute(db);
        };
        // Invoices in groups of one call, looked up by the numbers recorded at opening; each group's creations then
        // wait for the details (normally read by the time its lookup answers).
        const postInvoices = async (group: Array<{ id: number; number: string }>) => {
          const inBooks = new Map((await call((p) => p.findInvoicesByNumber(group.map((g) => g.number)))).map((i) => [i.number, i]));
          const ready = await prepared;
          const now: PostedInvoice[] = [];
          const toCreate: Ready[] = [];
          for (const { id } of group) {
            const r = ready.get(id);
            if (!r || r.posting.kind !== 'invoice') continue;
            handled.add(id);
            const found = inBooks.get(r.posting.number);
            if (found) now.push(done(r, found, 'linked'));
            else toCreate.push(r);
          }
          if (toCreate.length) {
            const results = await call((p) => p.createInvoices(toCreate.map((r) => ({ key: r.key, invoice: { contactId: r.contactId, number: r.posting.number,
              reference: r.posting.reference, date: r.posting.date, dueDate: r.posting.dueDate, currency: r.posting.currency, lines: r.posting.lines, status: 'authorised' } })),
            manageKey(merchantId, `invoices-${toCreate.map((r) => r.key).join(',')}`)), { kind: 'batch' });
            for (const [i, result] of results.entries()) {
              if (result.ok) now.push(done(toCreate[i], result.invoice, 'created'));
              else {
                await fail(toCreate[i].invoice.id, result.reason);
                failed++;
              }
            }
          }
          await recordPosted(now);
        };
        const handled = new Set<number>();
        const recordedInvoices = rows.filter((r) => r.kind === 'invoice').map((r) => ({ id: r.manage_invoice_id, number: r.invoice_number }));
        // Every group of the chunk at once (a chunk is a few calls' worth): the budget grants slots in turn, so all the
        // lookups queue first and each creation queues as its lookup answers, which keeps every slot busy to the end. At
        // most `concurrent` groups at once left the last groups' lookups and creations running with slots free.
        const groups = inGroups(recordedInvoices, limits.invoicesPerCall);
        await forEachLimited(groups, groups.length, postInvoices);
        // Whatever the details turned out to be other than recorded (an invoice whose lines now sum below zero, or the
        // reverse): invoices not yet handled go the same way; credit notes go below.
        const ready = [...(await prepared).values()];
        const lateInvoices = ready.filter((r) => r.posting.kind === 'invoice' && !handled.has(r.invoice.id)).map((r) => ({ id: r.invoice.id, number: r.posting.number }));
        await forEachLimited(inGroups(lateInvoices, limits.invoicesPerCall), limits.concurrent, postInvoices);
        const credits = ready.filter((r) => r.posting.kind === 'credit-note');
        for (const group of inGroups(credits, limits.invoicesPerCall)) {
          const inBooks = new Map((await call((p) => p.findCreditNotesByNumber(group.map((r) => r.posting.number)))).map((n) => [n.number, n]));
          for (const r of group) {
            const found = inBooks.get(r.posting.number);
            if (found) {
              await recordPosted([done(r, found, 'linked')]);
              continue;
            }
            try {
              const note = await call((p) => p.createCreditNote({ contactId: r.contactId, number: r.posting.number, reference: r.posting.reference, date: r.posting.date,
                currency: r.posting.currency, lines: r.posting.lines, status: 'authorised' }, r.key));
              await recordPosted([done(r, note, 'created')]);
            } catch (err) {
              if (!(err instanceof PlatformRejected)) throw err;
              await fail(r.invoice.id, err.message);
              failed++;
            }
          }
        }
      });
      const settings = await settingsRead;
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
