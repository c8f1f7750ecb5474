// Merchant actions: things a merchant must do (reconnect an account, apply a credit note by hand). One open
// action per kind and subject: raising it again while it is open changes nothing.
import { newId } from '../lib/ids';
import type { Db } from './database';

export interface NewAction {
  merchantId: string;
  kind: string;
  subject: string;
  detail: string;
}

export async function raiseMerchantAction(db: Db, action: NewAction): Promise<void> {
  await db
    .insertInto('merchant_actions')
    .values({ id: newId('act'), merchant_id: action.merchantId, kind: action.kind, subject: action.subject, detail: action.detail })
    .onConflict((oc) => oc.columns(['merchant_id', 'kind', 'subject']).where('resolved_at', 'is', null).doNothing())
    .execute();
}

export async function resolveMerchantActions(db: Db, merchantId: string, kind: string, subject: string | string[]): Promise<void> {
  const subjects = Array.isArray(subject) ? subject : [subject];
  if (!subjects.length) return;
  await db
    .updateTable('merchant_actions')
    .set({ resolved_at: new Date() })
    .where('merchant_id', '=', merchantId)
    .where('kind', '=', kind)
    .where('subject', 'in', subjects)
    .where('resolved_at', 'is', null)
    .execute();
}
