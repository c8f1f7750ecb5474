// Emails leave through a real SMTP server (in-process, emulators/mail/smtp-sink.ts) by the mail relay: what arrives
// (recipients, subject, both parts, the stable Message-ID), a server down for a while (every email once, none lost),
// a "try later" answer, and a permanent refusal (row failed, the merchant told).
import { enqueueEmail } from '../../../db/outbox';
import { messageIdFor } from '../../../lib/mail/transport';
import { prepaymentProcessedTemplate } from '../../../lib/mail/templates';
import { eventually } from '../../support/eventually';
import { formBrowser } from '../../support/form-browser';
import { acceptBody, setUpQuoteMerchant, startQuoteWorld, type QuoteMerchant, type QuoteWorld } from '../../support/quotes';
import { startSmtpSink, type SmtpSink } from '../../../emulators/mail/smtp-sink';
import { recordHistory } from '../../support/histories';

const FROM = 'Settle Billing <billing@settle.test>';
let smtp: SmtpSink;
let world: QuoteWorld;
let m: QuoteMerchant;

beforeAll(async () => {
  smtp = await startSmtpSink();
  world = await startQuoteWorld({ mail: { smtpUrl: smtp.url, from: FROM, defaultReplyTo: 'help@msp.test', retryBaseMs: 300, maxRetryDelayMs: 1_500, pollMs: 300 } });
  m = await setUpQuoteMerchant(world);
});
afterAll(async () => {
  await world?.close();
  await smtp?.close();
});

const rowsOf = (ids: string[]) => world.stack.db.selectFrom('outbox_emails').select(['id', 'status', 'attempts', 'last_error', 'transport_response']).where('id', 'in', ids).execute();
const arrivedWith = (messageId: string) => smtp.received.filter((mail) => mail.messageId === messageId);

async function enqueueNotice(tag: string, to: string): Promise<string> {
  await enqueueEmail(world.stack.db, world.stack.apiDeps.keyring, { merchantId: m.merchantId, template: 'prepayment-processed', dedupeKey: `test:${tag}`,
    message: { to, ...prepaymentProcessedTemplate({ quoteId: `Q-${tag}`, amount: '10.00', currency: 'USD', creditNoteUrl: 'https://books.example/cn/1' }) } });
  const row = await world.stack.db.selectFrom('outbox_emails').select('id').where('dedupe_key', '=', `test:${tag}`).executeTakeFirstOrThrow();
  return row.id;
}

it('sends the welcome email with a text and an HTML part and a stable Message-ID; its link sets the password once', async () => {
  const res = await m.cpq('POST', '/v1/cpq/quote-payments', { body: acceptBody() });
  expect(res.status).toBe(201);
  const pay = new URL(res.body.payNowUrl).pathname;
  const email = `pat.${Date.now()}@payer.example`;
  const b = formBrowser(world.stack.api!.url);
  expect(await b.post(`${pay}/register`, { name: 'Pat Payer', email, phone: '' })).toMatchObject({ status: 303 });

  const row = await world.stack.db.selectFrom('outbox_emails').select('id').where('merchant_id', '=', m.merchantId).where('template', '=', 'welcome').executeTakeFirstOrThrow();
  const messageId = messageIdFor(row.id, FROM);
  expect(messageId).toBe(`<${row.id}@settle.test>`);
  const [mail] = await eventually('the welcome email arrived', async () => arrivedWith(messageId), (found) => found.length === 1);
  expect(mail.to).toMatchObject({ value: [{ address: email }] });
  expect(mail.from).toMatchObject({ value: [{ address: 'billing@settle.test', name: 'Settle Billing' }] });
  expect(mail.replyTo).toMatchObject({ value: [{ address: 'help@msp.test' }] });
  expect(mail.subject).toMatch(/^Welcome: set your password to pay /);
  const link = /https?:\/\/\S+\/pay\/set-password\?token=[\w%-]+/.exec(mail.text ?? '')![0];
  expect(mail.text).toContain('Hello Pat Payer,');
  expect(mail.html).toContain(`href="${link}"`);
  expect(mail.html).toContain('Set your password');
  // The SMTP server has the message before the relay's own transaction records the server's answer: wait for that.
  const [sent] = await eventually('the outbox row marked sent', () => rowsOf([row.id]), (rows) => rows[0]?.status !== 'pending');
  expect(sent).toEqual(expect.objectContaining({ status: 'sent', attempts: 1, transport_response: expect.stringMatching(/^250/) }));
  // The outbox API still lists it, now with its status.
  const listed = (await m.merchant('GET', '/v1/outbox/emails')).body.emails.filter((e: { to: string }) => e.to === email);
  expect(listed).toEqual([expect.objectContaining({ template: 'welcome', status: 'sent' })]);

  const token = new URL(link).searchParams.get('token')!;
  const password = 'correct horse battery staple';
  expect(await b.post('/pay/set-password', { token, password, confirmation: password })).toMatchObject({ status: 303 });
  expect((await b.post('/pay/set-password', { token, password, confirmation: password })).status).toBe(410);
});

it('holds emails while the SMTP server is down and delivers each exactly once when it is back', async () => {
  await smtp.stop();
  const ids = await Promise.all([1, 2, 3].map((n) => enqueueNotice(`down-${n}-${Date.now()}`, `ops${n}@msp.test`)));
  // Tried and put back with a delay while nothing listens.
  await eventually('a send was tried and deferred', async () => rowsOf(ids), (rows) => rows.some((r) => r.attempts > 0 && r.status === 'pending'));
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect((await rowsOf(ids)).every((r) => r.status === 'pending')).toBe(true);
  await smtp.start();
  await eventually('every email was sent', async () => rowsOf(ids), (rows) => rows.every((r) => r.status === 'sent'));
  for (const id of ids) expect(arrivedWith(messageIdFor(id, FROM))).toHaveLength(1);
  const [deferred] = (await rowsOf(ids)).filter((r) => r.attempts > 1);
  expect(deferred?.last_error).not.toMatch(/@/); // the stored reason names no address
});

it('retries an email the server answers 4xx, and delivers it once', async () => {
  smtp.deferNext(2);
  const id = await enqueueNotice(`later-${Date.now()}`, 'later@msp.test');
  await eventually('the deferred email was sent', async () => rowsOf([id]), ([row]) => row.status === 'sent');
  const [row] = await rowsOf([id]);
  expect(row.attempts).toBe(3);
  expect(row.last_error).toMatch(/^451/);
  expect(arrivedWith(messageIdFor(id, FROM))).toHaveLength(1);
});

it('marks an email the server refuses for good as failed, with the reason, and tells the merchant', async () => {
  smtp.refuse.add('gone@msp.test');
  const id = await enqueueNotice(`refused-${Date.now()}`, 'gone@msp.test');
  const [row] = await eventually('the refused email failed', async () => rowsOf([id]), ([r]) => r.status === 'failed');
  expect(row.attempts).toBe(1);
  expect(row.last_error).toMatch(/550/);
  expect(row.last_error).not.toContain('gone@msp.test');
  const messages = (await m.merchant('GET', '/v1/messages')).body.messages as Array<{ kind: string; text: string }>;
  const failed = messages.filter((msg) => msg.kind === 'email-failed');
  expect(failed).toEqual([expect.objectContaining({ text: expect.stringContaining(id) })]);
  expect(failed[0].text).not.toContain('gone@msp.test');
  expect(arrivedWith(messageIdFor(id, FROM))).toHaveLength(0);
});

it('relays in passes and continues as new (recorded for the replay test)', async () => {
  const { client, taskQueuePrefix } = world.stack;
  const id = await enqueueNotice(`record-${Date.now()}`, 'record@msp.test');
  const handle = await client.workflow.start('mailRelayWorkflow', { workflowId: `mail-relay-record/${taskQueuePrefix}`, taskQueue: `${taskQueuePrefix}.workflows`, args: [{ pollMs: 100, passesPerRun: 2 }] });
  const firstRun = client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId);
  await eventually('the first run continued as new', async () => (await firstRun.describe()).status.name, (s) => s === 'CONTINUED_AS_NEW');
  await handle.terminate('recorded');
  await eventually('the email was sent', async () => rowsOf([id]), ([row]) => row.status === 'sent');
  await recordHistory(firstRun, 'mailRelayWorkflow');
});
