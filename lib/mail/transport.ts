// Sending one outbox row through SMTP with nodemailer, and what the answer means for the row.
//
// What SMTP can promise, and what it cannot: a 250 after the message data means the server took responsibility for
// it; that is all "sent" records. SMTP has no idempotency key: if the relay crashes after the server's 250 and
// before the row is marked sent, the row is sent again on the next pass and the recipient may get it twice. What we
// do about it: the Message-ID header is derived from the row id (the same on every attempt), so a mail system
// or client that dedupes on Message-ID shows it once, and the window is only the moments between the 250 and the
// commit. Nothing can close it entirely: the server's acceptance and our record are two systems.
import nodemailer, { type Transporter } from 'nodemailer';
import type { DueEmail, SendOutcome } from '../../db/outbox';
import { maskEmailAddresses } from '../email-address';

export interface MailConfig {
  /** smtp://user:pass@host:port or smtps://… */
  smtpUrl: string;
  /** The From address, e.g. `Settle <billing@settle.example>`. */
  from: string;
  /** Reply-To per merchant id; merchants not listed get `defaultReplyTo` (or none). */
  replyTo?: Record<string, string>;
  defaultReplyTo?: string;
  /** First retry delay after a 4xx or an unreachable server; doubles per attempt up to `maxRetryDelayMs`. */
  retryBaseMs?: number;
  maxRetryDelayMs?: number;
}

export interface MailSender {
  send(email: DueEmail): Promise<SendOutcome>;
  close(): void;
}

/** A server's reply with any address blanked out ("550 <dana@x.example>: no such user"): it is stored and shown. */
export function scrubAddresses(text: string): string {
  return maskEmailAddresses(text, '<address>').slice(0, 500);
}

/** The Message-ID of a row, the same on every attempt: `<eml_…@domain of the From address>`. */
export function messageIdFor(rowId: string, from: string): string {
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'settle.invalid';
  return `<${rowId}@${domain}>`;
}

export function retryDelayMs(attempts: number, config: Pick<MailConfig, 'retryBaseMs' | 'maxRetryDelayMs'>): number {
  const base = config.retryBaseMs ?? 30_000;
  const max = config.maxRetryDelayMs ?? 30 * 60_000;
  return Math.min(max, base * 2 ** Math.min(attempts, 20));
}

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
}

export function createMailSender(config: MailConfig): MailSender {
  const transport: Transporter = nodemailer.createTransport({
    url: config.smtpUrl,
    // Fail fast on a dead server: the row is retried later by the relay, not held by a socket for minutes.
    connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000,
    // nodemailer's own logger stays off: its debug output would carry addresses and bodies.
    logger: false, debug: false,
  });
  return {
    async send(email) {
      const replyTo = config.replyTo?.[email.merchantId] ?? config.defaultReplyTo;
      try {
        const info = await transport.sendMail({
          from: config.from, to: email.message.to, ...(replyTo ? { replyTo } : {}),
          subject: email.message.subject, text: email.message.text, ...(email.message.html ? { html: email.message.html } : {}),
          messageId: messageIdFor(email.id, config.from),
          headers: { 'X-Settle-Template': email.template },
        });
        if ((info.rejected ?? []).length > 0) return { kind: 'failed', error: scrubAddresses(`recipient refused: ${info.response ?? ''}`) };
        return { kind: 'sent', transportResponse: scrubAddresses(String(info.response ?? '')) };
      } catch (err) {
        const e = err as SmtpError;
        const reply = scrubAddresses(e.response ?? `${e.code ?? 'error'}: ${e.message}`);
        // 5xx is the server's final word on this message: sending it again gets the same answer.
        if (e.responseCode && e.responseCode >= 500) return { kind: 'failed', error: reply };
        // 4xx (try later), a refused or dropped connection, a timeout: the server may take it later.
        return { kind: 'retry', error: reply, delayMs: retryDelayMs(email.attempts, config) };
      }
    },
    close() {
      transport.close();
    },
  };
}
