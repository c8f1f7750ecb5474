// The sync log. At the normal level it holds only what identifies nobody outside the merchant's organisation: the
// batch id, the accounting object's id and link, and the invoice's total. With the merchant's debug logging on, the
// detail of each posted invoice (and, for merchants who sync inventory, its inventory movements at cost) goes to the
// merchant's debug log in Postgres, which the merchant reads and clears through the API — never to the process log.
import type { Db } from '../../db/database';
import { writeDebugLog } from '../../db/invoice-sync';
import type { Logger } from '../../lib/logger';
import { lineAmountMinor, type Posting, type PsaInvoice } from '../../lib/invoice-sync/mapping';

export interface PostedInvoice {
  batchId: string;
  invoice: PsaInvoice;
  posting: Extract<Posting, { ok: true }>;
  accountingId: string;
  /** The books' total (tax included). */
  totalMinor: number;
  link: string;
  how: 'created' | 'linked';
}

export async function logPosted(db: Db, log: Logger, merchantId: string, posted: PostedInvoice[], opts: { debug: boolean; inventory: boolean }): Promise<void> {
  for (const p of posted) log.info({ batchId: p.batchId, accountingId: p.accountingId, link: p.link, totalMinor: p.totalMinor }, 'invoice synced');
  if (!opts.debug) return;
  await writeDebugLog(db, posted.map((p) => ({ merchantId, batchId: p.batchId, kind: `${p.posting.kind}-${p.how}`, detail: {
    manageInvoiceId: p.invoice.id, number: p.posting.number, manageCompanyId: p.invoice.companyId, accountingId: p.accountingId, link: p.link,
    date: p.posting.date, dueDate: p.posting.dueDate, currency: p.posting.currency, totalMinor: p.totalMinor, lines: p.posting.lines,
  } })));
  if (!opts.inventory) return;
  const movements = posted.flatMap((p) => p.invoice.lines.filter((l) => l.inventoryUnitCostMinor !== undefined).map((l) => ({
    merchant_id: merchantId, batch_id: p.batchId, manage_invoice_id: p.invoice.id, invoice_number: p.posting.number, accounting_id: p.accountingId,
    product: l.description, quantity: l.quantity, unit_cost_minor: l.inventoryUnitCostMinor!, cost_minor: lineAmountMinor(l.quantity, l.inventoryUnitCostMinor!),
  })));
  if (movements.length) await db.insertInto('inventory_audit_entries').values(movements).execute();
}
