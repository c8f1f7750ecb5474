// The merchant hears by email when an accounting connection must be reconnected: once each time the connection
// stops (however many calls notice), at the address the merchant set, through a real SMTP server (in-process).
// Real Temporal, Postgres and the Xero emulator; the grant dies the way it does in Xero (the organisation lets go).
import type { ParsedMail } from 'mailparser';
import { startSmtpSink, type SmtpSink } from '../../../emulators/mail/smtp-sink';
import { consent, organisationLetsGo, xeroConsentEndpoint, xeroInvoice } from '../../support/consent';
import { eventually } from '../../support/eventually';
import { httpClient } from '../../support/http';
import { createTestMerchant } from '../../support/merchants';
import { startTestStack, type TestStack } from '../../support/stack';
import { startXero, type XeroFixture } from '../../support/xero';

let smtp: SmtpSink;
let stack: TestStack;
let xero: XeroFixture;
const OPS = 'ops@msp.test';

beforeAll(async () => {
  smtp = await startSmtpSink();
  xero = await startXero();
  const endpoint = xeroConsentEndpoint(xero.emu);
  stack = await startTestStack({ endpoints: { xero: endpoint, quickbooks: endpoint }, mail: { smtpUrl: smtp.url, from: 'Settle <billing@settle.test>', pollMs: 300 } });
});
afterAll(async () => {
  await stack?.close();
  await xero?.close();
  await smtp?.close();
});

const reconnectMails = () => smtp.received.filter((mail: ParsedMail) => /reconnect/i.test(mail.subject ?? ''));
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('emails the merchant once per time a connection stops, however many payments notice; not at all without an address', async () => {
  const { merchantId, apiKey } = await createTestMerchant(stack);
  const api = httpClient(stack.api!.url, apiKey);
  expect((await api('GET', '/v1/merchant/settings/notification-email')).body).toEqual({ email: null });
  expect((await api('PUT', '/v1/merchant/settings/notification-email', { body: { email: 'not an address' } })).status).toBe(400);
  expect((await api('PUT', '/v1/merchant/settings/notification-email', { body: { email: OPS } })).body).toEqual({ email: OPS });
  expect((await api('GET', '/v1/merchant/settings/notification-email')).body).toEqual({ email: OPS });
  const merchantName = (await api('GET', '/v1/merchant')).body.name as string;

  const target = await xeroInvoice(xero, 90_000);
  const pay = async (n: number) => {
    const res = await api('POST', '/v1/payments', { body: { currency: 'AUD', reference: `Receipt ${n}`, amount: '10.00', method: 'card', invoices: [{ invoiceId: target.id, amount: '10.00' }] } });
    expect(res.status).toBe(202);
  };
  const waiting = (n: number) => eventually(`${n} payments wait for the connection`,
    () => stack.db.selectFrom('accounting_connection_waiters').selectAll().where('merchant_id', '=', merchantId).execute(), (rows) => rows.length >= n);
  const connect = async () => expect((await consent(stack.api!.url, apiKey, { platform: 'xero', tenantIds: [xero.tenantId] })).status).toBe(303);

  // The grant dies; three payments in flight each run into it.
  await connect();
  await organisationLetsGo(stack, xero, merchantId);
  await Promise.all([1, 2, 3].map(pay));
  await waiting(3);
  const [mail] = await eventually('the reconnection email arrived', async () => reconnectMails(), (found) => found.length >= 1);
  expect(mail.to).toMatchObject({ value: [{ address: OPS }] });
  expect(mail.subject).toBe('Action needed: reconnect Xero (wise-pay connection)');
  expect(mail.text).toContain(`Hello ${merchantName},`);
  expect(mail.text).toContain("Xero no longer accepts Settle's wise-pay connection");
  expect(mail.text).toContain('POST /v1/connections/wise-pay/authorize');
  expect(mail.html).toContain('POST /v1/connections/wise-pay/authorize');
  await pause(1_500);
  expect(reconnectMails()).toHaveLength(1);

  // Reconnected, then stopped again: a new transition, a new email.
  await connect();
  await eventually('the waiting payments posted', async () => xero.ledger().paymentsOf(target.id).length, (n) => n === 3);
  await organisationLetsGo(stack, xero, merchantId);
  await pay(4);
  await eventually('a second reconnection email arrived', async () => reconnectMails(), (found) => found.length === 2);

  // Without an address the merchant still gets the Message and the Action, and no email.
  await connect();
  await eventually('the fourth payment posted', async () => xero.ledger().paymentsOf(target.id).length, (n) => n === 4);
  expect((await api('PUT', '/v1/merchant/settings/notification-email', { body: { email: null } })).body).toEqual({ email: null });
  await organisationLetsGo(stack, xero, merchantId);
  await pay(5);
  await eventually('the third stop was told by Message', async () => (await api('GET', '/v1/messages')).body.messages.filter((m: { kind: string }) => m.kind === 'accounting-disconnected'),
    (found) => found.length === 3);
  expect((await api('GET', '/v1/actions')).body.actions).toEqual([expect.objectContaining({ kind: 'reconnect-accounting' })]);
  await pause(1_000);
  expect(reconnectMails()).toHaveLength(2);
  const rows = await stack.db.selectFrom('outbox_emails').select('dedupe_key').where('merchant_id', '=', merchantId).where('template', '=', 'accounting-reconnect').execute();
  expect(rows).toHaveLength(2);
});
