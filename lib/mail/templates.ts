// Every email Settle sends, each from one template that renders both the plain-text and the HTML part, so the two
// never say different things. A template is a subject and blocks (paragraphs, a link as a button); the renderers
// escape everything for HTML. Templates take only what the mail needs: a first name and the merchant's name, the
// invoice or quote number and amount, the link. No secret but the one-time set-password link.
import { escapeHtml } from '../html';

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

type Block = { p: string } | { link: { href: string; label: string } };

interface Template {
  subject: string;
  blocks: Block[];
}


export function render(template: Template): RenderedEmail {
  const text = template.blocks.map((b) => ('p' in b ? b.p : `${b.link.label}: ${b.link.href}`)).join('\n\n');
  const body = template.blocks.map((b) => ('p' in b
    ? `<p style="margin:0 0 16px">${escapeHtml(b.p)}</p>`
    : `<p style="margin:0 0 16px"><a href="${escapeHtml(b.link.href)}" style="display:inline-block;padding:10px 18px;background:#1d4ed8;color:#ffffff;text-decoration:none;border-radius:4px">${escapeHtml(b.link.label)}</a></p>`
      + `<p style="margin:0 0 16px;font-size:12px;color:#555555">Or open this address: ${escapeHtml(b.link.href)}</p>`)).join('\n');
  const html = `<!doctype html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(template.subject)}</title></head>`
    + `<body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#111111">\n${body}\n</body></html>\n`;
  return { subject: template.subject, text: `${text}\n`, html };
}

/** The payer who registered on Pay Now: the link that sets their password (single-use, expiring). */
export function welcomeTemplate(d: { name: string; merchantName: string; link: string; expiresInDays: number }): RenderedEmail {
  return render({
    subject: `Welcome: set your password to pay ${d.merchantName}`,
    blocks: [
      { p: `Hello ${d.name},` },
      { p: `You registered to pay ${d.merchantName} online. Set your password to complete your account:` },
      { link: { href: d.link, label: 'Set your password' } },
      { p: `The link works once and expires in ${d.expiresInDays} days. If you did not register, you can ignore this email.` },
    ],
  });
}

/** To the merchant who subscribed to "Prepayment Processed Successfully": ids, amount and links, no payer data. */
export function prepaymentProcessedTemplate(d: { quoteId: string; amount: string; currency: string; creditNoteUrl: string | null }): RenderedEmail {
  return render({
    subject: `Prepayment processed: quote ${d.quoteId}`,
    blocks: [
      { p: `A payment of ${d.amount} ${d.currency} for quote ${d.quoteId} was processed.` },
      d.creditNoteUrl ? { link: { href: d.creditNoteUrl, label: 'Open the credit note' } } : { p: 'The credit note is being posted.' },
    ],
  });
}

/** To the payer whose automatic payment was declined: what failed and a link to pay now (the retry link). */
export function autoPaymentFailedTemplate(d: { name: string; what: string; failure: string; lastAttempt: boolean; payNowUrl: string }): RenderedEmail {
  return render({
    subject: `We could not take the automatic payment for ${d.what}`,
    blocks: [
      { p: `Hello ${d.name},` },
      { p: `The automatic payment for ${d.what} did not go through (${d.failure}). ${d.lastAttempt ? 'We will not try again.' : 'We will try again in a few days.'}` },
      { link: { href: d.payNowUrl, label: 'Pay now' } },
    ],
  });
}

/** A merchant user invited to the console: the link that sets their password (single-use, expiring). */
export function consoleInvitationTemplate(d: { name: string; merchantName: string; role: 'admin' | 'billing'; link: string; expiresInDays: number }): RenderedEmail {
  return render({
    subject: `You are invited to ${d.merchantName}'s Settle console`,
    blocks: [
      { p: `Hello ${d.name},` },
      { p: `You have been given ${d.role === 'admin' ? 'admin' : 'billing'} access to ${d.merchantName}'s Settle console. Set your password to sign in:` },
      { link: { href: d.link, label: 'Set your password' } },
      { p: `The link works once and expires in ${d.expiresInDays} days. If you did not expect this, you can ignore this email.` },
    ],
  });
}
