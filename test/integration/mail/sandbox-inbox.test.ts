// The sandbox's web inbox shows what its SMTP sink received: the list, newest first, and each email's parts, with the
// HTML in a sandboxed frame (a mail's markup never runs in the inbox's page).
import nodemailer from 'nodemailer';
import { startMailInbox, type MailInbox } from '../../../emulators/mail/inbox';
import { startSmtpSink, type SmtpSink } from '../../../emulators/mail/smtp-sink';
import { eventually } from '../../support/eventually';

let smtp: SmtpSink;
let inbox: MailInbox;
beforeAll(async () => {
  smtp = await startSmtpSink();
  inbox = await startMailInbox(smtp);
});
afterAll(async () => {
  await inbox?.close();
  await smtp?.close();
});

it('lists received emails and shows each with its text and HTML parts', async () => {
  const transport = nodemailer.createTransport({ url: smtp.url });
  for (const n of [1, 2]) {
    await transport.sendMail({ from: 'Settle <no-reply@settle.localhost>', to: `payer${n}@example.com`, subject: `Welcome ${n}`,
      text: `Set your password ${n}`, html: `<p>Set your <b>password</b> ${n}</p><script>parent.pwned = 1</script>` });
  }
  transport.close();
  await eventually('both emails arrive', async () => smtp.received.length, (n) => n === 2);
  const list = await (await fetch(inbox.url)).text();
  expect(list.indexOf('Welcome 2')).toBeLessThan(list.indexOf('Welcome 1')); // newest first
  expect(list).toContain('payer1@example.com');
  const one = await (await fetch(`${inbox.url}/mail/0`)).text();
  expect(one).toContain('Set your password 1');
  expect(one).toMatch(/<iframe sandbox [^>]*srcdoc="&lt;p&gt;Set your &lt;b&gt;password/); // escaped into a sandboxed frame
  expect(one).not.toContain('<script>parent.pwned');
  expect((await fetch(`${inbox.url}/mail/9`)).status).toBe(404);
});
