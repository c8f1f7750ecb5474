// A payer with billing terms from a CPQ quote's recurring portion (the real path: accept, pay with a saved card),
// and invoices for the quote's customer in the Xero emulator, for the payer-invoice and auto-payment tests.
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { registerPayer } from '../../db/payers';
import { beginCheckoutUpdate, completeCheckoutUpdate } from '../../workflows/quotes/definitions';
import { acceptBody, untilQuoteStatus, type QuoteMerchant, type QuoteWorld } from './quotes';

export interface PayerWithTerms {
  payerId: string;
  termsId: string;
  contactId: string;
  email: string;
  /** The welcome email's set-password token (a test signs the payer in with it). */
  passwordToken: string;
}

export async function payerWithTerms(world: Pick<QuoteWorld, 'stack' | 'stripe'>, m: Pick<QuoteMerchant, 'merchantId' | 'stripeAccountId' | 'cpq'>, recurring = '300.00'): Promise<PayerWithTerms> {
  const accepted = await m.cpq('POST', '/v1/cpq/quote-payments', { body: acceptBody({ recurring: { amount: recurring, interval: 'month' } }) });
  if (accepted.status !== 201) throw new Error(`accept: ${accepted.status} ${JSON.stringify(accepted.body)}`);
  const email = `pat+${randomBytes(3).toString('hex')}@payer.example`;
  const { payer, passwordToken } = await registerPayer(world.stack.db, world.stack.apiDeps.keyring, m.merchantId, { name: 'Pat Payer', email });
  const handle = world.stack.client.workflow.getHandle(`quote-payment/${m.merchantId}/${accepted.body.quoteId}`);
  const { paymentIntentId } = await handle.executeUpdate(beginCheckoutUpdate, { args: [{ checkout: 'payer', payerId: payer.id, method: 'card' }] });
  await world.stripe.stripe.paymentIntents.confirm(paymentIntentId, { payment_method: 'pm_card_visa' }, { stripeAccount: m.stripeAccountId });
  await handle.executeUpdate(completeCheckoutUpdate, { args: [{ paymentIntentId }] });
  const state = await untilQuoteStatus(handle, 'awaiting-downpayment-invoice');
  const terms = await world.stack.db.selectFrom('billing_terms').selectAll().where('payer_id', '=', payer.id).executeTakeFirstOrThrow();
  return { payerId: payer.id, termsId: terms.id, contactId: state.contactId!, email, passwordToken };
}

/** An authorised USD invoice for the contact, due on `dueDate`. */
export async function invoiceFor(world: QuoteWorld, contactId: string, amountMinor: number, dueDate: string) {
  return world.xero.platform.createInvoice({ contactId, date: dueDate, dueDate, currency: 'USD', status: 'authorised',
    lines: [{ description: 'Managed services', quantity: 1, unitAmountMinor: amountMinor, accountCode: '200', taxType: 'NONE' }] }, `inv-${randomBytes(8).toString('hex')}`);
}

/** Makes the saved method behave like another Stripe test method (e.g. one that declines) from the next charge on. */
export async function useSavedMethod(world: QuoteWorld, payerId: string, testMethod: string): Promise<void> {
  await world.stack.db.updateTable('payer_payment_methods').set({ stripe_payment_method_id: testMethod }).where('payer_id', '=', payerId).execute();
}

/** In the payer's browser: their password set from the welcome email's link, then signed in on the invoice pages. */
export async function signInOnInvoicePages(page: Page, apiUrl: string, merchantId: string, p: Pick<PayerWithTerms, 'email' | 'passwordToken'>, password: string): Promise<void> {
  await page.goto(`${apiUrl}/pay/set-password?token=${encodeURIComponent(p.passwordToken)}`);
  await page.fill('#password', password);
  await page.fill('#confirmation', password);
  await page.getByRole('button', { name: 'Set password' }).click();
  await page.goto(`${apiUrl}/pay/m/${merchantId}/invoices`);
  await page.fill('#login-email', p.email);
  await page.fill('#login-password', password);
  await page.getByRole('button', { name: 'Log in' }).click();
}
