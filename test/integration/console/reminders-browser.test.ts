// The console's Reminders screen in headless Chromium against the real stack (Temporal, Postgres, workers, API serving
// the built console) and the Xero emulator: an admin turns reminders on with a schedule, a schedule the API refuses
// says why, and the reminders sent (by the real send activity, against an invoice in Xero) are listed with their step.
// The screen is saved as test/artifacts/console-reminders.png.
import { randomBytes } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { chromium, type Browser, type Page } from 'playwright-core';
import { saveInvoiceCopies } from '../../../activities/accounting-data/invoice-copies';
import { registerPayer } from '../../../db/payers';
import { ensureConsoleBuilt } from '../../../dev/console-build';
import { taskQueueName } from '../../../lib/task-queues';
import { artifactPath, chromiumExecutable, NO_CHROMIUM_MESSAGE } from '../../support/browser';
import { CONSOLE_PASSWORD, consoleUser } from '../../support/console';
import { createTestMerchant } from '../../support/merchants';
import { startTestStack, type TestStack } from '../../support/stack';
import { startXero, type XeroFixture } from '../../support/xero';

const executablePath = chromiumExecutable();
if (!executablePath) console.warn(NO_CHROMIUM_MESSAGE);
const ADMIN = 'ada@reminders-msp.example';

let stack: TestStack;
let xero: XeroFixture;
let browser: Browser;
let page: Page;
let merchantId: string;

(executablePath ? describe : describe.skip)('the Reminders screen in Chromium', () => {
  beforeAll(async () => {
    await ensureConsoleBuilt();
    [xero, browser] = await Promise.all([startXero(), chromium.launch({ executablePath })]);
    const endpoint = { apiBase: xero.emu.apiBasePath, tokenUrl: xero.emu.tokenUrl, clientId: 'settle', clientSecret: 'secret' };
    stack = await startTestStack({ endpoints: { xero: endpoint, quickbooks: endpoint } });
    merchantId = (await createTestMerchant(stack, 'Reminders MSP')).merchantId;
    await stack.accounting.connections.connect(merchantId, 'wise-pay', { platform: 'xero', tenantId: xero.tenantId, tokens: xero.emu.oauth.issue(xero.tenantId, `settle-${merchantId}`) });
    await consoleUser(stack, merchantId, { email: ADMIN, role: 'admin' });
    page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    await xero?.close();
  });

  it('turns reminders on, refuses a schedule with a reason, and lists the reminders sent', async () => {
    await page.goto(`${stack.api!.url}/console/reminders`);
    await page.waitForURL((u) => u.pathname === '/console/sign-in');
    await page.getByLabel('Email').fill(ADMIN);
    await page.getByLabel('Password').fill(CONSOLE_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Reminders', level: 1 }).waitFor();
    await page.getByText('No reminders sent yet.').waitFor();
    const schedule = page.getByRole('form', { name: 'Reminder schedule' });
    expect(await schedule.getByLabel('Days from the due date').inputValue()).toBe('-3, 0, 7, 14');
    expect(await schedule.getByLabel('Send reminders').isChecked()).toBe(false);

    // Two steps on one day: the API refuses it and the screen says why.
    await schedule.getByLabel('Send reminders').check();
    await schedule.getByLabel('Days from the due date').fill('7, 7');
    await schedule.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('alert').filter({ hasText: /different day/ }).waitFor();
    await schedule.getByLabel('Days from the due date').fill('14, -3, 0, 7, 30');
    await schedule.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Reminders are on: -3, 0, 7, 14, 30 days from the due date.' }).waitFor();
    const saved = await stack.db.selectFrom('merchants').select(['reminders_enabled', 'reminder_offsets']).where('id', '=', merchantId).executeTakeFirstOrThrow();
    expect(saved).toEqual({ reminders_enabled: true, reminder_offsets: [-3, 0, 7, 14, 30] });

    // A payer's overdue invoice in Xero; the send activity (as the reminder workflow runs it) reads it there and sends two steps.
    const contact = await xero.platform.createContact({ name: 'Globex' }, `contact-${randomBytes(4).toString('hex')}`);
    const { payer } = await registerPayer(stack.db, stack.apiDeps.keyring, merchantId, { name: 'Robin', email: 'robin@globex.example' });
    await stack.db.insertInto('payer_contacts').values({ merchant_id: merchantId, payer_id: payer.id, contact_id: contact.id }).execute();
    const due = new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10);
    const invoice = await xero.platform.createInvoice({ contactId: contact.id, date: due, dueDate: due, currency: 'AUD', status: 'authorised',
      lines: [{ description: 'Managed services', quantity: 1, unitAmountMinor: 45_000, accountCode: '200', taxType: 'NONE' }] }, `inv-${randomBytes(4).toString('hex')}`);
    await saveInvoiceCopies(stack.db, merchantId, [invoice]);
    const send = new MockActivityEnvironment({ taskQueue: taskQueueName(stack.taskQueuePrefix, 'service') });
    for (const offset of [0, 7]) {
      expect(await send.run(stack.activities.sendInvoiceReminder, { merchantId, invoiceId: invoice.id, offset })).toEqual({ send: true, emails: 1 });
    }

    await page.reload();
    const rows = page.getByRole('row', { name: new RegExp(invoice.number) });
    await rows.first().waitFor();
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).textContent()).toContain('7 days after the due date');
    expect(await rows.nth(1).textContent()).toContain('on the due date');
    expect(await rows.nth(0).textContent()).toContain('450.00 AUD');
    await page.screenshot({ path: artifactPath('console-reminders.png'), fullPage: true });
  }, 120_000);
});
