// The relay is woken by the commits that write emails (the API's payer registration, a payment activity), so they
// go out at once. Here the relay polls only once a minute: an email written without a wake waits, while the woken
// ones arrive within seconds.
import { randomBytes } from 'node:crypto';
import type { ParsedMail } from 'mailparser';
import { enqueueEmail } from '../../../db/outbox';
import { startSmtpSink, type SmtpSink } from '../../../emulators/mail/smtp-sink';
import { prepaymentProcessedTemplate } from '../../../lib/mail/templates';
import { eventually } from '../../support/eventually';
import { formBrowser } from '../../support/form-browser';
import { acceptBody, setUpQuoteMerchant, startQuoteWorld, type QuoteMerchant, type QuoteWorld } from '../../support/quotes';

const POLL_MS = 60_000;
/** Well before the poll: what a woken relay must beat. */
const WOKEN_WITHIN_MS = 8_000;
let smtp: SmtpSink;
let world: QuoteWorld;
let m: QuoteMerchant;

beforeAll(async () => {
  smtp = await startSmtpSink();
  world = await startQuoteWorld({ mail: { smtpUrl: smtp.url, from: 'Settle <billing@settle.test>', pollMs: POLL_MS } });
  m = await setUpQuoteMerchant(world);
  // The relay's first pass (at its start) has run and it sleeps for the poll: its history shows the timer.
  const relay = world.stack.client.workflow.getHandle(`mail-relay/${world.stack.taskQueuePrefix}`);
  await eventually('the relay sleeps', async () => (await relay.fetchHistory()).events!.some((e) => e.timerStartedEventAttributes), Boolean, { timeoutMs: 30_000 });
});
afterAll(async () => {
  await world?.close();
  await smtp?.close();
});

const to = (mail: ParsedMail) => (Array.isArray(mail.to) ? mail.to : [mail.to]).flatMap((a) => a?.value.map((v) => v.address) ?? []);
const arrivedFor = (address: string) => smtp.received.filter((mail) => to(mail).includes(address));

it('an email written with no wake waits for the poll; the API\'s welcome and an activity\'s receipt go out at once', async () => {
  // Control: written straight into the outbox, nobody wakes the relay.
  await enqueueEmail(world.stack.db, world.stack.apiDeps.keyring, { merchantId: m.merchantId, template: 'prepayment-processed', dedupeKey: `wake-test:${Date.now()}`,
    message: { to: 'unwoken@msp.test', ...prepaymentProcessedTemplate({ quoteId: 'Q-1', amount: '1.00', currency: 'USD', creditNoteUrl: null }) } });
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  expect(arrivedFor('unwoken@msp.test')).toHaveLength(0);

  // The API registers a payer (welcome email) and wakes the relay after its commit.
  const email = `pat+${randomBytes(3).toString('hex')}@payer.example`;
  const res = await m.cpq('POST', '/v1/cpq/quote-payments', { body: acceptBody({ customer: { company: 'Contoso', name: 'Pat Payer', email } }) });
  const pay = new URL(res.body.payNowUrl).pathname;
  const b = formBrowser(world.stack.api!.url);
  const registeredAt = Date.now();
  expect(await b.post(`${pay}/register`, { name: 'Pat Payer', email, phone: '' })).toMatchObject({ status: 303 });
  await eventually('the welcome email arrived', async () => arrivedFor(email), (found) => found.some((mail) => /^Welcome/.test(mail.subject ?? '')), { timeoutMs: WOKEN_WITHIN_MS });
  expect(Date.now() - registeredAt).toBeLessThan(WOKEN_WITHIN_MS);

  // A payment activity writes the receipt with the quote's paid state and wakes the relay.
  expect(await b.post(`${pay}/checkout`, { method: 'card' })).toMatchObject({ status: 303 });
  await b.get(`${pay}/pay`);
  const confirmed = await b.post(`${pay}/sandbox-confirm`, { payment_method: 'pm_card_visa' });
  const paidAt = Date.now();
  await b.get(confirmed.location);
  await eventually('the receipt arrived', async () => arrivedFor(email), (found) => found.some((mail) => /^Receipt/.test(mail.subject ?? '')), { timeoutMs: WOKEN_WITHIN_MS });
  expect(Date.now() - paidAt).toBeLessThan(WOKEN_WITHIN_MS);
});
