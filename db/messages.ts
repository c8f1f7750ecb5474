// Merchant messages: information of significance the merchant should read (a limit reached, a feature turned off,
// a connection lost). Unlike actions they ask for nothing; they carry no personal data.
import { newId } from '../lib/ids';
import type { Db } from './database';

export async function postMerchantMessage(db: Db, message: { merchantId: string; kind: string; text: string }): Promise<void> {
  await db.insertInto('merchant_messages').values({ id: newId('msg'), merchant_id: message.merchantId, kind: message.kind, text: message.text }).execute();
}
