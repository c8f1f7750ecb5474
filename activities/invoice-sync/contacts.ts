// The accounting contact of each Manage company in a batch: remembered from an earlier sync, else found (by account
// number, the company's Manage identifier, then by name), else created when the merchant allows it. A company with no
// contact raises an action for the merchant and holds only its own invoices.
import { raiseMerchantAction, resolveMerchantActions } from '../../db/actions';
import { contactsOf, invoiceSyncSettings, rememberContact } from '../../db/invoice-sync';
import { manageKey } from './batch';
import { manageOf, type InvoiceSyncActivityDeps } from './deps';

export const CONTACT_MISSING = 'invoice-sync-contact-missing';

export function createContactActivities(deps: InvoiceSyncActivityDeps) {
  const { db } = deps;
  return {
    async matchBatchContacts(input: { merchantId: string; batchId: string }): Promise<{ matched: number; created: number; held: number }> {
      const { merchantId, batchId } = input;
      const pending = await db.selectFrom('invoice_sync_records').select('manage_company_id').distinct().where('batch_id', '=', batchId).where('status', '=', 'pending').execute();
      const companyIds = pending.map((r) => r.manage_company_id);
      const known = await contactsOf(db, merchantId, companyIds);
      const unknown = companyIds.filter((id) => !known.has(id));
      const result = { matched: 0, created: 0, held: 0 };
      if (!unknown.length) return result;
      const settings = await invoiceSyncSettings(db, merchantId);
      const companies = await (await manageOf(deps, merchantId)).accounting.companiesByIds(unknown);
      const missing: typeof companies = [];
      await deps.accounting.onConnection(merchantId, async (call) => {
        for (const company of companies) {
          const byNumber = await call((p) => p.findContacts({ accountNumber: company.identifier }));
          const [found] = byNumber.length ? byNumber : await call((p) => p.findContacts({ name: company.name }));
          if (found) {
            await rememberContact(db, merchantId, company.id, found.id, 'matched');
            result.matched++;
          } else if (settings.createContacts) {
            const created = await call((p) => p.createContact({ name: company.name, accountNumber: company.identifier }, manageKey(merchantId, `contact-${company.id}`)));
            await rememberContact(db, merchantId, company.id, created.id, 'created');
            result.created++;
          } else missing.push(company);
        }
      });
      for (const company of missing) {
        await raiseMerchantAction(db, { merchantId, kind: CONTACT_MISSING, subject: `manage-company-${company.id}`,
          detail: `No contact in the accounting package matches the ConnectWise Manage company ${company.identifier}: create one (account number ${company.identifier}) or let Settle create contacts, then run the sync again. Its invoices are held.` });
        const held = await db.updateTable('invoice_sync_records').set({ status: 'held', error: 'no accounting contact for this customer', updated_at: new Date() })
          .where('batch_id', '=', batchId).where('manage_company_id', '=', company.id).where('status', '=', 'pending').executeTakeFirst();
        result.held += Number(held.numUpdatedRows);
      }
      for (const company of companies.filter((c) => !missing.includes(c))) {
        await resolveMerchantActions(db, merchantId, CONTACT_MISSING, `manage-company-${company.id}`);
      }
      return result;
    },
  };
}
