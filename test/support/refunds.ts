// A card payment the way a payer makes one, for the refund and payout tests: a payer with billing terms signs in to
// the merchant's invoice pages and pays an invoice by card on the sandbox checkout (the merchant's connected account),
// and Settle records the payment and posts it to the books.
import { eventually } from './eventually';
import { formBrowser } from './form-browser';
import { invoiceFor, payerWithTerms, type PayerWithTerms } from './payer-invoices';
import type { QuoteMerchant, QuoteWorld } from './quotes';

const PASSWORD = 'correct horse battery staple';
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

export interface PaidInvoice {
  paymentId: string;
  paymentIntentId: string;
  invoiceId: string;
  payer: PayerWithTerms;
}

export async function payInvoiceByCard(world: QuoteWorld, m: QuoteMerchant, amountMinor: number, testMethod = 'pm_card_visa'): Promise<PaidInvoice> {
  const base = `/pay/m/${m.merchantId}/invoices`;
  const payer = await payerWithTerms(world, m);
  const invoice = await invoiceFor(world, payer.contactId, amountMinor, inDays(10));
  const refreshed = await m.merchant('POST', '/v1/accounting/refresh');
  if (refreshed.status !== 202) throw new Error(`refresh: ${refreshed.status}`);
  await eventually('invoice copied', () => world.stack.db.selectFrom('accounting_invoices').select('id').where('id', '=', invoice.id).executeTakeFirst(), (r) => r !== undefined);
  const b = formBrowser(world.stack.api!.url);
  await b.post('/pay/set-password', { token: payer.passwordToken, password: PASSWORD, confirmation: PASSWORD });
  await b.post(`${base}/login`, { email: payer.email, password: PASSWORD });
  const pay = await b.post(`${base}/pay`, [['invoice', invoice.id], ['method', 'card']]);
  const checkoutId = /\/checkouts\/(chk_[0-9a-f]{24})$/.exec(pay.location ?? '')?.[1];
  if (!checkoutId) throw new Error(`pay: ${pay.status} ${pay.location}`);
  const confirmed = await b.post(`${base}/checkouts/${checkoutId}/sandbox-confirm`, { payment_method: testMethod });
  await b.get(confirmed.location);
  const payment = await eventually('payment synced', () => world.stack.db.selectFrom('payments').selectAll().where('merchant_id', '=', m.merchantId)
    .where('applications', '@>', JSON.stringify([{ invoiceId: invoice.id }]) as never).executeTakeFirst(), (p) => p?.sync_status === 'synced');
  return { paymentId: payment!.id, paymentIntentId: payment!.stripe_payment_intent_id!, invoiceId: invoice.id, payer };
}
