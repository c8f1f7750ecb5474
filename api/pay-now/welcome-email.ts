// The "Welcome" email a payer gets on registering from the Pay Now page: the link to set their password, which
// completes the account (they can pay at once; the password is for logging in next time).
import type { EmailMessage } from '../../db/outbox';
import { welcomeTemplate } from '../../lib/mail/templates';

export function setPasswordUrl(publicUrl: string, passwordToken: string): string {
  return `${publicUrl.replace(/\/$/, '')}/pay/set-password?token=${encodeURIComponent(passwordToken)}`;
}

/** The payer's address, their name and the link: the template (lib/mail/templates.ts) renders the text and HTML. */
export function welcomeEmail(opts: { to: string; name: string; merchantName: string; link: string }): EmailMessage {
  return { to: opts.to, ...welcomeTemplate({ name: opts.name, merchantName: opts.merchantName, link: opts.link, expiresInDays: 7 }) };
}
