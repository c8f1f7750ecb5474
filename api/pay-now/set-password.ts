// The welcome email's link: GET /pay/set-password?token=… shows the form, POST /pay/set-password sets the password
// (the token works once) and redirects to a confirmation (Post/Redirect/Get). A used or expired link opens on a 410.
import type { Context } from 'koa';
import { z } from 'zod';
import { passwordTokenUsable, setPayerPassword } from '../../db/payers';
import type { ApiDeps } from '../deps';
import { html } from './html';
import { sendMessage, sendPage } from './layout';
import { page, postedForm, seeOther } from './requests';

const MIN_PASSWORD = 12;
const passwordShape = z.object({
  token: z.string().min(1).max(200),
  password: z.string().min(MIN_PASSWORD, `Choose a password of at least ${MIN_PASSWORD} characters.`).max(200, 'That password is too long.'),
  confirmation: z.string(),
}).refine((f) => f.password === f.confirmation, { message: 'The two passwords do not match.', path: ['confirmation'] });

const EXPIRED = 'This link has expired or was already used. Register again from the quote, or ask the sender of the quote for help.';

function sendForm(ctx: Context, token: string, status = 200, error?: string): void {
  sendPage(ctx, {
    status, title: 'Set your password',
    body: html`<form class="card" method="post" action="/pay/set-password" id="set-password">
<h1>Set your password</h1><p class="muted">At least ${MIN_PASSWORD} characters. You will use it with your email address to log in.</p>
${error ? html`<div class="notice error" role="alert">${error}</div>` : ''}
<input type="hidden" name="token" value="${token}">
<label for="password">New password</label><input id="password" name="password" type="password" autocomplete="new-password" required minlength="${MIN_PASSWORD}" maxlength="200">
<label for="confirmation">Repeat it</label><input id="confirmation" name="confirmation" type="password" autocomplete="new-password" required minlength="${MIN_PASSWORD}" maxlength="200">
<button type="submit">Set password</button>
</form>`,
  });
}

export function setPasswordHandlers(deps: ApiDeps) {
  const show = page(async (ctx) => {
    if (ctx.query.done === '1') return sendMessage(ctx, 200, 'Your password is set', 'Your account is complete. Log in with your email address and this password the next time you pay.');
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
    // A used or expired link says so at once, not after the payer typed a password twice.
    if (!token || token.length > 200 || !(await passwordTokenUsable(deps.db, token))) return sendMessage(ctx, 410, 'Link expired or used', EXPIRED);
    sendForm(ctx, token);
  });

  const submit = page(async (ctx) => {
    const form = await postedForm(ctx, deps);
    const parsed = passwordShape.safeParse(form);
    if (!parsed.success) {
      if (!form.token) return sendMessage(ctx, 410, 'Link expired or used', EXPIRED);
      return sendForm(ctx, form.token, 422, [...new Set(parsed.error.issues.map((i) => i.message))].join(' '));
    }
    const payer = await setPayerPassword(deps.db, parsed.data.token, parsed.data.password);
    if (!payer) return sendMessage(ctx, 410, 'Link expired or used', EXPIRED);
    ctx.state.log.info({ payerId: payer.id }, 'pay now: payer set a password');
    seeOther(ctx, '/pay/set-password?done=1');
  });

  return { show, submit };
}
