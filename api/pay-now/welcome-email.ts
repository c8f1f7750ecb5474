// The "Welcome" email a payer gets on registering from the Pay Now page: the link to set their password, which
// completes the account (they can pay at once; the password is for logging in next time).
import type { EmailMessage } from '../../db/outbox';

export function setPasswordUrl(publicUrl: string, passwordToken: string): string {
  return `${publicUrl.replace(/\/$/, '')}/pay/set-password?token=${encodeURIComponent(passwordToken)}`;
}

export function welcomeEmail(opts: { to: string; name: string; merchantName: string; link: string }): EmailMessage {
  return {
    to: opts.to,
    subject: `Welcome: set your password to pay ${opts.merchantName}`,
    text: [
      `Hello ${opts.name},`,
      '',
      `You registered to pay ${opts.merchantName} online. Set your password to complete your account:`,
      '',
      opts.link,
      '',
      'The link works once and expires in 7 days. If you did not register, you can ignore this email.',
    ].join('\n'),
  };
}
