// The welcome email, end to end in a real browser (headless Chromium): a payer registers on the Pay Now page, the
// email arrives at a real SMTP server (in-process, parsed by mailparser), its set-password link is opened and the
// form filled in Chromium; the password then signs the payer in on the quote, and the link, opened again, says it
// was used. Screenshots go to test/artifacts/ (not committed).
import type { ParsedMail } from 'mailparser';
import { chromium, type Browser } from 'playwright-core';
import { startSmtpSink, type SmtpSink } from '../../../emulators/mail/smtp-sink';
import { artifactPath, chromiumExecutable, NO_CHROMIUM_MESSAGE } from '../../support/browser';
import { eventually } from '../../support/eventually';
import { acceptBody, setUpQuoteMerchant, startQuoteWorld, type QuoteMerchant, type QuoteWorld } from '../../support/quotes';

const executablePath = chromiumExecutable();
if (!executablePath) console.warn(NO_CHROMIUM_MESSAGE);

const PASSWORD = 'correct horse battery staple';

(executablePath ? describe : describe.skip)('the welcome email\'s link in Chromium', () => {
  let smtp: SmtpSink;
  let world: QuoteWorld;
  let m: QuoteMerchant;
  let browser: Browser;

  beforeAll(async () => {
    smtp = await startSmtpSink();
    [world, browser] = await Promise.all([
      startQuoteWorld({ mail: { smtpUrl: smtp.url, from: 'Settle <billing@settle.test>', pollMs: 300 } }),
      chromium.launch({ executablePath }),
    ]);
    m = await setUpQuoteMerchant(world);
  });
  afterAll(async () => {
    await browser?.close();
    await world?.close();
    await smtp?.close();
  });

  const welcomeTo = (address: string) => eventually('the welcome email arrived', async () =>
    smtp.received.filter((mail: ParsedMail) => mail.to && !Array.isArray(mail.to) && mail.to.value[0]?.address === address && /^Welcome/.test(mail.subject ?? '')),
  (found) => found.length === 1);

  it('registers, sets the password from the received email\'s link, signs in with it; the link then says it was used', async () => {
    const accepted = await m.cpq('POST', '/v1/cpq/quote-payments', { body: acceptBody() });
    expect(accepted.status).toBe(201);
    const email = `robin.${Date.now()}@payer.example`;

    // Register on the Pay Now page, as the payer does.
    const registering = await browser.newPage({ viewport: { width: 900, height: 1000 } });
    await registering.goto(accepted.body.payNowUrl);
    await registering.fill('#register-name', 'Robin Browser');
    await registering.fill('#register-email', email);
    await registering.getByRole('button', { name: 'Register' }).click();
    await registering.getByText('Paying as Robin Browser.').waitFor();
    await registering.close();

    // The link as the payer's mail program shows it: the HTML part's button, the same address as the text part's.
    const [mail] = await welcomeTo(email);
    const href = /<a href="([^"]+)"[^>]*>Set your password<\/a>/.exec(mail.html || '')?.[1]?.replace(/&amp;/g, '&');
    expect(href).toMatch(new RegExp(`^${world.stack.api!.url}/pay/set-password\\?token=[\\w%-]+$`));
    expect(mail.text).toContain(`Set your password: ${href}`);

    // A browser with nothing of the registration (the payer reads mail elsewhere) opens it and sets the password.
    const context = await browser.newContext({ viewport: { width: 900, height: 800 } });
    const page = await context.newPage();
    expect((await page.goto(href!))!.status()).toBe(200);
    await page.getByRole('heading', { name: 'Set your password' }).waitFor();
    await page.fill('#password', PASSWORD);
    await page.fill('#confirmation', PASSWORD);
    await page.screenshot({ path: artifactPath('set-password-form.png'), fullPage: true });
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByRole('heading', { name: 'Your password is set' }).waitFor();
    expect(new URL(page.url()).search).toBe('?done=1');
    await page.screenshot({ path: artifactPath('set-password-done.png'), fullPage: true });

    // The password works: a wrong one is refused, this one signs the payer in on the quote.
    await page.goto(accepted.body.payNowUrl);
    await page.fill('#login-email', email);
    await page.fill('#login-password', 'not the password at all');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('That email and password do not match an account.').waitFor();
    await page.fill('#login-password', PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('Paying as Robin Browser.').waitFor();
    await page.screenshot({ path: artifactPath('set-password-signed-in.png'), fullPage: true });

    // The link a second time: used, and it says so before anything is typed.
    const again = await page.goto(href!);
    expect(again!.status()).toBe(410);
    await page.getByRole('heading', { name: 'Link expired or used' }).waitFor();
    expect(await page.locator('#password').count()).toBe(0);
    await page.screenshot({ path: artifactPath('set-password-used.png'), fullPage: true });
    await context.close();
  }, 60_000);
});
