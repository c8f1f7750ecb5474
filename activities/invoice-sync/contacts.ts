// The accounting contact of each Manage company in a batch: remembered from an earlier sync, else found (by account
// number, the company's Manage identifier, then by name), else created when the merchant allows it — many companies
// a call (lookups and bulk creates), a few calls at once. A company with no contact (or one the platform refused to
// create) raises an action for the merchant and holds only its own invoices.
import type { AccountingPlatform, Contact } from '../accounting/platform';
import { PLATFORM_LIMITS } from '../accounting/limits';
import { raiseMerchantAction, resolveMerchantActions } from '../../db/actions';
import { contactsOf, invoiceSyncSettings, rememberContacts } from '../../db/invoice-sync';
import { forEachLimited } from '../../lib/concurrency';
import { inGroups, matchContacts } from '../../lib/invoice-sync/chunks';
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
      // Chunks posting beside this wait for it before they create anything (postInvoiceChunk's `whileMatching`).
      const matchedNow = () => db.updateTable('invoice_sync_batches').set({ contacts_matched_at: new Date() }).where('id', '=', batchId).execute();
      if (!unknown.length) {
        await matchedNow();
        return result;
      }
      const settings = await invoiceSyncSettings(db, merchantId);
      const companies = await (await manageOf(deps, merchantId)).accounting.companiesByIds(unknown);
      const missing: Array<{ company: (typeof companies)[number]; refused?: string }> = [];
      await deps.accounting.onConnection(merchantId, async (call, connection) => {
        // Many customers a call, a few calls at once (the budget paces them): by account number, then the rest by name,
        // then the rest created in bulk. A retry finds by number what an earlier attempt created but did not record.
        // The invoice creations posting beside this wait for it, so its calls go ahead of their lookups (`first`).
        const limits = PLATFORM_LIMITS[connection.platform];
        const lookUp = async (values: string[], perCall: number, find: (p: AccountingPlatform, group: string[]) => Promise<Contact[]>) => {
          const found: Contact[] = [];
          await forEachLimited(inGroups([...new Set(values)], perCall), limits.concurrent, async (group) => {
            found.push(...await call((p) => find(p, group), { first: true }));
          });
          return found;
        };
        const byNumber = await lookUp(companies.map((c) => c.identifier), limits.accountNumbersPerLookup, (p, g) => p.findContactsByAccountNumbers(g));
        const numbered = matchContacts(companies, byNumber, []);
        const rest = companies.filter((c) => !numbered.has(c.id));
        const byName = await lookUp(rest.map((c) => c.name), limits.contactsPerCall, (p, g) => p.findContactsByNames(g));
        const matched = matchContacts(companies, byNumber, byName);
        await rememberContacts(db, merchantId, [...matched].map(([companyId, contact]) => ({ companyId, contactId: contact.id, source: 'matched' as const })));
        result.matched += matched.size;
        const unmatched = companies.filter((c) => !matched.has(c.id));
        if (!settings.createContacts) {
          missing.push(...unmatched.map((company) => ({ company })));
          return;
        }
        await forEachLimited(inGroups(unmatched, limits.contactsPerCall), limits.concurrent, async (group) => {
          const created = await call((p) => p.createContacts(group.map((c) => ({ contact: { name: c.name, accountNumber: c.identifier }, key: manageKey(merchantId, `contact-${c.id}`) })),
            manageKey(merchantId, `contacts-${group.map((c) => c.id).join(',')}`)), { kind: 'batch', first: true });
          const made = created.flatMap((outcome, i) => (outcome.ok ? [{ companyId: group[i].id, contactId: outcome.contact.id, source: 'created' as const }] : []));
          await rememberContacts(db, merchantId, made);
          result.created += made.length;
          for (const [i, outcome] of created.entries()) if (!outcome.ok) missing.push({ company: group[i], refused: outcome.reason });
        });
      });
      for (const { company, refused } of missing) {
        await raiseMerchantAction(db, { merchantId, kind: CONTACT_MISSING, subject: `manage-company-${company.id}`,
          detail: refused
            ? `Settle could not create a contact for the ConnectWise Manage company ${company.identifier} (${refused}): create one (account number ${company.identifier}), then run the sync again. Its invoices are held.`
            : `No contact in the accounting package matches the ConnectWise Manage company ${company.identifier}: create one (account number ${company.identifier}) or let Settle create contacts, then run the sync again. Its invoices are held.` });
        const held = await db.updateTable('invoice_sync_records').set({ status: 'held', error: 'no accounting contact for this customer', updated_at: new Date() })
          .where('batch_id', '=', batchId).where('manage_company_id', '=', company.id).where('status', '=', 'pending').executeTakeFirst();
        result.held += Number(held.numUpdatedRows);
      }
      await resolveMerchantActions(db, merchantId, CONTACT_MISSING, companies.filter((c) => !missing.some((m) => m.company === c)).map((c) => `manage-company-${c.id}`));
      await matchedNow();
      return result;
    },
  };
}
