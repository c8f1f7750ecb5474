// Matching customers to accounting contacts before a night's upload. A customer no contact matches, or several do,
// raises an action; nothing of that customer is uploaded until the merchant chooses (PUT /v1/customers/{id}/contact),
// and its payments then catch up on the next night.
import { raiseMerchantAction } from '../../db/actions';
import { open } from '../../lib/crypto/sealed-box';
import { chooseContact } from '../../lib/bpay/contacts';
import type { ContactQuery } from '../accounting/platform';
import type { BpayActivityDeps } from './deps';

// Customers tried per night: each costs up to three calls of the connection's budget (Xero: 60 a minute), and the
// rest wait for the next night.
const CUSTOMERS_PER_NIGHT = 100;

export function createCustomerMatchingActivities({ db, keyring, accounting }: BpayActivityDeps) {
  return {
    async matchCustomersToContacts(input: { merchantId: string }): Promise<{ matched: number; needAction: number }> {
      const customers = await db.selectFrom('customers').selectAll().where('merchant_id', '=', input.merchantId)
        .where('match_status', '=', 'unmatched').orderBy('created_at').limit(CUSTOMERS_PER_NIGHT).execute();
      let matched = 0;
      let needAction = 0;
      await accounting.onConnection(input.merchantId, async (call, _connection, link) => {
        for (const customer of customers) {
          const email = customer.email_sealed ? open(keyring, customer.email_sealed, customer.id) : undefined;
          const find = (query: ContactQuery) => call((p) => p.findContacts(query));
          const choice = chooseContact([
            { by: 'account-number', candidates: customer.account_number ? await find({ accountNumber: customer.account_number }) : [] },
            { by: 'name', candidates: await find({ name: customer.name }) },
            { by: 'email', candidates: email ? await find({ email }) : [] },
          ]);
          if (choice.kind === 'matched') {
            const url = link('contact', choice.contactId);
            await db.updateTable('customers').set({ contact_id: choice.contactId, contact_url: url, match_status: 'matched', last_synced_at: new Date() })
              .where('id', '=', customer.id).execute();
            matched++;
          } else {
            await db.updateTable('customers').set({ match_status: 'needs-action' }).where('id', '=', customer.id).execute();
            await raiseMerchantAction(db, { merchantId: input.merchantId, kind: 'match-customer', subject: customer.id,
              detail: choice.kind === 'none'
                ? `Customer ${customer.customer_reference} (${customer.name}) matches no contact in the accounting package: choose its contact; its payments wait until then.`
                : `Customer ${customer.customer_reference} (${customer.name}) matches ${choice.candidates} contacts by ${choice.by}: choose one; its payments wait until then.` });
            needAction++;
          }
        }
      });
      return { matched, needAction };
    },
  };
}
