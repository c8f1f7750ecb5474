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

/**
 * A reminder of an invoice that is due soon, today or overdue (the merchant's reminder schedule): how much is due and
 * when, the link to pay, and the signed link that stops these reminders.
 */
export function invoiceReminderTemplate(d: { name: string; merchantName: string; number: string; amount: string; currency: string; dueDate: string; offset: number;
  payNowUrl: string; optOutUrl: string }): RenderedEmail {
  const when = d.offset < 0 ? `is due on ${d.dueDate}` : d.offset === 0 ? 'is due today' : `was due on ${d.dueDate} and is overdue`;
  return render({
    subject: d.offset <= 0 ? `Reminder: invoice ${d.number} from ${d.merchantName} ${d.offset === 0 ? 'is due today' : `is due on ${d.dueDate}`}`
      : `Overdue: invoice ${d.number} from ${d.merchantName}`,
    blocks: [
      { p: `Hello ${d.name},` },
      { p: `Invoice ${d.number} from ${d.merchantName} ${when}. ${d.amount} ${d.currency} is still to pay.` },
      { link: { href: d.payNowUrl, label: 'Pay now' } },
      { p: 'If you have paid it already, thank you: please ignore this email.' },
      { p: `To receive no more payment reminders from ${d.merchantName}, open this address: ${d.optOutUrl}` },
    ],
  });
}

/** How a payment was made, in the payer's words: the kind of method only (no card or account number). */
export const methodWords = (method: 'card' | 'bank_debit') => (method === 'card' ? 'card' : 'bank debit');

/**
 * To the payer whose payment went through (a card at once, a bank debit once the bank settled it): what was paid,
 * how much, when and by which kind of method. `what` names the quote or invoices ("quote Q-12", "invoice INV-7").
 */
export function paymentReceiptTemplate(d: { name: string; merchantName: string; what: string; amount: string; currency: string; method: 'card' | 'bank_debit'; paidOn: string;
  /** Invoices this paid only part of: each one's number, what was paid of it, what it owed and what it still owes. */
  parts?: { number: string; paid: string; owed: string; left: string }[] }): RenderedEmail {
  return render({
    subject: `Receipt: ${d.amount} ${d.currency} paid to ${d.merchantName}`,
    blocks: [
      { p: `Hello ${d.name},` },
      { p: `Thank you. ${d.merchantName} received your payment of ${d.amount} ${d.currency} for ${d.what}.` },
      ...(d.parts ?? []).map((part) => ({ p: `This was a part payment: ${part.paid} ${d.currency} of the ${part.owed} ${d.currency} invoice ${part.number} owed; ${part.left} ${d.currency} is still owed.` })),
      { p: `Paid by ${methodWords(d.method)} on ${d.paidOn}. Keep this email as your receipt.` },
    ],
  });
}

/**
 * To the payer whose payment was declined (or whose bank debit failed or was returned): the processor's reason and
 * the link to pay again (the quote's Pay Now link, or the invoice pages where the payer signs in).
 */
export function paymentDeclinedTemplate(d: { name: string; merchantName: string; what: string; amount: string; currency: string; failure: string; retryUrl: string }): RenderedEmail {
  return render({
    subject: `Your payment to ${d.merchantName} did not go through`,
    blocks: [
      { p: `Hello ${d.name},` },
      { p: `Your payment of ${d.amount} ${d.currency} for ${d.what} did not go through (${d.failure}).` },
      { p: `${d.merchantName} has not been paid. You can pay again, with the same method or another one:` },
      { link: { href: d.retryUrl, label: 'Pay now' } },
    ],
  });
}

/**
 * To the merchant's notification address when an accounting connection's grant died (revoked or expired at the
 * platform): which connection, that nothing is lost, and how to reconnect. Sent once per time it stops.
 */
export function connectionReconnectTemplate(d: { merchantName: string; role: string; platform: string }): RenderedEmail {
  return render({
    subject: `Action needed: reconnect ${d.platform} (${d.role} connection)`,
    blocks: [
      { p: `Hello ${d.merchantName},` },
      { p: `${d.platform} no longer accepts Settle's ${d.role} connection: its access was revoked or has expired.` },
      { p: 'Until it is reconnected nothing is synchronised on it. Payments are still taken and wait; they are posted once the connection is back, so nothing is lost.' },
      { p: `To reconnect, an administrator consents again: POST /v1/connections/${d.role}/authorize with your Settle API key returns the consent link.` },
    ],
  });
}

/**
 * To the payer whose payment was refunded (all or part): how much, for which quote or invoices, by which merchant,
 * and that the money goes back to the method they paid with. `what` as in the receipt ("quote Q-12", "invoice INV-7");
 * amounts formatted with lib/money.ts. For the refunds feature (issue 23) to write with the refund it records, under
 * the outbox template name 'refund-confirmation'.
 */
export function refundConfirmationTemplate(d: { name: string; merchantName: string; what: string; amount: string; currency: string; method: 'card' | 'bank_debit'; partial: boolean }): RenderedEmail {
  return render({
    subject: `Refund: ${d.amount} ${d.currency} from ${d.merchantName}`,
    blocks: [
      { p: `Hello ${d.name},` },
      { p: `${d.merchantName} refunded ${d.partial ? 'part of your payment' : 'your payment'} for ${d.what}: ${d.amount} ${d.currency}.` },
      { p: `It goes back to the ${d.method === 'card' ? 'card' : 'bank account'} you paid with; your bank or card issuer may take a few business days to show it.` },
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
