// The two choices of a quote still to be paid: who pays (log in, register, or continue as guest) and then how
// (one button per method offered to them). A form sent back with an error shows it beside the form, with what
// the payer typed (never a password).
import { bankDebitScheme, checkoutChoices, type PaymentMethodKind } from '../../lib/quotes/methods';
import { html, type SafeHtml } from './html';

/** What a refused form echoes back: its error and the values typed. */
export interface FormEcho {
  login?: { email?: string; error?: string };
  register?: { name?: string; email?: string; phone?: string; error?: string };
  guest?: { error?: string };
}

const fieldError = (error?: string) => (error ? html`<div class="notice error" role="alert">${error}</div>` : '');

export function loginForm(base: string, echo: FormEcho['login'] = {}): SafeHtml {
  return html`<form class="card" method="post" action="${base}/login" id="login">
<h2>Log in</h2>${fieldError(echo.error)}
<label for="login-email">Email</label><input id="login-email" name="email" type="email" autocomplete="email" required maxlength="254" value="${echo.email ?? ''}">
<label for="login-password">Password</label><input id="login-password" name="password" type="password" autocomplete="current-password" required maxlength="200">
<button type="submit">Log in</button>
</form>`;
}

function registerForm(base: string, echo: FormEcho['register'] = {}): SafeHtml {
  return html`<form class="card" method="post" action="${base}/register" id="register">
<h2>Register</h2><p class="muted">We email you a link to set your password.</p>${fieldError(echo.error)}
<label for="register-name">Name</label><input id="register-name" name="name" autocomplete="name" required maxlength="255" value="${echo.name ?? ''}">
<label for="register-email">Email</label><input id="register-email" name="email" type="email" autocomplete="email" required maxlength="254" value="${echo.email ?? ''}">
<label for="register-phone">Phone (optional)</label><input id="register-phone" name="phone" type="tel" autocomplete="tel" maxlength="32" value="${echo.phone ?? ''}">
<button type="submit">Register</button>
</form>`;
}

function guestForm(base: string, echo: FormEcho['guest'] = {}): SafeHtml {
  return html`<form class="card" method="post" action="${base}/guest" id="guest">
<h2>Continue as guest</h2><p class="muted">Pay by card without an account.</p>${fieldError(echo.error)}
<button type="submit" class="secondary">Continue as guest</button>
</form>`;
}

/** Log in, register, and (for a one-time payment only) continue as guest. */
export function identifyChoices(base: string, hasRecurring: boolean, echo: FormEcho = {}): SafeHtml {
  const guestAllowed = checkoutChoices(hasRecurring).includes('guest');
  return html`<h2>How would you like to continue?</h2>
${guestAllowed ? '' : html`<div class="notice info">This quote includes a recurring portion, so you need an account: the payment method you save now pays the recurring agreement. Log in, or register if you are new.</div>`}
<div class="grid">${loginForm(base, echo.login)}${registerForm(base, echo.register)}</div>
${guestAllowed ? guestForm(base, echo.guest) : echo.guest?.error ? fieldError(echo.guest.error) : ''}`;
}

/** 'card', 'bank debit (ACH)': as in "Pay by …". */
export function methodLabel(method: PaymentMethodKind, currency: string): string {
  if (method === 'card') return 'card';
  const scheme = bankDebitScheme(currency);
  return scheme === 'ach' ? 'bank debit (ACH)' : scheme === 'becs' ? 'bank debit (BECS)' : 'bank debit';
}

/** One button per method offered to this payer. */
export function methodChoice(base: string, methods: PaymentMethodKind[], currency: string, who: string): SafeHtml {
  if (methods.length === 0) return html`<div class="notice error">No payment method is available for you on this quote. Please contact the sender of the quote.</div>`;
  return html`<form class="card methods" method="post" action="${base}/checkout" id="methods">
<h2>Choose how to pay</h2><p class="muted">${who}</p>
${methods.map((m) => html`<button type="submit" name="method" value="${m}">Pay by ${methodLabel(m, currency)}</button>`)}
</form>`;
}
