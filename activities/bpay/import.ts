// Importing the bank's BPAY file: parsed with the pure parser (lib/bpay/csv.ts), every good row recorded as a
// pending payment (once: the key is the import and its line, so a retried activity adds nothing), every bad row
// reported with its line number, and progress written to the import's row as it goes.
import { Context } from '@temporalio/activity';
import { parseBpayCsv } from '../../lib/bpay/csv';
import { derivedId } from '../../lib/ids';
import type { Currency } from '../../lib/money';
import type { BpayActivityDeps } from './deps';

const ROWS_PER_INSERT = 500;

export function createBpayImportActivities({ db }: BpayActivityDeps) {
  return {
    async importBpayFile(input: { merchantId: string; importId: string }): Promise<{ accepted: number; errors: number }> {
      const file = await db.selectFrom('bpay_imports').selectAll().where('id', '=', input.importId).where('merchant_id', '=', input.merchantId).executeTakeFirstOrThrow();
      const today = new Date().toISOString().slice(0, 10);
      const progress: Array<Promise<unknown>> = [];
      const { rows, errors } = parseBpayCsv(file.content, {
        currency: file.currency as Currency,
        today,
        onProgress: (done, total) => {
          Context.current().heartbeat(done);
          progress.push(db.updateTable('bpay_imports').set({ lines_done: done, lines_total: total }).where('id', '=', file.id).execute());
        },
      });
      await Promise.all(progress);
      for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
        await db.insertInto('bpay_payments').values(rows.slice(i, i + ROWS_PER_INSERT).map((r) => ({
          id: derivedId('bp', input.merchantId, file.id, String(r.line)), merchant_id: input.merchantId, customer_reference: r.customerReference,
          amount_minor: r.amountMinor, currency: file.currency, paid_date: r.paidDate, dedupe_key: `import:${file.id}:${r.line}`, import_id: file.id,
        }))).onConflict((oc) => oc.constraint('bpay_payments_dedupe').doNothing()).execute();
        Context.current().heartbeat(`rows ${i}`);
      }
      await db.updateTable('bpay_imports')
        .set({ status: 'done', rows_accepted: rows.length, errors: JSON.stringify(errors), finished_at: new Date() })
        .where('id', '=', file.id).execute();
      return { accepted: rows.length, errors: errors.length };
    },
  };
}
