// The sandbox's web inbox: every email the local SMTP sink received, newest first, each readable as the person it
// was sent to would see it (the HTML part in a sandboxed frame, the text part beside it). Loopback only.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ParsedMail } from 'mailparser';
import { escapeHtml } from '../../lib/html';
import type { SmtpSink } from './smtp-sink';

export interface MailInbox {
  url: string;
  close(): Promise<void>;
}

const recipients = (mail: ParsedMail) => [mail.to].flat().filter(Boolean).map((a) => (a as { text: string }).text).join(', ');

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;margin:2rem;max-width:60rem}table{border-collapse:collapse;width:100%}
td,th{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #ddd}iframe{width:100%;height:28rem;border:1px solid #ccc}
pre{white-space:pre-wrap;background:#f6f6f6;padding:1rem}</style></head><body>${body}</body></html>`;
}

function list(sink: SmtpSink): string {
  const rows = sink.received.map((mail, i) => ({ mail, i })).reverse().map(({ mail, i }) =>
    `<tr><td>${escapeHtml(mail.date?.toISOString().replace('T', ' ').slice(0, 19) ?? '')}</td><td>${escapeHtml(recipients(mail))}</td>` +
    `<td><a href="/mail/${i}">${escapeHtml(mail.subject ?? '(no subject)')}</a></td></tr>`).join('');
  return page('Sandbox inbox', `<h1>Sandbox inbox</h1><p>Every email Settle sent in this sandbox (${sink.received.length}), newest first.</p>` +
    (rows ? `<table><thead><tr><th>Received</th><th>To</th><th>Subject</th></tr></thead><tbody>${rows}</tbody></table>` : '<p>Nothing yet: register a payer on a Pay Now page or take a payment.</p>'));
}

function message(mail: ParsedMail, i: number): string {
  const html = typeof mail.html === 'string' ? mail.html : '';
  return page(mail.subject ?? 'Email', `<p><a href="/">← Inbox</a></p><h1>${escapeHtml(mail.subject ?? '(no subject)')}</h1>
<p>From ${escapeHtml(mail.from?.text ?? '')} to ${escapeHtml(recipients(mail))}${mail.replyTo ? `, reply to ${escapeHtml(mail.replyTo.text)}` : ''}<br>Message-ID ${escapeHtml(mail.messageId ?? '')}</p>
${html ? `<h2>HTML part</h2><iframe sandbox title="HTML part of email ${i}" srcdoc="${escapeHtml(html)}"></iframe>` : ''}
<h2>Text part</h2><pre>${escapeHtml(mail.text ?? '')}</pre>`);
}

export async function startMailInbox(sink: SmtpSink, port = 0): Promise<MailInbox> {
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://inbox').pathname;
    const match = /^\/mail\/(\d+)$/.exec(path);
    const mail = match ? sink.received[Number(match[1])] : undefined;
    if (path !== '/' && !mail) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no such email');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
      .end(mail ? message(mail, Number(match![1])) : list(sink));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
