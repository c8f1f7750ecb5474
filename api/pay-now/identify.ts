// Who pays: POST /pay/q/:token/login, /register and /guest. Each starts this browser's session for the quote and
// goes back to the quote page (303); a refused form comes back with its error and what was typed (no password).
import type { Context } from 'koa';
import { z } from 'zod';
import { enqueueEmail } from '../../db/outbox';
import { wakeMailRelay } from '../../lib/mail/relay';
import { PayerAlreadyRegistered, registerPayer } from '../../db/payers';
import type { AuthFailureLimiter } from '../middleware/auth-failures';
import { payerSignIn } from './payer-sign-in';
import { checkoutChoices } from '../../lib/quotes/methods';
import type { ApiDeps } from '../deps';
import { loadQuote, renderQuote } from './quote-context';
import { page, postedForm, seeOther } from './requests';
import { startSession } from './session';
import { setPasswordUrl, welcomeEmail } from './welcome-email';

const email = z.string().trim().min(1, 'Enter your email address.').max(254, 'That email address is too long.')
  .pipe(z.email('Enter a valid email address.'));
export const loginShape = z.object({ email, password: z.string().min(1, 'Enter your password.').max(200, 'That password is too long.') });
const registerShape = z.object({
  name: z.string().trim().min(1, 'Enter your name.').max(255, 'That name is too long.')
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'Your name must not contain control characters.'),
  email,
  phone: z.string().trim().max(32, 'That phone number is too long.')
    .regex(/^(\+?[0-9][0-9 ().-]{5,31})?$/, 'Enter a phone number of digits, spaces and + ( ) - only.').optional()
    .transform((phone) => phone || undefined),
});

/** Every problem of a form, as one sentence each. */
export const problems = (error: z.ZodError) => [...new Set(error.issues.map((i) => i.message))].join(' ');

export function identifyHandlers(deps: ApiDeps, authFailures: AuthFailureLimiter) {
  const login = page(async (ctx: Context) => {
    const form = await postedForm(ctx, deps);
    const q = await loadQuote(ctx, deps);
    const parsed = loginShape.safeParse(form);
    if (!parsed.success) return renderQuote(ctx, deps, q, { status: 422, echo: { login: { email: form.email, error: problems(parsed.error) } } });
    const payer = await payerSignIn(ctx, deps, authFailures, q.row.merchant_id, parsed.data.email, parsed.data.password);
    if (!payer) {
      // One answer for an unknown email and a wrong password: the form does not tell who has an account.
      return renderQuote(ctx, deps, q, { status: 401, echo: { login: { email: parsed.data.email, error: 'That email and password do not match an account. Check them, or register if you are new.' } } });
    }
    startSession(ctx, deps, q.row, { checkout: 'payer', payerId: payer.id });
    ctx.state.log.info({ quotePaymentId: q.row.id, payerId: payer.id }, 'pay now: payer logged in');
    seeOther(ctx, q.base);
  });

  const register = page(async (ctx: Context) => {
    const form = await postedForm(ctx, deps);
    const q = await loadQuote(ctx, deps);
    const typed = { name: form.name, email: form.email, phone: form.phone };
    const parsed = registerShape.safeParse(form);
    if (!parsed.success) return renderQuote(ctx, deps, q, { status: 422, echo: { register: { ...typed, error: problems(parsed.error) } } });
    const merchantId = q.row.merchant_id;
    let payerId: string;
    try {
      // The payer and their welcome email together: a payer never exists without the link to set a password.
      payerId = await deps.db.transaction().execute(async (trx) => {
        const { payer, passwordToken } = await registerPayer(trx, deps.keyring, merchantId, parsed.data);
        const link = setPasswordUrl(deps.publicUrl, passwordToken);
        await enqueueEmail(trx, deps.keyring, {
          merchantId, template: 'welcome', dedupeKey: `welcome:${payer.id}`,
          message: welcomeEmail({ to: parsed.data.email, name: parsed.data.name, merchantName: q.merchantName, link }),
        });
        return payer.id;
      });
    } catch (err) {
      if (!(err instanceof PayerAlreadyRegistered)) throw err;
      return renderQuote(ctx, deps, q, { status: 409, echo: {
        register: { ...typed, error: 'You are already registered with this email address: log in instead.' },
        login: { email: parsed.data.email },
      } });
    }
    // Committed: the relay sends the welcome email now, not at its next poll. Not awaited: the payer does not wait
    // for Temporal, and a lost wake only means the poll sends it.
    void wakeMailRelay(deps.temporal, deps.taskQueuePrefix);
    startSession(ctx, deps, q.row, { checkout: 'payer', payerId });
    ctx.state.log.info({ quotePaymentId: q.row.id, payerId }, 'pay now: payer registered');
    seeOther(ctx, q.base);
  });

  const guest = page(async (ctx: Context) => {
    await postedForm(ctx, deps);
    const q = await loadQuote(ctx, deps);
    if (!checkoutChoices(q.row.recurring_amount_minor !== null).includes('guest')) {
      return renderQuote(ctx, deps, q, { status: 403, echo: { guest: {
        error: 'Guest checkout is not available for this quote: it has a recurring portion, which needs an account to save a payment method for the recurring agreement. Log in or register.',
      } } });
    }
    startSession(ctx, deps, q.row, { checkout: 'guest' });
    ctx.state.log.info({ quotePaymentId: q.row.id }, 'pay now: guest checkout');
    seeOther(ctx, q.base);
  });

  return { login, register, guest };
}
